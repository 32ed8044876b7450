//! A short Markdown summary of a report, for a CI job's summary page (GitHub's
//! `GITHUB_STEP_SUMMARY`): the counts by level, then the first findings.

use std::fmt::Write as _;

use crate::finding::diagnostic::{Report, Severity};
use crate::finding::plural;
use crate::source::Source;

use super::printable::printable;

/// How many findings the summary lists before it says how many more there are.
const LISTED: usize = 10;

/// The summary of `report` on the file at `path`.
pub fn markdown(source: &Source, report: &Report, path: &str) -> String {
    // Omitted findings (past the limit per code) count too.
    let count = |severity: Severity| report.count(severity) as u64;
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    let verdict = if errors > 0 { "fails" } else { "passes" };
    let mut text = format!(
        "### topoc check `{}`: {verdict}\n\n{}, {}\n",
        cell(path),
        plural(errors, "error"),
        plural(warnings, "warning")
    );
    if report.diagnostics.is_empty() {
        return text;
    }
    text.push_str("\n| level | code | line | message |\n|---|---|---:|---|\n");
    for diagnostic in report.diagnostics.iter().take(LISTED) {
        let finding = &diagnostic.finding;
        let level = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(
            text,
            "| {level} | `{}` | {} | {} |",
            finding.lint.code,
            source.line_column(finding.span.start()).line,
            cell(&finding.message)
        );
    }
    let total = errors + warnings;
    if total > LISTED as u64 {
        let _ = writeln!(
            text,
            "\n… and {} (`topoc check {}` lists them)",
            plural(total - LISTED as u64, "more finding"),
            cell(path)
        );
    }
    text
}

/// Text for one Markdown table cell: one line, `|` escaped, control characters shown.
pub fn cell(text: &str) -> String {
    printable(&text.replace(['\n', '\t'], " ")).replace('|', "\\|")
}
