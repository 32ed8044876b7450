//! `topoc build` on disk: drift checks, refusals, and output that survives failures and kills.

mod common;

use common::{dir_contents, example, topoc};

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use topoc::emit::Tree;
use topoc::emit::manifest::sha256;

fn code(output: &Output) -> i32 {
    output.status.code().expect("exited")
}

/// Every file the manifest of `out` lists is there with its hash, and nothing else is:
/// the directory is one whole build.
fn assert_whole(out: &Path) -> String {
    let text = std::fs::read_to_string(out.join("manifest.json")).expect("a manifest");
    let manifest: serde_json::Value = serde_json::from_str(&text).expect("manifest is JSON");
    let mut listed = vec!["manifest.json".to_owned()];
    for entry in manifest["files"].as_array().expect("files") {
        let path = entry["path"].as_str().expect("path");
        let content = std::fs::read(out.join(path)).unwrap_or_else(|_| panic!("{path} is missing"));
        assert_eq!(
            entry["sha256"],
            sha256(&content),
            "{path} is not what the manifest says"
        );
        listed.push(path.to_owned());
    }
    listed.sort();
    assert_eq!(topoc::write::list_files(out).expect("listable"), listed);
    manifest["cluster"].as_str().expect("cluster").to_owned()
}

#[test]
fn check_reports_clean_and_drifted_output() {
    let dir = tempfile::tempdir().expect("temp");
    let file = example("nat.toml");
    assert_eq!(code(&topoc(dir.path(), &["build", &file])), 0);
    let clean = topoc(dir.path(), &["build", "--check", &file]);
    assert_eq!(
        code(&clean),
        0,
        "{}",
        String::from_utf8_lossy(&clean.stdout)
    );

    let out = dir.path().join("out");
    std::fs::write(out.join("graph.dot"), "graph {}\n").expect("edit");
    std::fs::remove_file(out.join("nodes/proxy2b/hosts")).expect("remove");
    std::fs::write(out.join("nodes/stray.txt"), "x").expect("add");
    let drifted = topoc(dir.path(), &["build", "--check", &file]);
    assert_eq!(code(&drifted), 1);
    let listing = String::from_utf8_lossy(&drifted.stdout);
    for line in [
        "changed     graph.dot",
        "missing     nodes/proxy2b/hosts",
        "unexpected  nodes/stray.txt",
    ] {
        assert!(listing.contains(line), "{listing}");
    }
    assert_eq!(
        std::fs::read_to_string(out.join("graph.dot")).expect("kept"),
        "graph {}\n",
        "--check writes nothing"
    );
}

