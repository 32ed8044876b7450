//! The long form of finding codes, for `topoc explain`.

use std::fmt::Write as _;

use crate::lint::checks;
use crate::lint::{Check, CheckKind};
use crate::suggest;

/// "hard error", or "lint, warn by default".
pub fn kind(check: &Check) -> String {
    match check.kind {
        CheckKind::Hard => "hard error".to_owned(),
        CheckKind::Lint(level) => format!("lint, {} by default", level.name()),
    }
}

/// The explanation of `code`, or what to say when no code has that name.
pub fn explain(code: &str) -> Result<String, String> {
    let check = checks::find(code).ok_or_else(|| {
        let hint = suggest::did_you_mean(code, checks::ALL.iter().map(|c| c.code))
            .map(|hint| format!("; {hint}"))
            .unwrap_or_default();
        format!("unknown code `{code}`{hint} (`topoc explain --list` lists them)")
    })?;
    Ok(format!(
        "{} ({})\n\n{}\n",
        check.code,
        kind(check),
        check.explanation()
    ))
}

/// Every code with its default level and the first line of its explanation.
pub fn list() -> String {
    let width = checks::ALL.iter().map(|c| c.code.len()).max().unwrap_or(0);
    let mut out = format!("{:width$}  {:5}  summary\n", "code", "level");
    for check in checks::ALL {
        let level = match check.kind {
            CheckKind::Hard => "hard",
            CheckKind::Lint(level) => level.name(),
        };
        let explanation = check.explanation();
        let summary = explanation.lines().next().unwrap_or_default();
        let _ = writeln!(out, "{:width$}  {level:5}  {summary}", check.code);
    }
    out
}
