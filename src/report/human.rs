//! The report for people: miette's graphical diagnostics with source excerpts and labels.

use std::fmt::{self, Write as _};

use miette::{
    Diagnostic as MietteDiagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan,
    NamedSource, SourceCode,
};

use crate::diagnostic::{Diagnostic, Report, Severity};
use crate::source::Source;

/// How the human report looks.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// ANSI colours, for a terminal.
    pub color: bool,
    /// Text width to wrap at.
    pub width: usize,
}

/// The report as text: every diagnostic, then a summary line.
pub fn render(source: &Source, report: &Report, style: Style) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false);
    let named = NamedSource::new(&source.name, source.text.clone()).with_language("TOML");
    let mut out = String::new();
    for diagnostic in &report.diagnostics {
        let shown = Shown {
            diagnostic,
            source: &named,
        };
        if handler.render_report(&mut out, &shown).is_err() {
            let finding = &diagnostic.finding;
            let _ = writeln!(out, "{}: {}", finding.check.code, finding.message);
        }
    }
    out.push_str(&summary(source, report));
    out.push('\n');
    out
}

fn summary(source: &Source, report: &Report) -> String {
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if errors == 0 && warnings == 0 {
        format!("{}: no findings", source.name)
    } else {
        format!(
            "{}: {}, {}",
            source.name,
            plural(errors, "error"),
            plural(warnings, "warning")
        )
    }
}

/// One diagnostic in miette's terms.
struct Shown<'a> {
    diagnostic: &'a Diagnostic,
    source: &'a NamedSource<String>,
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shown")
            .field("code", &self.diagnostic.finding.check.code)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.finding.message)
    }
}

impl std::error::Error for Shown<'_> {}

impl MietteDiagnostic for Shown<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.diagnostic.finding.check.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diagnostic
            .finding
            .help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let finding = &self.diagnostic.finding;
        let primary = LabeledSpan::new_primary_with_span(finding.label.clone(), finding.span);
        let related = finding
            .related
            .iter()
            .map(|related| LabeledSpan::new_with_span(Some(related.message.clone()), related.span));
        Some(Box::new(std::iter::once(primary).chain(related)))
    }
}
