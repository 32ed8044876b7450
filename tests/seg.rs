//! Secure Email Gateway clusters: the directory files read back with an XML parser, the shared
//! key kept secret and refused when weak, and a running cluster's directory imported.

mod common;

use std::path::Path;
use std::process::Output;

fn topoc(dir: &Path, args: &[&str], key: Option<&str>) -> Output {
    let mut command = common::command(dir, args);
    command.env_remove("SEG_SHARED_KEY");
    if let Some(key) = key {
        command.env("SEG_SHARED_KEY", key);
    }
    command.output().expect("topoc runs")
}

fn topology(name: &str, master: &str) -> String {
    format!(
        r#"[cluster]
name = "{name}"
kind = "seg"
management_node = "{master}"
shared_key_env = "SEG_SHARED_KEY"

[ntp]
servers = ["10.0.0.1"]

[sites.dc1]
subnet = "10.20.0.0/24"

[nodes.seg-1]
site = "dc1"
address = "10.20.0.11"
fqdn = "servername1"

[nodes.seg-2]
site = "dc1"
address = "10.20.0.12"

[nodes.seg-3]
site = "dc1"
address = "10.20.0.13"
fqdn = "servername3"
"#
    )
}

/// (cluster name, port, [(address, name)]) of a directory file, read with roxmltree.
fn read_directory(path: &Path) -> (String, String, Vec<(String, String)>) {
    let text = std::fs::read_to_string(path).expect("directory file");
    let document = roxmltree::Document::parse(&text).expect("well-formed XML");
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "applicationClusterDirectory");
    let nodes = root
        .children()
        .filter(roxmltree::Node::is_element)
        .map(|node| {
            assert_eq!(node.tag_name().name(), "node");
            (
                node.attribute("address").expect("address").to_owned(),
                node.attribute("name").expect("name").to_owned(),
            )
        })
        .collect();
    (
        root.attribute("name").expect("name").to_owned(),
        root.attribute("port").expect("port").to_owned(),
        nodes,
    )
}

#[test]
fn the_directory_lists_the_master_first_and_recovery_the_master_alone() {
    let dir = tempfile::tempdir().expect("temp");
    let name = r#"Mail & "Gateway" <EU>"#;
    std::fs::write(
        dir.path().join("seg.toml"),
        topology(&name.replace('"', "\\\""), "seg-3"),
    )
    .expect("write");
    let built = topoc(
        dir.path(),
        &["build", "seg.toml"],
        Some("a-long-random-cluster-key"),
    );
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let (cluster, port, nodes) =
        read_directory(&dir.path().join("out/seg/AppClusterDirectory.xml"));
    assert_eq!(cluster, name, "escaped and read back whole");
    assert_eq!(port, "9090");
    let expected = [
        ("servername3", "seg@servername3"),
        ("servername1", "seg@servername1"),
        ("10.20.0.12", "seg@10.20.0.12"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, n)| ((*a).to_owned(), (*n).to_owned()))
        .collect();
    assert_eq!(nodes, expected, "master first, then the others by name");
    let (_, _, recovery) =
        read_directory(&dir.path().join("out/seg/recovery/AppClusterDirectory.xml"));
    assert_eq!(recovery, expected[..1]);
    let text =
        std::fs::read_to_string(dir.path().join("out/seg/AppClusterDirectory.xml")).expect("text");
    assert!(
        text.starts_with("<?xml version=\"1.0\"?>\n<applicationClusterDirectory name="),
        "{text}"
    );
    let runbook = std::fs::read_to_string(dir.path().join("out/seg/RUNBOOK.md")).expect("runbook");
    assert!(
        runbook.contains("Start the service on the master, `seg-3` (servername3), first"),
        "{runbook}"
    );
    assert!(
        runbook.contains("in this order: `seg-1` (servername1), `seg-2` (10.20.0.12)"),
        "{runbook}"
    );
}

