use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::source::Span;

declare_lint! {
    /// A value of the wrong type or form.
    ///
    /// Each key takes one kind of value: an IP address (`address`, `nat_address`), a CIDR
    /// block (`subnet`), a port from 1 to 65535, an FQDN, a name that is a DNS label
    /// (letters, digits and inner hyphens, at most 63 characters), a duration such as
    /// `"10s"` or `"2m"`, an appliance version such as `"12.2.4-46412"`, or one of a few
    /// words (`kind`, `algorithm`, lint levels). A value that is not of its kind cannot be
    /// written into any appliance's configuration.
    ///
    /// The message says what was expected; correct the value at the marked place.
    "invalid-value",
    Class::Hard,
    Scope::Any
}

pub fn finding(span: Span, key: &str, problem: impl std::fmt::Display) -> Finding {
    Finding::new(&LINT, span, format!("invalid value for `{key}`: {problem}"))
}

/// A value somewhere in `place` (a table, a node's entry) that cannot be pinned to a key.
pub fn in_place(
    span: Span,
    place: impl std::fmt::Display,
    problem: impl std::fmt::Display,
) -> Finding {
    Finding::new(&LINT, span, format!("invalid value in {place}: {problem}"))
}

/// The name of a `what` (site, node) is not a DNS label.
pub fn bad_name(span: Span, what: &str, problem: impl std::fmt::Display) -> Finding {
    Finding::new(&LINT, span, format!("invalid {what} name: {problem}")).label("not a DNS label")
}
