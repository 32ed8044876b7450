//! `topoc build`'s outputs, compiled in memory and read back with real parsers and clients.

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use topoc::analysis::routes::RouteExtent;
use topoc::emit::{Options, Tree};
use topoc::source::Source;

use common::{client, root};

fn compile(source: &Source) -> Tree {
    compile_with(source, Options::default())
}

fn compile_with(source: &Source, options: Options) -> Tree {
    let checked = common::check(source);
    assert!(!checked.report.has_errors(), "{} has errors", source.name);
    let name = Path::new(&source.name)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("topology.toml");
    common::preview(source, name, options)
}

const ALL_PAIRS: Options = Options {
    routes: RouteExtent::AllPairs,
};

fn example(name: &str) -> Tree {
    compile(&common::load(&root().join("examples").join(name)))
}

fn text<'t>(tree: &'t Tree, path: &str) -> &'t str {
    std::str::from_utf8(tree.get(path).unwrap_or_else(|| panic!("no {path}"))).expect("UTF-8")
}

#[test]
fn every_output_of_every_example_is_snapshotted() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::glob!("..", "examples/*.toml", |path| {
            let tree = compile(&common::load(path));
            let mut all = String::new();
            for (file, content) in tree.iter() {
                let _ = writeln!(all, "=== {file} ===\n{}", String::from_utf8_lossy(content));
            }
            insta::assert_snapshot!(all);
        });
    });
}

#[test]
fn all_pairs_outputs_are_snapshotted() {
    let tree = compile_with(
        &common::load(&root().join("examples").join("two-sites.toml")),
        ALL_PAIRS,
    );
    let mut all = String::new();
    for (file, content) in tree.iter() {
        if file == "cluster.json" || file.ends_with("/node.json") {
            let _ = writeln!(all, "=== {file} ===\n{}", String::from_utf8_lossy(content));
        }
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!("two-sites-all-pairs", all));
}

#[test]
fn routes_are_counted_from_the_management_node_and_over_all_pairs_on_request() {
    let source = common::load(&root().join("examples").join("larger-cluster.toml"));
    let routes = |tree: &Tree| -> serde_json::Value {
        let cluster: serde_json::Value =
            serde_json::from_str(text(tree, "cluster.json")).expect("JSON");
        cluster["central_management"]["routes"].clone()
    };
    let plain = routes(&compile(&source));
    let from = &plain["from_management_node"];
    let reached: u64 = from["nodes_by_hops"]
        .as_object()
        .expect("counts")
        .values()
        .map(|count| count.as_u64().expect("count"))
        .sum();
    assert_eq!(reached, 24, "every other node of the 25, once");
    let all = routes(&compile_with(&source, ALL_PAIRS));
    assert_eq!(all["from_management_node"], *from);
    let pairs: u64 = all["all_pairs"]["pairs_by_hops"]
        .as_object()
        .expect("counts")
        .values()
        .map(|count| count.as_u64().expect("count"))
        .sum();
    assert_eq!(pairs, 25 * 24, "every ordered pair of the 25 nodes");
    assert_eq!(all["all_pairs"]["longest"]["hops"], 3);
}

#[test]
fn builds_are_byte_identical() {
    for name in ["two-sites.toml", "larger-cluster.toml", "nat.toml"] {
        assert_eq!(example(name), example(name), "{name}");
    }
}

#[test]
fn every_json_and_yaml_output_parses() {
    for name in ["two-sites.toml", "larger-cluster.toml", "nat.toml"] {
        let tree = example(name);
        for (file, content) in tree.iter() {
            if Path::new(file).extension().is_some_and(|ext| ext == "json") {
                serde_json::from_slice::<serde_json::Value>(content)
                    .unwrap_or_else(|e| panic!("{name}: {file}: {e}"));
            }
        }
        let inventory: serde_json::Value =
            serde_norway::from_str(text(&tree, "inventory.yaml")).expect("inventory is YAML");
        assert!(
            inventory["all"]["hosts"]
                .as_object()
                .is_some_and(|h| !h.is_empty())
        );
    }
}

