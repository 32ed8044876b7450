//! Hostile values (issue 22): numbers past what their use can hold, control characters,
//! and input quoted back at its full length.

mod common;

use common::topoc;

use std::fmt::Write as _;
use std::process::Output;

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A small valid topology with one line added to a section: `cluster`, `settings`, `ca` or
/// `node` (the first node).
fn topology(section: &str, line: &str) -> String {
    let at = |name: &str| if name == section { line } else { "" };
    format!(
        "[cluster]\nname = \"x\"\nversion = \"12.2.4\"\nmanagement_node = \"a1\"\n{}\n\
         [cluster.settings]\n{}\n[ntp]\nservers = [\"192.0.2.123\"]\n[ca]\n{}\n\
         [sites.s]\nsubnet = \"10.0.0.0/24\"\n\
         [nodes.a1]\nsite = \"s\"\naddress = \"10.0.0.1\"\n{}\n\
         [nodes.a2]\nsite = \"s\"\naddress = \"10.0.0.2\"\n",
        at("cluster"),
        at("settings"),
        at("ca"),
        at("node"),
    )
}

fn codes(output: &Output) -> Vec<String> {
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("JSON ({e}): {}", stderr(output)));
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|finding| finding["severity"] == "error")
        .map(|finding| finding["code"].as_str().expect("code").to_owned())
        .collect()
}

/// Every number the file holds, at and past every bound: `check` and `build` agree, and
/// neither panics. A number past what its use can hold is a located `invalid-value`.
#[test]
fn numbers_past_their_use_are_invalid_values_and_never_panics() {
    let fields = [
        ("ca", "validity_days"),
        ("ca", "node_validity_days"),
        ("cluster", "port"),
        ("cluster", "transit_fanout_limit"),
        ("cluster", "max_route_hops"),
        ("settings", "distribution_timeout_multiplier"),
        ("node", "priority"),
        ("node", "port"),
    ];
    let values = [
        "0",
        "-1",
        "36500",
        "36501",
        "2932897",
        "4294967296",
        "9223372036854775807",
        "-9223372036854775808",
    ];
    let dir = tempfile::tempdir().expect("temp");
    for (section, key) in fields {
        for value in values {
            let line = format!("{key} = {value}");
            std::fs::write(dir.path().join("t.toml"), topology(section, &line)).expect("write");
            let check = topoc(dir.path(), &["check", "--format", "json", "t.toml"]);
            let case = format!("[{section}] {line}");
            assert!(
                matches!(check.status.code(), Some(0 | 1)),
                "check, {case}: {}",
                stderr(&check)
            );
            let errors = codes(&check);
            // A node's own port, in range, differs from the cluster's: an error of its own.
            assert!(
                errors
                    .iter()
                    .all(|code| code == "invalid-value" || code == "cluster-setting-override"),
                "{case}: {errors:?}"
            );
            let out = dir.path().join("out");
            let secrets = dir.path().join("sec");
            let _ = std::fs::remove_dir_all(&out);
            let _ = std::fs::remove_dir_all(&secrets);
            let build = topoc(
                dir.path(),
                &["build", "t.toml", "--out", "out", "--secrets", "sec"],
            );
            assert_eq!(
                build.status.code(),
                Some(i32::from(!errors.is_empty())),
                "build, {case} (check said {errors:?}): {}",
                stderr(&build)
            );
        }
    }
}

