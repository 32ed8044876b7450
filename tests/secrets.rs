//! Secrets that live in git: age-encrypted keys, read and written with the real `age` and
//! `age-keygen` tools beside topoc, identities from `--identity` and `TOPOC_AGE_KEY`, quiet
//! rebuilds, `secrets encrypt|rekey|status`, and a pipeline that builds from a fresh clone.

// Secret file names are topoc's own, all lowercase.
#![allow(clippy::case_sensitive_file_extension_comparisons)]

mod common;

use std::fmt::Write as _;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{client, dir_contents, example};

/// A new age identity in `dir/<name>`; its public key.
fn keygen(dir: &Path, name: &str) -> String {
    let output = Command::new("age-keygen")
        .arg("-o")
        .arg(dir.join(name))
        .output()
        .expect("age-keygen runs");
    assert!(output.status.success(), "{output:?}");
    let public = Command::new("age-keygen")
        .arg("-y")
        .arg(dir.join(name))
        .output()
        .expect("age-keygen runs");
    String::from_utf8(public.stdout)
        .expect("text")
        .trim()
        .to_owned()
}

/// The binary in `dir` with `args`, without any identity from the environment.
fn topoc(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = common::command(dir, args);
    command
        .env_remove("TOPOC_AGE_KEY")
        .env_remove("TOPOC_AGE_IDENTITY");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("topoc runs")
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exited")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The two-sites example with `[secrets] recipients`, in `dir/t.toml`.
fn topology(dir: &Path, recipients: &[&str]) {
    let mut text = std::fs::read_to_string(example("two-sites.toml")).expect("example");
    if !recipients.is_empty() {
        let quoted: Vec<String> = recipients.iter().map(|r| format!("\"{r}\"")).collect();
        let _ = write!(text, "\n[secrets]\nrecipients = [{}]\n", quoted.join(", "));
    }
    std::fs::write(dir.join("t.toml"), text).expect("write");
}

/// `age -d -i identity file`.
fn age_decrypt(identity: &Path, file: &Path) -> Vec<u8> {
    let output = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(identity)
        .arg(file)
        .output()
        .expect("age runs");
    assert!(
        output.status.success(),
        "{}: {}",
        file.display(),
        stderr(&output)
    );
    output.stdout
}

/// The public key of a PEM key or certificate, as `openssl` prints it.
fn public_key(file: &Path, certificate: bool) -> String {
    let mut command = Command::new("openssl");
    if certificate {
        command.args(["x509", "-pubkey", "-noout", "-in"]);
    } else {
        command.args(["pkey", "-pubout", "-in"]);
    }
    let output = command.arg(file).output().expect("openssl runs");
    assert!(output.status.success(), "{}", stderr(&output));
    String::from_utf8(output.stdout).expect("text")
}

/// A temporary directory to work in, when the clients the tests need are installed.
fn workspace() -> Option<tempfile::TempDir> {
    ["age", "age-keygen", "openssl", "git"]
        .iter()
        .all(|program| client(program))
        .then(|| tempfile::tempdir().expect("temp dir"))
}

#[test]
fn topoc_writes_what_age_opens_and_reads_what_age_wrote() {
    let Some(dir) = workspace() else { return };
    let root = dir.path();
    let public = keygen(root, "me.key");
    topology(root, &[&public]);
    let built = topoc(root, &["build", "t.toml"], &[]);
    assert_eq!(code(&built), 0, "{}", stderr(&built));
    let names: Vec<String> = dir_contents(&root.join("secrets"))
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert!(names.contains(&"ca.key.age".to_owned()), "{names:?}");
    assert!(
        !names.iter().any(|name| name.ends_with(".key")),
        "no plaintext key: {names:?}"
    );
    // `age -d` opens the CA key, and it is the key of the published CA certificate.
    let key = age_decrypt(&root.join("me.key"), &root.join("secrets/ca.key.age"));
    std::fs::write(root.join("ca.key.plain"), &key).expect("write");
    assert_eq!(
        public_key(&root.join("ca.key.plain"), false),
        public_key(&root.join("out/nodes/tok-1/ca.pem"), true)
    );

    // Files `age -r` encrypted (here: a plaintext build's keys) are read by topoc.
    let plain = tempfile::tempdir().expect("temp dir");
    topology(plain.path(), &[]);
    assert_eq!(code(&topoc(plain.path(), &["build", "t.toml"], &[])), 0);
    for (name, _) in dir_contents(&plain.path().join("secrets")) {
        if Path::new(&name).extension().is_some_and(|e| e == "key") {
            let file = plain.path().join("secrets").join(&name);
            let status = Command::new("age")
                .args(["-r", &public, "-o"])
                .arg(file.with_extension("key.age"))
                .arg(&file)
                .status()
                .expect("age runs");
            assert!(status.success());
            std::fs::remove_file(&file).expect("remove");
        }
    }
    let certificates = |dir: &Path| -> Vec<(String, Vec<u8>)> {
        dir_contents(&dir.join("out"))
            .into_iter()
            .filter(|(name, _)| name.ends_with(".pem"))
            .collect()
    };
    let before = certificates(plain.path());
    topology(plain.path(), &[&public]);
    std::fs::copy(root.join("me.key"), plain.path().join("me.key")).expect("copy");
    let rebuilt = topoc(
        plain.path(),
        &["build", "t.toml", "--identity", "me.key"],
        &[],
    );
    assert_eq!(code(&rebuilt), 0, "{}", stderr(&rebuilt));
    assert!(
        certificates(plain.path()) == before,
        "the keys age encrypted are the same keys: no certificate is re-issued"
    );
    assert!(!plain.path().join("secrets/ca.key").exists());
}

#[test]
fn an_unchanged_rebuild_changes_no_byte_of_the_secrets() {
    let Some(dir) = workspace() else { return };
    let root = dir.path();
    let public = keygen(root, "me.key");
    topology(root, &[&public]);
    assert_eq!(code(&topoc(root, &["build", "t.toml"], &[])), 0);
    let before = dir_contents(&root.join("secrets"));
    let identity = std::fs::read_to_string(root.join("me.key")).expect("identity");
    for env in [
        vec![("TOPOC_AGE_KEY", identity.as_str())],
        vec![("TOPOC_AGE_IDENTITY", "me.key")],
    ] {
        let rebuilt = topoc(root, &["build", "t.toml"], &env);
        assert_eq!(code(&rebuilt), 0, "{}", stderr(&rebuilt));
        assert!(
            dir_contents(&root.join("secrets")) == before,
            "no byte changed"
        );
    }
    // `build --check` needs no identity at all.
    let check = topoc(root, &["build", "t.toml", "--check"], &[]);
    assert_eq!(code(&check), 0, "{}", stderr(&check));
    assert_eq!(code(&topoc(root, &["check", "t.toml"], &[])), 0);
    assert_eq!(code(&topoc(root, &["certs", "t.toml"], &[])), 0);
}

#[test]
fn bad_identities_and_damaged_files_are_refused_and_nothing_is_touched() {
    let Some(dir) = workspace() else { return };
    let root = dir.path();
    let public = keygen(root, "me.key");
    keygen(root, "other.key");
    topology(root, &[&public]);
    assert_eq!(code(&topoc(root, &["build", "t.toml"], &[])), 0);
    // A change that makes the build re-issue a certificate, so that it would write.
    let text = std::fs::read_to_string(root.join("t.toml")).expect("read");
    std::fs::write(
        root.join("t.toml"),
        text.replace("address = \"10.1.0.12\"", "address = \"10.1.0.13\""),
    )
    .expect("write");
    let untouched = |why: &'static str| {
        let before = (
            dir_contents(&root.join("secrets")),
            dir_contents(&root.join("out")),
        );
        move |root: &Path| {
            assert!(
                (
                    dir_contents(&root.join("secrets")),
                    dir_contents(&root.join("out"))
                ) == before,
                "{why}: nothing was written"
            );
        }
    };

    let same = untouched("no identity");
    let none = topoc(root, &["build", "t.toml"], &[]);
    assert_eq!(code(&none), 2);
    assert!(
        stderr(&none).contains("encrypted (written for age1"),
        "{}",
        stderr(&none)
    );
    assert!(
        stderr(&none).contains("no identity was given"),
        "{}",
        stderr(&none)
    );
    same(root);

    let same = untouched("a wrong identity");
    let wrong = topoc(root, &["build", "t.toml", "--identity", "other.key"], &[]);
    assert_eq!(code(&wrong), 2);
    assert!(
        stderr(&wrong).contains("none of the identities given opens it"),
        "{}",
        stderr(&wrong)
    );
    assert!(
        stderr(&wrong).contains(&public),
        "names the recipients: {}",
        stderr(&wrong)
    );
    same(root);

    let same = untouched("an identity that is not one");
    let garbage = topoc(
        root,
        &["build", "t.toml"],
        &[("TOPOC_AGE_KEY", "not a key")],
    );
    assert_eq!(code(&garbage), 2);
    assert!(stderr(&garbage).contains("TOPOC_AGE_KEY: line 1 is not an age identity"));
    same(root);

    let node_key = root.join("secrets/nodes/tok-2.key.age");
    let whole = std::fs::read(&node_key).expect("read");
    std::fs::write(&node_key, &whole[..whole.len() / 2]).expect("truncate");
    let same = untouched("a truncated file");
    let truncated = topoc(root, &["build", "t.toml", "--identity", "me.key"], &[]);
    assert_eq!(code(&truncated), 2);
    assert!(
        stderr(&truncated).contains("tok-2.key.age`: it is not a whole age file"),
        "{}",
        stderr(&truncated)
    );
    same(root);
    std::fs::write(&node_key, &whole).expect("restore");

    let text = std::fs::read_to_string(root.join("t.toml")).expect("read");
    std::fs::write(root.join("t.toml"), text.replace(&public, "age1notakey")).expect("write");
    let same = untouched("a recipient that is not a key");
    let bad = topoc(root, &["build", "t.toml", "--identity", "me.key"], &[]);
    assert_eq!(code(&bad), 1);
    assert!(
        String::from_utf8_lossy(&bad.stdout).contains("not an age recipient")
            || stderr(&bad).contains("not an age recipient"),
        "{bad:?}"
    );
    same(root);
}