#[test]
fn the_manifest_lists_every_file_with_its_hash() {
    let tree = example("larger-cluster.toml");
    let manifest: serde_json::Value =
        serde_json::from_str(text(&tree, "manifest.json")).expect("JSON");
    let files = manifest["files"].as_array().expect("files");
    assert_eq!(
        files.len(),
        tree.len() - 1,
        "every file but the manifest itself"
    );
    for entry in files {
        let path = entry["path"].as_str().expect("path");
        let content = tree.get(path).expect("listed file exists");
        assert_eq!(entry["sha256"], topoc::emit::manifest::sha256(content));
        assert_eq!(entry["bytes"], content.len());
    }
    let input = std::fs::read(root().join("examples/larger-cluster.toml")).expect("input");
    assert_eq!(
        manifest["input"]["sha256"],
        topoc::emit::manifest::sha256(&input)
    );
    assert_eq!(manifest["input"]["file"], "larger-cluster.toml");
}

/// The cluster's hosts entries of a node: (address, name), the lines between the BEGIN and
/// END markers.
fn hosts_entries(tree: &Tree, node: &str) -> Vec<(String, String)> {
    text(tree, &format!("nodes/{node}/hosts"))
        .lines()
        .skip_while(|line| !line.starts_with("# BEGIN topoc "))
        .skip(1)
        .take_while(|line| !line.starts_with("# END topoc "))
        .map(|line| {
            let (address, name) = line.split_once('\t').expect("address TAB name");
            (address.to_owned(), name.to_owned())
        })
        .collect()
}

fn entries(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, n)| ((*a).to_owned(), (*n).to_owned()))
        .collect()
}

#[test]
fn nat_hosts_files_resolve_own_name_locally_and_others_to_their_nat() {
    let tree = example("nat.toml");
    assert_eq!(
        hosts_entries(&tree, "proxy1a"),
        entries(&[
            ("192.168.1.10", "proxy1a-mgmt.example1.local"),
            ("198.51.100.20", "proxy2b-mgmt.example2.local"),
            ("192.0.2.30", "proxy3c-mgmt.example3.local"),
        ])
    );
    assert_eq!(
        hosts_entries(&tree, "proxy2b"),
        entries(&[
            ("192.168.1.10", "proxy2b-mgmt.example2.local"),
            ("203.0.113.10", "proxy1a-mgmt.example1.local"),
            ("192.0.2.30", "proxy3c-mgmt.example3.local"),
        ])
    );
    assert_eq!(
        hosts_entries(&tree, "proxy3c"),
        entries(&[
            ("192.168.1.10", "proxy3c-mgmt.example3.local"),
            ("203.0.113.10", "proxy1a-mgmt.example1.local"),
            ("198.51.100.20", "proxy2b-mgmt.example2.local"),
        ])
    );
    let header = text(&tree, "nodes/proxy1a/hosts")
        .lines()
        .next()
        .expect("header");
    assert!(
        header.starts_with("# Generated by topoc") && header.contains("nat.toml"),
        "{header}"
    );
}

const REALMS: &str = r#"
[cluster]
name = "realms"
[ntp]
servers = ["10.0.0.1"]
[sites.a]
nat_realm = "east"
[sites.b]
nat_realm = "east"
[sites.c]
[nodes.a1]
site = "a"
address = "10.1.0.1"
fqdn = "a1.example"
nat_address = "203.0.113.1"
transit = true
network_groups = []
[nodes.b1]
site = "b"
address = "10.2.0.1"
fqdn = "b1.example"
nat_address = "203.0.113.2"
transit = true
network_groups = []
[nodes.c1]
site = "c"
address = "10.3.0.1"
fqdn = "c1.example"
transit = true
network_groups = []
"#;

#[test]
fn hosts_files_use_physical_addresses_inside_a_realm() {
    let tree = compile(&Source::new("realms.toml", REALMS));
    assert_eq!(
        hosts_entries(&tree, "a1"),
        entries(&[
            ("10.1.0.1", "a1.example"),
            ("10.2.0.1", "b1.example"),
            ("10.3.0.1", "c1.example")
        ])
    );
    assert_eq!(
        hosts_entries(&tree, "c1"),
        entries(&[
            ("10.3.0.1", "c1.example"),
            ("203.0.113.1", "a1.example"),
            ("203.0.113.2", "b1.example")
        ])
    );
}

