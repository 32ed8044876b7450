//! The architect's commands on the shipped examples: route, what-if, matrix, diff, overlays.

mod common;

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Output};

fn topoc(args: &[&str]) -> Output {
    common::topoc(common::root(), args)
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8")
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).expect("JSON")
}

fn snapshot(name: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(name, text));
}

const LARGER: &str = "examples/larger-cluster.toml";

#[test]
fn a_tokyo_leaf_reaches_a_new_york_leaf_through_both_transit_nodes() {
    let human = topoc(&["route", LARGER, "tok-2", "ny-9"]);
    assert_eq!(human.status.code(), Some(0));
    snapshot("route_tok2_ny9", &stdout(&human));
    let route = json(&topoc(&[
        "route", "--format", "json", LARGER, "tok-2", "ny-9",
    ]));
    assert_eq!(route["hops"], 3);
    let path: Vec<&str> = route["route"]
        .as_array()
        .expect("route")
        .iter()
        .map(|h| h["to"].as_str().expect("to"))
        .collect();
    assert_eq!(path, ["tok-1", "ny-6", "ny-9"]);
    let groups: Vec<&str> = route["route"]
        .as_array()
        .expect("route")
        .iter()
        .map(|h| h["group"].as_str().expect("group"))
        .collect();
    assert_eq!(groups, ["toknet1", "transit", "nynet2"]);
}

#[test]
fn unknown_nodes_get_a_suggestion() {
    let output = topoc(&["route", LARGER, "tok-2", "ny-99"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("did you mean `ny-9`?"));
}

#[test]
fn losing_paderborns_transit_node_isolates_paderborn() {
    let output = topoc(&["what-if", "--format", "json", LARGER, "--down", "pb-1"]);
    assert_eq!(output.status.code(), Some(1), "lost pairs exit 1");
    let outcome = json(&output);
    assert_eq!(outcome["parts"].as_array().map(Vec::len), Some(2));
    assert_eq!(outcome["parts"][1], serde_json::json!(["pb-2", "pb-3"]));
    assert_eq!(outcome["pairs_lost"], 44, "2 Paderborn nodes × 22 others");
    assert_eq!(outcome["down"][0]["single_point_of_failure"], true);
    snapshot(
        "what_if_pb1",
        &stdout(&topoc(&["what-if", LARGER, "--down", "pb-1"])),
    );

    let site = json(&topoc(&[
        "what-if",
        "--format",
        "json",
        LARGER,
        "--down-site",
        "paderborn",
    ]));
    assert_eq!(
        site["parts"].as_array().map(Vec::len),
        Some(1),
        "the rest still hold together"
    );
    let leaf = topoc(&["what-if", LARGER, "--down", "tok-2"]);
    assert_eq!(leaf.status.code(), Some(0));
    assert!(stdout(&leaf).contains("not a single point of failure"));
    let group = json(&topoc(&[
        "what-if",
        "--format",
        "json",
        LARGER,
        "--down-group",
        "transit",
    ]));
    assert_eq!(group["parts"].as_array().map(Vec::len), Some(5));
}

#[test]
fn each_ranks_the_transit_nodes_first() {
    let output = topoc(&["what-if", "--each", LARGER]);
    snapshot("what_if_each", &stdout(&output));
    let ranked = json(&topoc(&["what-if", "--each", "--format", "json", LARGER]));
    let top: Vec<&str> = ranked["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .take(5)
        .map(|n| n["node"].as_str().expect("node"))
        .collect();
    assert_eq!(top, ["tok-1", "tok-7", "ny-1", "ny-6", "pb-1"]);
}

#[test]
fn the_matrix_is_symmetric_with_a_zero_diagonal() {
    let csv = stdout(&topoc(&["matrix", "examples/two-sites.toml"]));
    snapshot("matrix_two_sites_csv", &csv);
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').skip(1).collect())
        .collect();
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row[i], "0");
        for (j, cell) in row.iter().enumerate() {
            assert_eq!(*cell, rows[j][i], "hops {i}→{j} and back");
        }
    }
    snapshot(
        "matrix_two_sites_markdown",
        &stdout(&topoc(&[
            "matrix",
            "--format",
            "markdown",
            "--next-hop",
            "examples/two-sites.toml",
        ])),
    );
}

