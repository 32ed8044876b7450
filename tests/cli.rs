//! The `topoc` binary as users run it: exit codes, formats, lint flags, bad input.

mod common;

use std::path::PathBuf;
use std::process::Output;

use common::{root, sarif_validator};

fn topoc(args: &[&str]) -> Output {
    common::topoc(root(), args)
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exited, not killed")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).expect("valid JSON on stdout")
}

fn codes(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|finding| finding["code"].as_str().expect("code").to_owned())
        .collect()
}

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("topoc-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("temp file");
    path
}

const SPOF: &str = "tests/fixtures/single-point-of-failure/err_single_transit.toml";
const CLEAN: &str = "tests/fixtures/unreachable-nodes/ok_transit.toml";

#[test]
fn a_clean_file_exits_zero_and_says_so() {
    let output = topoc(&["check", "examples/two-sites.toml"]);
    assert_eq!(code(&output), 0);
    assert_eq!(stdout(&output), "examples/two-sites.toml: no findings\n");
}

#[test]
fn errors_exit_one_with_every_finding() {
    let output = topoc(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/unknown-key/err_typos.toml",
    ]);
    assert_eq!(code(&output), 1);
    let report = json(&output);
    assert_eq!(report["version"], 1);
    assert_eq!(codes(&report).len(), 8, "one finding per typo: {report:#}");
    assert_eq!(report["summary"]["errors"], 8);
    let first = &report["findings"][0];
    assert_eq!(first["location"]["line"], 3);
    assert_eq!(first["location"]["column"], 1);
    assert_eq!(first["help"], "did you mean `management_node`?");
}

#[test]
fn json_findings_are_sorted_by_place() {
    let output = topoc(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/invalid-value/err_values.toml",
    ]);
    let report = json(&output);
    let offsets: Vec<u64> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["location"]["offset"].as_u64().expect("offset"))
        .collect();
    let mut sorted = offsets.clone();
    sorted.sort_unstable();
    assert_eq!(offsets, sorted);
}

#[test]
fn warnings_exit_zero_unless_denied() {
    let warned = topoc(&["check", SPOF]);
    assert_eq!(code(&warned), 0, "the fixture sets the lint to warn");
    assert!(stdout(&warned).contains("2 warnings"));

    let denied = topoc(&["check", "--deny-warnings", SPOF]);
    assert_eq!(code(&denied), 1);

    let allowed = topoc(&["check", "-A", "single-point-of-failure", SPOF]);
    assert_eq!(code(&allowed), 0);
    assert!(stdout(&allowed).ends_with("no findings\n"));
}

#[test]
fn the_command_line_wins_over_the_file_and_the_last_flag_wins() {
    let output = topoc(&[
        "check",
        "--format",
        "json",
        "-D",
        "single-point-of-failure",
        CLEAN,
    ]);
    let report = json(&output);
    assert_eq!(code(&output), 1);
    assert!(
        codes(&report)
            .iter()
            .all(|c| c == "single-point-of-failure")
    );
    assert_eq!(report["findings"][0]["severity"], "error");

    let output = topoc(&[
        "check",
        "-D",
        "single-point-of-failure",
        "-W",
        "single-point-of-failure",
        CLEAN,
    ]);
    assert_eq!(code(&output), 0, "the later -W wins");

    let output = topoc(&[
        "check",
        "-W",
        "single-point-of-failure",
        "-A",
        "single-point-of-failure",
        SPOF,
    ]);
    assert!(stdout(&output).ends_with("no findings\n"));
}

#[test]
fn unknown_and_hard_codes_on_the_command_line_are_usage_errors() {
    let output = topoc(&["check", "-W", "single-point-of-falure", CLEAN]);
    assert_eq!(code(&output), 2);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("did you mean `single-point-of-failure`?"),
        "{stderr}"
    );

    let output = topoc(&["check", "-A", "unreachable-nodes", CLEAN]);
    assert_eq!(code(&output), 2);
    assert!(String::from_utf8_lossy(&output.stderr).contains("hard error"));
}