#[test]
fn the_size_of_a_build_is_known_before_it_is_made() {
    let mut sources = vec![Source::new("realms.toml", REALMS)];
    for name in [
        "two-sites.toml",
        "larger-cluster.toml",
        "nat.toml",
        "seg.toml",
    ] {
        sources.push(common::load(&root().join("examples").join(name)));
    }
    for source in &sources {
        let checked = common::check(source);
        let model = checked.model.expect("resolves");
        let tree = compile(source);
        let entries: usize = tree
            .iter()
            .filter(|(file, _)| file.ends_with("/hosts"))
            .flat_map(|(_, content)| std::str::from_utf8(content).expect("UTF-8").lines())
            .filter(|line| !line.starts_with('#'))
            .map(|line| line.len() + 1)
            .sum();
        assert_eq!(
            topoc::emit::hosts::total_lines_size(&model),
            entries as u64,
            "{}: hosts entries are counted to the byte",
            source.name
        );
        for options in [Options::default(), ALL_PAIRS] {
            let tree = common::preview(source, "t.toml", options);
            let actual: usize = tree.iter().map(|(_, content)| content.len()).sum();
            let estimate = topoc::emit::estimated_size(&model, options);
            assert!(
                estimate >= actual as u64,
                "{}: estimated {estimate} < {actual}",
                source.name
            );
        }
    }
}

#[test]
fn seg_cluster_files_carry_no_web_gateway_fields() {
    let cluster = |name: &str| -> serde_json::Value {
        serde_json::from_str(text(&example(name), "cluster.json")).expect("JSON")
    };
    let seg = cluster("seg.toml");
    assert!(seg.get("central_management").is_none(), "{seg:#}");
    assert!(seg["nodes"][0].get("transit").is_none());
    assert_eq!(seg["cluster"]["management_node"], "seg-1", "the master");
    let swg = cluster("two-sites.toml");
    assert_eq!(swg["central_management"]["transit_group"], "transit");
    assert_eq!(swg["nodes"][0]["name"], "ny-1");
    assert_eq!(
        swg["nodes"][0]["network_groups"],
        serde_json::json!(["newyork", "transit"])
    );
}

#[test]
fn no_hosts_files_without_fqdns() {
    let tree = example("two-sites.toml");
    assert!(tree.iter().all(|(file, _)| !file.ends_with("/hosts")));
}

#[test]
fn node_files_name_peers_and_next_hops_on_request() {
    let source = common::load(&root().join("examples").join("larger-cluster.toml"));
    let plain = compile(&source);
    let node: serde_json::Value =
        serde_json::from_str(text(&plain, "nodes/tok-2/node.json")).expect("JSON");
    assert!(node.get("peers").is_none() && node.get("routes").is_none());
    let cluster: serde_json::Value =
        serde_json::from_str(text(&plain, "cluster.json")).expect("JSON");
    let routes = &cluster["central_management"]["routes"];
    assert!(routes["from_management_node"].is_object() && routes.get("all_pairs").is_none());
    let tree = compile_with(&source, ALL_PAIRS);
    let node: serde_json::Value =
        serde_json::from_str(text(&tree, "nodes/tok-2/node.json")).expect("JSON");
    let peers: Vec<&str> = node["peers"]
        .as_array()
        .expect("peers")
        .iter()
        .map(|p| p["node"].as_str().expect("name"))
        .collect();
    assert_eq!(peers, ["tok-1", "tok-3", "tok-4", "tok-5", "tok-6"]);
    let route = node["routes"]
        .as_array()
        .expect("routes")
        .iter()
        .find(|r| r["node"] == "ny-2")
        .expect("a route to ny-2");
    assert_eq!(route["next_hop"], "tok-1");
    assert_eq!(route["hops"], 3);
    assert_eq!(node["central_management"]["listen_address"], "10.1.0.12");
    assert_eq!(
        node["central_management"]["settings"]["distribution_timeout_seconds"],
        10
    );
    let routes_and_peers = node["routes"].as_array().map_or(0, Vec::len) + peers.len();
    assert_eq!(routes_and_peers, 24, "every other node, once");
}

