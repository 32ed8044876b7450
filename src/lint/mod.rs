//! What a finding code is: its name, whether it can be configured, and its explanation.

pub mod checks;
pub mod diagnostic;
pub mod finding;
pub mod level;

use crate::lint::level::Level;

/// One finding code. Every code has one file under `src/checks/` that declares it with
/// [`declare_check!`], and whose doc comment is the long explanation `topoc explain` prints.
#[derive(Debug)]
pub struct Check {
    /// The stable kebab-case code, such as `unreachable-nodes`.
    pub code: &'static str,
    pub kind: CheckKind,
    /// The doc comment of the declaration, one line per doc line.
    pub explanation: &'static str,
}

/// Whether a code is a hard error or a lint with a default level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckKind {
    /// Never configurable: the appliances reject such a topology or it cannot be compiled.
    Hard,
    /// A practice the vendor recommends; its level can be set with `[lints]` or `-A/-W/-D`.
    Lint(Level),
}

impl Check {
    pub fn is_hard(&self) -> bool {
        self.kind == CheckKind::Hard
    }

    /// The level this code has when nothing configures it.
    pub fn default_level(&self) -> Level {
        match self.kind {
            CheckKind::Hard => Level::Deny,
            CheckKind::Lint(level) => level,
        }
    }

    /// The explanation as prose: doc comments carry one leading space per line.
    pub fn explanation(&self) -> String {
        self.explanation
            .lines()
            .map(|line| line.strip_prefix(' ').unwrap_or(line))
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_owned()
    }
}

/// Declares a finding code: `declare_check! { /// explanation… NAME, "code", kind }`.
#[macro_export]
macro_rules! declare_check {
    ($(#[doc = $doc:literal])* $name:ident, $code:literal, $kind:expr) => {
        $(#[doc = $doc])*
        pub static $name: $crate::lint::Check = $crate::lint::Check {
            code: $code,
            kind: $kind,
            explanation: concat!($($doc, "\n"),*),
        };
    };
}