#[test]
fn unreadable_input_exits_two() {
    let output = topoc(&["check", "no/such/file.toml"]);
    assert_eq!(code(&output), 2);
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read `no/such/file.toml`"));

    let binary = temp_file("binary.toml", b"[cluster]\nname = \"\xff\xfe\"\n");
    let output = topoc(&["check", binary.to_str().expect("UTF-8 path")]);
    assert_eq!(code(&output), 2);
    assert!(String::from_utf8_lossy(&output.stderr).contains("not UTF-8"));

    let usage = topoc(&["check"]);
    assert_eq!(code(&usage), 2);
}

#[test]
fn human_output_has_no_colour_when_piped() {
    let output = topoc(&["check", "tests/fixtures/unknown-key/err_typos.toml"]);
    assert!(
        !stdout(&output).contains('\u{1b}'),
        "no ANSI escapes in a pipe"
    );
}

#[test]
fn explain_prints_the_long_form_of_any_code() {
    for name in ["unreachable-nodes", "mixed-priority", "toml-syntax"] {
        let output = topoc(&["explain", name]);
        assert_eq!(code(&output), 0);
        let text = stdout(&output);
        assert!(text.starts_with(name), "{text}");
        assert!(text.lines().count() > 3, "{text}");
    }
    let lint = stdout(&topoc(&["explain", "mixed-priority"]));
    assert!(lint.contains("(lint, warn by default)"), "{lint}");
    let hard = stdout(&topoc(&["explain", "unreachable-nodes"]));
    assert!(hard.contains("(hard error)"), "{hard}");
}

#[test]
fn explain_list_names_every_code_with_its_level() {
    let output = topoc(&["explain", "--list"]);
    assert_eq!(code(&output), 0);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!("explain_list", stdout(&output)));
    for check in topoc::lint::all() {
        let line = stdout(&output)
            .lines()
            .find(|line| line.split_whitespace().next() == Some(check.code))
            .map(str::to_owned);
        assert!(line.is_some(), "`{}` is not listed", check.code);
    }
}

#[test]
fn explain_refuses_unknown_codes_with_a_suggestion() {
    let output = topoc(&["explain", "lonely-network-grup"]);
    assert_eq!(code(&output), 2);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("did you mean `lonely-network-group`?"),
        "{stderr}"
    );
    assert_eq!(code(&topoc(&["explain"])), 2);
}

#[test]
fn sarif_output_validates_against_the_official_schema() {
    let validator = sarif_validator();
    for file in [
        "tests/fixtures/unreachable-nodes/err_three_parts.toml",
        "tests/fixtures/invalid-value/err_values.toml",
        "tests/fixtures/single-point-of-failure/err_single_transit.toml",
        "examples/two-sites.toml",
    ] {
        let output = topoc(&["check", "--format", "sarif", file]);
        let sarif = json(&output);
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{file}: {errors:?}");
        let run = &sarif["runs"][0];
        assert_eq!(
            run["tool"]["driver"]["rules"].as_array().map(Vec::len),
            Some(topoc::lint::all().count())
        );
        for result in run["results"].as_array().expect("results") {
            let location = &result["locations"][0]["physicalLocation"];
            assert_eq!(
                location["artifactLocation"]["uri"], file,
                "relative to the repository's root"
            );
            assert!(
                location["region"]["startLine"]
                    .as_u64()
                    .is_some_and(|l| l >= 1)
            );
            let rule = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
            assert_eq!(run["tool"]["driver"]["rules"][rule]["id"], result["ruleId"]);
        }
    }
    let three_parts = json(&topoc(&[
        "check",
        "--format",
        "sarif",
        "tests/fixtures/unreachable-nodes/err_three_parts.toml",
    ]));
    let first = &three_parts["runs"][0]["results"][0];
    assert_eq!(first["level"], "error");
    assert_eq!(
        first["locations"][0]["physicalLocation"]["region"]["startLine"],
        15
    );
    assert_eq!(
        first["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
        34
    );
}

#[test]
fn github_annotations_are_snapshotted() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for (name, file) in [
            ("github_typos", "tests/fixtures/unknown-key/err_typos.toml"),
            (
                "github_warnings",
                "tests/fixtures/single-point-of-failure/err_single_transit.toml",
            ),
            ("github_clean", "examples/two-sites.toml"),
        ] {
            insta::assert_snapshot!(name, stdout(&topoc(&["check", "--format", "github", file])));
        }
    });
    let text = stdout(&topoc(&[
        "check",
        "--format",
        "github",
        "tests/fixtures/single-point-of-failure/err_single_transit.toml",
    ]));
    for line in text.lines() {
        assert!(
            line.starts_with("::warning file=")
                && line.contains(",title=single-point-of-failure::"),
            "{line}"
        );
        assert!(!line[2..].contains('\n'));
    }
}

