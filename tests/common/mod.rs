//! Helpers shared by the integration tests.

// Each test crate uses a part of these.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

use topoc::Checked;
use topoc::lint::level::LintLevels;
use topoc::report::{human, json};
use topoc::source::Source;

/// A file under the crate root, named by its path relative to the root, so that names in
/// reports and snapshots do not depend on where the checkout is.
pub fn load(path: &Path) -> Source {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let name = path.strip_prefix(root).unwrap_or(path);
    let text = std::fs::read_to_string(path).expect("fixture is readable UTF-8");
    Source::new(name.display().to_string(), text)
}

pub fn check(source: &Source) -> Checked {
    topoc::check(source, &LintLevels::default())
}

/// The human report without colour, then the JSON report.
pub fn render_both(source: &Source, checked: &Checked) -> String {
    let style = human::Style {
        color: false,
        width: 100,
    };
    format!(
        "{}\n--- json ---\n{}",
        human::render(source, &checked.report, style),
        json::render(source, &checked.report)
    )
}

/// Runs the binary in `dir`.
pub fn topoc(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_topoc"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("topoc runs")
}

/// The absolute path of a shipped example.
pub fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
        .display()
        .to_string()
}

/// Every file below `dir` with its bytes, sorted by path.
pub fn dir_contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    topoc::write::list_files(dir)
        .expect("listable")
        .into_iter()
        .map(|file| {
            let content = std::fs::read(dir.join(&file)).expect("readable");
            (file, content)
        })
        .collect()
}