#[test]
fn encrypt_rekey_and_status_convert_and_follow_the_recipients() {
    let Some(dir) = workspace() else { return };
    let root = dir.path();
    topology(root, &[]);
    assert_eq!(code(&topoc(root, &["build", "t.toml"], &[])), 0);
    let plaintext: Vec<(String, Vec<u8>)> = dir_contents(&root.join("secrets"))
        .into_iter()
        .filter(|(name, _)| name.ends_with(".key"))
        .collect();
    let first = keygen(root, "first.key");
    topology(root, &[&first]);
    let encrypted = topoc(root, &["secrets", "encrypt", "t.toml"], &[]);
    assert_eq!(code(&encrypted), 0, "{}", stderr(&encrypted));
    for (name, content) in &plaintext {
        assert!(!root.join("secrets").join(name).exists(), "{name} is gone");
        let sealed = root.join("secrets").join(format!("{name}.age"));
        assert_eq!(
            &age_decrypt(&root.join("first.key"), &sealed),
            content,
            "{name}"
        );
    }
    let second = keygen(root, "second.key");
    topology(root, &[&first, &second]);
    let refused = topoc(root, &["build", "t.toml", "--identity", "first.key"], &[]);
    assert_eq!(code(&refused), 2, "the recipients changed");
    assert!(
        stderr(&refused).contains("topoc secrets rekey"),
        "{}",
        stderr(&refused)
    );
    let rekeyed = topoc(
        root,
        &["secrets", "rekey", "t.toml", "--identity", "first.key"],
        &[],
    );
    assert_eq!(code(&rekeyed), 0, "{}", stderr(&rekeyed));
    for (name, content) in &plaintext {
        let sealed = root.join("secrets").join(format!("{name}.age"));
        assert_eq!(
            &age_decrypt(&root.join("second.key"), &sealed),
            content,
            "{name}"
        );
    }
    let status = topoc(
        root,
        &[
            "secrets",
            "status",
            "t.toml",
            "--identity",
            "second.key",
            "--format",
            "json",
        ],
        &[],
    );
    let json: serde_json::Value = serde_json::from_slice(&status.stdout).expect("JSON");
    assert_eq!(json["recorded_recipients"], json["topology_recipients"]);
    let files = json["files"].as_array().expect("files");
    assert_eq!(files.len(), plaintext.len());
    assert!(
        files
            .iter()
            .all(|f| f["encrypted"] == true && f["opens"] == true),
        "{json:#}"
    );
    // `ca rotate` works on the encrypted secrets and keeps them encrypted.
    let rotated = topoc(
        root,
        &["ca", "rotate", "t.toml", "--identity", "second.key"],
        &[],
    );
    assert_eq!(code(&rotated), 0, "{}", stderr(&rotated));
    assert!(root.join("secrets/ca.key.age").exists());
    assert!(!root.join("secrets/ca.key").exists());
    let built = topoc(root, &["build", "t.toml", "--identity", "second.key"], &[]);
    assert_eq!(code(&built), 0, "{}", stderr(&built));
}

