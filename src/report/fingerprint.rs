//! Fingerprints of findings for code-scanning tools (SARIF `partialFingerprints`, GitLab's
//! `fingerprint`): the same finding keeps its fingerprint across runs and when lines move
//! above it, and two findings of one report never share one.

use std::collections::HashMap;

use crate::emit::manifest::sha256;
use crate::finding::diagnostic::Report;

/// One fingerprint per diagnostic of `report`, in order, for the file at `path` (as the
/// report names it): the code, the path and the message hashed, without the line; a repeat
/// of the same three is told apart by its rank among them.
pub fn fingerprints(report: &Report, path: &str) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    report
        .diagnostics
        .iter()
        .map(|diagnostic| {
            let finding = &diagnostic.finding;
            let key = format!("{}\0{path}\0{}", finding.lint.code, finding.message);
            let rank = seen.entry(key.clone()).or_default();
            *rank += 1;
            let mut hash = sha256(format!("{key}\0{rank}").as_bytes());
            hash.truncate(32);
            hash
        })
        .collect()
}
