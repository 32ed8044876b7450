//! Hostile input and faults: each gives a clear error, or an honest result, and leaves what
//! the user owns intact.

mod common;

use common::{example, topoc};

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::{Command, Output};

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_hundred_thousand_tables_are_checked() {
    let dir = tempfile::tempdir().expect("temp");
    let mut text = String::from("[cluster]\nname = \"wide\"\n[ntp]\nservers = [\"192.0.2.123\"]\n");
    for site in 0..100_000 {
        let _ = writeln!(text, "[sites.s{site}]");
    }
    text.push_str("[nodes.n1]\nsite = \"s0\"\naddress = \"10.0.0.1\"\n[nodes.n2]\nsite = \"s0\"\naddress = \"10.0.0.2\"\n");
    std::fs::write(dir.path().join("wide.toml"), text).expect("write");
    let output = topoc(dir.path(), &["check", "--format", "json", "wide.toml"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn deep_nesting_is_a_located_syntax_error_not_a_stack_overflow() {
    let dir = tempfile::tempdir().expect("temp");
    let depth = 100_000;
    let cases = [
        (
            "arrays",
            format!("a = {}{}\n", "[".repeat(depth), "]".repeat(depth)),
        ),
        (
            "inline tables",
            format!("a = {}1{}\n", "{b = ".repeat(depth), "}".repeat(depth)),
        ),
        (
            "dotted header",
            format!("[{}]\n", vec!["a"; depth].join(".")),
        ),
        (
            "dotted node name",
            format!(
                "[cluster]\nname = \"x\"\n[nodes.{}]\nsite = \"a\"\n",
                vec!["n"; depth].join(".")
            ),
        ),
    ];
    for (what, text) in cases {
        std::fs::write(dir.path().join("deep.toml"), text).expect("write");
        let output = topoc(dir.path(), &["check", "--format", "json", "deep.toml"]);
        assert_eq!(output.status.code(), Some(1), "{what}: {}", stderr(&output));
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        let finding = &report["findings"][0];
        assert_eq!(finding["code"], "toml-syntax", "{what}: {report}");
        assert_eq!(
            finding["location"]["line"], 1,
            "{what}: located on its line: {report}"
        );
    }
}

#[test]
fn multi_megabyte_values_give_short_messages() {
    let dir = tempfile::tempdir().expect("temp");
    let huge = "9".repeat(5_000_000);
    let text = format!(
        "[cluster]\nname = \"{huge}\"\n[sites.a]\n[nodes.n1]\nsite = \"a\"\naddress = \"{huge}\"\nfqdn = \"{huge}\"\n"
    );
    std::fs::write(dir.path().join("huge.toml"), text).expect("write");
    let output = topoc(dir.path(), &["check", "--format", "json", "huge.toml"]);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    for finding in report["findings"].as_array().expect("findings") {
        let message = finding["message"].as_str().expect("message");
        assert!(
            message.len() < 200,
            "{} bytes: {}…",
            message.len(),
            &message[..80]
        );
    }
    let human = topoc(dir.path(), &["check", "huge.toml"]);
    assert!(
        human.stdout.len() < 2_000_000,
        "the excerpt is cut, not the whole line: {} bytes",
        human.stdout.len()
    );
}

#[test]
fn a_symlink_planted_in_the_output_is_not_followed() {
    let dir = tempfile::tempdir().expect("temp");
    assert!(
        topoc(dir.path(), &["build", &example("two-sites.toml")])
            .status
            .success()
    );
    let victim = dir.path().join("victim");
    std::fs::create_dir(&victim).expect("dir");
    std::fs::write(victim.join("precious.txt"), "mine").expect("file");
    std::os::unix::fs::symlink(&victim, dir.path().join("out/nodes/link")).expect("link");
    let refused = topoc(dir.path(), &["build", &example("two-sites.toml")]);
    assert_eq!(
        refused.status.code(),
        Some(2),
        "an unlisted entry is refused"
    );
    assert!(stderr(&refused).contains("nodes/link"));
    let forced = topoc(
        dir.path(),
        &["build", "--force", &example("two-sites.toml")],
    );
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert_eq!(
        std::fs::read_to_string(victim.join("precious.txt")).expect("kept"),
        "mine",
        "the link's target is untouched"
    );
    assert!(!dir.path().join("out/nodes/link").exists());
}

#[test]
fn a_symlink_planted_in_the_secrets_is_replaced_not_written_through() {
    let dir = tempfile::tempdir().expect("temp");
    assert!(
        topoc(dir.path(), &["build", &example("two-sites.toml")])
            .status
            .success()
    );
    let victim = dir.path().join("victim.pem");
    std::fs::write(&victim, "not a certificate").expect("file");
    let planted = dir.path().join("secrets/nodes/tok-1.pem");
    std::fs::remove_file(&planted).expect("removed");
    std::os::unix::fs::symlink(&victim, &planted).expect("link");
    let output = topoc(dir.path(), &["build", &example("two-sites.toml")]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("re-issued the certificate of `tok-1`")
    );
    assert_eq!(
        std::fs::read_to_string(&victim).expect("kept"),
        "not a certificate"
    );
    assert!(
        !std::fs::symlink_metadata(&planted)
            .expect("exists")
            .file_type()
            .is_symlink()
    );
}

#[test]
fn an_output_on_a_read_only_path_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp");
    let output = topoc(
        dir.path(),
        &[
            "build",
            "--out",
            "/proc/topoc-out",
            &example("two-sites.toml"),
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("/proc"), "{}", stderr(&output));
    assert!(!stderr(&output).contains("panicked"));
}

/// A small tmpfs, unmounted when dropped.
struct Tiny(PathBuf);

impl Drop for Tiny {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_leaves_the_previous_output_whole() {
    let dir = tempfile::tempdir().expect("temp");
    let disk = dir.path().join("disk");
    std::fs::create_dir(&disk).expect("dir");
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=256k", "tmpfs"])
        .arg(&disk)
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        mounted || std::env::var_os("CI").is_none(),
        "CI runs as root and must be able to mount a tmpfs"
    );
    if !mounted {
        eprintln!("cannot mount a tmpfs here (not root?): skipped, run in CI");
        return;
    }
    let _unmount = Tiny(disk.clone());
    let out = disk.join("out");
    let out_arg = out.to_str().expect("UTF-8");
    let small = topoc(
        dir.path(),
        &["build", "--out", out_arg, &example("two-sites.toml")],
    );
    assert!(
        small.status.success(),
        "the small build fits: {}",
        stderr(&small)
    );
    let before = topoc::write::list_files(&out).expect("listable");
    let big = topoc(
        dir.path(),
        &["build", "--out", out_arg, &example("larger-cluster.toml")],
    );
    assert_eq!(big.status.code(), Some(2), "the large build does not fit");
    assert!(
        stderr(&big).contains("No space left on device"),
        "{}",
        stderr(&big)
    );
    assert_eq!(
        topoc::write::list_files(&out).expect("listable"),
        before,
        "the previous output is whole"
    );
    let check = topoc(
        dir.path(),
        &[
            "build",
            "--check",
            "--out",
            out_arg,
            &example("two-sites.toml"),
        ],
    );
    assert!(check.status.success(), "and still matches its topology");
    let leftovers: Vec<_> = std::fs::read_dir(&disk)
        .expect("listable")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert_eq!(
        leftovers,
        ["out"],
        "no staging directory is left on the full disk"
    );
}

#[test]
fn a_build_too_large_to_hold_is_refused_before_anything_is_made() {
    // 20,000 nodes with FQDNs: every hosts file lists every node, about 8 GB in all.
    let dir = tempfile::tempdir().expect("temp");
    let mut text = String::from(
        "[cluster]\nname = \"big\"\nmanagement_node = \"n0\"\n[ntp]\nservers = [\"10.0.0.1\"]\n[sites.a]\nsubnet = \"10.0.0.0/8\"\n",
    );
    for n in 0..20_000u32 {
        let x = n + 2;
        let _ = writeln!(
            text,
            "[nodes.n{n}]\nsite = \"a\"\naddress = \"10.{}.{}.{}\"\nfqdn = \"n{n}.example\"",
            x >> 16,
            (x >> 8) & 255,
            x & 255
        );
    }
    std::fs::write(dir.path().join("big.toml"), text).expect("write");
    let output = topoc(dir.path(), &["build", "big.toml"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("over the limit of 2048 MB: each of the 20000 hosts files lists the 20000 nodes that have an FQDN"),
        "{}",
        stderr(&output)
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("listable")
        .map(|entry| entry.expect("entry").file_name())
        .collect();
    assert_eq!(left, ["big.toml"], "no output, no secrets, no key made");

    // The limit is the user's to raise or lower.
    let small = topoc(
        dir.path(),
        &["build", &example("nat.toml"), "--max-output-mb", "0"],
    );
    assert_eq!(small.status.code(), Some(2));
    assert!(stderr(&small).contains("--max-output-mb"));
    let diff = topoc(
        dir.path(),
        &[
            "diff",
            &example("nat.toml"),
            &example("nat.toml"),
            "--max-output-mb",
            "0",
        ],
    );
    assert_eq!(diff.status.code(), Some(2));
}
