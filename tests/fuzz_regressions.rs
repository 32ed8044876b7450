//! Inputs the fuzzers found (and seeds they grew from), replayed through check and build:
//! none may panic. New finds go in `tests/fuzz-regressions/`.

#[path = "../fuzz/exercise.rs"]
mod exercise;

use std::path::Path;

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
        exercise::check_and_report(text);
        let _ = exercise::compile_clean(text);
    }
    assert!(count > 0, "the corpus is empty");
}