/// Generated two-site topology of `nodes` nodes, for the kill test.
fn large(nodes: usize) -> String {
    let mut text = String::from(
        "[cluster]\nname = \"kill\"\nversion = \"12.2.4-46412\"\nmanagement_node = \"n0\"\n\n[ntp]\nservers = [\"10.0.0.1\"]\n\n[sites.lab]\nsubnet = \"10.0.0.0/16\"\n",
    );
    for index in 0..nodes {
        let _ = write!(
            text,
            "
[nodes.n{index}]
site = \"lab\"
address = \"10.0.{}.{}\"
",
            index / 200 + 1,
            index % 200 + 1
        );
    }
    text
}

#[test]
fn an_encryption_killed_midway_is_completed_by_a_rerun_and_loses_no_key() {
    let Some(dir) = workspace() else { return };
    let root = dir.path();
    let topology_text = large(400);
    std::fs::write(root.join("t.toml"), &topology_text).expect("write");
    assert_eq!(code(&topoc(root, &["build", "t.toml"], &[])), 0);
    let keys: Vec<(String, Vec<u8>)> = dir_contents(&root.join("secrets"))
        .into_iter()
        .filter(|(name, _)| name.ends_with(".key"))
        .collect();
    let public = keygen(root, "me.key");
    std::fs::write(
        root.join("t.toml"),
        format!("{topology_text}\n[secrets]\nrecipients = [\"{public}\"]\n"),
    )
    .expect("write");
    let mut interrupted = 0;
    let mut midway = 0;
    for delay in [5, 15, 30, 60, 120] {
        let mut child = common::command(root, &["secrets", "encrypt", "t.toml"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("topoc runs");
        std::thread::sleep(std::time::Duration::from_millis(delay));
        let _ = child.kill();
        let status = child.wait().expect("waited");
        if !status.success() {
            interrupted += 1;
        }
        // Whatever the kill left, every key is there, in plaintext or whole and encrypted.
        let left = dir_contents(&root.join("secrets"));
        if left
            .iter()
            .any(|(name, _)| name.ends_with(".age") || name.contains(".tmp-"))
        {
            midway += 1;
        }
        for (name, content) in &keys {
            let plain = root.join("secrets").join(name);
            let sealed = root.join("secrets").join(format!("{name}.age"));
            if plain.exists() {
                assert_eq!(&std::fs::read(&plain).expect("read"), content, "{name}");
            } else {
                assert_eq!(
                    &age_decrypt(&root.join("me.key"), &sealed),
                    content,
                    "{name}"
                );
            }
        }
        // A rerun completes it.
        let rerun = topoc(root, &["secrets", "encrypt", "t.toml"], &[]);
        assert_eq!(code(&rerun), 0, "{}", stderr(&rerun));
        for (name, _) in &keys {
            assert!(
                !root.join("secrets").join(name).exists(),
                "{name} is encrypted"
            );
        }
        let leftovers: Vec<PathBuf> = dir_contents(&root.join("secrets"))
            .into_iter()
            .filter(|(name, _)| name.contains(".tmp-"))
            .map(|(name, _)| PathBuf::from(name))
            .collect();
        assert!(leftovers.is_empty() || interrupted > 0, "{leftovers:?}");
        // Back to plaintext for the next trial.
        for (name, content) in &keys {
            std::fs::write(root.join("secrets").join(name), content).expect("write");
            std::fs::remove_file(root.join("secrets").join(format!("{name}.age"))).expect("rm");
        }
        let _ = std::fs::remove_file(root.join("secrets/recipients.txt"));
    }
    eprintln!(
        "{interrupted} of 5 encryptions were killed before they ended, {midway} after writing"
    );
}

/// `git` in `dir`.
fn git(dir: &Path, args: &[&str]) -> Output {
    let output = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(output.status.success(), "git {args:?}: {}", stderr(&output));
    output
}

#[test]
fn a_pipeline_with_only_topoc_age_key_builds_from_a_fresh_clone() {
    let Some(dir) = workspace() else { return };
    let repository = dir.path().join("repository");
    std::fs::create_dir(&repository).expect("mkdir");
    let public = keygen(dir.path(), "ci.key");
    topology(&repository, &[&public]);
    git(&repository, &["init", "-q"]);
    let first = topoc(&repository, &["build", "t.toml"], &[]);
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    assert!(
        !stderr(&first).contains("plaintext"),
        "encrypted secrets are safe to commit: {}",
        stderr(&first)
    );
    git(&repository, &["add", "-A"]);
    git(&repository, &["commit", "-q", "-m", "cluster"]);
    let tracked = String::from_utf8(git(&repository, &["ls-files"]).stdout).expect("text");
    assert!(tracked.contains("secrets/ca.key.age"), "{tracked}");
    assert!(
        !tracked.lines().any(|file| file.ends_with(".key")),
        "{tracked}"
    );

    // The runner: a fresh clone and one secret variable.
    let clone = dir.path().join("runner");
    git(
        dir.path(),
        &["clone", "-q", repository.to_str().expect("UTF-8"), "runner"],
    );
    let identity = std::fs::read_to_string(dir.path().join("ci.key")).expect("identity");
    let out_before = dir_contents(&clone.join("out"));
    std::fs::remove_dir_all(clone.join("out")).expect("rm");
    let built = topoc(
        &clone,
        &["build", "t.toml"],
        &[("TOPOC_AGE_KEY", &identity)],
    );
    assert_eq!(code(&built), 0, "{}", stderr(&built));
    assert!(
        dir_contents(&clone.join("out")) == out_before,
        "the same output"
    );
    let status = String::from_utf8(git(&clone, &["status", "--porcelain"]).stdout).expect("text");
    assert!(status.is_empty(), "git sees no change: {status}");
}

#[test]
fn plaintext_keys_git_would_take_in_are_named_and_refused_with_deny_warnings() {
    let Some(dir) = workspace() else { return };
    let root = dir.path();
    git(root, &["init", "-q"]);
    topology(root, &[]);
    let denied = topoc(root, &["build", "t.toml", "--deny-warnings"], &[]);
    assert_eq!(code(&denied), 1);
    assert!(
        stderr(&denied).contains("would hold a private key in plaintext inside a git work tree"),
        "{}",
        stderr(&denied)
    );
    assert!(
        !root.join("secrets").exists() && !root.join("out").exists(),
        "nothing written"
    );
    let warned = topoc(root, &["build", "t.toml"], &[]);
    assert_eq!(code(&warned), 0);
    assert!(
        stderr(&warned).contains("secrets/ca.key"),
        "{}",
        stderr(&warned)
    );
    // Ignored: no word.
    std::fs::write(root.join(".gitignore"), "/secrets/\n").expect("write");
    std::fs::remove_dir_all(root.join("secrets")).expect("rm");
    let quiet = topoc(root, &["build", "t.toml", "--force"], &[]);
    assert_eq!(code(&quiet), 0);
    assert!(!stderr(&quiet).contains("plaintext"), "{}", stderr(&quiet));
}

#[test]
fn init_keeps_the_secrets_where_its_gitignore_applies() {
    let Some(dir) = workspace() else { return };
    let root = dir.path();
    git(root, &["init", "-q"]);
    let init = topoc(root, &["init", "demo"], &[]);
    assert_eq!(code(&init), 0);
    let hint = String::from_utf8(init.stdout).expect("text");
    let next = hint
        .lines()
        .find_map(|line| line.strip_prefix("next: "))
        .expect("a hint");
    assert!(next.starts_with("cd demo && "), "{next}");
    // Follow the hint as a user would.
    let shell = Command::new("sh")
        .args([
            "-c",
            &next.replace("topoc ", &format!("{} ", env!("CARGO_BIN_EXE_topoc"))),
        ])
        .current_dir(root)
        .output()
        .expect("sh runs");
    assert!(shell.status.success(), "{}", stderr(&shell));
    assert!(
        root.join("demo/secrets").is_dir(),
        "secrets beside the .gitignore"
    );
    assert!(!root.join("secrets").exists());
    assert!(!stderr(&shell).contains("plaintext"), "{}", stderr(&shell));
    let ignored = Command::new("git")
        .args(["check-ignore", "-q", "demo/secrets/ca.key"])
        .current_dir(root)
        .status()
        .expect("git runs");
    assert!(ignored.success(), "git ignores the CA key");
}

#[test]
fn a_recipients_file_with_an_ssh_key_encrypts_to_it() {
    let Some(dir) = workspace() else { return };
    if !client("ssh-keygen") {
        return;
    }
    let root = dir.path();
    let made = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "admin", "-f"])
        .arg(root.join("admin"))
        .status()
        .expect("ssh-keygen runs");
    assert!(made.success());
    let ssh_public = std::fs::read_to_string(root.join("admin.pub")).expect("public key");
    let age_public = keygen(root, "ci.key");
    std::fs::write(
        root.join("team.txt"),
        format!("# who may open the cluster's secrets\n\n{age_public}\n{ssh_public}"),
    )
    .expect("write");
    let mut text = std::fs::read_to_string(example("two-sites.toml")).expect("example");
    text.push_str("\n[secrets]\nrecipients_file = \"team.txt\"\n");
    std::fs::write(root.join("t.toml"), text).expect("write");
    let built = topoc(root, &["build", "t.toml"], &[]);
    assert_eq!(code(&built), 0, "{}", stderr(&built));
    // Both recipients open it: the SSH key with `age`, the age key with topoc.
    let key = age_decrypt(&root.join("admin"), &root.join("secrets/ca.key.age"));
    assert!(String::from_utf8_lossy(&key).contains("PRIVATE KEY"));
    let recorded = std::fs::read_to_string(root.join("secrets/recipients.txt")).expect("read");
    assert!(
        recorded.contains(&age_public) && recorded.contains("ssh-ed25519"),
        "{recorded}"
    );
    for identity in ["ci.key", "admin"] {
        let rebuilt = topoc(root, &["build", "t.toml", "--identity", identity], &[]);
        assert_eq!(code(&rebuilt), 0, "{identity}: {}", stderr(&rebuilt));
    }
    // A bad line is named.
    std::fs::write(root.join("team.txt"), format!("{age_public}\nnot a key\n")).expect("write");
    let bad = topoc(root, &["build", "t.toml", "--identity", "ci.key"], &[]);
    assert_eq!(code(&bad), 2);
    assert!(
        stderr(&bad).contains("team.txt`: line 2: not an age recipient"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn a_seg_clusters_node_settings_are_encrypted_and_kept_quiet() {
    let Some(dir) = workspace() else { return };
    let root = dir.path();
    let public = keygen(root, "me.key");
    let mut text = std::fs::read_to_string(example("seg.toml")).expect("example");
    let _ = write!(text, "\n[secrets]\nrecipients = [\"{public}\"]\n");
    std::fs::write(root.join("t.toml"), text).expect("write");
    let shared = (
        "SEG_SHARED_KEY",
        "a long shared key of the email cluster, 48 chars",
    );
    let built = topoc(root, &["build", "t.toml"], &[shared]);
    assert_eq!(code(&built), 0, "{}", stderr(&built));
    let sealed = root.join("secrets/nodes/seg-1/integration-service.config.xml.age");
    let settings = age_decrypt(&root.join("me.key"), &sealed);
    assert!(String::from_utf8_lossy(&settings).contains(shared.1));
    assert!(
        !root
            .join("secrets/nodes/seg-1/integration-service.config.xml")
            .exists()
    );
    let before = dir_contents(&root.join("secrets"));
    let rebuilt = topoc(
        root,
        &["build", "t.toml", "--identity", "me.key"],
        &[shared],
    );
    assert_eq!(code(&rebuilt), 0, "{}", stderr(&rebuilt));
    assert!(
        dir_contents(&root.join("secrets")) == before,
        "no byte changed"
    );
}
