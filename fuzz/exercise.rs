//! What every fuzz input goes through, shared by the fuzz targets and by the replay of kept
//! inputs in `tests/fuzz_regressions.rs` (three crates, one file, included by path).

use topoc::Checked;
use topoc::emit::Tree;
use topoc::lint::level::LintLevels;
use topoc::report::{github, human, json, sarif};
use topoc::source::Source;

/// Checks `text` and renders its report in every format; a model also gets the failure
/// analysis. None of it may panic.
pub fn check_and_report(text: &str) -> Checked {
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
        let _ = topoc::analysis::what_if::each(model, analysis);
    }
    checked
}

/// The build of a topology that checked clean (with `--all-pairs`, to reach every output),
/// every path of it plain; `None` when the topology has errors.
pub fn compile_clean(checked: &Checked, text: &str) -> Option<Tree> {
    let (Some(model), Some(analysis), false) = (
        &checked.model,
        &checked.analysis,
        checked.report.has_errors(),
    ) else {
        return None;
    };
    let tree = topoc::emit::compile(
        model,
        analysis,
        ("fuzz.toml", text),
        None,
        topoc::emit::Options { all_pairs: true },
    )
    .expect("a clean topology compiles");
    for (path, _) in tree.iter() {
        assert!(topoc::emit::tree::is_safe(path), "unsafe path {path:?}");
    }
    Some(tree)
}