#[test]
fn all_pairs_adds_peers_and_routes_and_check_compares_like_with_like() {
    let dir = tempfile::tempdir().expect("temp");
    let file = example("two-sites.toml");
    let built = topoc(dir.path(), &["build", "--all-pairs", &file]);
    assert_eq!(
        code(&built),
        0,
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let node = std::fs::read_to_string(dir.path().join("out/nodes/tok-2/node.json")).expect("node");
    let node: serde_json::Value = serde_json::from_str(&node).expect("JSON");
    assert_eq!(node["peers"][0]["node"], "tok-1");
    assert_eq!(
        node["routes"].as_array().map(Vec::len),
        Some(2),
        "ny-1 and ny-2"
    );
    assert_eq!(
        code(&topoc(
            dir.path(),
            &["build", "--check", "--all-pairs", &file]
        )),
        0
    );
    let plain = topoc(dir.path(), &["build", "--check", &file]);
    assert_eq!(code(&plain), 1, "a build without --all-pairs differs");
    assert!(String::from_utf8_lossy(&plain.stdout).contains("changed     nodes/tok-2/node.json"));
}

#[test]
fn check_on_a_missing_directory_reports_every_file_missing() {
    let dir = tempfile::tempdir().expect("temp");
    let output = topoc(
        dir.path(),
        &[
            "build",
            "--check",
            "--out",
            "nowhere",
            &example("two-sites.toml"),
        ],
    );
    assert_eq!(code(&output), 1);
    assert!(!dir.path().join("nowhere").exists());
    assert!(String::from_utf8_lossy(&output.stdout).contains("missing     cluster.json"));
}

#[test]
fn rebuilds_replace_previous_output_and_are_byte_identical() {
    let dir = tempfile::tempdir().expect("temp");
    let out = dir.path().join("out");
    assert_eq!(
        code(&topoc(dir.path(), &["build", &example("nat.toml")])),
        0
    );
    assert_eq!(assert_whole(&out), "acme-nat");
    let first = dir_contents(&out);
    assert_eq!(
        code(&topoc(dir.path(), &["build", &example("nat.toml")])),
        0
    );
    assert_eq!(dir_contents(&out), first);
    assert_eq!(
        code(&topoc(dir.path(), &["build", &example("two-sites.toml")])),
        0
    );
    assert_eq!(assert_whole(&out), "acme-web");
    assert!(
        !out.join("nodes/proxy1a").exists(),
        "files of the old build are gone"
    );
    let mut leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("listable")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    leftovers.sort();
    assert_eq!(
        leftovers,
        ["out", "secrets"],
        "no staging directory is left"
    );
}

#[test]
fn a_rebuild_that_changes_nothing_writes_nothing_and_says_so() {
    use std::os::unix::fs::MetadataExt as _;
    let dir = tempfile::tempdir().expect("temp");
    let out = dir.path().join("out");
    let build = || topoc(dir.path(), &["build", &example("two-sites.toml")]);
    assert_eq!(code(&build()), 0);
    let first = dir_contents(&out);
    let inode = |path: &Path| std::fs::metadata(path).expect("there").ino();
    let (dir_inode, file_inode) = (inode(&out), inode(&out.join("cluster.json")));

    let again = build();
    assert_eq!(code(&again), 0);
    let said = String::from_utf8_lossy(&again.stdout);
    assert!(
        said.contains("is up to date (") && said.contains("nothing written"),
        "{said}"
    );
    assert_eq!(
        inode(&out),
        dir_inode,
        "the output directory was not swapped"
    );
    assert_eq!(
        inode(&out.join("cluster.json")),
        file_inode,
        "nor a file rewritten"
    );
    assert_eq!(dir_contents(&out), first);

    // A file changed by hand is put back: the output is rebuilt whole.
    std::fs::write(out.join("runbook.md"), "edited\n").expect("write");
    let repaired = build();
    assert_eq!(code(&repaired), 0);
    assert!(String::from_utf8_lossy(&repaired.stdout).contains("wrote "));
    assert_eq!(dir_contents(&out), first);
    assert_ne!(inode(&out), dir_inode);
}

/// A change made by hand to a built output.
type Edit = fn(&Path);

/// A rebuild streams through the previous output: files equal so far are copied in at the
/// first difference, a file that differs part-way is written from its start, and the
/// result is byte for byte a fresh build, whatever was edited (appended to, cut short,
/// changed in the middle, removed) and wherever the build order meets it first.
#[test]
fn a_rebuild_over_an_edited_output_is_byte_for_byte_a_fresh_build() {
    let dir = tempfile::tempdir().expect("temp");
    let (out, fresh) = (dir.path().join("out"), dir.path().join("fresh"));
    let build = |into: &Path, file: &str| {
        let into = into.to_str().expect("UTF-8");
        let built = topoc(dir.path(), &["build", "--out", into, &example(file)]);
        assert_eq!(
            code(&built),
            0,
            "{}",
            String::from_utf8_lossy(&built.stderr)
        );
    };
    build(&fresh, "two-sites.toml");
    let reference = dir_contents(&fresh);
    let edits: [(&str, Edit); 6] = [
        ("the first node's first file, appended to", |out| {
            let path = out.join("nodes/ny-1/node.json");
            let mut text = std::fs::read(&path).expect("there");
            text.extend_from_slice(b"more\n");
            std::fs::write(path, text).expect("written");
        }),
        ("a node file, cut short", |out| {
            let path = out.join("nodes/tok-2/runbook.md");
            let text = std::fs::read(&path).expect("there");
            std::fs::write(path, &text[..text.len() / 2]).expect("written");
        }),
        ("a large file, one byte changed in the middle", |out| {
            let path = out.join("cluster.json");
            let mut text = std::fs::read(&path).expect("there");
            let middle = text.len() / 2;
            text[middle] ^= 1;
            std::fs::write(path, text).expect("written");
        }),
        ("the last file before the manifest, removed", |out| {
            std::fs::remove_file(out.join("runbook.md")).expect("removed");
        }),
        ("the manifest, emptied", |out| {
            std::fs::write(out.join("manifest.json"), "").expect("written");
        }),
        ("nothing", |_| {}),
    ];
    for (what, edit) in edits {
        let _ = std::fs::remove_dir_all(&out);
        build(&out, "two-sites.toml");
        edit(&out);
        if what == "the manifest, emptied" {
            // An output without its manifest is not recognisably topoc's any more.
            let refused = topoc(dir.path(), &["build", &example("two-sites.toml")]);
            assert_eq!(code(&refused), 2, "{what}");
            build_forced(dir.path());
        } else {
            build(&out, "two-sites.toml");
        }
        assert!(
            dir_contents(&out) == reference,
            "after {what}, the rebuild is not a fresh build"
        );
    }
    // A changed topology over an older output: the same as building it afresh.
    let _ = std::fs::remove_dir_all(&fresh);
    build(&fresh, "larger-cluster.toml");
    build(&out, "larger-cluster.toml");
    assert!(
        dir_contents(&out) == dir_contents(&fresh),
        "another topology over an old output"
    );
}

/// `topoc build --force` of the two-site example into `out`.
fn build_forced(dir: &Path) {
    let built = topoc(dir, &["build", "--force", &example("two-sites.toml")]);
    assert_eq!(
        code(&built),
        0,
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
}

#[test]
fn directories_topoc_did_not_write_are_refused_unless_forced() {
    let dir = tempfile::tempdir().expect("temp");
    let mine = dir.path().join("mine");
    std::fs::create_dir(&mine).expect("dir");
    std::fs::write(mine.join("notes.txt"), "keep me").expect("file");
    let refused = topoc(
        dir.path(),
        &["build", "--out", "mine", &example("two-sites.toml")],
    );
    assert_eq!(code(&refused), 2);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("was not written by topoc"));
    assert_eq!(
        std::fs::read_to_string(mine.join("notes.txt")).expect("kept"),
        "keep me"
    );

    let forced = topoc(
        dir.path(),
        &[
            "build",
            "--force",
            "--out",
            "mine",
            &example("two-sites.toml"),
        ],
    );
    assert_eq!(code(&forced), 0);
    assert_whole(&mine);

    std::fs::write(mine.join("nodes/tok-1/extra.conf"), "mine").expect("file");
    let refused = topoc(
        dir.path(),
        &["build", "--out", "mine", &example("two-sites.toml")],
    );
    assert_eq!(code(&refused), 2);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("nodes/tok-1/extra.conf"), "{stderr}");
    assert!(mine.join("nodes/tok-1/extra.conf").exists());

    std::fs::write(dir.path().join("plain-file"), "x").expect("file");
    let output = topoc(
        dir.path(),
        &["build", "--out", "plain-file", &example("two-sites.toml")],
    );
    assert_eq!(code(&output), 2);
}

