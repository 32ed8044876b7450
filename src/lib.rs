//! topoc, a declarative cluster topology compiler for Secure Web Gateway Central Management
//! clusters and Secure Email Gateway clusters.
//!
//! Core flow, one module a step:
//! 1. [`source`]: the file's text, and positions in it.
//! 2. [`syntax`]: TOML parsed into the file as written, with a span on every value.
//! 3. [`model`]: syntax resolved into the topology, defaults applied, references resolved.
//! 4. [`analysis`]: the node–group graph, its parts, routes and failures.
//! 5. [`lint`]: one file per finding code, run on the model, graded by level.
//! 6. [`pki`] and [`secrets`]: the cluster CA and node certificates, and where keys live.
//! 7. [`emit`]: the model compiled into the files of the output, a file at a time into a sink.
//! 8. [`write`](mod@write): the output put on disk whole; [`report`]: findings for people and tools;
//!    [`plan`]: what a change means for the running cluster.
//!
//! [`check`] and [`build`] are the two entry points: everything else (the command line,
//! tests, benchmarks, fuzzing) calls them rather than stringing the steps together. What
//! they take from the world comes in one [`Environment`]. The library never prints, never
//! exits and never reads the clock.

pub mod analysis;
pub mod emit;
pub mod environment;
pub mod finding;
pub mod import_seg;
pub mod input;
pub mod keys;
pub mod lint;
pub mod model;
pub mod pki;
pub mod plan;
pub mod probe;
pub mod report;
pub mod seal;
pub mod secrets;
pub mod source;
pub mod suggest;
pub mod syntax;
pub mod write;

use std::fmt;
use std::sync::{Mutex, OnceLock, PoisonError};

use analysis::Analysis;
use emit::Tree;
pub use environment::Environment;
use environment::KeyError;
use finding::Finding;
use finding::diagnostic::Report;
use finding::level::LintLevels;
use lint::{Context, Evidence};
use model::Model;
use source::Source;
use syntax::Kind;

/// The outcome of checking one file.
#[derive(Debug)]
pub struct Checked {
    /// The resolved topology, when the file could be read into one.
    pub model: Option<Model>,
    pub analysis: Option<Analysis>,
    pub report: Report,
    /// The levels in force: the file's `[lints]` under the command line's.
    pub levels: LintLevels,
    /// What was read beside the topology and judged.
    pub evidence: Evidence,
}

impl Checked {
    /// The model and its analysis, when the file resolved and nothing is at error level.
    pub fn clean(&self) -> Option<(&Model, &Analysis)> {
        match (&self.model, &self.analysis) {
            (Some(model), Some(analysis)) if !self.report.has_errors() => Some((model, analysis)),
            _ => None,
        }
    }

    fn add(&mut self, finding: Finding) {
        self.report.extend(vec![finding], &self.levels);
    }
}

/// Reads, resolves and analyses `source`, reporting every finding at the levels in force:
/// the file's `[lints]` overridden by `command_line`. The key material `environment` holds
/// is judged too: an unusable CA, certificates near their end, a weak SEG shared key.
pub fn check(
    source: &Source,
    command_line: &LintLevels,
    environment: &Environment<'_>,
) -> Result<Checked, KeyError> {
    checked_with(source, command_line, |model| {
        let existing = match model.cluster.kind {
            Kind::Swg => environment.keys.material(model)?,
            Kind::Seg => None,
        };
        let inspection = existing
            .as_ref()
            .map(|existing| pki::inspect(existing, environment.now));
        let deployed = match model.cluster.kind {
            Kind::Swg => environment.keys.published(model).map(|published| {
                let cluster_ca = existing.as_ref().and_then(|e| e.ca_cert.as_deref());
                pki::deployed(model, cluster_ca, &published.cas, &published.nodes)
            }),
            Kind::Seg => None,
        };
        // Judged when it can be read here; where it cannot (CI before deployment), only the
        // build needs it.
        let shared_key = match model.cluster.kind {
            Kind::Seg => environment.keys.shared_key(model).ok().map(Ok),
            Kind::Swg => None,
        };
        Ok(Evidence {
            inspection,
            shared_key,
            deployed,
            validity: Some((environment.now, environment.valid_for)),
            loose: environment.keys.loose(),
        })
    })
}

/// The pipeline up to the lints, with the evidence `evidence` gathers for a model.
fn checked_with(
    source: &Source,
    command_line: &LintLevels,
    evidence: impl FnOnce(&Model) -> Result<Evidence, KeyError>,
) -> Result<Checked, KeyError> {
    let (document, model, mut findings) = model::resolve::read(source);
    let mut file_levels = LintLevels::default();
    if let Some(document) = document {
        let (levels, level_findings) = lint::file_levels(&document.lints);
        findings.extend(level_findings);
        file_levels = levels;
    }
    let Some(model) = model.filter(|_| findings.is_empty()) else {
        return Ok(Checked {
            model: None,
            analysis: None,
            report: Report::new(findings, command_line),
            levels: command_line.clone(),
            evidence: Evidence::default(),
        });
    };
    let levels = command_line.over_file(&file_levels);
    let evidence = evidence(&model)?;
    let analysis = OnceLock::new();
    let context = Context::new(&model, &analysis, &evidence);
    // The analysis made beside the checks that need none, on the machine's other cores.
    let ((), lint_findings) = rayon::join(
        || {
            context.analysis();
        },
        || lint::run(&context, &levels),
    );
    findings.extend(lint_findings);
    let analysis = analysis
        .into_inner()
        .unwrap_or_else(|| analysis::analyze(&model));
    Ok(Checked {
        report: Report::new(findings, &levels),
        model: Some(model),
        analysis: Some(analysis),
        levels,
        evidence,
    })
}

