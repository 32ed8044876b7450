//! Lint levels and how the file and the command line set them.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::finding::Lint;

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
    pub fn set_from_file(&mut self, lint: &'static Lint, level: Level) {
        self.from_file.insert(lint.code, level);
    }

    /// A later setting of the same code replaces an earlier one, as in rustc.
    pub fn set_from_command_line(&mut self, lint: &'static Lint, level: Level) {
        self.from_command_line.insert(lint.code, level);
    }

    /// The level of `lint`; hard errors are always `deny`.
    pub fn level_of(&self, lint: &Lint) -> Level {
        if lint.is_hard() {
            return Level::Deny;
        }
        let level = self
            .from_command_line
            .get(lint.code)
            .or_else(|| self.from_file.get(lint.code))
            .copied()
            .unwrap_or_else(|| lint.default_level());
        if self.deny_warnings && level == Level::Warn {
            Level::Deny
        } else {
            level
        }
    }

    /// The file's levels (`[lints]`, as resolved into `file`) under these, which come from
    /// the command line: the one place the two are merged.
    #[must_use]
    pub fn over_file(&self, file: &LintLevels) -> LintLevels {
        LintLevels {
            from_file: file.from_file.clone(),
            from_command_line: self.from_command_line.clone(),
            deny_warnings: self.deny_warnings || file.deny_warnings,
        }
    }
}