#[test]
fn a_topology_with_errors_writes_nothing() {
    let dir = tempfile::tempdir().expect("temp");
    let broken = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/unreachable-nodes/err_no_transit.toml")
        .display()
        .to_string();
    let output = topoc(dir.path(), &["build", &broken]);
    assert_eq!(code(&output), 1);
    assert!(String::from_utf8_lossy(&output.stderr).contains("unreachable-nodes"));
    assert!(!dir.path().join("out").exists());
}

#[test]
fn a_write_that_fails_midway_leaves_the_previous_output_whole() {
    let dir = tempfile::tempdir().expect("temp");
    let out = dir.path().join("out");
    assert_eq!(
        code(&topoc(dir.path(), &["build", &example("two-sites.toml")])),
        0
    );
    let before = dir_contents(&out);
    // `clash` is a file, so `clash/inner` cannot be created: the write fails after `a-first`.
    let mut tree = Tree::default();
    tree.insert("a-first", "written before the failure")
        .expect("safe");
    tree.insert("clash", "a file").expect("safe");
    tree.insert("clash/inner", "cannot exist").expect("safe");
    tree.insert("manifest.json", "{}").expect("safe");
    let error = topoc::write::commit(&tree, &out, topoc::write::Replace::OnlyOurs)
        .expect_err("the write fails");
    assert!(error.to_string().contains("clash"), "{error}");
    assert_eq!(dir_contents(&out), before);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).expect("listable").collect();
    assert_eq!(
        leftovers.len(),
        2,
        "only `out` and `secrets`: the staging directory is removed"
    );
}

