//! ARCHITECTURE.md's invariants about the code itself, checked on the source: the library's
//! top-level modules import each other without a cycle, earlier stages never reach later
//! ones, and the library never prints, exits or reads the clock.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every `.rs` file below `dir`, with its text, comments removed.
fn sources(dir: &Path, files: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).expect("readable source tree") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).expect("UTF-8 source");
            let code: Vec<&str> = text
                .lines()
                .map(|line| line.split("//").next().unwrap_or_default())
                .collect();
            files.push((path.display().to_string(), code.join("\n")));
        }
    }
}

/// The library's files by top-level module (`lib.rs`, `main.rs` and `cli/` left out).
fn library() -> BTreeMap<String, Vec<(String, String)>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut modules: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (path, text) in files {
        let relative = path
            .strip_prefix(&format!("{}/", src.display()))
            .expect("below src")
            .to_owned();
        if matches!(relative.as_str(), "lib.rs" | "main.rs") || relative.starts_with("cli/") {
            continue;
        }
        let top = relative
            .split('/')
            .next()
            .expect("a component")
            .trim_end_matches(".rs")
            .to_owned();
        modules.entry(top).or_default().push((relative, text));
    }
    modules
}

/// The top-level modules each module names as `crate::<module>`.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let modules = library();
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    modules
        .iter()
        .map(|(module, files)| {
            let mut used = BTreeSet::new();
            for (_, text) in files {
                for (index, _) in text.match_indices("crate::") {
                    let rest = &text[index + "crate::".len()..];
                    let mut found: Vec<&str> = Vec::new();
                    if let Some(group) = rest.strip_prefix('{') {
                        let group = &group[..group.find('}').unwrap_or(group.len())];
                        found.extend(
                            group.split(',').map(|part| {
                                part.trim().split([':', ' ']).next().unwrap_or_default()
                            }),
                        );
                    } else {
                        let end = rest
                            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                            .unwrap_or(rest.len());
                        found.push(&rest[..end]);
                    }
                    for name in found {
                        if name != module && names.contains(name) {
                            used.insert(name.to_owned());
                        }
                    }
                }
            }
            (module.clone(), used)
        })
        .collect()
}

#[test]
fn the_library_modules_import_each_other_without_a_cycle() {
    let graph = imports();
    // Kahn's algorithm: a graph is acyclic when every module can be peeled off in turn.
    let mut remaining = graph.clone();
    while let Some(leaf) = remaining
        .iter()
        .find(|(_, used)| used.iter().all(|name| !remaining.contains_key(name)))
        .map(|(module, _)| module.clone())
    {
        remaining.remove(&leaf);
    }
    assert!(
        remaining.is_empty(),
        "these modules import each other in a cycle: {remaining:#?}"
    );
}

#[test]
fn earlier_stages_never_reach_later_ones() {
    let graph = imports();
    let rules: &[(&str, &[&str])] = &[
        (
            "source",
            &["syntax", "model", "lint", "emit", "report", "write"],
        ),
        (
            "finding",
            &["syntax", "model", "analysis", "lint", "emit", "report"],
        ),
        (
            "syntax",
            &[
                "model", "analysis", "lint", "emit", "report", "pki", "write",
            ],
        ),
        (
            "model",
            &[
                "analysis", "lint", "emit", "report", "pki", "write", "secrets",
            ],
        ),
        (
            "analysis",
            &["lint", "emit", "report", "pki", "write", "secrets"],
        ),
        ("lint", &["emit", "report", "write", "secrets", "keys"]),
        (
            "pki",
            &["lint", "emit", "report", "write", "secrets", "keys"],
        ),
        ("emit", &["report", "write", "secrets", "keys", "plan"]),
        (
            "seal",
            &[
                "source", "finding", "syntax", "model", "analysis", "lint", "pki", "emit",
                "report", "write", "secrets", "keys",
            ],
        ),
        (
            "probe",
            &["lint", "emit", "report", "write", "secrets", "keys", "pki"],
        ),
    ];
    for (module, never) in rules {
        let used = graph.get(*module).expect("the module exists");
        for later in *never {
            assert!(!used.contains(*later), "`{module}` imports `{later}`");
        }
    }
}

#[test]
fn the_library_never_prints_exits_or_reads_the_clock() {
    for files in library().values() {
        for (path, text) in files {
            for forbidden in [
                "println!",
                "eprintln!",
                "print!(",
                "eprint!(",
                "process::exit",
                "now_utc()",
                "SystemTime::now",
                "Instant::now",
            ] {
                assert!(!text.contains(forbidden), "{path} uses `{forbidden}`");
            }
        }
    }
}

/// A version such as `1.88` or `1.88.0` as numbers.
fn version(text: &str) -> Vec<u64> {
    let mut parts: Vec<u64> = text.split('.').map(|p| p.parse().unwrap_or(0)).collect();
    parts.resize(3, 0);
    parts
}

#[test]
fn the_declared_rust_version_covers_every_dependency() {
    let output = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let packages = metadata["packages"].as_array().expect("packages");
    let ours = packages
        .iter()
        .find(|p| p["name"] == "topoc")
        .and_then(|p| p["rust_version"].as_str())
        .expect("topoc declares a rust-version");
    for package in packages {
        if let Some(needed) = package["rust_version"].as_str() {
            assert!(
                version(needed) <= version(ours),
                "{} {} needs Rust {needed}, but Cargo.toml says {ours}",
                package["name"],
                package["version"]
            );
        }
    }
}
