use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::source::Span;

declare_lint! {
    /// Two sites or two nodes whose names differ only in case.
    ///
    /// Names of nodes, sites and groups are DNS labels and compare without regard to case,
    /// as host names do; they also name files and directories in the output. `Tok-1` and
    /// `tok-1` would therefore be one node with two definitions.
    ///
    /// Rename or merge one of the two.
    "duplicate-name",
    Class::Hard,
    Scope::Any
}

pub fn finding(span: Span, what: &str, name: &str, first: Span) -> Finding {
    Finding::new(
        &LINT,
        span,
        format!("{what} `{name}` is defined twice (names ignore case)"),
    )
    .label("second definition")
    .related(first, "first defined here")
}