/// A 450-node NAT'd topology in three realms: big enough that a build takes a while.
fn large_topology(name: &str) -> String {
    let mut text = format!(
        "[cluster]\nname = \"{name}\"\nmanagement_node = \"r0-n000\"\n\n[ntp]\nservers = [\"192.0.2.123\"]\n"
    );
    for realm in 0..3 {
        let _ = write!(text, "\n[sites.r{realm}]\nsubnet = \"10.{realm}.0.0/16\"\n");
        for n in 0..150 {
            let _ = write!(
                text,
                "\n[nodes.r{realm}-n{n:03}]\nsite = \"r{realm}\"\naddress = \"10.{realm}.{}.{}\"\nfqdn = \"r{realm}-n{n:03}.example.local\"\nnat_address = \"100.{}.{}.{}\"\nnetwork_groups = [\"r{realm}-g{:02}\"]\n{}",
                n / 200,
                n % 200 + 1,
                64 + realm,
                n / 200,
                n % 200 + 1,
                n / 10,
                if n % 10 == 0 { "transit = true\n" } else { "" }
            );
        }
    }
    text
}

#[test]
fn a_killed_build_leaves_the_previous_output_or_the_new_one_whole() {
    let dir = tempfile::tempdir().expect("temp");
    let (old, new): (PathBuf, PathBuf) = (dir.path().join("old.toml"), dir.path().join("new.toml"));
    std::fs::write(&old, large_topology("old")).expect("write");
    std::fs::write(&new, large_topology("new")).expect("write");
    let out = dir.path().join("out");
    assert_eq!(code(&topoc(dir.path(), &["build", "old.toml"])), 0);
    let mut outcomes = Vec::new();
    for delay in [20, 60, 150, 300, 500, 800] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_topoc"))
            .args(["build", "new.toml"])
            .current_dir(dir.path())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("spawns");
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill();
        let _ = child.wait();
        outcomes.push(assert_whole(&out));
        // Start each round from the old output again, so that every kill can hit a write.
        if outcomes.last().is_some_and(|o| o == "new") {
            assert_eq!(code(&topoc(dir.path(), &["build", "old.toml"])), 0);
        }
    }
    assert!(
        outcomes.iter().any(|o| o == "old"),
        "some kill landed before the swap: {outcomes:?}"
    );
    // A later build clears what killed builds left behind.
    assert_eq!(code(&topoc(dir.path(), &["build", "new.toml"])), 0);
    assert_eq!(assert_whole(&out), "new");
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("listable")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".topoc-")), "{names:?}");
}

#[test]
fn check_without_secrets_judges_the_published_certificates() {
    let dir = tempfile::tempdir().expect("temp");
    assert_eq!(
        code(&topoc(dir.path(), &["build", &example("nat.toml")])),
        0
    );
    std::fs::rename(dir.path().join("secrets"), dir.path().join("elsewhere")).expect("moved away");
    let clean = topoc(dir.path(), &["build", "--check", &example("nat.toml")]);
    assert_eq!(
        code(&clean),
        0,
        "{}",
        String::from_utf8_lossy(&clean.stdout)
    );
    assert!(
        !dir.path().join("secrets").exists(),
        "--check creates no secrets"
    );

    let moved = std::fs::read_to_string(example("nat.toml"))
        .expect("example")
        .replace("198.51.100.20", "198.51.100.21");
    std::fs::write(dir.path().join("moved.toml"), moved).expect("write");
    let drifted = topoc(dir.path(), &["build", "--check", "moved.toml"]);
    assert_eq!(code(&drifted), 1);
    let listing = String::from_utf8_lossy(&drifted.stdout);
    assert!(
        listing.contains("re-issue    nodes/proxy2b/node.pem: its names or addresses changed"),
        "{listing}"
    );
    assert!(!listing.contains("proxy1a/node.pem"), "{listing}");
}

