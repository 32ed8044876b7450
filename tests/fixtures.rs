//! Tests as data: `tests/fixtures/<code>/ok_*.toml` must not report `<code>` (nor anything
//! else), `err_*.toml` must report it; every report is snapshotted under `snapshots/`.

mod common;

use std::path::Path;

use topoc::lint;

fn fixture_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[test]
fn every_fixture_reports_what_its_name_says() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::glob!("fixtures/*/*.toml", |path| {
            let code = path
                .parent()
                .and_then(Path::file_name)
                .and_then(|name| name.to_str())
                .expect("fixture folder is a code");
            let file = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            let source = common::load(path);
            // `<fixture>.secrets/` and the files the fixture names are its key material;
            // `<fixture>.out/` the output of a previous build.
            set_modes(path);
            // Relative to the crate's root (the tests' working directory), as reports say.
            let relative = path
                .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .unwrap_or(path);
            let secrets = topoc::secrets::Secrets::reader(&relative.with_extension("secrets"));
            let keys = topoc::secrets::Store::new(secrets, path)
                .if_present()
                .with_output(&path.with_extension("out"));
            let checked = common::check_with(&source, &keys);
            let codes = common::codes(&checked);
            if file.starts_with("err_") {
                assert!(
                    codes.contains(&code),
                    "{file} should report {code}, got {codes:?}"
                );
            } else {
                assert!(
                    file.starts_with("ok_"),
                    "fixture {file} is neither ok_ nor err_"
                );
                assert!(codes.is_empty(), "{file} should be clean, got {codes:?}");
            }
            insta::assert_snapshot!(common::render_both(&source, &checked));
        });
    });
}

/// Git keeps no permissions but the executable bit: a fixture's secrets are made private
/// as topoc writes them (directories 0700, files 0600), then given the modes its
/// `<fixture>.modes` lists (`relative/path 0644` a line), if it has one.
fn set_modes(fixture: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    let root = fixture.with_extension("secrets");
    if !root.is_dir() {
        return;
    }
    let set = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .unwrap_or_else(|e| panic!("chmod {}: {e}", path.display()));
    };
    let mut pending = vec![root.clone()];
    while let Some(dir) = pending.pop() {
        set(&dir, 0o700);
        for entry in std::fs::read_dir(&dir).expect("readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                set(&path, 0o600);
            }
        }
    }
    let Ok(listed) = std::fs::read_to_string(fixture.with_extension("modes")) else {
        return;
    };
    for line in listed.lines().filter(|line| !line.trim().is_empty()) {
        let (relative, mode) = line.rsplit_once(' ').expect("`path mode` lines");
        let mode = u32::from_str_radix(mode, 8).expect("an octal mode");
        let target = if relative == "." {
            root.clone()
        } else {
            root.join(relative)
        };
        set(&target, mode);
    }
}

#[test]
fn every_code_has_ok_and_err_fixtures() {
    for check in lint::all() {
        let dir = fixture_dir().join(check.code);
        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|_| panic!("no fixture folder for `{}`", check.code))
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .collect();
        for prefix in ["ok_", "err_"] {
            assert!(
                names.iter().any(|name| name.starts_with(prefix)),
                "`{}` has no {prefix}*.toml fixture",
                check.code
            );
        }
    }
}

#[test]
fn every_fixture_folder_is_a_code() {
    for entry in std::fs::read_dir(fixture_dir()).expect("fixtures exist") {
        let entry = entry.expect("readable entry");
        if !entry.path().is_dir() {
            continue;
        }
        let name = entry.file_name();
        let name = name.to_string_lossy();
        assert!(
            lint::find(&name).is_some(),
            "fixture folder `{name}` names no code"
        );
    }
}

#[test]
fn every_code_has_an_explanation_with_a_fix() {
    for check in lint::all() {
        let explanation = check.explanation();
        let paragraphs = explanation.split("\n\n").count();
        assert!(
            paragraphs >= 2,
            "`{}` needs a summary line and a paragraph on why and how to fix it",
            check.code
        );
        let summary = explanation.lines().next().unwrap_or_default();
        assert!(
            summary.ends_with('.'),
            "`{}`: the summary is a sentence",
            check.code
        );
    }
}

/// Every `[table]` a text names in backticks.
fn tables_named(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|quoted| quoted.starts_with('[') && quoted.ends_with(']'))
        .map(|quoted| quoted.trim_matches(['[', ']']).to_owned())
        .collect()
}

#[test]
fn messages_quote_cleanly_and_name_only_tables_the_file_has() {
    let mut checked_files = 0;
    for folder in std::fs::read_dir(fixture_dir()).expect("fixtures exist") {
        let folder = folder.expect("entry").path();
        if !folder.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&folder).expect("fixture folder") {
            let path = file.expect("entry").path();
            if path.extension().is_none_or(|e| e != "toml") {
                continue;
            }
            let source = common::load(&path);
            let secrets = topoc::secrets::Secrets::reader(&path.with_extension("secrets"));
            let keys = topoc::secrets::Store::new(secrets, &path).if_present();
            let checked = common::check_with(&source, &keys);
            for diagnostic in &checked.report.diagnostics {
                let finding = &diagnostic.finding;
                let texts: Vec<&str> = std::iter::once(finding.message.as_str())
                    .chain(finding.label.as_deref())
                    .chain(finding.help.as_deref())
                    .chain(finding.related.iter().map(|r| r.message.as_str()))
                    .collect();
                for text in &texts {
                    assert!(
                        !text.contains("``"),
                        "{}: doubled backticks in {text:?}",
                        source.name
                    );
                }
                // Where the finding is (its message and labels) must be in the file; a help
                // may name a table to add, and a missing table is missing.
                if finding.message.contains("has no `[") {
                    continue;
                }
                let named = std::iter::once(finding.message.as_str())
                    .chain(finding.label.as_deref())
                    .chain(finding.related.iter().map(|r| r.message.as_str()))
                    .flat_map(tables_named);
                for table in named {
                    let header = format!("[{table}]");
                    let dotted = format!("[{table}.");
                    assert!(
                        source.text.contains(&header) || source.text.contains(&dotted),
                        "{}: {:?} names `{header}`, which the file does not have",
                        source.name,
                        finding.message
                    );
                }
            }
            checked_files += 1;
        }
    }
    assert!(checked_files > 50, "only {checked_files} fixtures read");
}
