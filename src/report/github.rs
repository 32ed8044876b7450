//! The report as GitHub Actions workflow commands: one annotation per finding.

use std::fmt::Write as _;

use crate::finding::diagnostic::{Report, Severity};
use crate::source::Source;

use super::printable::printable;

/// One `::error …::message` or `::warning …::message` line per finding, for the file at
/// `path` (relative to the repository's root, as GitHub wants it).
pub fn render(source: &Source, report: &Report, path: &str) -> String {
    let mut out = String::new();
    for diagnostic in &report.diagnostics {
        let finding = &diagnostic.finding;
        let command = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let start = source.line_column(finding.span.start());
        let end = source.line_column(finding.span.end().max(finding.span.start()));
        let mut message = printable(&finding.message);
        if let Some(help) = &finding.help {
            message.push_str("\nhelp: ");
            message.push_str(&printable(help));
        }
        let _ = writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            property(&printable(path)),
            start.line,
            start.column,
            end.line,
            end.column,
            property(finding.lint.code),
            data(&message)
        );
    }
    for omitted in &report.omitted {
        let start = source.line_column(omitted.first.start());
        let _ = writeln!(
            out,
            "::notice file={},line={},col={},title={}::{}",
            property(&printable(path)),
            start.line,
            start.column,
            property(omitted.code),
            data(&omitted.note())
        );
    }
    out
}

/// Escapes the message of a workflow command.
pub fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value of a workflow command, where `:` and `,` separate.
pub fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_workflow_command_format_requires() {
        assert_eq!(data("100% done\nnext\r"), "100%25 done%0Anext%0D");
        assert_eq!(property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