#[test]
fn a_build_sharing_a_locked_secrets_directory_fails_before_reading_it() {
    let dir = tempfile::tempdir().expect("temp");
    let vault = dir.path().join("vault");
    let secrets = vault.join("secrets");
    let held = topoc::write::lock(&[&secrets]).expect("the other build's lock");
    let out = dir.path().join("site-a").join("out");
    let args = [
        "build",
        "--out",
        out.to_str().expect("UTF-8"),
        "--secrets",
        secrets.to_str().expect("UTF-8"),
    ];
    let blocked = topoc(
        dir.path(),
        &[&args[..], &[&example("two-sites.toml")]].concat(),
    );
    assert_eq!(code(&blocked), 2);
    let stderr = String::from_utf8_lossy(&blocked.stderr);
    assert!(
        stderr.contains("another `topoc build` is writing"),
        "{stderr}"
    );
    assert!(
        !out.exists() && !secrets.exists(),
        "no output, no CA of its own"
    );
    drop(held);
    let free = topoc(
        dir.path(),
        &[&args[..], &[&example("two-sites.toml")]].concat(),
    );
    assert_eq!(code(&free), 0, "{}", String::from_utf8_lossy(&free.stderr));
}

#[test]
fn a_second_build_into_a_locked_directory_fails_clearly() {
    let dir = tempfile::tempdir().expect("temp");
    assert_eq!(
        code(&topoc(dir.path(), &["build", &example("two-sites.toml")])),
        0
    );
    let before = dir_contents(&dir.path().join("out"));
    let held = topoc::write::lock(&[&dir.path().join("out")]).expect("the first lock");
    let second = topoc(dir.path(), &["build", &example("nat.toml")]);
    assert_eq!(code(&second), 2);
    assert!(String::from_utf8_lossy(&second.stderr).contains("another `topoc build` is writing"));
    assert_eq!(
        dir_contents(&dir.path().join("out")),
        before,
        "the held output is untouched"
    );
    drop(held);
    assert_eq!(
        code(&topoc(dir.path(), &["build", &example("nat.toml")])),
        0,
        "free again"
    );
}

#[test]
fn a_symlink_as_the_output_directory_is_refused() {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::create_dir(dir.path().join("elsewhere")).expect("dir");
    std::os::unix::fs::symlink(dir.path().join("elsewhere"), dir.path().join("out")).expect("link");
    let output = topoc(dir.path(), &["build", &example("two-sites.toml")]);
    assert_eq!(code(&output), 2);
    assert!(String::from_utf8_lossy(&output.stderr).contains("symbolic link"));
    assert_eq!(
        std::fs::read_dir(dir.path().join("elsewhere"))
            .expect("dir")
            .count(),
        0
    );
}

/// The lines of `text` between the block markers of cluster `cluster`, the markers included.
fn topoc_block<'t>(text: &'t str, cluster: &str) -> Vec<&'t str> {
    let (begin, end) = (
        format!("# BEGIN topoc {cluster}"),
        format!("# END topoc {cluster}"),
    );
    let lines: Vec<&str> = text.lines().collect();
    let first = lines
        .iter()
        .position(|l| *l == begin)
        .expect("a BEGIN line");
    let last = lines.iter().position(|l| *l == end).expect("an END line");
    lines[first..=last].to_vec()
}

