use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::source::Span;
use crate::suggest;

declare_lint! {
    /// A name that refers to something the file does not define.
    ///
    /// A node's `site` must name a `[sites.NAME]` table and `management_node` must name a
    /// `[nodes.NAME]` table. Names compare without regard to case. When a defined name is
    /// close, the help line suggests it; otherwise define the site or node, or correct the
    /// name.
    "unknown-reference",
    Class::Hard,
    Scope::Any
}

/// `name` should be one of the `known` names of a `what` (such as "site").
pub fn finding<'a>(
    span: Span,
    what: &str,
    name: &str,
    known: impl IntoIterator<Item = &'a str>,
) -> Finding {
    let help = suggest::did_you_mean(name, known)
        .unwrap_or_else(|| format!("define it with a `[{what}s.{name}]` table"));
    Finding::new(&LINT, span, format!("unknown {what} `{name}`"))
        .label(format!("no {what} has this name"))
        .help(help)
}
