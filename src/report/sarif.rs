//! The report as SARIF 2.1.0, for GitHub code scanning and other SARIF consumers.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::finding::diagnostic::{Diagnostic, Report, Severity};
use crate::finding::level::Level;
use crate::finding::{Class, Lint};
use crate::lint;
use crate::source::{Source, Span};

use super::fingerprint::fingerprints;

/// One checked file for SARIF: its source, its report, and its URI relative to the
/// repository's root.
pub type File<'a> = (&'a Source, &'a Report, &'a str);

/// The reports of `files` as one SARIF run, each file an artifact. With `help`, the
/// address of `docs/lints.md`, each rule's `helpUri` is its section there.
pub fn render(files: &[File<'_>], help: Option<&str>) -> String {
    let rules: Vec<Value> = lint::all().map(|check| rule(check, help)).collect();
    let mut results: Vec<Value> = Vec::new();
    let mut notifications: Vec<Value> = Vec::new();
    for (index, (source, report, artifact)) in files.iter().enumerate() {
        let place = Artifact {
            source,
            uri: artifact,
            index,
        };
        // Findings past the limit per code: a note of the run, at the first of them.
        notifications.extend(report.omitted.iter().map(|omitted| {
            json!({
                "level": "note",
                "message": { "text": omitted.note() },
                "locations": [{ "physicalLocation": physical(&place, omitted.first) }],
                "descriptor": { "id": omitted.code },
            })
        }));
        results.extend(
            report
                .diagnostics
                .iter()
                .zip(fingerprints(report, artifact))
                .map(|(diagnostic, fingerprint)| result(&place, diagnostic, &fingerprint)),
        );
    }
    let artifacts: Vec<Value> = files
        .iter()
        .map(|(_, _, artifact)| json!({ "location": { "uri": artifact } }))
        .collect();
    let mut document = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "topoc",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "artifacts": artifacts,
            "results": results,
        }]
    });
    if !notifications.is_empty() {
        document["runs"][0]["invocations"] = json!([{
            "executionSuccessful": true,
            "toolExecutionNotifications": notifications,
        }]);
    }
    crate::emit::json(&document)
}

/// A file of the run: its text, its URI and its index among the run's artifacts.
struct Artifact<'a> {
    source: &'a Source,
    uri: &'a str,
    index: usize,
}

fn result(place: &Artifact<'_>, diagnostic: &Diagnostic, fingerprint: &str) -> Value {
    let finding = &diagnostic.finding;
    let index = lint::all()
        .position(|check| check.code == finding.lint.code)
        .unwrap_or_default();
    let mut text = finding.message.clone();
    if let Some(help) = &finding.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let related: Vec<Value> = finding
        .related
        .iter()
        .enumerate()
        .map(|(id, related)| {
            json!({
                "id": id + 1,
                "message": { "text": related.message },
                "physicalLocation": physical(place, related.span),
            })
        })
        .collect();
    let mut result = json!({
        "ruleId": finding.lint.code,
        "ruleIndex": index,
        "level": match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        },
        "message": { "text": text },
        "locations": [{ "physicalLocation": physical(place, finding.span) }],
        "partialFingerprints": { "topoc/v1": fingerprint },
    });
    if !related.is_empty() {
        result["relatedLocations"] = Value::Array(related);
    }
    result
}

fn rule(check: &Lint, help: Option<&str>) -> Value {
    let explanation = check.explanation();
    let summary = explanation.lines().next().unwrap_or_default();
    let level = match check.class {
        Class::Hard | Class::Lint(Level::Deny) => "error",
        Class::Lint(Level::Warn) => "warning",
        Class::Lint(Level::Allow) => "none",
    };
    let mut rule = json!({
        "id": check.code,
        "name": check.code,
        "shortDescription": { "text": summary },
        "fullDescription": { "text": explanation },
        "help": { "text": explanation },
        "defaultConfiguration": { "level": level },
    });
    if let Some(base) = help {
        rule["helpUri"] = json!(format!("{base}#{}", check.code));
    }
    rule
}

/// A physical location: SARIF lines and columns start at 1; the end column is the one
/// after the last character.
fn physical(place: &Artifact<'_>, span: Span) -> Value {
    let start = place.source.line_column(span.start());
    let end = place.source.line_column(span.end().max(span.start()));
    json!({
        "artifactLocation": { "uri": place.uri, "index": place.index },
        "region": {
            "startLine": start.line,
            "startColumn": start.column,
            "endLine": end.line,
            "endColumn": if end == start { end.column + 1 } else { end.column },
        }
    })
}

/// A relative path as a URI reference: every byte but unreserved ones and `/` escaped.
pub fn uri(path: &str) -> String {
    let mut uri = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            uri.push(char::from(byte));
        } else {
            let _ = write!(uri, "%{byte:02X}");
        }
    }
    uri
}