#[test]
fn a_hosts_file_is_whole_and_its_block_merges_with_ansible_blockinfile() {
    let dir = tempfile::tempdir().expect("temp");
    assert_eq!(
        code(&topoc(dir.path(), &["build", &example("nat.toml")])),
        0
    );
    let generated =
        std::fs::read_to_string(dir.path().join("out/nodes/proxy1a/hosts")).expect("hosts");
    // A whole file: the loopback names first, then the cluster's block.
    assert!(generated.contains("\n127.0.0.1\tlocalhost\n::1\tlocalhost"));
    let block = topoc_block(&generated, "acme-nat");
    assert_eq!(block.len(), 5, "{block:?}");

    if !common::client("ansible") {
        return;
    }
    // The appliance's own file, with a line of its own that must survive.
    let existing = dir.path().join("etc-hosts");
    std::fs::write(&existing, "127.0.0.1\tlocalhost\n10.9.9.9\tmine.example\n").expect("write");
    let arguments = serde_json::json!({
        "path": existing,
        "marker": "# {mark} topoc acme-nat",
        "block": block[1..block.len() - 1].join("\n"),
    })
    .to_string();
    let merge = || {
        Command::new("ansible")
            .args([
                "localhost",
                "-c",
                "local",
                "-m",
                "blockinfile",
                "-a",
                &arguments,
            ])
            .env("ANSIBLE_LOCALHOST_WARNING", "False")
            .env("ANSIBLE_INVENTORY_UNPARSED_WARNING", "False")
            .output()
            .expect("ansible runs")
    };
    let first = merge();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stdout)
    );
    let merged = std::fs::read_to_string(&existing).expect("merged");
    assert!(merged.contains("10.9.9.9\tmine.example\n"), "{merged}");
    assert_eq!(
        topoc_block(&merged, "acme-nat"),
        block,
        "the markers are blockinfile's"
    );
    let again = merge();
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("\"changed\": false"),
        "a second merge changes nothing: {}",
        String::from_utf8_lossy(&again.stdout)
    );
}

#[test]
fn the_playbook_passes_ansible_and_merges_the_hosts_block_once() {
    if !common::client("ansible-playbook") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp");
    assert_eq!(
        code(&topoc(dir.path(), &["build", &example("nat.toml")])),
        0
    );
    let out = dir.path().join("out");
    let playbook = |extra: &[&str]| {
        Command::new("ansible-playbook")
            .arg("-i")
            .arg(out.join("inventory.yaml"))
            .arg(out.join("playbook.yml"))
            .args(extra)
            .env("ANSIBLE_LOCALHOST_WARNING", "False")
            .output()
            .expect("ansible-playbook runs")
    };
    let syntax = playbook(&["--syntax-check"]);
    assert!(
        syntax.status.success(),
        "{}",
        String::from_utf8_lossy(&syntax.stderr)
    );

    let hosts = dir.path().join("etc-hosts");
    std::fs::write(&hosts, "127.0.0.1\tlocalhost\n").expect("write");
    let path = format!("topoc_hosts_path={}", hosts.display());
    let run = || {
        playbook(&[
            "--limit",
            "proxy1a",
            "--skip-tags",
            "prejoin",
            "-e",
            "ansible_connection=local",
            "-e",
            "ansible_python_interpreter={{ ansible_playbook_python }}",
            "-e",
            &path,
        ])
    };
    let first = run();
    let recap = String::from_utf8_lossy(&first.stdout).into_owned();
    assert!(first.status.success(), "{recap}");
    assert!(recap.contains("changed=1"), "{recap}");
    let merged = std::fs::read_to_string(&hosts).expect("merged");
    let generated = std::fs::read_to_string(out.join("nodes/proxy1a/hosts")).expect("generated");
    assert_eq!(
        topoc_block(&merged, "acme-nat"),
        topoc_block(&generated, "acme-nat")
    );
    assert!(merged.starts_with("127.0.0.1\tlocalhost\n"));
    let second = run();
    let recap = String::from_utf8_lossy(&second.stdout).into_owned();
    assert!(
        recap.contains("changed=0"),
        "a second run changes nothing: {recap}"
    );
}

