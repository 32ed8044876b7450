//! The report for people: miette's graphical diagnostics with source excerpts and labels.

use std::fmt::{self, Write as _};

use miette::{
    Diagnostic as MietteDiagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan,
    MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use crate::finding::diagnostic::{Diagnostic, Report, Severity};
use crate::source::Source;

use super::printable::{printable, same_length};

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
    let excerpts = Excerpts {
        source,
        // Nothing to excerpt in a clean report: the text is not scanned.
        text: if report.diagnostics.is_empty() {
            std::borrow::Cow::Borrowed("")
        } else {
            same_length(&source.text)
        },
        name: printable(&source.name),
    };
    let mut out = String::new();
    for diagnostic in &report.diagnostics {
        let finding = &diagnostic.finding;
        let spans = std::iter::once(finding.span).chain(finding.related.iter().map(|r| r.span));
        // A multi-megabyte line would be printed whole in every excerpt: say where instead.
        let excerpt = spans.clone().all(|span| {
            let line = source.line_of(span.start());
            source.lines(line, line).len() <= LONGEST_EXCERPT_LINE
        });
        let position = source.line_column(finding.span.start());
        let shown = Shown {
            diagnostic,
            source: excerpt.then_some(&excerpts),
            at: (!excerpt)
                .then(|| format!("{}:{}:{}", excerpts.name, position.line, position.column)),
        };
        if handler.render_report(&mut out, &shown).is_err() {
            let finding = &diagnostic.finding;
            let _ = writeln!(out, "{}: {}", finding.lint.code, finding.message);
        }
    }
    for line in report.omitted_lines() {
        out.push_str(&printable(&line));
        out.push('\n');
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
        format!("{}: no findings", printable(&source.name))
    } else {
        format!(
            "{}: {}, {}",
            printable(&source.name),
            plural(errors, "error"),
            plural(warnings, "warning")
        )
    }
}

/// The source for miette, which finds an excerpt's lines through the source's line index.
/// miette's own `str` source counts lines from the top for every excerpt, which made ten
/// thousand findings on a 100,000-node file take minutes. The text quoted is the source's
/// with every control character shown as `?` (at the same offsets), and the name printable.
struct Excerpts<'a> {
    source: &'a Source,
    text: std::borrow::Cow<'a, str>,
    name: String,
}

impl SourceCode for Excerpts<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let source = self.source;
        let text = self.text.as_bytes();
        let (start, end) = (span.offset(), span.offset() + span.len());
        if end > source.text.len() {
            return Err(MietteError::OutOfBounds);
        }
        if context_lines_before == 0 && context_lines_after == 0 {
            // The span itself: miette takes the header's line and column from this.
            let position = source.line_column(start);
            let contents = MietteSpanContents::new_named(
                self.name.clone(),
                &text[start..end],
                *span,
                position.line - 1,
                position.column - 1,
                source.line_of(end) - source.line_of(start) + 1,
            );
            return Ok(Box::new(contents));
        }
        // Context lines stop before a line too long to quote.
        let short = |line: usize| source.lines(line, line).len() <= LONGEST_EXCERPT_LINE;
        let first_of_span = source.line_of(start);
        let mut first = first_of_span;
        while first > 0 && first_of_span - first < context_lines_before && short(first - 1) {
            first -= 1;
        }
        let last_of_span = source.line_of(end.saturating_sub(1).max(start));
        let mut last = last_of_span;
        while last + 1 < source.line_count()
            && last - last_of_span < context_lines_after
            && short(last + 1)
        {
            last += 1;
        }
        let lines = source.lines(first, last);
        let contents = MietteSpanContents::new_named(
            self.name.clone(),
            &text[lines.start()..lines.end()],
            lines.into(),
            first,
            0,
            last - first + 1,
        )
        .with_language("TOML");
        Ok(Box::new(contents))
    }
}

/// Lines longer than this are not quoted in a report.
const LONGEST_EXCERPT_LINE: usize = 1000;

/// One diagnostic in miette's terms.
struct Shown<'a> {
    diagnostic: &'a Diagnostic,
    /// The source to quote, unless its lines are too long to.
    source: Option<&'a Excerpts<'a>>,
    /// Where the finding is, when no excerpt shows it.
    at: Option<String>,
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shown")
            .field("code", &self.diagnostic.finding.lint.code)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&printable(&self.diagnostic.finding.message))?;
        match &self.at {
            Some(at) => write!(f, " (at {at})"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for Shown<'_> {}

impl MietteDiagnostic for Shown<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.diagnostic.finding.lint.code))
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
            .map(|help| Box::new(printable(help)) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.map(|source| source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source?;
        let finding = &self.diagnostic.finding;
        let primary = LabeledSpan::new_primary_with_span(
            finding.label.as_deref().map(printable),
            finding.span,
        );
        let related = finding.related.iter().map(|related| {
            LabeledSpan::new_with_span(Some(printable(&related.message)), related.span)
        });
        // In file order, so that miette never joins far-apart labels into one long excerpt.
        let mut labels: Vec<LabeledSpan> = std::iter::once(primary).chain(related).collect();
        labels.sort_by_key(LabeledSpan::offset);
        Some(Box::new(labels.into_iter()))
    }
}
