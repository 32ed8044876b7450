//! Helpers shared by the integration tests: the one way each test crate runs the pipeline
//! and the binary.

// Each test crate uses a part of these.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

use time::OffsetDateTime;
use topoc::emit::{Options, Tree};
use topoc::environment::KeySource;
use topoc::finding::level::LintLevels;
use topoc::report::{human, json};
use topoc::source::Source;
use topoc::{BuildMode, BuildOptions, Checked, Environment};

/// The moment tests judge certificates at, so that their findings never change.
pub const NOW: i64 = 1_780_272_000; // 2026-06-01T00:00:00Z

/// A file under the crate root, named by its path relative to the root, so that names in
/// reports and snapshots do not depend on where the checkout is.
pub fn load(path: &Path) -> Source {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let name = path.strip_prefix(root).unwrap_or(path);
    let text = std::fs::read_to_string(path).expect("fixture is readable UTF-8");
    Source::new(name.display().to_string(), text)
}

/// The environment of a test: [`NOW`], the key material of `keys`, default limits.
pub fn environment(keys: &dyn KeySource) -> Environment<'_> {
    Environment {
        now: OffsetDateTime::from_unix_timestamp(NOW).expect("a valid time"),
        keys,
        limits: topoc::environment::Limits::default(),
        valid_for: topoc::environment::DEFAULT_VALID_FOR,
    }
}

/// `topoc::check` without key material.
pub fn check(source: &Source) -> Checked {
    check_with(source, &topoc::environment::NoKeys)
}

/// `topoc::check` with the key material of `keys`.
pub fn check_with(source: &Source, keys: &dyn KeySource) -> Checked {
    topoc::check(source, &LintLevels::default(), &environment(keys)).expect("key material reads")
}

/// The output of a topology without key material, as `diff` compares it; the topology's
/// file name is `name`.
pub fn preview(source: &Source, name: &str, options: Options) -> Tree {
    let options = BuildOptions {
        mode: BuildMode::Preview,
        emit: options,
    };
    let built = topoc::build(
        source,
        name,
        &LintLevels::default(),
        &environment(&topoc::environment::NoKeys),
        options,
    )
    .expect("builds");
    built.output.expect("the topology resolves").public
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

/// The binary with `args`, to run in `dir`.
pub fn command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_topoc"));
    // A test's own CI settings are its to give, not the runner's.
    command
        .args(args)
        .current_dir(dir)
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("TOPOC_FORMAT")
        .env_remove("TOPOC_OUT")
        .env_remove("TOPOC_SECRETS")
        .env_remove("TOPOC_DENY_WARNINGS")
        .env_remove("TOPOC_ALLOW_PATH")
        .env_remove("TOPOC_MAX_PER_CODE");
    command
}

/// Runs the binary in `dir`.
pub fn topoc(dir: &Path, args: &[&str]) -> Output {
    command(dir, args).output().expect("topoc runs")
}

/// The crate root, where the examples and fixtures are.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The absolute path of a shipped example.
pub fn example(name: &str) -> String {
    root().join("examples").join(name).display().to_string()
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

/// Whether the client program `program` is installed here. CI must have every client, so
/// with `CI` set a missing one fails the test; elsewhere the caller skips, saying so.
pub fn client(program: &str) -> bool {
    let found = Command::new(program).arg("--version").output().is_ok();
    assert!(
        found || std::env::var_os("CI").is_none(),
        "CI must install `{program}`"
    );
    if !found {
        eprintln!("`{program}` is not installed: skipped here, run in CI");
    }
    found
}

/// The official SARIF 2.1.0 schema of `../shared/ref`, compiled.
pub fn sarif_validator() -> jsonschema::Validator {
    let path = root().join("../shared/ref/sarif-schema-2.1.0.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("the SARIF schema at {}", path.display()));
    // The official schema's `language` pattern has a stray `]`, which ECMAScript reads as a
    // literal `]` but the validator's check of the schema itself refuses; escaping it keeps
    // the pattern's meaning exactly.
    let stray = r"^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    assert!(
        text.contains(stray),
        "the official schema changed; revisit this workaround"
    );
    let text = text.replace(stray, r"^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
}

/// Asserts that a run of the binary exited with `code` and said `said` on standard error.
pub fn assert_exit_saying(output: &Output, code: i32, said: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(code), "{stderr}");
    assert!(stderr.contains(said), "expected `{said}` in: {stderr}");
}

/// The code of each finding of `checked`, in the report's order.
pub fn codes(checked: &Checked) -> Vec<&'static str> {
    checked
        .report
        .diagnostics
        .iter()
        .map(|d| d.finding.lint.code)
        .collect()
}