#[test]
fn diff_lists_changes_and_the_nodes_to_reapply_in_order() {
    let same = topoc(&["diff", LARGER, LARGER]);
    assert_eq!(stdout(&same), "no change\n");
    let dir = tempfile::tempdir().expect("temp");
    let changed = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(LARGER))
        .expect("example")
        .replace(
            "[nodes.pb-2]\nsite = \"paderborn\"\naddress = \"10.3.0.12\"\n",
            "[nodes.pb-2]\nsite = \"paderborn\"\naddress = \"10.3.0.12\"\ntransit = true\n",
        )
        .replace("address = \"10.1.0.13\"", "address = \"10.1.0.33\"");
    let new = dir.path().join("new.toml");
    std::fs::write(&new, changed).expect("write");
    let diff = json(&topoc(&[
        "diff",
        "--format",
        "json",
        LARGER,
        new.to_str().expect("UTF-8"),
    ]));
    assert_eq!(diff["became_transit"], serde_json::json!(["pb-2"]));
    let changed_nodes: Vec<&str> = diff["nodes_changed"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| c["node"].as_str().expect("node"))
        .collect();
    assert_eq!(changed_nodes, ["pb-2", "tok-3"]);
    assert!(
        diff["groups"]
            .as_array()
            .expect("groups")
            .iter()
            .any(|g| g["group"] == "transit" && g["joined"] == serde_json::json!(["pb-2"]))
    );
    let reapply: Vec<&str> = diff["reapply"]
        .as_array()
        .expect("order")
        .iter()
        .map(|n| n.as_str().expect("name"))
        .collect();
    let first_plain = reapply
        .iter()
        .position(|n| !["ny-1", "ny-6", "pb-1", "pb-2", "tok-1", "tok-7"].contains(n))
        .expect("plain nodes");
    assert!(
        reapply[..first_plain].contains(&"pb-2"),
        "transit nodes come first: {reapply:?}"
    );
    assert!(reapply.contains(&"tok-3"));
    // Routes from the management node by default: tok-1 now reaches pb-2 directly.
    assert_eq!(diff["routes_from"], "tok-1");
    let to_pb2 = diff["routes_changed"]
        .as_array()
        .expect("routes")
        .iter()
        .find(|change| change["to"] == "pb-2")
        .expect("the route to pb-2 changed");
    assert_eq!(to_pb2["before"], serde_json::json!(["pb-1", "pb-2"]));
    assert_eq!(to_pb2["after"], serde_json::json!(["pb-2"]));
    let all_pairs = json(&topoc(&[
        "diff",
        "--format",
        "json",
        "--all-pairs",
        LARGER,
        new.to_str().expect("UTF-8"),
    ]));
    assert!(all_pairs["routes_from"].is_null());
    let count = |diff: &serde_json::Value| diff["routes_changed"].as_array().map_or(0, Vec::len);
    assert!(
        count(&all_pairs) > count(&diff),
        "every pair: also ny-6 → pb-2 and the rest"
    );

    let between = topoc(&[
        "diff",
        "--format",
        "markdown",
        "examples/two-sites.toml",
        LARGER,
    ]);
    snapshot("diff_two_sites_larger", &stdout(&between));
}

#[test]
fn overlays_draw_the_route_and_the_failure() {
    let dot = stdout(&topoc(&[
        "graph",
        LARGER,
        "--highlight-route",
        "tok-2",
        "ny-9",
        "--down",
        "pb-1",
    ]));
    assert!(
        dot.contains("\"node:pb-1\" [label=\"pb-1\\n10.3.0.11\\ndown\""),
        "{dot}"
    );
    assert!(dot.contains("\"node:tok-2\" -- \"group:toknet1\" [color=\"#0055cc\", penwidth=3];"));
    assert!(dot.contains("\"node:ny-6\" -- \"group:transit\" [color=\"#0055cc\", penwidth=3];"));
    assert!(dot.contains("\"node:pb-1\" -- \"group:transit\" [color=\"#cc0000\", style=dashed];"));
    let found = common::client("dot");
    if found {
        let mut child = Command::new("dot")
            .arg("-Tsvg")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("dot runs");
        std::io::Write::write_all(child.stdin.as_mut().expect("stdin"), dot.as_bytes())
            .expect("piped");
        let rendered = child.wait_with_output().expect("dot finishes");
        assert!(rendered.status.success());
        assert!(String::from_utf8_lossy(&rendered.stdout).contains("#0055cc"));
    }
    let mermaid = stdout(&topoc(&[
        "graph",
        "--format",
        "mermaid",
        "examples/two-sites.toml",
        "--highlight-route",
        "tok-2",
        "ny-1",
        "--down",
        "ny-2",
    ]));
    snapshot("graph_overlay_mermaid", &mermaid);
    assert!(mermaid.contains("  class node_ny_2 down"));
}

