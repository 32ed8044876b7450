//! What every fuzz input goes through, shared by the fuzz targets and by the replay of kept
//! inputs in `tests/fuzz_regressions.rs` (three crates, one file, included by path). It calls
//! the library's entry points, `topoc::check` and `topoc::build`, as the binary does.

use time::OffsetDateTime;
use topoc::emit::Tree;
use topoc::finding::level::LintLevels;
use topoc::report::{github, gitlab, human, json, sarif, summary};
use topoc::source::Source;
use topoc::{BuildError, BuildMode, BuildOptions, Checked, Environment};

/// No key material, at a fixed time: every run of an input is the same.
fn environment() -> Environment<'static> {
    Environment::keyless(OffsetDateTime::UNIX_EPOCH)
}

/// Checks `text` and renders its report in every format; a model also gets the failure
/// analysis. None of it may panic.
pub fn check_and_report(text: &str) -> Checked {
    let source = Source::new("fuzz.toml", text);
    let checked = topoc::check(&source, &LintLevels::default(), &environment())
        .expect("there is no key material to read");
    let style = human::Style {
        color: false,
        width: 80,
    };
    let _ = human::render(&source, &checked.report, style);
    let _ = json::render(&source, &checked.report);
    let _ = sarif::render(
        &[(&source, &checked.report, "fuzz.toml")],
        Some("https://x/l.md"),
    );
    let _ = github::render(&source, &checked.report, "fuzz.toml");
    let _ = gitlab::render(&[(&source, &checked.report, "fuzz.toml")]);
    let _ = summary::markdown(&source, &checked.report, "fuzz.toml");
    if let (Some(model), Some(analysis)) = (&checked.model, &checked.analysis) {
        let _ = topoc::analysis::what_if::each(model, analysis);
        // The report's page: nothing of the input may end its data block early.
        let page = topoc::emit::report_html::html(model, analysis, &checked.report);
        let data = page
            .split("<script id=\"data\" type=\"application/json\">")
            .nth(1)
            .and_then(|rest| rest.split("</script>").next())
            .expect("the data block");
        assert!(
            serde_json::from_str::<serde_json::Value>(data).is_ok(),
            "the data block is whole JSON"
        );
    }
    checked
}

/// The output of a topology that checks clean (with `--all-pairs`, to reach every output,
/// and no key material), every path of it plain; `None` when the topology has errors or its
/// output would be over the size limit.
pub fn compile_clean(text: &str) -> Option<Tree> {
    let source = Source::new("fuzz.toml", text);
    let options = BuildOptions {
        mode: BuildMode::Preview,
        emit: topoc::emit::Options {
            routes: topoc::analysis::routes::RouteExtent::AllPairs,
        },
    };
    let built = match topoc::build(
        &source,
        "fuzz.toml",
        &LintLevels::default(),
        &environment(),
        options,
    ) {
        Ok(built) => built,
        Err(BuildError::TooLarge(_)) => return None,
        Err(error) => panic!("a topology that resolves compiles: {error}"),
    };
    if built.checked.report.has_errors() {
        return None;
    }
    let tree = built.output?.public;
    for (path, _) in tree.iter() {
        assert!(topoc::emit::tree::is_safe(path), "unsafe path {path:?}");
    }
    Some(tree)
}
