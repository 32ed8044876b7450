//! Lints: every finding code topoc reports, declared once, graded by level, and run.
//!
//! A code is one file under [`checks`] that declares it with [`declare_lint!`]: its code,
//! its class (a hard error, or a lint with a default level), the kinds of cluster it applies
//! to, and the check that raises it; its doc comment is the explanation `topoc explain`
//! prints. [`checks::ALL`] is the one registry: `explain`, `[lints]` and `-A/-W/-D`
//! validation, the topology schema and SARIF rule metadata all read it.
//!
//! Codes that only a stage before the model can see (syntax, keys, values, references) have
//! no check: `parse` and `resolve` raise them through the constructors in their files.

pub mod checks;
pub mod diagnostic;
pub mod finding;
pub mod level;
mod spread;

use crate::analysis::Analysis;
use crate::model::Model;
use crate::pki::Inspection;
use crate::syntax::Kind;
use finding::Finding;
use level::{Level, LintLevels};

/// One finding code.
#[derive(Debug)]
pub struct Lint {
    /// The stable kebab-case code, such as `unreachable-nodes`.
    pub code: &'static str,
    pub class: Class,
    /// The kinds of cluster the code applies to.
    pub scope: Scope,
    /// The check that raises the code on a resolved model; `None` for codes raised by
    /// `parse` and `resolve`.
    pub check: Option<Check>,
    /// The doc comment of the declaration, one line per doc line.
    pub explanation: &'static str,
}

/// Every check has this signature: it reads the context and adds its findings.
pub type Check = fn(&Context<'_>, &mut Vec<Finding>);

/// What a check sees: the model, its analysis, and what was read beside the topology.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub model: &'a Model,
    pub analysis: &'a Analysis,
    pub evidence: &'a Evidence,
}

/// What the pipeline learnt from outside the topology file, for the checks that judge it.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    /// The existing CA and certificates, judged at the environment's time; `None` when no
    /// material was there to judge.
    pub inspection: Option<Inspection>,
    /// A SEG cluster's shared key as read (`Err` says why it could not be); `None` when it
    /// was not read.
    pub shared_key: Option<Result<String, String>>,
}

/// Whether a code is a hard error or a lint with a default level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Never configurable: the appliances reject such a topology or it cannot be compiled.
    Hard,
    /// A practice the vendor recommends; its level can be set with `[lints]` or `-A/-W/-D`.
    Lint(Level),
}

/// The kinds of cluster a code applies to. Network, update and runtime groups, priorities
/// and CM settings exist only in Secure Web Gateway Central Management.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Any,
    Swg,
    Seg,
}

impl Scope {
    pub fn includes(self, kind: Kind) -> bool {
        match self {
            Scope::Any => true,
            Scope::Swg => kind == Kind::Swg,
            Scope::Seg => kind == Kind::Seg,
        }
    }
}

impl Lint {
    pub fn is_hard(&self) -> bool {
        self.class == Class::Hard
    }

    /// The level this code has when nothing configures it.
    pub fn default_level(&self) -> Level {
        match self.class {
            Class::Hard => Level::Deny,
            Class::Lint(level) => level,
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

/// Declares the code of the file it stands in as `LINT`:
/// `declare_lint! { /// explanation… "code", class, scope, check }`.
macro_rules! declare_lint {
    ($(#[doc = $doc:literal])* $code:literal, $class:expr, $scope:expr, $check:expr) => {
        $(#[doc = $doc])*
        pub static LINT: $crate::lint::Lint = $crate::lint::Lint {
            code: $code,
            class: $class,
            scope: $scope,
            check: $check,
            explanation: concat!($($doc, "\n"),*),
        };
    };
}
pub(crate) use declare_lint;

/// Runs every check that applies to the model's kind and whose level is not `allow`.
pub fn run(context: &Context<'_>, levels: &LintLevels) -> Vec<Finding> {
    let kind = context.model.cluster.kind;
    let mut findings = Vec::new();
    for lint in checks::ALL {
        if let Some(check) = lint.check {
            if lint.scope.includes(kind) && levels.level_of(lint) != Level::Allow {
                check(context, &mut findings);
            }
        }
    }
    findings
}

/// The code named `code`.
pub fn find(code: &str) -> Option<&'static Lint> {
    checks::ALL.iter().copied().find(|lint| lint.code == code)
}

/// Every code, for suggestions.
pub fn codes() -> impl Iterator<Item = &'static str> + Clone {
    checks::ALL.iter().map(|lint| lint.code)
}

/// The codes whose level can be set.
pub fn configurable_codes() -> Vec<&'static str> {
    checks::ALL
        .iter()
        .filter(|lint| !lint.is_hard())
        .map(|lint| lint.code)
        .collect()
}

/// Why a level cannot be set for a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LevelError {
    /// The code is a hard error.
    Hard,
    /// No code is called that; the nearest one, if any is near.
    Unknown(Option<&'static str>),
}

/// The lint whose level `code` may set: the one check of `[lints]` keys and `-A/-W/-D`.
pub fn configurable(code: &str) -> Result<&'static Lint, LevelError> {
    match find(code) {
        Some(lint) if lint.is_hard() => Err(LevelError::Hard),
        Some(lint) => Ok(lint),
        None => Err(LevelError::Unknown(crate::suggest::closest(code, codes()))),
    }
}
