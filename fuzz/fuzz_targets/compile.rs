//! Any topology that checks clean, compiled and written into a temporary directory: no
//! panic, and nothing written outside it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use topoc::level::LintLevels;
use topoc::source::Source;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let source = Source::new("fuzz.toml", text);
    let checked = topoc::check(&source, &LintLevels::default());
    let (Some(model), Some(analysis)) = (&checked.model, &checked.analysis) else {
        return;
    };
    if checked.report.has_errors() {
        return;
    }
    let Ok(tree) = topoc::emit::compile(
        model,
        analysis,
        ("fuzz.toml", text),
        None,
        topoc::emit::Options { all_pairs: true },
    ) else {
        return;
    };
    for (path, _) in tree.iter() {
        assert!(topoc::emit::tree::is_safe(path), "unsafe path {path:?}");
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = dir.path().join("out");
    topoc::write::commit(&tree, &out, false).expect("a clean tree writes");
    let written = topoc::write::list_files(&out).expect("listable");
    assert_eq!(
        written.len(),
        tree.len(),
        "exactly the tree, inside the output directory"
    );
});
