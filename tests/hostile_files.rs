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
    }
    // Not topoc's naming, or not a file: kept.
    let kept = [
        secrets.join("notes.tmp-draft"),
        secrets.join("ca.key.tmp-"),
        secrets.join(".tmp-123"),
    ];
    for path in &kept {
        std::fs::write(path, "mine\n").expect("plant");
    }
    std::os::unix::fs::symlink("ca.pem", secrets.join(format!("link.tmp-{pid}"))).expect("link");

    let output = build(dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("note: removed 3 temporary files that an interrupted run left"),
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
