//! topoc, a declarative cluster topology compiler for Secure Web Gateway Central Management
//! clusters and Secure Email Gateway clusters.
//!
//! Core flow, one module a step:
//! 1. [`source`]: the file's text, and positions in it.
//! 2. [`parse`]: TOML to [`syntax`], the file as written, with a span on every value.
//! 3. [`resolve`]: syntax to [`model`], defaults applied and references resolved.
//! 4. [`analysis`]: the node–group graph, its parts and its single points of failure.
//! 5. [`checks`]: one file per finding code; [`diagnostic`] grades findings by [`level`].
//! 6. [`report`]: human, JSON; [`explain`] gives the long form of every code.
//!
//! The library never prints and never exits: it returns models and findings, and the
//! binary (`cli`) does the I/O.

pub mod analysis;
pub mod emit;
pub mod import_seg;
pub mod lint;
pub mod model;
pub mod pki;
pub mod plan;
pub mod report;
pub mod secrets;
pub mod source;
pub mod suggest;
pub mod syntax;
pub mod write;

use analysis::Analysis;
use lint::diagnostic::Report;
use lint::level::LintLevels;
use model::Model;
use source::Source;

/// The outcome of checking one file.
#[derive(Debug)]
pub struct Checked {
    /// The resolved topology, when the file could be read into one.
    pub model: Option<Model>,
    pub analysis: Option<Analysis>,
    pub report: Report,
}

/// Adds what existing key material says to a checked topology: an unusable CA
/// (`invalid-ca`) and certificates near their end (`cert-expiring`). The caller reads the
/// material (see `secrets`); this only judges it.
pub fn add_certificate_findings(
    checked: &mut Checked,
    inspection: &pki::Inspection,
    command_line: &LintLevels,
) {
    let Some(model) = &checked.model else { return };
    let mut findings = Vec::new();
    if let Some(problem) = &inspection.ca_problem {
        findings.push(lint::checks::invalid_ca::finding(model, problem));
    }
    lint::checks::cert_expiring::check(model, inspection, &mut findings);
    let levels = model.lints.clone().merged_with(command_line);
    checked.report.extend(findings, &levels);
}

/// Adds the verdict on a SEG cluster's shared key, as the caller read it, to a checked
/// topology (`seg-shared-key`).
pub fn add_shared_key_finding(
    checked: &mut Checked,
    key: &Result<String, String>,
    command_line: &LintLevels,
) {
    let Some(model) = &checked.model else { return };
    let levels = model.lints.clone().merged_with(command_line);
    let findings = lint::checks::seg_shared_key::check(model, key)
        .into_iter()
        .collect();
    checked.report.extend(findings, &levels);
}

/// Reads, resolves and analyses `source`, reporting every finding at the levels in force:
/// the file's `[lints]` overridden by `command_line`.
pub fn check(source: &Source, command_line: &LintLevels) -> Checked {
    let (document, mut findings) = syntax::parse::parse(source);
    let Some(document) = document else {
        return Checked {
            model: None,
            analysis: None,
            report: Report::new(findings, command_line),
        };
    };
    let (model, resolve_findings) = model::resolve::resolve(&document);
    findings.extend(resolve_findings);
    let model = model.filter(|_| findings.is_empty());
    let Some(model) = model else {
        return Checked {
            model: None,
            analysis: None,
            report: Report::new(findings, command_line),
        };
    };
    let analysis = analysis::analyze(&model);
    let levels = model.lints.clone().merged_with(command_line);
    let context = lint::checks::Context {
        model: &model,
        analysis: &analysis,
    };
    findings.extend(lint::checks::run(&context, &levels));
    Checked {
        report: Report::new(findings, &levels),
        model: Some(model),
        analysis: Some(analysis),
    }
}
