//! Any topology that checks clean, compiled and written into a temporary directory: no
//! panic, and nothing written outside it.
#![no_main]

// Each target uses a part of what every input goes through.
#[allow(dead_code)]
#[path = "../exercise.rs"]
mod exercise;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(tree) = exercise::compile_clean(text) else {
        return;
    };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = dir.path().join("out");
    topoc::write::commit(&tree, &out, topoc::write::Replace::OnlyOurs).expect("a clean tree writes");
    let written = topoc::write::list_files(&out).expect("listable");
    assert_eq!(
        written.len(),
        tree.len(),
        "exactly the tree, inside the output directory"
    );
});