#[test]
fn init_writes_a_starter_that_checks_clean_and_ignores_secrets() {
    let dir = std::env::temp_dir().join(format!("topoc-init-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join(".gitignore"), "target").expect("gitignore");
    let init = topoc(&["init", dir.to_str().expect("UTF-8")]);
    assert_eq!(code(&init), 0, "{}", String::from_utf8_lossy(&init.stderr));
    let topology = dir.join("topology.toml");
    let checked = topoc(&["check", topology.to_str().expect("UTF-8")]);
    assert_eq!(code(&checked), 0);
    assert!(
        stdout(&checked).ends_with("no findings\n"),
        "{}",
        stdout(&checked)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join(".gitignore")).expect("gitignore"),
        "target\n# Keys and certificates written by topoc build: never commit them.\n/secrets/\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("topology.schema.json")).expect("schema"),
        topoc::emit::schema::topology()
    );
    let again = topoc(&["init", dir.to_str().expect("UTF-8")]);
    assert_eq!(code(&again), 2, "never overwrites");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn completions_and_the_man_page_come_from_the_command_definitions() {
    for shell in ["bash", "zsh", "fish"] {
        let output = topoc(&["completions", shell]);
        assert_eq!(code(&output), 0);
        for subcommand in ["check", "build", "import-seg", "explain"] {
            assert!(
                stdout(&output).contains(subcommand),
                "{shell}: {subcommand}"
            );
        }
    }
    let man = stdout(&topoc(&["man"]));
    assert!(
        man.contains(".TH topoc 1") && man.contains("import\\-seg"),
        "{man}"
    );
    assert_eq!(stdout(&topoc(&["schema"])), topoc::emit::schema::topology());
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let text = std::fs::read("examples/two-sites.toml").expect("example");
    let mut with_bom = vec![0xef, 0xbb, 0xbf];
    with_bom.extend(text);
    let path = temp_file("bom.toml", &with_bom);
    let output = topoc(&["check", path.to_str().expect("UTF-8")]);
    assert_eq!(code(&output), 0);
    assert!(stdout(&output).ends_with("no findings\n"));
}

#[test]
fn the_man_page_and_diff_help_give_every_exit_status() {
    let man = String::from_utf8(topoc(&["man"]).stdout).expect("UTF-8");
    assert!(
        man.contains("EXIT STATUS") && man.contains("0 on success; 1 when"),
        "{man}"
    );
    assert!(man.contains("3 from `diff \\-\\-exit\\-code`"), "{man}");
    let help = String::from_utf8(topoc(&["diff", "--help"]).stdout).expect("UTF-8");
    assert!(help.contains("1 when NEW has errors"), "{help}");
    assert!(help.contains("3 with --exit-code"), "{help}");
}

#[test]
fn ci_settings_come_from_the_environment_and_flags_win() {
    let with_env = |vars: &[(&str, &str)], args: &[&str]| {
        let mut command = common::command(root(), args);
        for (name, value) in vars {
            command.env(name, value);
        }
        command.output().expect("topoc runs")
    };
    let json_by_env = with_env(&[("TOPOC_FORMAT", "json")], &["check", SPOF]);
    assert_eq!(json(&json_by_env)["version"], 1);
    let human_by_flag = with_env(
        &[("TOPOC_FORMAT", "json")],
        &["check", SPOF, "--format", "human"],
    );
    assert!(
        stdout(&human_by_flag).contains("2 warnings"),
        "the flag wins"
    );

    assert_eq!(
        code(&with_env(&[("TOPOC_DENY_WARNINGS", "1")], &["check", SPOF])),
        1
    );
    assert_eq!(
        code(&with_env(&[("TOPOC_DENY_WARNINGS", "0")], &["check", SPOF])),
        0
    );

    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(common::example("two-sites.toml"), dir.path().join("t.toml")).expect("copy");
    let built = common::command(dir.path(), &["build", "t.toml"])
        .env("TOPOC_OUT", "published")
        .env("TOPOC_SECRETS", "keys")
        .output()
        .expect("topoc runs");
    assert_eq!(code(&built), 0, "{built:?}");
    assert!(dir.path().join("published/manifest.json").exists());
    assert!(dir.path().join("keys/ca.key").exists());
    let help = stdout(&topoc(&["build", "--help"]));
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    for name in [
        "TOPOC_OUT",
        "TOPOC_SECRETS",
        "TOPOC_DENY_WARNINGS",
        "TOPOC_AGE_IDENTITY",
    ] {
        assert!(
            help.contains(&format!("[env: {name}=]")),
            "{name} in --help: {help}"
        );
    }
}

/// A repository with the three-parts fixture at `net/cluster.toml`, for paths and
/// fingerprints; the fixture's text is returned too.
fn repository() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .status()
            .expect("git runs");
        assert!(status.success());
    };
    git(&["init", "-q"]);
    std::fs::create_dir(dir.path().join("net")).expect("mkdir");
    let text = std::fs::read_to_string(
        root().join("tests/fixtures/unreachable-nodes/err_three_parts.toml"),
    )
    .expect("fixture");
    std::fs::write(dir.path().join("net/cluster.toml"), &text).expect("write");
    (dir, text)
}

