//! A build hands its files to its sinks from several threads at once (each node's files on
//! one, the cluster's on another, the secrets where the keys are made): a failure on any of
//! them stops the build with that failure, and the staging directory keeps every file
//! whichever thread starts it.

mod common;

use std::sync::Mutex;

use topoc::emit::layout::secrets::node_key;
use topoc::emit::sink::Produce;
use topoc::emit::{EmitError, Sink, SinkError, Sinks, Tree};
use topoc::finding::level::LintLevels;
use topoc::write::{Replace, Staging};
use topoc::{BuildError, BuildMode, BuildOptions};

use common::root;

/// A tree that refuses one path.
struct Refusing {
    tree: Mutex<Tree>,
    refused: String,
}

impl Refusing {
    fn new(refused: &str) -> Self {
        Refusing {
            tree: Mutex::default(),
            refused: refused.to_owned(),
        }
    }
}

impl Sink for Refusing {
    fn file(&self, path: &str, produce: Produce<'_>) -> Result<(), SinkError> {
        if path == self.refused {
            return Err(format!("refused `{path}`").into());
        }
        self.tree.file(path, produce)
    }
}

/// A first build of the two-site example (a new CA, every key made) into `public` and
/// `secrets`.
fn build_into(public: &mut dyn Sink, secrets: &mut dyn Sink) -> Result<(), BuildError> {
    let source = common::load(&root().join("examples/two-sites.toml"));
    let built = topoc::build_into(
        &source,
        "two-sites.toml",
        &LintLevels::default(),
        &common::environment(&topoc::environment::NoKeys),
        BuildOptions {
            mode: BuildMode::Write,
            emit: topoc::emit::Options::default(),
        },
        Sinks { public, secrets },
    )?;
    assert!(built.output.is_some(), "the example builds");
    Ok(())
}

/// The message of a build's failure, which must be the sink's own (not that the other
/// thread stopped).
fn failure(built: Result<(), BuildError>) -> String {
    let error = built.expect_err("the refused file stops the build");
    assert!(
        matches!(error, BuildError::Emit(EmitError::Sink(_))),
        "{error:?}"
    );
    error.to_string()
}

#[test]
fn the_whole_build_reaches_both_sinks() {
    let (mut public, mut secrets) = (Refusing::new(""), Refusing::new(""));
    build_into(&mut public, &mut secrets).expect("builds");
    let public = public.tree.into_inner().expect("not poisoned");
    let secrets = secrets.tree.into_inner().expect("not poisoned");
    for node in ["tok-1", "tok-2", "ny-1", "ny-2"] {
        for file in ["node.json", "runbook.md", "ca.pem", "node.pem"] {
            assert!(public.get(&format!("nodes/{node}/{file}")).is_some());
        }
        assert!(secrets.get(&node_key(node)).is_some(), "{node}'s key");
    }
    for file in [
        "cluster.json",
        "inventory.yaml",
        "graph.dot",
        "manifest.json",
    ] {
        assert!(public.get(file).is_some(), "{file}");
    }
}

/// A build whose output refuses `refused` fails with that refusal.
fn fails_at(refused: &str) {
    let message = failure(build_into(
        &mut Refusing::new(refused),
        &mut Refusing::new(""),
    ));
    assert!(
        message.contains(&format!("refused `{refused}`")),
        "{message}"
    );
}

#[test]
fn a_cluster_file_refused_stops_the_build_with_its_own_error() {
    for refused in ["inventory.yaml", "firewall.csv", "graph.mmd"] {
        fails_at(refused);
    }
}

#[test]
fn a_node_file_refused_stops_the_build_with_its_own_error() {
    for refused in ["nodes/ny-1/node.json", "nodes/tok-2/node.pem"] {
        fails_at(refused);
    }
}

#[test]
fn a_secret_refused_where_the_keys_are_made_stops_the_build() {
    let refused = node_key("tok-2");
    let mut public = Refusing::new("");
    let message = failure(build_into(&mut public, &mut Refusing::new(&refused)));
    assert!(
        message.contains(&format!("refused `{refused}`")),
        "{message}"
    );
    // The node whose key could not be kept gets no certificate in the output.
    let public = public.tree.into_inner().expect("not poisoned");
    assert!(public.get("nodes/tok-2/node.pem").is_none());
    assert!(public.get("manifest.json").is_none());
}

fn hand(staging: &Staging, path: &str, content: &str) {
    staging
        .file(path, &mut |writer| writer.write_all(content.as_bytes()))
        .expect("taken");
}

#[test]
fn a_file_found_equal_while_another_starts_the_staging_is_still_written() {
    let dir = tempfile::tempdir().expect("temp");
    let out = dir.path().join("out");
    let mut before = Tree::default();
    before.insert("same", "unchanged\n").expect("safe");
    before.insert("nodes/a/changed", "old\n").expect("safe");
    topoc::write::commit(&before, &out, Replace::Anything).expect("written");

    let staging = Staging::new(&out, Replace::Anything).expect("replaceable");
    // While `same` is compared (and found equal), another file differs: the staging
    // directory starts then, after `same` was last looked at.
    staging
        .file("same", &mut |writer| {
            writer.write_all(b"unchanged")?;
            hand(&staging, "nodes/a/changed", "new\n");
            writer.write_all(b"\n")
        })
        .expect("taken");
    hand(&staging, "added", "more\n");
    let committed = staging.finish().expect("swapped in");
    assert!(committed.written);
    let read = |path: &str| std::fs::read_to_string(out.join(path)).expect("present");
    assert_eq!(read("same"), "unchanged\n");
    assert_eq!(read("nodes/a/changed"), "new\n");
    assert_eq!(read("added"), "more\n");
    assert_eq!(
        topoc::write::list_files(&out).expect("listable"),
        ["added", "nodes/a/changed", "same"]
    );
}
