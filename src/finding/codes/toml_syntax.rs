use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::source::Span;

declare_lint! {
    /// The file is not valid TOML.
    ///
    /// topoc reads the topology with a TOML 1.1 parser and reports every syntax error it can
    /// recover from, each at the place the parser stopped. A key defined twice is a syntax
    /// error too: TOML forbids it, and a silent "last one wins" would hide a mistake.
    ///
    /// Fix the syntax at the marked place; nothing else is checked until the file parses.
    "toml-syntax",
    Class::Hard,
    Scope::Any
}

pub fn finding(span: Span, message: &str) -> Finding {
    Finding::new(&LINT, span, message.trim().to_owned())
}
