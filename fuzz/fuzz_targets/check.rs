//! Any bytes as a topology: parse, check and every report, none of which may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use topoc::level::LintLevels;
use topoc::report::{github, human, json, sarif};
use topoc::source::Source;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let source = Source::new("fuzz.toml", text);
    let checked = topoc::check(&source, &LintLevels::default());
    let style = human::Style {
        color: false,
        width: 80,
    };
    let _ = human::render(&source, &checked.report, style);
    let _ = json::render(&source, &checked.report);
    let _ = sarif::render(&source, &checked.report, "fuzz.toml");
    let _ = github::render(&source, &checked.report);
    if let (Some(model), Some(analysis)) = (&checked.model, &checked.analysis) {
        let _ = topoc::what_if::each(model, analysis);
    }
});
