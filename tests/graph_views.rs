//! `topoc graph --collapse-sites` and `--site`: pictures of large clusters that Graphviz
//! renders, that stay linear in the cluster, and that show what they say they show.

mod common;

use std::process::{Command, Output, Stdio};

fn topoc(args: &[&str]) -> Output {
    common::topoc(common::root(), args)
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout.clone()).expect("UTF-8")
}

/// Renders `dot` with Graphviz (required under CI) and returns the SVG.
fn rendered(dot: &str) -> Option<String> {
    if !common::client("dot") {
        return None;
    }
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dot runs");
    std::io::Write::write_all(child.stdin.as_mut().expect("stdin"), dot.as_bytes()).expect("piped");
    let output = child.wait_with_output().expect("dot finishes");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn lines_with<'t>(text: &'t str, needle: &str) -> Vec<&'t str> {
    text.lines().filter(|line| line.contains(needle)).collect()
}

const LARGER: &str = "examples/larger-cluster.toml";

#[test]
fn collapsed_sites_are_one_box_each_joined_by_the_groups_between_them() {
    let dot = stdout(&topoc(&["graph", "--collapse-sites", LARGER]));
    assert!(
        lines_with(&dot, "\"node:").is_empty(),
        "no node is drawn: {dot}"
    );
    let boxes = lines_with(&dot, "shape=box3d");
    assert_eq!(boxes.len(), 3, "{dot}");
    assert!(dot.contains("\"site:tokyo\" [label=\"tokyo\\nTokyo, JP\\n12 nodes\""));
    // Only the transit group spans sites; each site's edge counts its transit nodes.
    assert_eq!(lines_with(&dot, "\"group:").len(), 4, "{dot}");
    assert!(dot.contains("\"site:newyork\" -- \"group:transit\" [label=\"2\"];"));
    assert!(dot.contains("\"site:paderborn\" -- \"group:transit\" [label=\"1\"];"));
    if let Some(svg) = rendered(&dot) {
        assert!(svg.contains("paderborn"));
    }
    let mermaid = stdout(&topoc(&[
        "graph",
        "--collapse-sites",
        "--format",
        "mermaid",
        LARGER,
    ]));
    assert!(mermaid.contains("sitebox_tokyo[[\"tokyo<br>Tokyo, JP<br>12 nodes\"]]"));
    assert!(mermaid.contains("sitebox_paderborn ---|1| group_transit"));
}

#[test]
fn one_site_is_drawn_whole_and_the_rest_as_the_sites_its_groups_reach() {
    let dot = stdout(&topoc(&["graph", "--site", "Paderborn", LARGER]));
    let nodes = lines_with(&dot, "shape=box,");
    assert_eq!(nodes.len(), 3, "the three Paderborn nodes: {dot}");
    assert!(nodes.iter().all(|line| line.contains("\"node:pb-")));
    assert!(dot.contains("\"site:tokyo\" [label=\"tokyo\\nTokyo, JP\\n2 nodes linked\""));
    assert!(dot.contains("\"node:pb-1\" -- \"group:transit\";"));
    assert!(
        !dot.contains("toknet"),
        "Tokyo's own groups are not drawn: {dot}"
    );
    if let Some(svg) = rendered(&dot) {
        assert!(svg.contains("<svg") && svg.contains("Paderborn, DE"));
    }
    let mermaid = stdout(&topoc(&[
        "graph",
        "--site",
        "paderborn",
        "--format",
        "mermaid",
        LARGER,
    ]));
    assert!(mermaid.contains("  subgraph site_paderborn[\"paderborn<br>Paderborn, DE\"]"));
    assert!(mermaid.contains("sitebox_newyork ---|2| group_transit"));
}

#[test]
fn a_wrong_site_or_format_is_a_usage_error() {
    let unknown = topoc(&["graph", "--site", "padrborn", LARGER]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("did you mean `paderborn`?"));
    let json = topoc(&["graph", "--collapse-sites", "--format", "json", LARGER]);
    assert_eq!(json.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&json.stderr).contains("--format json"));
    let both = topoc(&["graph", "--collapse-sites", "--site", "tokyo", LARGER]);
    assert_eq!(both.status.code(), Some(2));
}

#[test]
fn nat_addresses_are_drawn_beside_the_physical_ones() {
    let dot = stdout(&topoc(&["graph", "examples/nat.toml"]));
    let natted = lines_with(&dot, "\\nNAT ");
    assert!(!natted.is_empty(), "{dot}");
    let mermaid = stdout(&topoc(&[
        "graph",
        "--format",
        "mermaid",
        "examples/nat.toml",
    ]));
    assert!(mermaid.contains("<br>NAT "), "{mermaid}");
}

#[path = "../benches/generate.rs"]
mod generate;

#[test]
fn a_collapsed_picture_grows_with_the_sites_not_the_nodes() {
    // 200 sites of 50 nodes in groups of 10, every group's first node in the transit group.
    let dir = tempfile::tempdir().expect("temp");
    let file = dir.path().join("wide.toml");
    std::fs::write(&file, generate::topology(200, 50, 10)).expect("written");
    let path = file.to_str().expect("UTF-8");
    let dot = stdout(&topoc(&["graph", "--collapse-sites", path]));
    assert_eq!(lines_with(&dot, "shape=box3d").len(), 200);
    // One edge per site to the one group between sites: 200 edges for 10,000 nodes.
    assert_eq!(lines_with(&dot, " -- ").len(), 200);
    let one = stdout(&topoc(&["graph", "--site", "s0007", path]));
    assert_eq!(lines_with(&one, "shape=box,").len(), 50);
    assert_eq!(lines_with(&one, "shape=box3d").len(), 199);
    assert!(one.contains("\"site:s0008\" [label=\"s0008\\n5 nodes linked\""));
}