/// A hundred years is the longest validity; the day after is refused where it is written.
#[test]
fn a_validity_past_a_hundred_years_is_refused_at_its_line() {
    let dir = tempfile::tempdir().expect("temp");
    let text = topology("ca", "validity_days = 2932897");
    std::fs::write(dir.path().join("t.toml"), &text).expect("write");
    let output = topoc(dir.path(), &["check", "--format", "json", "t.toml"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let finding = &report["findings"][0];
    assert_eq!(finding["code"], "invalid-value", "{report}");
    let line = text
        .lines()
        .position(|line| line.starts_with("validity_days"))
        .expect("line")
        + 1;
    assert_eq!(finding["location"]["line"], line, "{report}");
    let message = finding["message"].as_str().expect("message");
    assert!(message.contains("from 1 to 36500"), "{message}");
}

/// Control characters and bidirectional marks in any value are refused where they are
/// written, so none reaches a picture, a report or a node's files.
#[test]
fn control_characters_in_values_are_refused_and_reach_no_output() {
    let dir = tempfile::tempdir().expect("temp");
    let cases = [
        (
            "location",
            "[sites.s]\n",
            "[sites.s]\nlocation = \"To\\u001B[31mkyo\"\n",
        ),
        (
            "location",
            "[sites.s]\n",
            "[sites.s]\nlocation = \"bell\\u0007\"\n",
        ),
        (
            "location",
            "[sites.s]\n",
            "[sites.s]\nlocation = \"left\\u202Eright\"\n",
        ),
        (
            "common_name",
            "[ca]\n",
            "[ca]\ncommon_name = \"CA\\u0000\"\n",
        ),
        ("name", "name = \"x\"", "name = \"x\\u001b]0;title\\u0007\""),
    ];
    for (key, from, to) in cases {
        let text = topology("", "").replacen(from, to, 1);
        assert_ne!(text, topology("", ""), "{key}: the case applies");
        std::fs::write(dir.path().join("t.toml"), &text).expect("write");
        let check = topoc(dir.path(), &["check", "--format", "json", "t.toml"]);
        assert_eq!(check.status.code(), Some(1), "{key}: {}", stderr(&check));
        let report: serde_json::Value = serde_json::from_slice(&check.stdout).expect("JSON");
        let finding = report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|finding| finding["code"] == "invalid-value")
            .unwrap_or_else(|| panic!("{key}: {report}"));
        let line = text
            .lines()
            .position(|line| line.starts_with(&format!("{key} =")))
            .expect("line")
            + 1;
        assert_eq!(finding["location"]["line"], line, "{key}: {report}");
        for args in [
            &["graph", "t.toml"][..],
            &["graph", "t.toml", "--format", "mermaid"],
            &["check", "t.toml"],
            &["build", "t.toml", "--out", "out", "--secrets", "sec"],
        ] {
            let output = topoc(dir.path(), args);
            assert_ne!(output.status.code(), Some(0), "{key}: {args:?}");
            let raw = [&output.stdout[..], &output.stderr[..]].concat();
            let shown = String::from_utf8_lossy(&raw);
            assert!(
                !shown.chars().any(topoc::model::values::steers),
                "{key}: {args:?} printed a control character: {shown:?}"
            );
        }
        assert!(!dir.path().join("out").exists(), "{key}: nothing built");
    }
}

/// Text from the file is quoted at most 64 characters long in every format, however long
/// it is: a megabyte of `management_node` makes a short report.
#[test]
fn a_megabyte_reference_is_quoted_short_in_every_format() {
    let dir = tempfile::tempdir().expect("temp");
    let huge = "m".repeat(1 << 20);
    let text = topology("", "").replace(
        "management_node = \"a1\"",
        &format!("management_node = \"{huge}\""),
    );
    std::fs::write(dir.path().join("t.toml"), text).expect("write");
    for format in ["human", "json", "github", "gitlab", "sarif"] {
        let output = topoc(dir.path(), &["check", "--format", format, "t.toml"]);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{format}: {}",
            stderr(&output)
        );
        let shown = String::from_utf8_lossy(&output.stdout);
        assert!(shown.contains("unknown node `mmm"), "{format}: {shown}");
        let longest_run = shown
            .split(|c: char| c != 'm')
            .map(str::len)
            .max()
            .unwrap_or(0);
        assert!(
            longest_run <= 64,
            "{format}: quoted {longest_run} characters"
        );
    }
}

