//! Helpers shared by the integration tests.

// Each test crate uses a part of these.
#![allow(dead_code)]

use std::path::Path;

use topoc::Checked;
use topoc::level::LintLevels;
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
