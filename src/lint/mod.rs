//! Lints: the checks that run on a resolved model, and the registry of every code.
//!
//! A check is one file under [`checks`]: it declares its code with
//! `finding::declare_lint!` (code, class, scope; the doc comment is
//! the explanation `topoc explain` prints) and implements [`Check`]. [`checks::ALL`] is the
//! one registry, front-end codes included: `explain`, `[lints]` and `-A/-W/-D` validation,
//! the topology schema and SARIF rule metadata all read it.

pub mod checks;
mod spread;

use std::sync::OnceLock;

use rayon::prelude::*;
use time::{Duration, OffsetDateTime};

use crate::analysis::Analysis;
use crate::finding::codes::{invalid_value, unknown_key};
use crate::finding::level::{Level, LintLevels};
use crate::finding::{Finding, Lint, Place, Scope};
use crate::model::{Model, NodeId};
use crate::pki::{Deployed, DeployedNode, Inspection};
use crate::syntax::{Entry, Kind};

/// Every check has this signature: it reads the context and adds its findings.
pub type Check = fn(&Context<'_>, &mut Vec<Finding>);

/// What a check sees: the model, its analysis, and what was read beside the topology.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub model: &'a Model,
    /// Made by the first that asks (the checks that need none run meanwhile).
    analysis: &'a OnceLock<Analysis>,
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
    /// The certificates a previous build published, judged against the topology; `None`
    /// when there is no output to judge.
    pub deployed: Option<Deployed>,
    /// The moment certificates are judged at, and how long they must stay valid from it.
    pub validity: Option<(OffsetDateTime, Duration)>,
    /// What in the secrets directory others may reach, where anything is.
    pub loose: Option<crate::environment::LooseSecrets>,
}

impl<'a> Context<'a> {
    /// What checks see of `model`, its analysis made in `analysis` when first asked for.
    pub fn new(model: &'a Model, analysis: &'a OnceLock<Analysis>, evidence: &'a Evidence) -> Self {
        Self {
            model,
            analysis,
            evidence,
        }
    }

    /// The model's analysis, made here if it was not yet.
    pub fn analysis(&self) -> &'a Analysis {
        self.analysis
            .get_or_init(|| crate::analysis::analyze(self.model))
    }

    /// Each node of the model (in id order) with its published certificate judged, where
    /// there is a previous output to judge.
    pub fn deployed_nodes(&self) -> impl Iterator<Item = (NodeId, &DeployedNode)> + '_ {
        let deployed = self.evidence.deployed.as_ref();
        self.model
            .node_ids()
            .filter_map(move |id| Some((id, deployed?.nodes.get(&self.model.node(id).name)?)))
    }
}

/// One code of the registry: its declaration and, for codes raised on the model, its check.
#[derive(Debug)]
pub struct Registered {
    pub lint: &'static Lint,
    /// `None` for the codes `parse` and `resolve` raise.
    pub check: Option<Check>,
}

/// Whether a code of `scope` applies to a cluster of `kind`.
fn applies(scope: Scope, kind: Kind) -> bool {
    match scope {
        Scope::Any => true,
        Scope::Swg => kind == Kind::Swg,
        Scope::Seg => kind == Kind::Seg,
    }
}

/// Runs every check that applies to the model's kind and whose level is not `allow`: side
/// by side on the machine's cores, each on its own, their findings in the registry's order.
pub fn run(context: &Context<'_>, levels: &LintLevels) -> Vec<Finding> {
    let kind = context.model.cluster.kind;
    let checks: Vec<Check> = checks::ALL
        .iter()
        .filter(|registered| {
            applies(registered.lint.scope, kind) && levels.level_of(registered.lint) != Level::Allow
        })
        .filter_map(|registered| registered.check)
        .collect();
    let found: Vec<Vec<Finding>> = checks
        .par_iter()
        .map(|check| {
            let mut findings = Vec::new();
            check(context, &mut findings);
            findings
        })
        .collect();
    found.into_iter().flatten().collect()
}

/// Every code, in alphabetical order.
pub fn all() -> impl Iterator<Item = &'static Lint> + Clone {
    checks::ALL.iter().map(|registered| registered.lint)
}

/// The code named `code`.
pub fn find(code: &str) -> Option<&'static Lint> {
    all().find(|lint| lint.code == code)
}

/// Every code's name, for suggestions.
pub fn codes() -> impl Iterator<Item = &'static str> + Clone {
    all().map(|lint| lint.code)
}

/// The codes whose level can be set.
pub fn configurable_codes() -> Vec<&'static str> {
    all()
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

/// The levels the file's `[lints]` table sets, and a finding for each key that names a hard
/// error or no code at all.
pub fn file_levels(entries: &[Entry<Level>]) -> (LintLevels, Vec<Finding>) {
    let mut levels = LintLevels::default();
    let mut findings = Vec::new();
    for entry in entries {
        match configurable(entry.name()) {
            Ok(lint) => levels.set_from_file(lint, entry.value),
            Err(LevelError::Hard) => findings.push(
                invalid_value::finding(
                    entry.key_span(),
                    entry.name(),
                    "a hard error's level cannot be changed",
                )
                .label("hard error"),
            ),
            Err(LevelError::Unknown(_)) => findings.push(unknown_key::finding(
                entry.key_span(),
                entry.name(),
                Place::Section("lints"),
                &configurable_codes(),
            )),
        }
    }
    (levels, findings)
}