#[test]
fn the_shared_key_lives_only_in_the_secrets_directory() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(dir.path().join("seg.toml"), topology("SEG", "seg-1")).expect("write");
    let key = "k-8b1f4e0c2d7a9e35";
    assert!(
        topoc(dir.path(), &["build", "seg.toml"], Some(key))
            .status
            .success()
    );
    for file in topoc::write::list_files(&dir.path().join("out")).expect("listable") {
        let content = std::fs::read_to_string(dir.path().join("out").join(&file)).expect("text");
        assert!(!content.contains(key), "{file} holds the shared key");
    }
    for node in ["seg-1", "seg-2", "seg-3"] {
        let path = dir.path().join(format!(
            "secrets/nodes/{node}/integration-service.config.xml"
        ));
        assert_eq!(
            std::fs::metadata(&path)
                .expect("written")
                .permissions()
                .mode()
                & 0o777,
            0o600
        );
        let text = std::fs::read_to_string(&path).expect("config");
        let document = roxmltree::Document::parse(&text).expect("well-formed XML");
        let cluster = document
            .descendants()
            .find(|n| n.has_tag_name("clusterConfiguration"))
            .expect("clusterConfiguration");
        assert_eq!(cluster.attribute("sharedKey"), Some(key));
        assert_eq!(
            cluster.attribute("directoryLocation"),
            Some("AppClusterDirectory.xml")
        );
        let host = cluster.attribute("nodeAddress").expect("nodeAddress");
        assert_eq!(
            cluster.attribute("nodeName"),
            Some(format!("seg@{host}").as_str())
        );
        let cache = document
            .descendants()
            .find(|n| n.has_tag_name("cacheConfiguration"))
            .expect("cache");
        assert_eq!(cache.attribute("cacheType"), Some("Clustered"));
    }
}

#[test]
fn weak_and_missing_keys_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(dir.path().join("seg.toml"), topology("SEG", "seg-1")).expect("write");
    for (key, says) in [
        (None, "`SEG_SHARED_KEY` is not set"),
        (Some("AirWatch"), "product default"),
        (Some("AIRWATCH"), "product default"),
        (Some("  "), "empty"),
    ] {
        let output = topoc(dir.path(), &["build", "seg.toml"], key);
        assert_eq!(output.status.code(), Some(1), "{key:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("seg-shared-key") && stderr.contains(says),
            "{key:?}: {stderr}"
        );
        assert!(
            stderr.contains("seg.toml:5:"),
            "located at shared_key_env: {stderr}"
        );
        assert!(!dir.path().join("out").exists() && !dir.path().join("secrets").exists());
    }
    // `check` judges the key when it can read it, and does not need it otherwise.
    assert_eq!(
        topoc(dir.path(), &["check", "seg.toml"], None)
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        topoc(dir.path(), &["check", "seg.toml"], Some("airwatch"))
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn a_running_clusters_directory_imports_and_builds_back_to_itself() {
    let dir = tempfile::tempdir().expect("temp");
    let original = "<?xml version=\"1.0\"?>\n<applicationClusterDirectory name=\"Secure Email Gateway\" port=\"9191\">\n\
        <node address=\"servername2\" name=\"seg@servername2\" />\n\
        <node address=\"servername1\" name=\"seg@servername1\" />\n\
        <node address=\"10.20.0.30\" name=\"seg@10.20.0.30\" />\n\
        </applicationClusterDirectory>\n";
    std::fs::write(dir.path().join("AppClusterDirectory.xml"), original).expect("write");
    let unresolved = topoc(dir.path(), &["import-seg", "AppClusterDirectory.xml"], None);
    assert_eq!(unresolved.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unresolved.stderr).contains("--address HOST=IP"));
    let imported = topoc(
        dir.path(),
        &[
            "import-seg",
            "AppClusterDirectory.xml",
            "--address",
            "servername1=10.20.0.10",
            "--address",
            "servername2=10.20.0.20",
        ],
        None,
    );
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    std::fs::write(dir.path().join("imported.toml"), &imported.stdout).expect("write");
    let built = topoc(
        dir.path(),
        &["build", "imported.toml"],
        Some("a-long-random-cluster-key"),
    );
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    // The same cluster: name, port, the master first, the same members (the others in name
    // order, topoc's stable order).
    std::fs::write(dir.path().join("original.xml"), original).expect("write");
    let before = read_directory(&dir.path().join("original.xml"));
    let after = read_directory(&dir.path().join("out/seg/AppClusterDirectory.xml"));
    assert_eq!((&after.0, &after.1), (&before.0, &before.1));
    assert_eq!(after.2[0], before.2[0], "the master stays first");
    let sorted = |nodes: &[(String, String)]| {
        let mut nodes = nodes.to_vec();
        nodes.sort();
        nodes
    };
    assert_eq!(sorted(&after.2), sorted(&before.2));
}