fn write_temp(tree: &Tree, file: &str) -> PathBuf {
    let dir = tempfile::tempdir().expect("temp dir").keep();
    let path = dir.join(file);
    std::fs::write(&path, tree.get(file).expect("file")).expect("written");
    path
}

#[test]
fn graphviz_renders_every_graph() {
    if !client("dot") {
        return;
    }
    for name in ["two-sites.toml", "larger-cluster.toml", "nat.toml"] {
        let path = write_temp(&example(name), "graph.dot");
        let output = Command::new("dot")
            .arg("-Tsvg")
            .arg(&path)
            .output()
            .expect("dot runs");
        assert!(
            output.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let svg = String::from_utf8_lossy(&output.stdout);
        assert!(svg.contains("<svg") && svg.contains("transit"), "{name}");
    }
}

#[test]
fn ansible_reads_the_inventory() {
    if !client("ansible-inventory") {
        return;
    }
    let path = write_temp(&example("larger-cluster.toml"), "inventory.yaml");
    let output = Command::new("ansible-inventory")
        .arg("-i")
        .arg(&path)
        .arg("--list")
        .env("ANSIBLE_INVENTORY_UNPARSED_FAILED", "true")
        .output()
        .expect("ansible-inventory runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let listed: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON list");
    let hosts = |group: &str| -> Vec<String> {
        listed[group]["hosts"]
            .as_array()
            .unwrap_or_else(|| panic!("group {group}"))
            .iter()
            .map(|h| h.as_str().expect("host").to_owned())
            .collect()
    };
    assert_eq!(hosts("site_paderborn"), ["pb-1", "pb-2", "pb-3"]);
    assert_eq!(
        hosts("network_group_transit"),
        ["ny-1", "ny-6", "pb-1", "tok-1", "tok-7"]
    );
    assert_eq!(hosts("network_group_toknet1").len(), 6);
    let vars = &listed["_meta"]["hostvars"]["tok-1"];
    assert_eq!(vars["ansible_host"], "10.1.0.11");
    assert_eq!(vars["topoc_management_node"], true);
    assert_eq!(hosts("management_node"), ["tok-1"]);
    assert_eq!(hosts("transit"), ["ny-1", "ny-6", "pb-1", "tok-1", "tok-7"]);
    assert_eq!(hosts("update_group_paderborn"), ["pb-1", "pb-2", "pb-3"]);
    assert_eq!(hosts("runtime_group_paderborn"), ["pb-1", "pb-2", "pb-3"]);
}

/// Every value of a YAML document, depth first.
fn has_null(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::Null => true,
        serde_json::Value::Array(items) => items.iter().any(has_null),
        serde_json::Value::Object(map) => map
            .iter()
            // Group members are `name: null` by Ansible's own convention.
            .any(|(key, value)| key != "hosts" && has_null(value)),
        _ => false,
    }
}

#[test]
fn inventories_have_no_null_variables_and_seg_ones_no_web_gateway_variables() {
    for name in [
        "two-sites.toml",
        "larger-cluster.toml",
        "nat.toml",
        "seg.toml",
    ] {
        let tree = example(name);
        let inventory: serde_json::Value =
            serde_norway::from_str(text(&tree, "inventory.yaml")).expect("YAML");
        for (host, vars) in inventory["all"]["hosts"].as_object().expect("hosts") {
            assert!(
                !has_null(vars),
                "{name}: {host} has a null variable: {vars}"
            );
            let web = vars.get("topoc_network_groups").is_some();
            assert_eq!(web, name != "seg.toml", "{name}: {host}: {vars}");
            assert_eq!(vars.get("topoc_master").is_some(), name == "seg.toml");
        }
    }
}

