//! Inputs the fuzzers found (and seeds they grew from), replayed through check and build:
//! none may panic. New finds go in `tests/fuzz-regressions/`.

use std::path::Path;

use topoc::level::LintLevels;
use topoc::report::{github, human, json, sarif};
use topoc::source::Source;

#[test]
fn every_kept_fuzz_input_runs_without_panicking() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).expect("the regression corpus") {
        let path = entry.expect("entry").path();
        let bytes = std::fs::read(&path).expect("readable");
        count += 1;
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
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
        if let (Some(model), Some(analysis), false) = (
            &checked.model,
            &checked.analysis,
            checked.report.has_errors(),
        ) {
            let _ = topoc::what_if::each(model, analysis);
            let tree = topoc::emit::compile(
                model,
                analysis,
                ("fuzz.toml", text),
                None,
                topoc::emit::Options { all_pairs: true },
            )
            .expect("compiles");
            assert!(
                tree.iter().all(|(p, _)| topoc::emit::tree::is_safe(p)),
                "{}",
                path.display()
            );
        }
    }
    assert!(count > 0, "the corpus is empty");
}
