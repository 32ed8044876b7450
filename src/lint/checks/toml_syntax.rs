use crate::declare_check;
use crate::lint::CheckKind;
use crate::lint::finding::Finding;
use crate::source::Span;

declare_check! {
    /// The file is not valid TOML.
    ///
    /// topoc reads the topology with a TOML 1.1 parser and reports every syntax error it can
    /// recover from, each at the place the parser stopped. A key defined twice is a syntax
    /// error too: TOML forbids it, and a silent "last one wins" would hide a mistake.
    ///
    /// Fix the syntax at the marked place; nothing else is checked until the file parses.
    TOML_SYNTAX, "toml-syntax", CheckKind::Hard
}

pub fn finding(span: Span, message: &str) -> Finding {
    Finding::new(&TOML_SYNTAX, span, message.trim().to_owned())
}