/// Whether a build is to be written or compared with what is there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildMode {
    /// Make what is missing: keys, certificates, the secrets to write.
    Write,
    /// Compare with a previous output; where the CA is not at hand, judge the certificates
    /// that output published instead of issuing any.
    Check,
    /// The output of the topology alone, without certificates or secrets, made whenever the
    /// topology resolves (findings at error level included): for comparing topologies.
    Preview,
}

impl BuildMode {
    fn purpose(self) -> keys::Purpose {
        match self {
            BuildMode::Write => keys::Purpose::Make,
            BuildMode::Check => keys::Purpose::Compare,
            BuildMode::Preview => keys::Purpose::Nothing,
        }
    }
}

/// What a build is asked for.
#[derive(Debug, Clone, Copy)]
pub struct BuildOptions {
    pub mode: BuildMode,
    pub emit: emit::Options,
}

/// The outcome of a build: the check's findings and, when there was no error, the output.
#[derive(Debug)]
pub struct Built<P = Tree, S = Tree> {
    pub checked: Checked,
    pub output: Option<Output<P, S>>,
}

/// What a build produced: `out/` as `P` and the secrets it made or changed as `S` (both
/// trees in memory from [`build`]; from [`build_into`], which hands every file to its sinks,
/// the manifest of what it handed over, and nothing for the secrets).
#[derive(Debug)]
pub struct Output<P = Tree, S = Tree> {
    /// Everything of `out/`.
    pub public: P,
    /// The files of the secrets directory this build made or changed (empty in
    /// [`BuildMode::Check`]).
    pub secret: S,
    /// What the build created or re-issued among the keys and certificates, for the user.
    pub changes: Vec<String>,
    /// In a check against published certificates: each node whose certificate a build
    /// would issue anew, with why.
    pub reissued: Vec<(String, String)>,
}

/// Why a build could not be made at all (as opposed to findings, which are in the report).
#[derive(Debug)]
pub enum BuildError {
    Keys(KeyError),
    TooLarge(emit::TooLarge),
    Emit(emit::EmitError),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Keys(error) => error.fmt(f),
            BuildError::TooLarge(error) => error.fmt(f),
            BuildError::Emit(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for BuildError {}

impl From<KeyError> for BuildError {
    fn from(error: KeyError) -> Self {
        BuildError::Keys(error)
    }
}

/// Checks `source`, then compiles it into the output and secrets trees, in memory: see
/// [`build_into`].
pub fn build(
    source: &Source,
    input_name: &str,
    command_line: &LintLevels,
    environment: &Environment<'_>,
    options: BuildOptions,
) -> Result<Built, BuildError> {
    let (mut public, mut secret) = (Mutex::new(Tree::default()), Mutex::new(Tree::default()));
    let built = build_into(
        source,
        input_name,
        command_line,
        environment,
        options,
        emit::Sinks {
            public: &mut public,
            secrets: &mut secret,
        },
    )?;
    Ok(Built {
        checked: built.checked,
        output: built.output.map(|output| Output {
            public: public.into_inner().unwrap_or_else(PoisonError::into_inner),
            secret: secret.into_inner().unwrap_or_else(PoisonError::into_inner),
            changes: output.changes,
            reissued: output.reissued,
        }),
    })
}

/// Checks `source`, then compiles it into `sinks`, a file at a time: the output, and the
/// secrets the build makes or changes (each node's key and certificate made as its files are
/// written, a batch of nodes at a time). `input_name` is the
/// topology's file name as the output quotes it. A size over the environment's limit is
/// refused before any key is made; a problem with the key material is a finding.
pub fn build_into(
    source: &Source,
    input_name: &str,
    command_line: &LintLevels,
    environment: &Environment<'_>,
    options: BuildOptions,
    sinks: emit::Sinks<'_>,
) -> Result<Built<emit::Emitted, ()>, BuildError> {
    let mut checked = checked_with(source, command_line, |model| {
        Ok(Evidence {
            inspection: None,
            shared_key: (model.cluster.kind == Kind::Seg && options.mode != BuildMode::Preview)
                .then(|| environment.keys.shared_key(model)),
            // Keys others may reach are refused before any is made or copied.
            loose: (options.mode != BuildMode::Preview)
                .then(|| environment.keys.loose())
                .flatten(),
            ..Evidence::default()
        })
    })?;
    let ready = match (options.mode, &checked.model, &checked.analysis) {
        (BuildMode::Preview, Some(model), Some(analysis)) => Some((model, analysis)),
        (BuildMode::Preview, ..) => None,
        _ => checked.clean(),
    };
    let Some((model, analysis)) = ready else {
        return Ok(Built {
            checked,
            output: None,
        });
    };
    emit::within_budget(model, options.emit, environment.limits).map_err(BuildError::TooLarge)?;
    let keys = match keys::for_build(
        model,
        &checked.evidence,
        environment,
        options.mode.purpose(),
    )? {
        Ok(keys) => keys,
        Err(finding) => {
            checked.add(*finding);
            return Ok(Built {
                checked,
                output: None,
            });
        }
    };
    let emitted = keys.emit(
        model,
        analysis,
        (input_name, &source.text),
        options.emit,
        sinks,
        options.mode == BuildMode::Write,
    );
    let (public, made) = match emitted {
        Ok(emitted) => emitted,
        // A node's material that cannot be made is a finding, as the CA's is.
        Err(emit::EmitError::Key(problem)) => {
            let finding = lint::checks::invalid_ca::finding(model, &problem);
            checked.add(finding);
            return Ok(Built {
                checked,
                output: None,
            });
        }
        Err(error) => return Err(BuildError::Emit(error)),
    };
    Ok(Built {
        checked,
        output: Some(Output {
            public,
            secret: (),
            changes: made.changes,
            reissued: made.reissued,
        }),
    })
}