#[test]
fn check_and_certs_judge_the_published_certificates_against_the_topology() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("t.toml");
    let original = std::fs::read_to_string(example("two-sites.toml")).expect("example");
    std::fs::write(&file, &original).expect("write");
    assert_eq!(code(&topoc(dir.path(), &["build", "t.toml"])), 0);
    let check = topoc(dir.path(), &["check", "t.toml"]);
    assert_eq!(
        code(&check),
        0,
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let certs = topoc(dir.path(), &["certs", "t.toml"]);
    assert_eq!(code(&certs), 0);
    assert!(!String::from_utf8_lossy(&certs.stdout).contains("problem"));

    // Longer than any certificate lives: every one is reported, at the level asked for.
    let long = topoc(
        dir.path(),
        &[
            "check",
            "t.toml",
            "--valid-for",
            "36500d",
            "-D",
            "cert-expiring",
        ],
    );
    assert_eq!(code(&long), 1);
    let text = String::from_utf8_lossy(&long.stdout);
    assert!(
        text.contains("sooner than the 36500 days it must stay valid"),
        "{text}"
    );

    // The topology gives a node an FQDN: its deployed certificate no longer fits.
    let renamed = original.replace(
        "[nodes.tok-2]\nsite = \"tokyo\"\naddress = \"10.1.0.12\"\n",
        "[nodes.tok-2]\nsite = \"tokyo\"\naddress = \"10.1.0.12\"\nfqdn = \"tok-2.example.com\"\n",
    );
    assert_ne!(renamed, original);
    std::fs::write(&file, &renamed).expect("write");
    let check = topoc(dir.path(), &["check", "t.toml", "--format", "json"]);
    assert_eq!(code(&check), 1);
    let json: serde_json::Value = serde_json::from_slice(&check.stdout).expect("JSON");
    let names: Vec<&serde_json::Value> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "cert-names")
        .collect();
    assert_eq!(names.len(), 1, "{json:#}");
    assert!(
        names[0]["message"]
            .as_str()
            .expect("message")
            .contains("node `tok-2` does not name `tok-2.example.com` (dialed by `tok-1`)"),
        "{json:#}"
    );
    let certs = topoc(dir.path(), &["certs", "t.toml", "--format", "json"]);
    assert_eq!(code(&certs), 1);
    let listed: serde_json::Value = serde_json::from_slice(&certs.stdout).expect("JSON");
    let tok2 = listed["certificates"]
        .as_array()
        .expect("certificates")
        .iter()
        .find(|c| c["name"] == "tok-2")
        .expect("tok-2");
    assert_eq!(
        tok2["problems"].as_array().map(Vec::len),
        Some(1),
        "{listed:#}"
    );
    // Another output directory has nothing to judge.
    assert_eq!(
        code(&topoc(
            dir.path(),
            &["check", "t.toml", "--out", "elsewhere"]
        )),
        0
    );

    // One node's ca.pem from another cluster.
    std::fs::write(&file, &original).expect("write");
    let other = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        other.path().join("t.toml"),
        original.replace("acme-web", "other-web"),
    )
    .expect("write");
    assert_eq!(code(&topoc(other.path(), &["build", "t.toml"])), 0);
    std::fs::copy(
        other.path().join("out/nodes/ny-2/ca.pem"),
        dir.path().join("out/nodes/ny-2/ca.pem"),
    )
    .expect("copy");
    let check = topoc(dir.path(), &["check", "t.toml"]);
    assert_eq!(code(&check), 1);
    let text = String::from_utf8_lossy(&check.stdout);
    assert!(text.contains("ca-mismatch"), "{text}");
    assert!(text.contains("node `ny-2`"), "{text}");

    // A rebuild makes them fit again.
    assert_eq!(code(&topoc(dir.path(), &["build", "t.toml", "--force"])), 0);
    assert_eq!(code(&topoc(dir.path(), &["check", "t.toml"])), 0);
}

#[test]
fn the_new_output_is_on_disk_before_it_replaces_the_old_and_the_swap_after() {
    if !common::client("strace") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(example("two-sites.toml"), dir.path().join("t.toml")).expect("copy");
    assert_eq!(code(&topoc(dir.path(), &["build", "t.toml"])), 0);
    // A file out of date, so that the next build has something to write.
    std::fs::remove_file(dir.path().join("out/graph.dot")).expect("rm");
    for _ in 0..2 {
        // The first time `out` exists (an exchange); then it is removed (a plain rename).
        let output = Command::new("strace")
            .args(["-f", "-e", "trace=syncfs,rename,renameat,renameat2"])
            .arg(env!("CARGO_BIN_EXE_topoc"))
            .args(["build", "t.toml"])
            .current_dir(dir.path())
            .output()
            .expect("strace runs");
        assert!(output.status.success(), "{output:?}");
        let trace = String::from_utf8_lossy(&output.stderr);
        let calls: Vec<&str> = trace
            .lines()
            .filter(|line| line.contains("syncfs(") || line.contains(".out.topoc-"))
            .collect();
        let swap = calls
            .iter()
            .position(|line| line.contains("rename") && line.contains("\"out\""))
            .unwrap_or_else(|| panic!("no swap into out: {trace}"));
        assert!(
            calls[..swap].iter().any(|line| line.contains("syncfs(")),
            "the staged tree is synced before the swap: {calls:#?}"
        );
        assert!(
            calls[swap..].iter().any(|line| line.contains("syncfs(")),
            "the swap is synced: {calls:#?}"
        );
        std::fs::remove_dir_all(dir.path().join("out")).expect("rm");
    }
}