#[test]
fn a_highlighted_route_goes_around_the_nodes_that_are_down() {
    // Two transit nodes join g1 and g2; the route takes t1 until it is down.
    let dir = tempfile::tempdir().expect("temp");
    let file = dir.path().join("redundant.toml");
    let mut text = String::from("[cluster]\nname = \"r\"\n[sites.s]\n");
    for (name, address, groups) in [
        ("a", 1, "[\"g1\"]"),
        ("b", 2, "[\"g2\"]"),
        ("t1", 3, "[\"g1\", \"g2\"]"),
        ("t2", 4, "[\"g1\", \"g2\"]"),
    ] {
        let _ = writeln!(
            text,
            "[nodes.{name}]\nsite = \"s\"\naddress = \"10.0.0.{address}\"\nnetwork_groups = {groups}"
        );
    }
    std::fs::write(&file, text).expect("write");
    let file = file.to_str().expect("UTF-8");
    let graph = |route: [&str; 2], down: &[&str]| {
        let mut args = vec!["graph", file, "--highlight-route", route[0], route[1]];
        for node in down {
            args.extend(["--down", node]);
        }
        topoc(&args)
    };
    let on_route = |output: &Output, node: &str| {
        stdout(output)
            .lines()
            .any(|line| line.contains(&format!("\"node:{node}\" --")) && line.contains("#0055cc"))
    };
    let intact = graph(["a", "b"], &[]);
    assert!(on_route(&intact, "t1") && !on_route(&intact, "t2"));
    let around = graph(["a", "b"], &["t1"]);
    assert!(on_route(&around, "t2") && !on_route(&around, "t1"));

    for (output, error) in [
        (
            graph(["a", "b"], &["t1", "t2"]),
            "`a` cannot reach `b` with the --down nodes gone",
        ),
        (graph(["t1", "b"], &["t1"]), "`t1` is down"),
    ] {
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(error), "{stderr}");
    }
}

#[test]
fn unknown_names_on_the_command_line_suggest_the_nearest() {
    for (args, error) in [
        (
            &["what-if", "examples/two-sites.toml", "--down-site", "tokio"][..],
            "no site is named `tokio`; did you mean `tokyo`?",
        ),
        (
            &[
                "what-if",
                "examples/two-sites.toml",
                "--down-group",
                "transt",
            ][..],
            "no network group is named `transt`; did you mean `transit`?",
        ),
        (
            &["route", "examples/two-sites.toml", "tok-3", "ny-1"][..],
            "no node is named `tok-3`; did you mean `tok-1`?",
        ),
    ] {
        let output = topoc(args);
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(error), "{stderr}");
    }
    let any_case = topoc(&["what-if", "examples/two-sites.toml", "--down-site", "TOKYO"]);
    assert!(stdout(&any_case).starts_with("down: site `tokyo`"));
}

/// `diff` of a shipped example against the same example changed by `edit`, as JSON.
fn diff_after(example: &str, edit: impl Fn(String) -> String) -> (Output, serde_json::Value) {
    let dir = tempfile::tempdir().expect("temp");
    let text = std::fs::read_to_string(common::root().join(example)).expect("example");
    let new = dir.path().join("new.toml");
    std::fs::write(&new, edit(text)).expect("write");
    let output = topoc(&[
        "diff",
        "--format",
        "json",
        example,
        new.to_str().expect("UTF-8"),
    ]);
    let value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    (output, value)
}

/// The consequences of a diff, one string each.
fn consequences(diff: &serde_json::Value) -> Vec<String> {
    diff["consequences"]
        .as_array()
        .expect("consequences")
        .iter()
        .map(|c| c.as_str().expect("text").to_owned())
        .collect()
}

#[test]
fn renaming_a_web_gateway_cluster_plans_no_ca_rotation() {
    let (_, diff) = diff_after(LARGER, |t| {
        t.replace("name = \"acme-global\"", "name = \"acme-world\"")
    });
    let said = consequences(&diff);
    assert!(
        said.iter()
            .all(|c| !c.contains("CA") && !c.contains("rotate")),
        "{said:?}"
    );
}