/// `t.toml` in `dir` with one mistake repeated 2,500 times, and the line of the 101st.
fn many_unknown_keys(dir: &std::path::Path) -> usize {
    let mut text = topology("", "");
    for i in 0..2_500 {
        let _ = writeln!(text, "unknown_key_{i} = 1");
    }
    std::fs::write(dir.join("t.toml"), &text).expect("write");
    text.lines()
        .position(|line| line == "unknown_key_100 = 1")
        .expect("line")
        + 1
}

/// One mistake repeated 2,500 times lists the first 100 and counts the rest;
/// `--max-per-code 0` lists them all.
#[test]
fn findings_past_the_limit_per_code_are_counted_not_listed() {
    let dir = tempfile::tempdir().expect("temp");
    let first_omitted = many_unknown_keys(dir.path());

    let human = topoc(dir.path(), &["check", "t.toml"]);
    let shown = String::from_utf8_lossy(&human.stdout);
    assert_eq!(human.status.code(), Some(1));
    assert_eq!(
        shown.matches("unknown key `unknown_key_").count(),
        100,
        "{shown}"
    );
    assert!(
        shown.contains("and 2,400 more `unknown-key` errors\n"),
        "{shown}"
    );
    assert!(
        shown.ends_with("t.toml: 2500 errors, 0 warnings\n"),
        "{shown}"
    );

    let report = serde_json::from_slice::<serde_json::Value>(
        &topoc(dir.path(), &["check", "--format", "json", "t.toml"]).stdout,
    )
    .expect("JSON");
    assert_eq!(report["findings"].as_array().map(Vec::len), Some(100));
    assert_eq!(report["summary"]["errors"], 2_500);
    let omitted = &report["omitted"][0];
    assert_eq!(omitted["code"], "unknown-key");
    assert_eq!(omitted["count"], 2_400);
    assert_eq!(omitted["first"]["line"], first_omitted);

    let all = serde_json::from_slice::<serde_json::Value>(
        &topoc(
            dir.path(),
            &["check", "--format", "json", "--max-per-code", "0", "t.toml"],
        )
        .stdout,
    )
    .expect("JSON");
    assert_eq!(all["findings"].as_array().map(Vec::len), Some(2_500));
    assert!(
        all.get("omitted").is_none(),
        "nothing omitted: {}",
        all["summary"]
    );

    let sarif = serde_json::from_slice::<serde_json::Value>(
        &topoc(dir.path(), &["check", "--format", "sarif", "t.toml"]).stdout,
    )
    .expect("JSON");
    let errors: Vec<String> = common::sarif_validator()
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let run = &sarif["runs"][0];
    assert_eq!(run["results"].as_array().map(Vec::len), Some(100));
    let note = &run["invocations"][0]["toolExecutionNotifications"][0];
    assert_eq!(note["descriptor"]["id"], "unknown-key");
    assert!(
        note["message"]["text"]
            .as_str()
            .is_some_and(|text| text.starts_with("and 2,400 more `unknown-key` errors")),
        "{note}"
    );
    assert_eq!(
        note["locations"][0]["physicalLocation"]["region"]["startLine"],
        first_omitted
    );

    let github = topoc(dir.path(), &["check", "--format", "github", "t.toml"]);
    let lines = String::from_utf8_lossy(&github.stdout);
    assert_eq!(
        lines.lines().filter(|l| l.starts_with("::error ")).count(),
        100
    );
    let notice = lines
        .lines()
        .find(|l| l.starts_with("::notice "))
        .expect("a notice");
    assert!(
        notice.contains(&format!("line={first_omitted},")),
        "{notice}"
    );
    assert!(
        notice.contains("::and 2,400 more `unknown-key` errors"),
        "{notice}"
    );

    let gitlab = serde_json::from_slice::<serde_json::Value>(
        &topoc(dir.path(), &["check", "--format", "gitlab", "t.toml"]).stdout,
    )
    .expect("JSON");
    let issues = gitlab.as_array().expect("issues");
    assert_eq!(issues.len(), 101);
    let info = issues
        .iter()
        .find(|issue| issue["severity"] == "info")
        .expect("one info issue");
    assert_eq!(info["location"]["lines"]["begin"], first_omitted);
}
