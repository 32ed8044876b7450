use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::source::Span;
use crate::suggest;

declare_lint! {
    /// A key that topoc does not know.
    ///
    /// Every table of the topology file has a fixed set of keys (see `topoc schema`). An
    /// unknown key is almost always a typo, and a silently ignored typo is a setting that
    /// never reaches the appliances, so it is an error. When a known key is close, the help
    /// line names it. In `[lints]` the keys are finding codes (`topoc explain --list`).
    "unknown-key",
    Class::Hard,
    Scope::Any
}

/// `key` is not one of `known` in the table described by `place` (such as "node `tok-1`").
pub fn finding(span: Span, key: &str, place: impl std::fmt::Display, known: &[&str]) -> Finding {
    let help = suggest::did_you_mean(key, known.iter().copied()).or_else(|| {
        (!known.is_empty()).then(|| format!("known keys here: {}", crate::finding::quoted(known)))
    });
    Finding::new(&LINT, span, format!("unknown key `{key}` in {place}"))
        .label("unknown key")
        .help_opt(help)
}