#[test]
fn malformed_directories_are_refused_clearly() {
    let dir = tempfile::tempdir().expect("temp");
    for (xml, says) in [
        ("<other/>", "root element is `other`"),
        (
            "<applicationClusterDirectory name=\"x\" port=\"nope\"></applicationClusterDirectory>",
            "not a port",
        ),
        (
            "<applicationClusterDirectory name=\"x\" port=\"9090\"></applicationClusterDirectory>",
            "lists no node",
        ),
        (
            "<applicationClusterDirectory name=\"x\" port=\"9090\"><node address=\"10.0.0.1\" name=\"seg@10.0.0.1\"/><node address=\"10.0.0.1\" name=\"seg@10.0.0.1\"/></applicationClusterDirectory>",
            "listed twice",
        ),
        (
            "<applicationClusterDirectory name=\"x\" port=\"9090\"><node",
            "not well-formed XML at line 1, column",
        ),
        // Cut short after a whole element: the root is never closed.
        (
            "<?xml version=\"1.0\"?>\n<applicationClusterDirectory name=\"x\" port=\"9090\">\n  <node address=\"10.0.0.1\" name=\"seg@10.0.0.1\"/>\n",
            "at line 2, column 1: `<applicationClusterDirectory>` is never closed",
        ),
        (
            "<applicationClusterDirectory name=\"x\" port=\"9090\">\n<node address=\"10.0.0.1\" name=\"seg@10.0.0.1\"></nod>\n</applicationClusterDirectory>",
            "not well-formed XML at line 2",
        ),
    ] {
        std::fs::write(dir.path().join("bad.xml"), xml).expect("write");
        let output = topoc(dir.path(), &["import-seg", "bad.xml"], None);
        assert_eq!(output.status.code(), Some(2), "{xml}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{xml}: {stderr}");
    }
}

#[test]
fn an_import_keeps_names_as_written_and_accepts_any_node_name() {
    let dir = tempfile::tempdir().expect("temp");
    let xml = "<applicationClusterDirectory name=\"Mail\" port=\"9090\">\n\
        <node address=\"SEG-One.Corp.example\" name=\"seg@mail-1\" />\n\
        <node address=\"seg-one.corp.example.net\" name=\"seg@seg-one.corp.example.net\" />\n\
        </applicationClusterDirectory>\n";
    std::fs::write(dir.path().join("AppClusterDirectory.xml"), xml).expect("write");
    let imported = topoc(
        dir.path(),
        &[
            "import-seg",
            "AppClusterDirectory.xml",
            "--address",
            "SEG-One.Corp.example=10.0.0.1",
            "--address",
            "seg-one.corp.example.net=10.0.0.2",
        ],
        None,
    );
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    let text = String::from_utf8_lossy(&imported.stdout);
    // The host as written, and a node name from its first label, also as written; the second
    // host's first label is the same in another case, so its node name is made distinct.
    assert!(text.contains("fqdn = \"SEG-One.Corp.example\""), "{text}");
    assert!(text.contains("[nodes.SEG-One]"), "{text}");
    assert!(text.contains("[nodes.seg-one-2]"), "{text}");
    assert!(text.contains("management_node = \"SEG-One\""), "{text}");
    // A node name other than `seg@HOST` is accepted and said.
    assert!(text.contains("`seg@mail-1`"), "{text}");
    std::fs::write(dir.path().join("imported.toml"), text.as_bytes()).expect("write");
    let checked = topoc(
        dir.path(),
        &["check", "imported.toml"],
        Some("a-long-random-cluster-key"),
    );
    assert_eq!(
        checked.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&checked.stdout)
    );
}