#[test]
fn renaming_a_seg_cluster_is_a_new_cluster_master_first_and_no_ca() {
    let (_, diff) = diff_after("examples/seg.toml", |t| {
        t.replace("name = \"Secure Email Gateway\"", "name = \"Mail Gateway\"")
    });
    let said = consequences(&diff).join("\n");
    assert!(said.contains("a new cluster"), "{said}");
    assert!(said.contains("`seg-1` (the master) first"), "{said}");
    assert!(!said.contains("CA"), "{said}");
}

#[test]
fn diff_says_what_to_do_about_each_kind_of_change() {
    let (output, diff) = diff_after(LARGER, |t| {
        t.replace("version = \"12.2.4-46412\"", "version = \"12.2.5-47000\"")
            .replace(
                "distribution_timeout = \"10s\"",
                "distribution_timeout = \"20s\"",
            )
            .replace(
                "management_node = \"tok-1\"",
                "management_node = \"ny-1\"\nport = 12350",
            )
            .replace("servers = [", "servers = [\"ntp9.example.net\", ")
            + "\n[nodes.pb-4]\nsite = \"paderborn\"\naddress = \"10.3.0.14\"\n"
    });
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let said = consequences(&diff).join("\n");
    for expected in [
        "an upgrade to 12.2.5-47000",
        "remove every node from the Central Management cluster",
        "cluster settings change (distribution_timeout)",
        "the management node changes from `tok-1` to `ny-1`",
        "the cluster port changes from 12346 to 12350",
        "`ny-1`, ",
        "nodes lose contact with each other until all are changed",
        "the NTP servers change",
        "add the new nodes in this order",
        "`pb-4` from `pb-1`",
    ] {
        assert!(said.contains(expected), "missing {expected:?} in:\n{said}");
    }
}

#[test]
fn diff_names_the_hosts_files_a_nat_change_touches_and_the_nodes_removed() {
    let (_, diff) = diff_after("examples/nat.toml", |t| {
        let cut = t.find("[nodes.proxy3c]").expect("proxy3c");
        t[..cut].replace(
            "nat_address = \"198.51.100.20\"",
            "nat_address = \"198.51.100.21\"",
        )
    });
    let said = consequences(&diff).join("\n");
    assert!(
        said.contains("the hosts files change on `proxy1a`"),
        "{said}"
    );
    assert!(said.contains("remove `proxy3c` from the cluster"), "{said}");
}

#[test]
fn diff_plans_nothing_for_a_topology_with_errors_and_exits_3_on_changes() {
    let (output, _) = diff_after(LARGER, |t| {
        t.replace("address = \"10.3.0.13\"", "address = \"10.3.0.300\"")
    });
    assert_eq!(output.status.code(), Some(1));
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(printed.contains("invalid-value"), "{printed}");
    assert!(!printed.contains("Re-apply"), "{printed}");

    assert_eq!(
        topoc(&["diff", "--exit-code", LARGER, LARGER])
            .status
            .code(),
        Some(0)
    );
    let dir = tempfile::tempdir().expect("temp");
    let text = std::fs::read_to_string(common::root().join(LARGER)).expect("example");
    let new = dir.path().join("new.toml");
    std::fs::write(&new, text.replace("10.1.0.13", "10.1.0.33")).expect("write");
    let changed = topoc(&["diff", "--exit-code", LARGER, new.to_str().expect("UTF-8")]);
    assert_eq!(changed.status.code(), Some(3));
}

#[test]
fn a_new_seg_master_heads_every_directory_file() {
    let (_, diff) = diff_after("examples/seg.toml", |t| {
        t.replace("management_node = \"seg-1\"", "management_node = \"seg-2\"")
    });
    let said = consequences(&diff).join("\n");
    assert!(
        said.contains("the master changes from `seg-1` to `seg-2`"),
        "{said}"
    );
    assert!(said.contains("`seg-2` first"), "{said}");
}

