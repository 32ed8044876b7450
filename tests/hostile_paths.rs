//! Paths a hostile topology names (issue 22): they stay inside its directory, only regular
//! files are read, and only up to a limit; the topology itself too.

mod common;

use common::{example, topoc};

use std::path::Path;
use std::process::Output;

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The shipped SEG example with its shared key read from `file`.
fn seg_with_key_file(dir: &Path, file: &str) {
    let text = std::fs::read_to_string(example("seg.toml")).expect("example");
    let text = text.replace(
        "shared_key_env = \"SEG_SHARED_KEY\"",
        &format!("shared_key_file = \"{file}\""),
    );
    assert!(
        text.contains("shared_key_file"),
        "the example names its key"
    );
    std::fs::write(dir.join("seg.toml"), text).expect("write");
}

/// The shipped two-site example with a CA of its own at `cert` and `key`.
fn swg_with_ca(dir: &Path, cert: &str, key: &str) {
    let text = std::fs::read_to_string(example("two-sites.toml")).expect("example");
    let text = text.replace(
        "[ca]\n",
        &format!("[ca]\ncert = \"{cert}\"\nkey = \"{key}\"\n"),
    );
    let text = text.replace("common_name = \"acme-web Cluster CA\"\n", "");
    std::fs::write(dir.join("t.toml"), text).expect("write");
}

/// The output of `command`, which must end within a minute (it is killed and the test fails
/// if not).
fn within_a_minute(mut command: std::process::Command) -> Output {
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let start = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > std::time::Duration::from_secs(60) {
            let _ = child.kill();
            panic!("still running after a minute: {command:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

#[test]
fn a_shared_key_outside_the_topology_directory_is_refused_and_never_copied() {
    let dir = tempfile::tempdir().expect("temp");
    let net = dir.path().join("net");
    std::fs::create_dir(&net).expect("dir");
    std::fs::write(dir.path().join("shadow"), "root:secret-hash:1:0:::\n").expect("write");
    for (written, real) in [
        ("../shadow", dir.path().join("shadow")),
        (
            dir.path().join("shadow").to_str().expect("UTF-8"),
            dir.path().join("shadow"),
        ),
    ] {
        seg_with_key_file(&net, written);
        // A SEG key that cannot be read is a located `seg-shared-key` finding.
        let output = topoc(
            &net,
            &["build", "seg.toml", "--out", "out", "--secrets", "sec"],
        );
        assert_eq!(
            output.status.code(),
            Some(1),
            "{written}: {}",
            stderr(&output)
        );
        let said = stderr(&output);
        assert!(
            said.contains("outside") && said.contains("--allow-path"),
            "{written}: {said}"
        );
        assert!(!net.join("out").exists(), "{written}: nothing built");
        assert!(!net.join("sec").exists(), "{written}: no secrets written");
        // Allowed explicitly, the same file is read.
        let root = dir.path().to_str().expect("UTF-8");
        let output = topoc(
            &net,
            &[
                "build",
                "seg.toml",
                "--out",
                "out",
                "--secrets",
                "sec",
                "--allow-path",
                root,
            ],
        );
        assert_eq!(
            output.status.code(),
            Some(0),
            "{written}: {}",
            stderr(&output)
        );
        let copied = std::fs::read_dir(net.join("out").join("nodes"))
            .expect("nodes")
            .count();
        assert!(
            copied > 0,
            "{written}: built with the key at {}",
            real.display()
        );
        std::fs::remove_dir_all(net.join("out")).expect("clean");
        std::fs::remove_dir_all(net.join("sec")).expect("clean");
    }
}

#[test]
fn a_symlink_out_of_the_topology_directory_is_judged_by_where_it_leads() {
    let dir = tempfile::tempdir().expect("temp");
    let net = dir.path().join("net");
    std::fs::create_dir(&net).expect("dir");
    std::fs::write(
        dir.path().join("key"),
        "a-shared-key-long-enough-to-pass-1234567890\n",
    )
    .expect("write");
    std::os::unix::fs::symlink(dir.path().join("key"), net.join("key")).expect("link");
    seg_with_key_file(&net, "key");
    let output = topoc(
        &net,
        &["build", "seg.toml", "--out", "out", "--secrets", "sec"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("outside"), "{}", stderr(&output));
    assert!(!net.join("sec").exists(), "no secrets written");
}

#[test]
fn devices_and_fifos_named_by_the_topology_are_refused_without_waiting() {
    let dir = tempfile::tempdir().expect("temp");
    let fifo = dir.path().join("ca.pem");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(status.success());
    swg_with_ca(dir.path(), "ca.pem", "ca.pem");
    for args in [
        &["check", "t.toml", "--secrets", "sec"][..],
        &["build", "t.toml", "--out", "out", "--secrets", "sec"],
    ] {
        // A FIFO with no writer would block an open for reading for ever.
        let output = within_a_minute(common::command(dir.path(), args));
        common::assert_exit_saying(&output, 2, "a FIFO, not a regular file");
    }
    swg_with_ca(dir.path(), "/dev/zero", "/dev/zero");
    let root = ["--allow-path", "/dev"];
    let output = topoc(dir.path(), &[&["check", "t.toml"][..], &root].concat());
    common::assert_exit_saying(&output, 2, "a character device, not a regular file");
}

#[test]
fn key_files_past_a_megabyte_are_refused_naming_the_limit() {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(dir.path().join("ca.pem"), vec![b'A'; 1_000_001]).expect("write");
    std::fs::write(dir.path().join("ca.key"), "key").expect("write");
    swg_with_ca(dir.path(), "ca.pem", "ca.key");
    let output = topoc(dir.path(), &["check", "t.toml"]);
    common::assert_exit_saying(&output, 2, "ca.pem`: larger than the limit of 1 MB");
}

#[test]
fn the_topology_itself_is_a_regular_file_within_its_limit() {
    let dir = tempfile::tempdir().expect("temp");
    for (file, said) in [
        ("/dev/zero", "a character device, not a regular file"),
        (".", "a directory, not a regular file"),
    ] {
        let output = topoc(dir.path(), &["check", file]);
        assert_eq!(output.status.code(), Some(2), "{file}: {}", stderr(&output));
        assert!(
            stderr(&output).contains(said),
            "{file}: {}",
            stderr(&output)
        );
    }
    let big = dir.path().join("big.toml");
    let mut text = String::from("# padding\n").repeat(110_000);
    text.push_str("[cluster]\nname = \"x\"\n");
    std::fs::write(&big, &text).expect("write");
    let output = topoc(dir.path(), &["check", "--max-input-mb", "1", "big.toml"]);
    common::assert_exit_saying(
        &output,
        2,
        "larger than the limit of 1 MB (`--max-input-mb` raises it)",
    );
    // Standard input has the same limit.
    let mut child = common::command(dir.path(), &["check", "--max-input-mb", "1", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        // Endless input: the reader stops at the limit and the pipe breaks.
        let chunk = vec![b'#'; 65_536];
        while std::io::Write::write_all(&mut stdin, &chunk).is_ok() {}
    });
    let output = child.wait_with_output().expect("wait");
    writer.join().expect("writer");
    common::assert_exit_saying(
        &output,
        2,
        "`standard input`: larger than the limit of 1 MB",
    );
}
