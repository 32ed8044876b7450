//! The report for machines: `{"version":1,"findings":[…],"summary":{…}}`.

use serde::Serialize;

use crate::finding::diagnostic::{Report, Severity};
use crate::source::{Source, Span};

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    /// Findings past the limit per code, counted: only when there are any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    omitted: Vec<JsonOmitted<'a>>,
    summary: Summary,
}

/// Findings of one code and severity left out of the list, and where the first one is.
#[derive(Serialize)]
struct JsonOmitted<'a> {
    code: &'static str,
    severity: &'static str,
    count: usize,
    first: Location<'a>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    code: &'static str,
    severity: &'static str,
    message: &'a str,
    help: Option<&'a str>,
    nodes: &'a [String],
    groups: &'a [String],
    sites: &'a [String],
    location: Location<'a>,
    related: Vec<JsonRelated<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    message: &'a str,
    location: Location<'a>,
}

/// A place in the file: 1-based line and character column, and the byte range.
#[derive(Serialize)]
struct Location<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    offset: usize,
    length: usize,
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
}

fn location(source: &Source, span: Span) -> Location<'_> {
    let position = source.line_column(span.start());
    Location {
        file: &source.name,
        line: position.line,
        column: position.column,
        offset: span.start(),
        length: span.len(),
    }
}

/// The report as pretty-printed JSON, ending in a newline.
///
/// # Panics
///
/// Never: the document holds only strings, numbers and lists, which JSON always represents.
pub fn render(source: &Source, report: &Report) -> String {
    let findings = report
        .diagnostics
        .iter()
        .map(|diagnostic| {
            let finding = &diagnostic.finding;
            JsonFinding {
                code: finding.lint.code,
                severity: diagnostic.severity.name(),
                message: &finding.message,
                help: finding.help.as_deref(),
                nodes: &finding.nodes,
                groups: &finding.groups,
                sites: &finding.sites,
                location: location(source, finding.span),
                related: finding
                    .related
                    .iter()
                    .map(|related| JsonRelated {
                        message: &related.message,
                        location: location(source, related.span),
                    })
                    .collect(),
            }
        })
        .collect();
    let omitted = report
        .omitted
        .iter()
        .map(|omitted| JsonOmitted {
            code: omitted.code,
            severity: omitted.severity.name(),
            count: omitted.count,
            first: location(source, omitted.first),
        })
        .collect();
    let document = Document {
        version: 1,
        findings,
        omitted,
        summary: Summary {
            errors: report.count(Severity::Error),
            warnings: report.count(Severity::Warning),
        },
    };
    let mut text = serde_json::to_string_pretty(&document)
        .expect("a report of strings and numbers serializes");
    text.push('\n');
    text
}