#[test]
fn code_scanning_paths_are_relative_to_the_repository_and_fingerprints_survive_moves() {
    if !common::client("git") {
        return;
    }
    let (dir, text) = repository();
    let net = dir.path().join("net");
    let run = |format: &str, extra: &[&str]| {
        let mut args = vec!["check", "--format", format, "cluster.toml"];
        args.extend_from_slice(extra);
        common::topoc(&net, &args)
    };
    // Run from the subdirectory: the path is the repository's, not the working directory's.
    let sarif = json(&run("sarif", &[]));
    let results = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .clone();
    let errors: Vec<String> = sarif_validator()
        .iter_errors(&sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let uri = &results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert_eq!(uri, "net/cluster.toml");
    let github = stdout(&run("github", &[]));
    assert!(github.contains("file=net/cluster.toml,"), "{github}");
    let based = json(&run("sarif", &["--base-dir", ".."]));
    assert_eq!(
        based["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "net/cluster.toml"
    );
    let fingerprints = |results: &[serde_json::Value]| -> Vec<String> {
        results
            .iter()
            .map(|r| {
                r["partialFingerprints"]["topoc/v1"]
                    .as_str()
                    .expect("fingerprint")
                    .to_owned()
            })
            .collect()
    };
    let before = fingerprints(&results);
    let unique: std::collections::BTreeSet<&String> = before.iter().collect();
    assert_eq!(
        unique.len(),
        before.len(),
        "no two findings share a fingerprint"
    );
    // Lines added above move every finding; their fingerprints stay.
    std::fs::write(net.join("cluster.toml"), format!("# moved\n# down\n{text}")).expect("write");
    let moved = json(&run("sarif", &[]));
    let moved = moved["runs"][0]["results"]
        .as_array()
        .expect("results")
        .clone();
    assert_eq!(fingerprints(&moved), before);
    assert_ne!(
        moved[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        results[0]["locations"][0]["physicalLocation"]["region"]["startLine"]
    );
}

#[test]
fn gitlab_code_quality_reports_validate_and_locate_each_finding() {
    if !common::client("git") {
        return;
    }
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/gitlab-code-quality.schema.json"))
            .expect("schema"),
    )
    .expect("JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let (dir, _) = repository();
    let net = dir.path().join("net");
    let report = json(&common::topoc(
        &net,
        &["check", "--format", "gitlab", "cluster.toml"],
    ));
    let plain = json(&common::topoc(
        &net,
        &["check", "--format", "json", "cluster.toml"],
    ));
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let issues = report.as_array().expect("an array");
    let findings = plain["findings"].as_array().expect("findings");
    assert_eq!(issues.len(), findings.len());
    for (issue, finding) in issues.iter().zip(findings) {
        assert_eq!(issue["check_name"], finding["code"]);
        assert_eq!(issue["location"]["path"], "net/cluster.toml");
        assert_eq!(
            issue["location"]["lines"]["begin"],
            finding["location"]["line"]
        );
        assert_eq!(issue["severity"], "major", "errors rank as major");
    }
    let clean = json(&topoc(&[
        "check",
        "--format",
        "gitlab",
        "examples/two-sites.toml",
    ]));
    assert_eq!(clean, serde_json::json!([]));
}

#[test]
fn github_job_summaries_are_appended_by_check_and_build() {
    let dir = tempfile::tempdir().expect("temp dir");
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "# earlier step\n").expect("write");
    let checked = common::command(
        root(),
        &[
            "check",
            "tests/fixtures/unreachable-nodes/err_three_parts.toml",
        ],
    )
    .env("GITHUB_STEP_SUMMARY", &summary)
    .output()
    .expect("topoc runs");
    assert_eq!(code(&checked), 1);
    std::fs::copy(common::example("two-sites.toml"), dir.path().join("t.toml")).expect("copy");
    let built = common::command(dir.path(), &["build", "t.toml"])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .expect("topoc runs");
    assert_eq!(code(&built), 0);
    let text = std::fs::read_to_string(&summary).expect("read");
    assert!(text.starts_with("# earlier step\n"), "appended: {text}");
    assert!(
        text.contains(
            "### topoc check `tests/fixtures/unreachable-nodes/err_three_parts.toml`: fails"
        ),
        "{text}"
    );
    assert!(text.contains("3 errors, 0 warnings"), "{text}");
    assert!(
        text.contains("| error | `unreachable-nodes` | 29 | node `b-2` cannot reach the other 5 nodes of the cluster |"),
        "{text}"
    );
    assert!(text.contains("### topoc build `t.toml`: passes"), "{text}");
    assert!(text.contains("- wrote 29 files to `out`"), "{text}");
}

#[test]
fn several_files_and_standard_input_are_checked_and_the_worst_exit_wins() {
    let clean = "examples/two-sites.toml";
    let broken = "tests/fixtures/unreachable-nodes/err_three_parts.toml";
    let both = topoc(&["check", clean, broken]);
    assert_eq!(code(&both), 1);
    let text = stdout(&both);
    assert!(
        text.contains("examples/two-sites.toml: no findings"),
        "{text}"
    );
    assert!(text.contains("err_three_parts.toml: 3 errors"), "{text}");
    let missing = topoc(&["check", clean, "nowhere.toml", broken]);
    assert_eq!(code(&missing), 2, "an unreadable file is the worst");
    assert!(
        stdout(&missing).contains("err_three_parts.toml: 3 errors"),
        "the others still run"
    );
    let gitlab = json(&topoc(&["check", "--format", "gitlab", broken, broken]));
    assert_eq!(gitlab.as_array().map(Vec::len), Some(6));
    let sarif = json(&topoc(&["check", "--format", "sarif", clean, broken]));
    assert_eq!(
        sarif["runs"][0]["artifacts"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"],
        serde_json::json!({ "uri": broken, "index": 1 })
    );
    let errors: Vec<String> = sarif_validator()
        .iter_errors(&sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");

    let text = std::fs::read(root().join(broken)).expect("fixture");
    let mut child = common::command(
        root(),
        &[
            "check",
            "-",
            "--stdin-filename",
            "net/cluster.toml",
            "--format",
            "json",
        ],
    )
    .stdin(std::process::Stdio::piped())
    .stdout(std::process::Stdio::piped())
    .spawn()
    .expect("topoc runs");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), &text).expect("write");
    let piped = child.wait_with_output().expect("waited");
    assert_eq!(code(&piped), 1);
    assert_eq!(
        json(&piped)["findings"][0]["location"]["file"],
        "net/cluster.toml"
    );
}

#[test]
fn the_pre_commit_hook_checks_the_changed_topologies() {
    if !common::client("pre-commit") || !common::client("git") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let repository = dir.path().join("repository");
    std::fs::create_dir(&repository).expect("mkdir");
    let git = |args: &[&str]| {
        let output = std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(&repository)
            .output()
            .expect("git runs");
        assert!(output.status.success(), "{output:?}");
    };
    git(&["init", "-q"]);
    std::fs::copy(
        common::example("two-sites.toml"),
        repository.join("cluster.toml"),
    )
    .expect("copy");
    git(&["add", "-A"]);
    let binary_dir = std::path::Path::new(env!("CARGO_BIN_EXE_topoc"))
        .parent()
        .expect("a directory");
    let path = format!(
        "{}:{}",
        binary_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let try_repo = || {
        std::process::Command::new("pre-commit")
            .args([
                "try-repo",
                root().to_str().expect("UTF-8"),
                "topoc-check-system",
                "--all-files",
            ])
            .current_dir(&repository)
            .env("PATH", &path)
            .env("PRE_COMMIT_HOME", dir.path().join("cache"))
            .output()
            .expect("pre-commit runs")
    };
    let passed = try_repo();
    assert!(passed.status.success(), "{}", stdout(&passed));
    std::fs::copy(
        root().join("tests/fixtures/unreachable-nodes/err_three_parts.toml"),
        repository.join("topology-branch.toml"),
    )
    .expect("copy");
    git(&["add", "-A"]);
    let failed = try_repo();
    assert!(!failed.status.success());
    let text = stdout(&failed);
    assert!(text.contains("topology-branch.toml: 3 errors"), "{text}");
}

#[test]
fn every_command_has_a_manual_page_that_renders_cleanly() {
    if !common::client("groff") || !common::client("man") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let written = topoc(&["man", "--dir", dir.path().to_str().expect("UTF-8")]);
    assert_eq!(code(&written), 0, "{written:?}");
    let pages: Vec<std::path::PathBuf> = std::fs::read_dir(dir.path())
        .expect("listable")
        .map(|entry| entry.expect("entry").path())
        .collect();
    let names: Vec<String> = pages
        .iter()
        .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_owned))
        .collect();
    for expected in [
        "topoc",
        "topoc-check",
        "topoc-build",
        "topoc-ca-rotate",
        "topoc-secrets-rekey",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected}.1 in {names:?}"
        );
    }
    for page in &pages {
        // As man renders it: UTF-8 through preconv (-k), every warning on (-ww).
        let output = std::process::Command::new("groff")
            .args(["-k", "-man", "-Tutf8", "-ww"])
            .arg(page)
            .output()
            .expect("groff runs");
        let warnings = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success() && warnings.is_empty(),
            "{}: {warnings}",
            page.display()
        );
        // Bold and underline come as overstrikes (`N\x08N`): keep the last of each pair.
        let mut text = String::new();
        for c in String::from_utf8_lossy(&output.stdout).chars() {
            if c == '\u{8}' {
                text.pop();
            } else {
                text.push(c);
            }
        }
        for section in ["NAME", "SYNOPSIS", "EXIT STATUS", "EXAMPLES"] {
            assert!(text.contains(section), "{}: no {section}", page.display());
        }
        // Every page a SUBCOMMANDS section names is there.
        for word in text.split_whitespace() {
            if let Some(name) = word.strip_suffix("(1)").filter(|n| n.starts_with("topoc-")) {
                assert!(
                    names.iter().any(|n| n == name),
                    "{}: {name}(1) is missing",
                    page.display()
                );
            }
        }
    }
    let man = std::process::Command::new("man")
        .arg("-l")
        .arg(dir.path().join("topoc-probe.1"))
        .env("MANWIDTH", "80")
        .output()
        .expect("man runs");
    assert!(man.status.success());
    assert!(String::from_utf8_lossy(&man.stderr).is_empty(), "{man:?}");
    assert!(String::from_utf8_lossy(&man.stdout).contains("EXIT STATUS"));
}

