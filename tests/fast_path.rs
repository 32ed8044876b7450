//! The fast path and the recoverable path read every file the fast path takes into the same
//! document, spans included, and the recoverable path finds nothing wrong with it: over the
//! shipped examples, the fixtures, the fuzz seeds, generated topologies and random edits
//! of all of them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use topoc::source::Source;
use topoc::syntax::{fast, parse};

/// Whether the fast path took `text`; panics where the two paths disagree.
fn agree(text: &str) -> bool {
    let mut nodes = Vec::new();
    let Some(mut fast) = fast::parse(text, &mut |node, _| nodes.push(node)) else {
        return false;
    };
    fast.nodes = nodes;
    let (slow, findings) = parse::recoverable(&Source::new("t.toml", text));
    assert!(
        findings.is_empty(),
        "the fast path took a file the recoverable path faults: {findings:?}\n{text}"
    );
    let slow = slow.expect("a document without findings");
    assert_eq!(format!("{fast:#?}"), format!("{slow:#?}"), "\n{text}");
    true
}

fn tomls(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            tomls(&path, into);
        } else if path.extension().is_some_and(|ext| ext == "toml") {
            into.push(path);
        }
    }
}

fn corpus() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    for dir in ["examples", "tests/fixtures", "tests/fuzz-regressions"] {
        tomls(&root.join(dir), &mut paths);
    }
    paths.sort();
    let mut texts: Vec<String> = paths
        .iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .collect();
    texts.push(generated(12, 25));
    texts
}

/// Sites of nodes in groups of ten, each group's first node a transit node: the shape of
/// the benchmarks.
fn generated(sites: usize, per_site: usize) -> String {
    let mut text = String::from(
        "[cluster]\nname = \"generated\"\nversion = \"12.2.4-46412\"\nmanagement_node = \"s0-n0\"\n\n[ntp]\nservers = [\"10.255.0.1\"]\n",
    );
    for site in 0..sites {
        let _ = write!(text, "\n[sites.s{site}]\nsubnet = \"10.0.{site}.0/24\"\n");
    }
    for site in 0..sites {
        for node in 0..per_site {
            let _ = write!(
                text,
                "\n[nodes.s{site}-n{node}]\nsite = \"s{site}\"\naddress = \"10.0.{site}.{}\"\nnetwork_groups = [\"s{site}-g{}\"]\n",
                node + 1,
                node / 10
            );
            if node % 10 == 0 {
                text.push_str("transit = true\n");
            }
        }
    }
    text
}

#[test]
fn the_paths_agree_on_every_file_shipped() {
    let corpus = corpus();
    let taken = corpus.iter().filter(|text| agree(text)).count();
    // The fast path is not vacuous: it takes the examples, the generated topology and most
    // clean fixtures (the rest hold the shapes it leaves to the recoverable path).
    assert!(taken * 3 >= corpus.len(), "{taken} of {}", corpus.len());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for example in ["examples/two-sites.toml", "examples/larger-cluster.toml"] {
        let text = std::fs::read_to_string(root.join(example)).expect("shipped");
        assert!(agree(&text), "{example} takes the fast path");
    }
    assert!(agree(&generated(12, 25)));
    // Lexed in chunks side by side (some 16 kB each), read as one.
    assert!(agree(&generated(40, 25)), "a file of many chunks");
}

#[test]
fn a_header_inside_a_value_where_a_chunk_could_end_changes_nothing() {
    // Every node's fqdn a multi-line string holding a line that looks like a header: chunks
    // are cut before such lines too, and the lexing of the chunk before then ends inside the
    // string; the file reads as it would whole (the recoverable path).
    let text = generated(40, 25).replace(
        "\"]\n",
        "\"]\nfqdn = \"\"\"\n[nodes.inside]\nx = 1\n\"\"\"\n",
    );
    assert!(text.matches("[nodes.inside]").count() >= 1000);
    agree(&text);
    let arrays = generated(40, 25).replace(
        "transit = true\n",
        "transit = true\nroute_via = [\n[\"a\"],\n]\n",
    );
    agree(&arrays);
}

#[test]
fn resilience_and_assertions_take_the_fast_path() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for fixture in [
        "assert/ok_all_hold.toml",
        "assert/err_each_claim.toml",
        "resilience/err_two_nodes.toml",
        "resilience/err_site_in_the_middle.toml",
    ] {
        let text = std::fs::read_to_string(root.join(fixture)).expect("fixture");
        assert!(agree(&text), "{fixture} takes the fast path");
    }
}

#[test]
fn every_file_with_a_finding_takes_the_recoverable_path() {
    for text in corpus() {
        let (_, findings) = parse::recoverable(&Source::new("t.toml", &text));
        if !findings.is_empty() {
            assert!(
                fast::parse(&text, &mut |_, _| {}).is_none(),
                "{findings:?}\n{text}"
            );
        }
    }
}

/// Pieces of TOML an edit inserts: headers, keys, values, and the tokens that break them.
const SNIPPETS: &[&str] = &[
    "\n[nodes.x]\n",
    "\n[nodes.x.settings]\n",
    "\n[[nodes]]\n",
    "\n[[assert]]\n",
    "\n[[assert]]\nreach = [\"a\", \"b\"]\n",
    "\n[assert]\n",
    "\n[resilience]\nnodes = 2\n",
    "\nmax_hops = 2\n",
    "\n[cluster]\n",
    "\nsite = \"s\"\n",
    "\nport = 8080\n",
    "\nport = \"8080\"\n",
    "\ntransit = true\n",
    "\na.b = 1\n",
    "\nsettings = { distribution_timeout = \"1m\" }\n",
    "\nnetwork_groups = [\"g\", 1]\n",
    "\nnetwork_groups = [\"g\",\n\"h\",\n]\n",
    "\nunknown = 1\n",
    "\n# comment\n",
    "\n[sites.\"quoted name\"]\n",
    "\"",
    "'",
    "[",
    "]",
    "=",
    "\n",
    "\u{7}",
    "\\",
    "{",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_paths_agree_on_edited_files(
        file in 0usize..1000,
        edits in proptest::collection::vec((0usize..100_000, 0usize..40, 0usize..SNIPPETS.len() + 1), 1..4),
    ) {
        let corpus = corpus();
        let mut text = corpus[file % corpus.len()].clone();
        for (at, removed, snippet) in edits {
            let mut at = at % (text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let mut end = (at + removed % 8).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            let inserted = SNIPPETS.get(snippet).copied().unwrap_or("");
            text.replace_range(at..end, inserted);
        }
        agree(&text);
    }
}
