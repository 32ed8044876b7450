//! The long form of finding codes, for `topoc explain`.

use std::fmt::Write as _;

use crate::finding::{Class, Lint};
use crate::lint;

/// "hard error", or "lint, warn by default".
pub fn class(lint: &Lint) -> String {
    match lint.class {
        Class::Hard => "hard error".to_owned(),
        Class::Lint(level) => format!("lint, {} by default", level.name()),
    }
}

/// The long form of a code: its name, class and explanation.
pub fn explain(lint: &Lint) -> String {
    format!(
        "{} ({})\n\n{}\n",
        lint.code,
        class(lint),
        lint.explanation()
    )
}

/// Every code with its default level and the first line of its explanation.
pub fn list() -> String {
    let width = lint::all().map(|c| c.code.len()).max().unwrap_or(0);
    let mut out = format!("{:width$}  {:5}  summary\n", "code", "level");
    for check in lint::all() {
        let level = match check.class {
            Class::Hard => "hard",
            Class::Lint(level) => level.name(),
        };
        let explanation = check.explanation();
        let summary = explanation.lines().next().unwrap_or_default();
        let _ = writeln!(out, "{:width$}  {level:5}  {summary}", check.code);
    }
    out
}

/// Where `docs/lints.md` lives in the repository; SARIF rules link to its anchors.
pub const LINTS_DOCUMENT: &str = "docs/lints.md";

/// `docs/lints.md`: every code with its class and explanation, one section each, whose
/// anchor is the code itself (`#unreachable-nodes`).
pub fn document() -> String {
    let mut out = String::from(
        "# topoc findings\n\nGenerated from topoc's registry (`topoc explain CODE` prints the same). Each\nsection's anchor is its code.\n",
    );
    for check in lint::all() {
        let _ = write!(
            out,
            "\n## {}\n\n*{}*\n\n{}\n",
            check.code,
            class(check),
            check.explanation()
        );
    }
    out
}
