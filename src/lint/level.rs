//! Lint levels and how the file and the command line set them.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::lint::Check;

/// How a lint is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Not reported.
    Allow,
    /// Reported as a warning; the exit code stays 0.
    Warn,
    /// Reported as an error; the exit code is 1.
    Deny,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }
}

/// The levels in force: the file's `[lints]` table, then the command line, which wins.
#[derive(Debug, Clone, Default)]
pub struct LintLevels {
    from_file: BTreeMap<&'static str, Level>,
    from_command_line: BTreeMap<&'static str, Level>,
    /// `--deny-warnings`: every warning becomes an error.
    pub deny_warnings: bool,
}

impl LintLevels {
    pub fn set_from_file(&mut self, check: &'static Check, level: Level) {
        self.from_file.insert(check.code, level);
    }

    /// A later setting of the same code replaces an earlier one, as in rustc.
    pub fn set_from_command_line(&mut self, check: &'static Check, level: Level) {
        self.from_command_line.insert(check.code, level);
    }

    /// The level of `check`; hard errors are always `deny`.
    pub fn level_of(&self, check: &Check) -> Level {
        if check.is_hard() {
            return Level::Deny;
        }
        let level = self
            .from_command_line
            .get(check.code)
            .or_else(|| self.from_file.get(check.code))
            .copied()
            .unwrap_or_else(|| check.default_level());
        if self.deny_warnings && level == Level::Warn {
            Level::Deny
        } else {
            level
        }
    }

    /// These levels with the command line's on top.
    #[must_use]
    pub fn merged_with(mut self, command_line: &LintLevels) -> LintLevels {
        for (code, level) in &command_line.from_command_line {
            self.from_command_line.insert(code, *level);
        }
        self.deny_warnings |= command_line.deny_warnings;
        self
    }
}