#[test]
fn ansible_host_is_the_address_the_control_node_reaches() {
    let text_with = |inventory: &str| {
        std::fs::read_to_string(root().join("examples/nat.toml")).expect("example") + inventory
    };
    let host = |source: &str, node: &str| -> String {
        let tree = compile(&Source::new("nat.toml", source));
        let inventory: serde_json::Value =
            serde_norway::from_str(text(&tree, "inventory.yaml")).expect("YAML");
        inventory["all"]["hosts"][node]["ansible_host"]
            .as_str()
            .expect("ansible_host")
            .to_owned()
    };
    let physical = text_with("");
    assert_eq!(host(&physical, "proxy2b"), "192.168.1.10");
    let nat = text_with("\n[inventory]\nreach = \"nat\"\n");
    assert_eq!(host(&nat, "proxy2b"), "198.51.100.20");
    let mixed =
        text_with("\n[inventory]\nreach = \"nat\"\n\n[inventory.sites]\nsite-b = \"physical\"\n");
    assert_eq!(host(&mixed, "proxy1a"), "203.0.113.10");
    assert_eq!(host(&mixed, "proxy2b"), "192.168.1.10");
}

#[test]
fn mermaid_declares_every_vertex_it_joins() {
    let tree = example("larger-cluster.toml");
    let graph = text(&tree, "graph.mmd");
    assert!(graph.lines().nth(1) == Some("flowchart LR"), "{graph}");
    let declared: std::collections::BTreeSet<&str> = graph
        .lines()
        .map(str::trim)
        .filter_map(|line| {
            let end = line.find(['[', '(', '{'])?;
            let id = &line[..end];
            (!id.contains(' ')).then_some(id)
        })
        .collect();
    let mut edges = 0;
    for line in graph.lines().filter(|line| line.contains(" --- ")) {
        let (from, to) = line.trim().split_once(" --- ").expect("edge");
        assert!(declared.contains(from) && declared.contains(to), "{line}");
        edges += 1;
    }
    assert_eq!(
        edges, 30,
        "one edge per membership: 25 nodes, 5 also in transit"
    );
    assert_eq!(
        graph.matches("subgraph ").count(),
        graph.matches("\n  end\n").count()
    );
}

#[test]
fn firewall_rules_dial_nat_addresses_across_realms_and_allow_ntp_and_seg_ports() {
    let rows = |tree: &Tree, name: &str| -> Vec<String> {
        text(tree, name)
            .lines()
            .skip(1)
            .map(str::to_owned)
            .collect()
    };
    let nat = example("nat.toml");
    assert_eq!(
        rows(&nat, "firewall.csv"),
        [
            "group:transit,group:transit:dialed,tcp,12346,\"Central Management, network group transit\"",
            "nodes,ntp,udp,123,NTP",
        ]
    );
    let sets = rows(&nat, "firewall-sets.csv");
    for row in [
        "group:transit,proxy1a,192.168.1.10",
        "group:transit:dialed,proxy2b,198.51.100.20",
        "ntp,,pool.ntp.example.net",
    ] {
        assert!(sets.contains(&row.to_owned()), "{row} in {sets:#?}");
    }
    let larger = example("larger-cluster.toml");
    assert!(rows(&larger, "firewall-sets.csv").contains(&"nodes,tok-1,10.1.0.11".to_owned()));
    let seg = rows(&example("seg.toml"), "firewall.csv");
    for protocol in ["tcp", "udp"] {
        assert!(
            seg.contains(&format!("cluster,cluster,{protocol},9090,SEG cluster")),
            "{seg:#?}"
        );
    }
}

#[test]
fn each_node_runbook_gives_its_own_values_and_names_the_ca_files_without_their_content() {
    let tree = example("nat.toml");
    let runbook = text(&tree, "nodes/proxy2b/runbook.md");
    for expected in [
        "Address: `proxy2b-mgmt.example2.local`",
        "Port: `12346`",
        "Network groups: `transit`",
        "`ca.pem` and `ca.key` of the secrets directory",
        "# BEGIN topoc acme-nat",
        "NTP server:",
        "`nc -v -w5 proxy2b-mgmt.example2.local 12346` on `proxy1a`",
    ] {
        assert!(
            runbook.contains(expected),
            "missing {expected:?}:\n{runbook}"
        );
    }
    for (path, content) in tree.iter() {
        if path.ends_with("runbook.md") {
            let content = std::str::from_utf8(content).expect("UTF-8");
            assert!(!content.contains("BEGIN CERTIFICATE") && !content.contains("PRIVATE KEY"));
        }
    }
    let web = example("two-sites.toml");
    let settings = text(&web, "nodes/tok-2/runbook.md");
    assert!(
        settings.contains("- Allowed time difference: `120 s` (the same on every node)"),
        "{settings}"
    );
    let seg = example("seg.toml");
    let master = text(&seg, "nodes/seg-1/runbook.md");
    assert!(master.contains("This node is the master"), "{master}");
    assert!(
        master.contains("secrets/nodes/seg-1/integration-service.config.xml"),
        "{master}"
    );
}