#[test]
fn colour_follows_no_color_clicolor_and_the_flag_and_width_follows_columns() {
    let file = "tests/fixtures/unreachable-nodes/err_three_parts.toml";
    let run = |vars: &[(&str, &str)], extra: &[&str]| {
        let mut args = vec!["check", file];
        args.extend_from_slice(extra);
        let mut command = common::command(root(), &args);
        command
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("COLUMNS");
        for (name, value) in vars {
            command.env(name, value);
        }
        stdout(&command.output().expect("topoc runs"))
    };
    let coloured = |text: &str| text.contains('\u{1b}');
    assert!(!coloured(&run(&[], &[])), "not a terminal: no colour");
    assert!(coloured(&run(&[("CLICOLOR_FORCE", "1")], &[])));
    assert!(!coloured(&run(
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")],
        &[]
    )));
    assert!(!coloured(&run(
        &[("CLICOLOR_FORCE", "1")],
        &["--color", "never"]
    )));
    assert!(
        coloured(&run(&[("NO_COLOR", "1")], &["--color", "always"])),
        "the flag wins"
    );
    let widest = |text: &str| {
        text.lines()
            .filter(|line| line.contains('×') || line.contains('│'))
            .map(|line| line.chars().count())
            .max()
            .unwrap_or(0)
    };
    let narrow = widest(&run(&[("COLUMNS", "60")], &[]));
    let wide = widest(&run(&[("COLUMNS", "200")], &[]));
    assert!(narrow <= 60 && wide > narrow, "{narrow} {wide}");
}

