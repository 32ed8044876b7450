//! Findings with the severity the lint levels give them: what reporters print.

use crate::finding::Finding;
use crate::finding::level::{Level, LintLevels};

/// How serious a reported finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
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
}

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

    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.severity == severity)
            .count()
    }

    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }
}
