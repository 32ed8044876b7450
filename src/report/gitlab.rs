//! The report as a GitLab Code Quality report (`artifacts:reports:codequality`): an array of
//! issues with a description, the check's name, a fingerprint, a severity and the line.

use serde::Serialize;

use crate::finding::diagnostic::{Report, Severity};
use crate::source::Source;

use super::fingerprint::fingerprints;
use super::printable::printable;

/// One issue; fields as GitLab reads them.
#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
}

/// The reports of `files` (each with its path relative to the repository's root) as one.
pub fn render(files: &[(&Source, &Report, &str)]) -> String {
    let issues: Vec<Issue<'_>> = files
        .iter()
        .flat_map(|&(source, report, path)| issues(source, report, path))
        .collect();
    crate::emit::json(&issues)
}

fn issues<'a>(source: &Source, report: &Report, path: &'a str) -> Vec<Issue<'a>> {
    // Findings past the limit per code: one `info` issue each, at the first of them.
    let omitted = report.omitted.iter().map(|omitted| {
        let mut fingerprint =
            crate::emit::manifest::sha256(format!("{}\0{path}\0omitted", omitted.code).as_bytes());
        fingerprint.truncate(32);
        Issue {
            description: printable(&omitted.note()),
            check_name: omitted.code,
            fingerprint,
            severity: "info",
            location: Location {
                path,
                lines: Lines {
                    begin: source.line_column(omitted.first.start()).line,
                },
            },
        }
    });
    report
        .diagnostics
        .iter()
        .zip(fingerprints(report, path))
        .map(|(diagnostic, fingerprint)| {
            let finding = &diagnostic.finding;
            let mut description = printable(&finding.message);
            if let Some(help) = &finding.help {
                description.push_str(" (help: ");
                description.push_str(&printable(help));
                description.push(')');
            }
            Issue {
                description,
                check_name: finding.lint.code,
                fingerprint,
                // GitLab ranks `major` above `minor` in the merge request's widget.
                severity: match diagnostic.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                },
                location: Location {
                    path,
                    lines: Lines {
                        begin: source.line_column(finding.span.start()).line,
                    },
                },
            }
        })
        .chain(omitted)
        .collect()
}