#[path = "../benches/generate.rs"]
mod generate;

#[test]
fn a_terminal_sees_progress_a_pipe_does_not_and_quiet_prints_nothing() {
    if !common::client("script") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("t.toml"), generate::topology(10, 100, 10)).expect("write");
    // `script` gives the build a terminal: the spinner says what it is doing.
    let binary = env!("CARGO_BIN_EXE_topoc");
    let output = Command::new("script")
        .args(["-qec", &format!("{binary} build t.toml"), "/dev/null"])
        .current_dir(dir.path())
        .output()
        .expect("script runs");
    assert!(output.status.success(), "{output:?}");
    let seen = String::from_utf8_lossy(&output.stdout);
    assert!(
        seen.contains("making its keys and files"),
        "the spinner on a terminal: {seen}"
    );
    // Through a pipe, only the result.
    let piped = topoc(dir.path(), &["build", "t.toml", "--force"]);
    assert_eq!(code(&piped), 0);
    assert!(!String::from_utf8_lossy(&piped.stderr).contains("making its keys"));
    // Quiet: nothing at all on success, for check and build alike.
    let quiet = topoc(dir.path(), &["build", "t.toml", "--quiet"]);
    assert_eq!(code(&quiet), 0);
    assert!(
        quiet.stdout.is_empty() && quiet.stderr.is_empty(),
        "{quiet:?}"
    );
    let quiet = topoc(dir.path(), &["check", "t.toml", "-q"]);
    assert_eq!(code(&quiet), 0);
    assert!(quiet.stdout.is_empty(), "{quiet:?}");
}

#[test]
fn a_terminal_gets_colour_unless_term_is_dumb_or_no_color_is_set() {
    if !common::client("script") {
        return;
    }
    let file = common::root().join("tests/fixtures/unreachable-nodes/err_three_parts.toml");
    let binary = env!("CARGO_BIN_EXE_topoc");
    let on_a_terminal = |vars: &[(&str, &str)]| {
        let mut command = Command::new("script");
        command
            .args([
                "-qec",
                &format!("{binary} check {}", file.display()),
                "/dev/null",
            ])
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR")
            .env_remove("CLICOLOR_FORCE")
            .env("TERM", "xterm-256color");
        for (name, value) in vars {
            command.env(name, value);
        }
        String::from_utf8_lossy(&command.output().expect("script runs").stdout).into_owned()
    };
    // Colour is an SGR sequence (`ESC [ … m`); the spinner's cursor moves are not colour.
    let coloured = |text: &str| {
        text.split('\u{1b}').skip(1).any(|rest| {
            rest.strip_prefix('[').is_some_and(|rest| {
                let end = rest.find(|c: char| !(c.is_ascii_digit() || c == ';'));
                end.is_some_and(|end| rest[end..].starts_with('m'))
            })
        })
    };
    assert!(coloured(&on_a_terminal(&[])), "a terminal gets colour");
    assert!(
        !coloured(&on_a_terminal(&[("TERM", "dumb")])),
        "TERM=dumb: none"
    );
    assert!(
        !coloured(&on_a_terminal(&[("NO_COLOR", "1")])),
        "NO_COLOR: none"
    );
    assert!(
        !coloured(&on_a_terminal(&[("CLICOLOR", "0")])),
        "CLICOLOR=0: none"
    );
}
