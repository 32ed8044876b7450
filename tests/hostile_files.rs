//! What earlier runs and other hands leave on disk (issue 22): temporary key files of killed
//! runs, staging directories that are not topoc's, symlinks between the output and the
//! secrets, and loose permissions.

mod common;

use common::{example, topoc};

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::Output;

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A process id no process has now.
fn dead_pid() -> u32 {
    (3_000_000..4_000_000)
        .rev()
        .find(|pid| !Path::new(&format!("/proc/{pid}")).exists())
        .expect("a free process id")
}

fn build(dir: &Path) -> Output {
    topoc(dir, &["build", &example("two-sites.toml")])
}

#[test]
fn temporary_key_files_of_killed_runs_are_removed_under_the_lock_and_said() {
    let dir = tempfile::tempdir().expect("temp");
    assert_eq!(build(dir.path()).status.code(), Some(0));
    let secrets = dir.path().join("secrets");
    let pid = dead_pid();
    let leftovers = [
        secrets.join(format!("ca.key.tmp-{pid}")),
        secrets.join(format!("nodes/tok-1.key.tmp-{pid}")),
        secrets.join(format!("nodes/tok-2.pem.tmp-{}", pid - 1)),
    ];
    for path in &leftovers {
        std::fs::write(path, "-----BEGIN PRIVATE KEY-----\n").expect("plant");
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    // Not topoc's naming, or not a file: kept.
    let kept = [
        secrets.join("notes.tmp-draft"),
        secrets.join("ca.key.tmp-"),
        secrets.join(".tmp-123"),
    ];
    for path in &kept {
        std::fs::write(path, "mine\n").expect("plant");
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    std::os::unix::fs::symlink("ca.pem", secrets.join(format!("link.tmp-{pid}"))).expect("link");
    // A directory a first build killed while writing left under its temporary name.
    let aside = secrets.join(format!("nodes.tmp-{}", pid - 2));
    std::fs::create_dir(&aside).expect("dir");
    std::fs::write(aside.join("tok-1.key"), "-----BEGIN PRIVATE KEY-----\n").expect("plant");
    std::fs::set_permissions(&aside, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    std::fs::set_permissions(
        aside.join("tok-1.key"),
        std::fs::Permissions::from_mode(0o600),
    )
    .expect("chmod");

    let output = build(dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!aside.exists(), "the killed build's directory is removed");
    assert!(
        stderr(&output).contains("note: removed 4 temporary files that an interrupted run left"),
        "{}",
        stderr(&output)
    );
    for path in &leftovers {
        assert!(!path.exists(), "{} removed", path.display());
    }
    for path in &kept {
        assert!(path.exists(), "{} kept", path.display());
    }
    assert!(
        std::fs::symlink_metadata(secrets.join(format!("link.tmp-{pid}"))).is_ok(),
        "a link is not topoc's temporary"
    );
    // Nothing left: nothing said.
    let again = build(dir.path());
    assert!(!stderr(&again).contains("temporary"), "{}", stderr(&again));
}

#[test]
fn only_topocs_own_staging_directories_are_cleared() {
    let dir = tempfile::tempdir().expect("temp");
    assert_eq!(build(dir.path()).status.code(), Some(0));
    let pid = dead_pid();
    // A user's directory that merely has the name of a staging directory of a dead process.
    let users = dir.path().join(format!(".out.topoc-{pid}"));
    std::fs::create_dir(&users).expect("dir");
    std::fs::write(users.join("thesis.tex"), "years of work\n").expect("write");
    // What a build killed while writing leaves: its marker and part of a tree.
    let killed = dir.path().join(format!(".out.topoc-{}", pid - 1));
    std::fs::create_dir_all(killed.join("nodes/tok-1")).expect("dir");
    std::fs::write(killed.join(".topoc-staging"), "").expect("marker");
    std::fs::write(killed.join("nodes/tok-1/hosts"), "partial").expect("write");
    // What a build killed just after the swap leaves: the previous output, whole.
    let swapped = dir.path().join(format!(".out.topoc-{}", pid - 2));
    let copy = std::process::Command::new("cp")
        .arg("-r")
        .arg(dir.path().join("out"))
        .arg(&swapped)
        .status()
        .expect("cp");
    assert!(copy.success());
    // A link named like one, to a directory of the user's: never followed, never removed.
    let linked = dir.path().join(format!(".out.topoc-{}", pid - 3));
    std::os::unix::fs::symlink(&users, &linked).expect("link");

    // A build that changes something commits, and clears on its way.
    let text = std::fs::read_to_string(example("two-sites.toml")).expect("example");
    let changed = dir.path().join("changed.toml");
    std::fs::write(&changed, text.replace("Tokyo, JP", "Tokyo, Japan")).expect("write");
    let output = topoc(dir.path(), &["build", "changed.toml"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        users.join("thesis.tex").exists(),
        "the user's directory is kept"
    );
    assert!(
        std::fs::symlink_metadata(&linked).is_ok(),
        "the link is kept"
    );
    assert!(!killed.exists(), "a killed build's staging is removed");
    assert!(!swapped.exists(), "a previous output left aside is removed");
    let said = stderr(&output);
    assert_eq!(
        said.matches("which an interrupted build left").count(),
        2,
        "{said}"
    );
    assert!(!said.contains("thesis"), "{said}");
    // The marker never reaches the output.
    assert!(!dir.path().join("out/.topoc-staging").exists());
    let listed = std::fs::read_dir(dir.path().join("out")).expect("out");
    let mode = |path: &Path| std::fs::metadata(path).expect("meta").permissions().mode();
    assert!(listed.count() > 0);
    assert_eq!(mode(&dir.path().join("out")) & 0o777, 0o755);
}

#[test]
fn secrets_reached_through_a_link_into_the_output_are_refused() {
    let dir = tempfile::tempdir().expect("temp");
    assert_eq!(build(dir.path()).status.code(), Some(0));
    std::os::unix::fs::symlink("out", dir.path().join("o")).expect("link");
    let topology = example("two-sites.toml");
    for extra in [&[][..], &["--force"]] {
        let args = [&["build", &topology, "--secrets", "o/sec"][..], extra].concat();
        let output = topoc(dir.path(), &args);
        common::assert_exit_saying(&output, 2, "is inside the output directory");
        assert!(
            !dir.path().join("out/sec").exists(),
            "{args:?}: no key in the output"
        );
        assert!(
            dir.path().join("out/nodes").is_dir(),
            "{args:?}: the output is whole"
        );
    }
    // The output inside the secrets, through a link, is refused the same way.
    std::os::unix::fs::symlink("secrets", dir.path().join("s")).expect("link");
    let output = topoc(
        dir.path(),
        &["build", &example("two-sites.toml"), "--out", "s/out"],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("is inside the secrets directory"),
        "{}",
        stderr(&output)
    );
    assert!(!dir.path().join("secrets/out").exists());
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .expect("exists")
        .permissions()
        .mode()
        & 0o7777
}

#[test]
fn loose_secrets_are_refused_with_the_command_and_fixed_only_when_asked() {
    let dir = tempfile::tempdir().expect("temp");
    assert_eq!(build(dir.path()).status.code(), Some(0));
    let secrets = dir.path().join("secrets");
    let key = secrets.join("nodes/tok-1.key");
    let set = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    };
    set(&key, 0o644);
    set(&secrets.join("ca.pem"), 0o666);
    set(&secrets.join("nodes"), 0o777);

    let check = topoc(
        dir.path(),
        &["check", "--format", "json", &example("two-sites.toml")],
    );
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).expect("JSON");
    let finding = &report["findings"][0];
    assert_eq!(finding["code"], "secret-permissions", "{report}");
    let message = finding["message"].as_str().expect("message");
    for named in ["nodes/tok-1.key (0644", "ca.pem (0666", "nodes (0777"] {
        assert!(message.contains(named), "{message}");
    }
    assert!(
        finding["help"]
            .as_str()
            .is_some_and(|help| help.contains("chmod -R go-rwx secrets")),
        "{finding}"
    );

    let refused = build(dir.path());
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("secret-permissions"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(mode(&key), 0o644, "never changed unasked");
    assert_eq!(mode(&secrets.join("nodes")), 0o777, "never changed unasked");

    let fixed = topoc(
        dir.path(),
        &["build", &example("two-sites.toml"), "--fix-permissions"],
    );
    assert_eq!(fixed.status.code(), Some(0), "{}", stderr(&fixed));
    assert!(
        stderr(&fixed).contains("was 0644, is now 0600"),
        "{}",
        stderr(&fixed)
    );
    assert_eq!(mode(&key), 0o600);
    assert_eq!(mode(&secrets.join("ca.pem")), 0o600);
    assert_eq!(mode(&secrets.join("nodes")), 0o700);
}

#[test]
fn a_linked_secrets_root_keeps_its_mode_and_is_judged_where_it_leads() {
    let dir = tempfile::tempdir().expect("temp");
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).expect("dir");
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    std::os::unix::fs::symlink(&shared, dir.path().join("secrets")).expect("link");
    let output = build(dir.path());
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let said = stderr(&output);
    assert!(
        said.contains("secret-permissions") && said.contains(". (0777, wanted 0700)"),
        "{said}"
    );
    assert_eq!(
        mode(&shared),
        0o777,
        "a directory topoc did not make keeps its mode"
    );
    assert!(!shared.join("ca.key").exists(), "no key written into it");
    // One only its owner may write is used as it is, and keeps its mode.
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let output = build(dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(mode(&shared), 0o755, "never tightened unasked");
    assert_eq!(mode(&shared.join("ca.key")), 0o600);
}

#[test]
fn the_output_is_0644_and_0755_whatever_the_umask() {
    let dir = tempfile::tempdir().expect("temp");
    for umask in ["000", "077", "022"] {
        let _ = std::fs::remove_dir_all(dir.path().join("out"));
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("umask {umask} && exec \"$0\" build \"$1\" --quiet"))
            .arg(env!("CARGO_BIN_EXE_topoc"))
            .arg(example("two-sites.toml"))
            .current_dir(dir.path())
            .status()
            .expect("sh");
        assert!(status.success(), "umask {umask}");
        assert_modes(&dir.path().join("out"), umask);
        assert_eq!(mode(&dir.path().join("secrets")), 0o700, "umask {umask}");
        assert_eq!(
            mode(&dir.path().join("secrets/ca.key")),
            0o600,
            "umask {umask}"
        );
    }
    // An output file made world-writable by hand is put back by the next build, though
    // nothing else changed.
    let node = dir.path().join("out/nodes/tok-1/node.json");
    std::fs::set_permissions(&node, std::fs::Permissions::from_mode(0o666)).expect("chmod");
    assert_eq!(build(dir.path()).status.code(), Some(0));
    assert_eq!(mode(&node), 0o644);
}

fn assert_modes(out: &Path, umask: &str) {
    assert_eq!(mode(out), 0o755, "umask {umask}: {}", out.display());
    for entry in std::fs::read_dir(out).expect("listable") {
        let path = entry.expect("entry").path();
        let kind = std::fs::symlink_metadata(&path).expect("meta").file_type();
        if kind.is_dir() {
            assert_modes(&path, umask);
        } else {
            let script = path.extension().is_some_and(|e| e == "sh");
            let wanted = if script { 0o755 } else { 0o644 };
            assert_eq!(mode(&path), wanted, "umask {umask}: {}", path.display());
        }
    }
}
