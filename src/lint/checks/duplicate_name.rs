use crate::declare_check;
use crate::lint::CheckKind;
use crate::lint::finding::Finding;
use crate::source::Span;

declare_check! {
    /// Two sites or two nodes whose names differ only in case.
    ///
    /// Names of nodes, sites and groups are DNS labels and compare without regard to case,
    /// as host names do; they also name files and directories in the output. `Tok-1` and
    /// `tok-1` would therefore be one node with two definitions.
    ///
    /// Rename or merge one of the two.
    DUPLICATE_NAME, "duplicate-name", CheckKind::Hard
}

pub fn finding(span: Span, what: &str, name: &str, first: Span) -> Finding {
    Finding::new(
        &DUPLICATE_NAME,
        span,
        format!("{what} `{name}` is defined twice (names ignore case)"),
    )
    .label("second definition")
    .related(first, "first defined here")
}