#[test]
fn a_gateway_gives_a_node_one_route_per_nat_address_it_dials() {
    let topology = std::fs::read_to_string(root().join("examples/nat.toml"))
        .expect("example")
        .replace(
            "[nodes.proxy1a]\nsite = \"site-a\"\n",
            "[nodes.proxy1a]\nsite = \"site-a\"\nroute_via = \"192.168.1.1\"\n",
        );
    let tree = compile(&Source::new("nat.toml", &topology));
    let routes = text(&tree, "nodes/proxy1a/routes");
    let lines: Vec<&str> = routes.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(
        lines,
        [
            "ip route add 192.0.2.30/32 via 192.168.1.1",
            "ip route add 198.51.100.20/32 via 192.168.1.1",
        ]
    );
    assert!(
        tree.get("nodes/proxy2b/routes").is_none(),
        "no gateway, no routes"
    );
    assert!(text(&tree, "nodes/proxy1a/runbook.md").contains("Static routes"));
}

#[test]
fn the_playbooks_prejoin_checks_follow_the_join_plan_both_ways() {
    let tree = example("two-sites.toml");
    let plays: serde_json::Value =
        serde_norway::from_str(text(&tree, "playbook.yml")).expect("YAML");
    let prejoin = &plays[0]["vars"]["topoc_prejoin"];
    let listed = |node: &str| -> Vec<String> {
        prejoin[node]
            .as_array()
            .unwrap_or_else(|| panic!("{node} has checks"))
            .iter()
            .map(|a| a.as_str().expect("address").to_owned())
            .collect()
    };
    // two-sites: tok-1 starts; tok-2 and ny-1 join from it; ny-2 joins from ny-1.
    assert_eq!(listed("tok-2"), ["10.1.0.11"]);
    assert_eq!(listed("ny-2"), ["10.2.0.11"]);
    assert_eq!(listed("tok-1"), ["10.1.0.12", "10.2.0.11"]);
    assert_eq!(listed("ny-1"), ["10.1.0.11", "10.2.0.12"]);
    let tasks = plays[0]["tasks"].as_array().expect("tasks");
    let check = tasks
        .iter()
        .find(|t| t["tags"] == serde_json::json!(["prejoin"]))
        .expect("a prejoin task");
    assert_eq!(
        check["ansible.builtin.wait_for"]["port"],
        "{{ topoc_port }}"
    );
}

#[test]
fn probe_scripts_are_left_out_when_a_huge_group_would_make_them_gigabytes() {
    // One network group of 1,600 nodes: 1600 x 1599 peer lines.
    let mut text = String::from(
        "[cluster]\nname = \"flat\"\nversion = \"12.2.4-46412\"\nmanagement_node = \"n0\"\n\n[ntp]\nservers = [\"10.255.0.1\"]\n\n[sites.lab]\nsubnet = \"10.0.0.0/16\"\n",
    );
    for index in 0..1600 {
        let _ = write!(
            text,
            "\n[nodes.n{index}]\nsite = \"lab\"\naddress = \"10.0.{}.{}\"\n",
            index / 200 + 1,
            index % 200 + 1
        );
    }
    let source = topoc::source::Source::new("flat.toml", text);
    let model = common::check(&source).model.expect("resolves");
    assert!(!topoc::emit::probe_sh::written(&model));
    assert!(topoc::emit::probe_sh::estimated_size(&model) > topoc::emit::probe_sh::BUDGET);

    // A cluster of ordinary groups gets one per node.
    let source = common::load(Path::new(&common::example("larger-cluster.toml")));
    let tree = common::preview(&source, "larger-cluster.toml", Options::default());
    let scripts = tree
        .iter()
        .filter(|(path, _)| path.ends_with("probe.sh"))
        .count();
    assert_eq!(
        scripts,
        common::check(&source).model.expect("resolves").nodes.len()
    );
}