#[test]
fn plan_join_starts_at_the_management_node_and_adds_each_node_from_a_joined_neighbour() {
    let plan = json(&topoc(&["plan", "join", LARGER, "--format", "json"]));
    let steps = plan["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 25, "one step per node");
    assert_eq!(steps[0]["node"], "tok-1");
    assert!(steps[0]["from"].is_null() && steps[0]["group"].is_null());
    // cluster.json's network groups, to check that `from` and `node` share `group`.
    let dir = tempfile::tempdir().expect("temp");
    let out = dir.path().join("out");
    let built = topoc(&[
        "build",
        LARGER,
        "--out",
        out.to_str().expect("UTF-8"),
        "--secrets",
        dir.path().join("s").to_str().expect("UTF-8"),
    ]);
    assert_eq!(built.status.code(), Some(0));
    let cluster: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("cluster.json")).expect("cluster.json"))
            .expect("JSON");
    let members = |group: &str| -> Vec<String> {
        cluster["central_management"]["network_groups"]
            .as_array()
            .expect("groups")
            .iter()
            .find(|g| g["name"] == group)
            .map(|g| {
                g["members"]
                    .as_array()
                    .expect("members")
                    .iter()
                    .map(|m| m.as_str().expect("name").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut joined = vec![steps[0]["node"].as_str().expect("node").to_owned()];
    for step in &steps[1..] {
        let (node, from, group) = (
            step["node"].as_str().expect("node"),
            step["from"].as_str().expect("from"),
            step["group"].as_str().expect("group"),
        );
        assert!(
            joined.iter().any(|j| j == from),
            "{node} joins from {from}, not yet joined"
        );
        let members = members(group);
        assert!(members.iter().any(|m| m == node) && members.iter().any(|m| m == from));
        joined.push(node.to_owned());
    }
    let markdown = stdout(&topoc(&["plan", "join", LARGER]));
    assert!(markdown.contains("nc -v -w5 10.1.0.12 12346"), "{markdown}");
    assert!(
        markdown.contains("replaces its policy with `tok-1`'s"),
        "{markdown}"
    );
}

#[test]
fn plan_upgrade_takes_the_leaves_out_first_the_management_node_last_and_adds_them_back() {
    let plan = json(&topoc(&[
        "plan", "upgrade", LARGER, "--to", "12.2.5", "--format", "json",
    ]));
    let steps = plan["steps"].as_array().expect("steps");
    let of = |action: &str| -> Vec<&str> {
        steps
            .iter()
            .filter(|s| s["action"] == action)
            .map(|s| s["node"].as_str().expect("node"))
            .collect()
    };
    let (removed, upgraded, joined) = (of("remove"), of("upgrade"), of("join"));
    assert_eq!(removed.len(), 25);
    assert_eq!(
        removed.last(),
        Some(&"tok-1"),
        "the management node leaves last"
    );
    let transit = ["ny-1", "ny-6", "pb-1", "tok-7"];
    let first_transit = removed
        .iter()
        .position(|n| transit.contains(n))
        .expect("transit");
    assert!(
        removed[first_transit..removed.len() - 1]
            .iter()
            .all(|n| transit.contains(n)),
        "the nodes behind transit nodes leave first: {removed:?}"
    );
    assert_eq!(upgraded, removed);
    assert_eq!(
        joined[0], "tok-1",
        "the management node starts the cluster again"
    );
    // All removals before all upgrades before all joins.
    let actions: Vec<&str> = steps
        .iter()
        .map(|s| s["action"].as_str().expect("action"))
        .collect();
    let mut sorted = actions.clone();
    sorted.sort_by_key(|a| ["remove", "upgrade", "join"].iter().position(|x| x == a));
    assert_eq!(actions, sorted);

    let older = topoc(&["plan", "upgrade", LARGER, "--to", "12.1.0"]);
    assert_eq!(older.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&older.stderr).contains("--allow-downgrade"));
    let allowed = topoc(&[
        "plan",
        "upgrade",
        LARGER,
        "--to",
        "12.1.0",
        "--allow-downgrade",
    ]);
    assert_eq!(allowed.status.code(), Some(0));
    let malformed = topoc(&["plan", "upgrade", LARGER, "--to", "12"]);
    assert_eq!(malformed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&malformed.stderr).contains("`12.2.4` or `12.2.4-46412`"));
}

#[test]
fn plan_on_a_file_with_errors_prints_them_and_exits_1() {
    let dir = tempfile::tempdir().expect("temp");
    let text = std::fs::read_to_string(common::root().join(LARGER)).expect("example");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, text.replace("10.3.0.13", "10.3.0.300")).expect("write");
    let output = topoc(&["plan", "join", bad.to_str().expect("UTF-8")]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("invalid-value"));
}
