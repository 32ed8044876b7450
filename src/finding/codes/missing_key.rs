use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::source::Span;

declare_lint! {
    /// A required key or table is missing.
    ///
    /// A topology needs a `[cluster]` table with a `name`, and every node needs the `site`
    /// it stands in and the physical `address` of its Central Management interface: without
    /// them no configuration can be written for it. A SEG cluster needs its master named in
    /// `management_node`: the first entry of the directory file is the master, and picking
    /// one silently would decide which node the others join.
    ///
    /// Add the key to the marked table.
    "missing-key",
    Class::Hard,
    Scope::Any
}

pub fn finding(span: Span, key: &str, place: impl std::fmt::Display, example: &str) -> Finding {
    Finding::new(&LINT, span, format!("{place} has no `{key}`"))
        .label(format!("`{key}` is required here"))
        .help(format!("add `{key} = {example}`"))
}

/// The file lacks a whole table, such as `[cluster]`.
pub fn missing_table(span: Span, table: &str, example: &str) -> Finding {
    Finding::new(&LINT, span, format!("the topology has no `{table}` table"))
        .label(format!("`{table}` is required"))
        .help(format!("add `{table}` with `{example}`"))
}