#[test]
fn control_characters_and_huge_names_from_the_file_never_reach_the_terminal_raw() {
    let long = "k".repeat(10_000);
    // An unknown key with ESC and an RTL override, and a 10,000-character key.
    let text = format!("[cluster]\nname = \"x\"\n\"bad\\u001b[31mkey\\u202e\" = 1\n{long} = 2\n");
    let file = temp_file("hostile.toml", text.as_bytes());
    let path = file.to_str().expect("UTF-8");
    for format in ["human", "github", "gitlab"] {
        let output = topoc(&["check", "--format", format, path]);
        let shown = stdout(&output);
        assert!(!shown.contains('\u{1b}'), "{format}: a raw ESC: {shown}");
        assert!(!shown.contains('\u{202e}'), "{format}: a raw RTL override");
        assert!(shown.len() < 8_000, "{format}: {} bytes", shown.len());
    }
    let human = stdout(&topoc(&["check", path]));
    assert!(
        human.contains("\\u{1b}[31mkey\\u{202e}"),
        "escaped visibly: {human}"
    );
    assert!(human.contains('…'), "the long key is cut: {human}");
    // A raw ESC byte in a comment, which TOML refuses: its excerpt shows `?`; the long line
    // above it is not quoted as context.
    let comment = temp_file(
        "comment.toml",
        format!("{long} = 2\na = 1 # \u{1b}[2J\n").as_bytes(),
    );
    let shown = stdout(&topoc(&["check", comment.to_str().expect("UTF-8")]));
    assert!(
        !shown.contains('\u{1b}') && shown.contains("?[2J"),
        "{shown}"
    );
    assert!(shown.len() < 2_000, "{} bytes", shown.len());
}

#[test]
fn sarif_rules_link_to_their_section_of_the_lints_document() {
    let base = "https://git.example.com/tools/topoc/-/blob/main/docs/lints.md";
    let sarif = json(&topoc(&[
        "check",
        "--format",
        "sarif",
        "--rule-help-uri",
        base,
        "tests/fixtures/unreachable-nodes/err_three_parts.toml",
    ]));
    let errors: Vec<String> = sarif_validator()
        .iter_errors(&sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    for rule in sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
    {
        assert_eq!(
            rule["helpUri"],
            format!("{base}#{}", rule["id"].as_str().expect("id"))
        );
    }
    let bad = topoc(&[
        "check",
        "--format",
        "sarif",
        "--rule-help-uri",
        "docs/lints.md",
        "examples/two-sites.toml",
    ]);
    assert_eq!(code(&bad), 2, "a relative address is refused");
}
