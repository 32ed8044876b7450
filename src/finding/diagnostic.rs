//! Findings with the severity the lint levels give them: what reporters print.

use crate::finding::Finding;
use crate::finding::level::{Level, LintLevels};

/// How serious a reported finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub finding: Finding,
    pub severity: Severity,
}

/// The reported findings of one file, in a stable order: by place, then code, then message.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub diagnostics: Vec<Diagnostic>,
    /// Findings left out by [`Report::summarise`], by code and severity, in report order.
    pub omitted: Vec<Omitted>,
}

/// Findings of one code and severity past the limit of [`Report::summarise`]: counted,
/// not listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Omitted {
    pub code: &'static str,
    pub severity: Severity,
    pub count: usize,
    /// Where the first of them is.
    pub first: crate::source::Span,
}

impl Omitted {
    /// "and 19,990 more `unknown-key` errors".
    pub fn line(&self) -> String {
        format!(
            "and {} more `{}` {}{}",
            thousands(self.count),
            self.code,
            self.severity.name(),
            if self.count == 1 { "" } else { "s" }
        )
    }

    /// [`Omitted::line`] as a note at the first of them, for the formats that place one.
    pub fn note(&self) -> String {
        format!("{}, the first of them here (not listed)", self.line())
    }
}

/// How many findings of one code a report lists unless told otherwise; the rest are
/// counted ("and 19,990 more"), so that one mistake repeated over a large file gives a
/// readable report.
pub const DEFAULT_PER_CODE: usize = 100;

impl Report {
    /// Applies `levels`: drops allowed findings, grades the rest, and sorts them.
    pub fn new(findings: Vec<Finding>, levels: &LintLevels) -> Self {
        let mut report = Self::default();
        report.extend(findings, levels);
        report
    }

    /// Adds more findings, graded by `levels`, keeping the order.
    pub fn extend(&mut self, findings: Vec<Finding>, levels: &LintLevels) {
        let diagnostics = &mut self.diagnostics;
        diagnostics.extend(findings.into_iter().filter_map(|finding| {
            let severity = match levels.level_of(finding.lint) {
                Level::Allow => return None,
                Level::Warn => Severity::Warning,
                Level::Deny => Severity::Error,
            };
            Some(Diagnostic { finding, severity })
        }));
        diagnostics.sort_by(|a, b| {
            let key = |d: &Diagnostic| (d.finding.span, d.finding.lint.code);
            key(a)
                .cmp(&key(b))
                .then_with(|| a.finding.message.cmp(&b.finding.message))
        });
    }

    /// Keeps the first `limit` findings of each code and severity, in report order, and
    /// counts the rest in [`Report::omitted`]; a limit of 0 keeps every finding.
    pub fn summarise(&mut self, limit: usize) {
        if limit == 0 {
            return;
        }
        let mut listed: std::collections::HashMap<(&'static str, Severity), usize> =
            std::collections::HashMap::new();
        let mut omitted: Vec<Omitted> = Vec::new();
        self.diagnostics.retain(|diagnostic| {
            let key = (diagnostic.finding.lint.code, diagnostic.severity);
            let count = listed.entry(key).or_insert(0);
            *count += 1;
            if *count <= limit {
                return true;
            }
            match omitted.iter_mut().find(|o| (o.code, o.severity) == key) {
                Some(known) => known.count += 1,
                None => omitted.push(Omitted {
                    code: key.0,
                    severity: key.1,
                    count: 1,
                    first: diagnostic.finding.span,
                }),
            }
            false
        });
        self.omitted.extend(omitted);
    }

    /// The report as [`Report::summarise`] would leave it, copied only when a code is past
    /// the limit.
    pub fn summarised(&self, limit: usize) -> std::borrow::Cow<'_, Report> {
        let mut counts: std::collections::HashMap<(&'static str, Severity), usize> =
            std::collections::HashMap::new();
        let over = limit > 0
            && self.diagnostics.iter().any(|diagnostic| {
                let count = counts
                    .entry((diagnostic.finding.lint.code, diagnostic.severity))
                    .or_insert(0);
                *count += 1;
                *count > limit
            });
        if over {
            let mut report = self.clone();
            report.summarise(limit);
            std::borrow::Cow::Owned(report)
        } else {
            std::borrow::Cow::Borrowed(self)
        }
    }

    /// How many findings of `severity` the report holds, listed or omitted.
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.severity == severity)
            .count()
            + self
                .omitted
                .iter()
                .filter(|omitted| omitted.severity == severity)
                .map(|omitted| omitted.count)
                .sum::<usize>()
    }

    /// [`Omitted::line`] for each code past the limit.
    pub fn omitted_lines(&self) -> Vec<String> {
        self.omitted.iter().map(Omitted::line).collect()
    }

    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }
}

/// `19990` as `19,990`.
fn thousands(count: usize) -> String {
    let digits = count.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Finding;
    use crate::finding::codes::unknown_key;
    use crate::finding::level::LintLevels;
    use crate::source::Span;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(19_990), "19,990");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn past_the_limit_findings_are_counted_not_listed() {
        let findings = (0usize..250)
            .map(|at| unknown_key::finding(Span::new(at, at + 1), "k", "x", &[]))
            .collect();
        let mut report = Report::new(findings, &LintLevels::default());
        report.summarise(100);
        assert_eq!(report.diagnostics.len(), 100);
        assert_eq!(report.count(Severity::Error), 250);
        assert_eq!(report.omitted[0].count, 150);
        assert_eq!(report.omitted[0].first, Span::new(100, 101));
        assert_eq!(
            report.omitted_lines(),
            ["and 150 more `unknown-key` errors"]
        );
        let mut all = Report::new(
            vec![Finding::new(
                report.diagnostics[0].finding.lint,
                Span::new(0, 1),
                "m",
            )],
            &LintLevels::default(),
        );
        all.summarise(0);
        assert!(all.omitted.is_empty());
    }
}
