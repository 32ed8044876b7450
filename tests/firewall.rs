//! `firewall.csv` and `firewall-sets.csv`, expanded back into the connections they allow,
//! against the connections the cluster makes: every node to every peer it shares a network
//! group with, at the address it dials (NAT across realms), and nothing to a node it shares
//! no group with, or at an address it does not dial across realms.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use proptest::prelude::*;
use topoc::source::Source;

/// A random cluster across NAT realms: each node's groups, site and whether it has a NAT
/// address. Sites `s0`…`s3` lie in realms `r0` and `r1` (a site's index modulo two).
#[derive(Debug, Clone)]
struct Natted {
    nodes: Vec<(BTreeSet<usize>, usize, bool)>,
}

const SITES: usize = 4;

fn natted() -> impl Strategy<Value = Natted> {
    proptest::collection::vec(
        (
            proptest::collection::btree_set(0..4usize, 0..=2),
            0..SITES,
            any::<bool>(),
        ),
        1..=10,
    )
    .prop_map(|nodes| Natted { nodes })
}

impl Natted {
    fn toml(&self) -> String {
        let mut text = String::from(
            "[cluster]\nname = \"random\"\n\n[ntp]\nservers = [\"10.255.0.1\", \"ntp.example.net\"]\n",
        );
        for site in 0..SITES {
            let _ = write!(text, "\n[sites.s{site}]\nnat_realm = \"r{}\"\n", site % 2);
        }
        for (node, (groups, site, nat)) in self.nodes.iter().enumerate() {
            let list: Vec<String> = groups.iter().map(|g| format!("\"g{g}\"")).collect();
            let _ = write!(
                text,
                "\n[nodes.n{node}]\nsite = \"s{site}\"\naddress = \"{}\"\nnetwork_groups = [{}]\n",
                self.physical(node),
                list.join(", ")
            );
            if *nat {
                let _ = write!(
                    text,
                    "fqdn = \"n{node}.example.net\"\nnat_address = \"{}\"\n",
                    Self::nat(node)
                );
            }
        }
        text
    }

    fn physical(&self, node: usize) -> String {
        format!("10.{}.0.{}", self.nodes[node].1, node + 1)
    }

    fn nat(node: usize) -> String {
        format!("203.0.113.{}", node + 1)
    }

    fn realm(&self, node: usize) -> usize {
        self.nodes[node].1 % 2
    }

    /// The address `from` dials to reach `to`.
    fn dialed(&self, from: usize, to: usize) -> String {
        if self.nodes[to].2 && self.realm(from) != self.realm(to) {
            Self::nat(to)
        } else {
            self.physical(to)
        }
    }

    fn share_a_group(&self, a: usize, b: usize) -> bool {
        a != b && !self.nodes[a].0.is_disjoint(&self.nodes[b].0)
    }
}

/// `(from node, to node or NTP server, to address, protocol, port)`.
type Allowed = BTreeSet<(String, String, String, String, String)>;

/// The connections the two files allow, and the rows of each (for `cluster.json`).
fn expand(tree: &topoc::emit::Tree) -> (Allowed, Vec<Vec<String>>, Vec<Vec<String>>) {
    let rows = |file: &str, header: &[&str]| -> Vec<Vec<String>> {
        let mut reader = csv::Reader::from_reader(tree.get(file).expect("written"));
        assert_eq!(reader.headers().expect("a header"), header.to_vec());
        reader
            .records()
            .map(|record| record.expect("CSV").iter().map(str::to_owned).collect())
            .collect()
    };
    let rules = rows(
        "firewall.csv",
        &["from", "to", "protocol", "port", "reason"],
    );
    let members = rows("firewall-sets.csv", &["set", "node", "address"]);
    let mut sets: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
    for member in &members {
        sets.entry(&member[0])
            .or_default()
            .push((&member[1], &member[2]));
    }
    let mut allowed = Allowed::new();
    for rule in &rules {
        let from = sets
            .get(rule[0].as_str())
            .expect("every source set is listed");
        let to = sets
            .get(rule[1].as_str())
            .expect("every target set is listed");
        for &(source, _) in from {
            for &(target, address) in to {
                let target = if target.is_empty() { address } else { target };
                allowed.insert((
                    source.to_owned(),
                    target.to_owned(),
                    address.to_owned(),
                    rule[2].clone(),
                    rule[3].clone(),
                ));
            }
        }
    }
    (allowed, rules, members)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Every pair that shares a group may connect on the CM port at the address it dials;
    /// beyond that the rules allow only a node to itself or, inside its realm, to the NAT
    /// address of a peer (one rule per group instead of one per pair of realms); every node
    /// reaches both NTP servers. `cluster.json` carries the same rows.
    #[test]
    fn the_rules_allow_what_each_node_dials_and_no_more(layout in natted()) {
        let source = Source::new("random.toml", layout.toml());
        let tree = common::preview(&source, "random.toml", topoc::emit::Options::default());
        let (allowed, rules, members) = expand(&tree);
        let name = |node: usize| format!("n{node}");
        let n = layout.nodes.len();
        for a in 0..n {
            for b in (0..n).filter(|&b| layout.share_a_group(a, b)) {
                let wanted = (name(a), name(b), layout.dialed(a, b), "tcp".into(), "12346".into());
                prop_assert!(allowed.contains(&wanted), "{wanted:?} is not allowed");
            }
            for server in ["10.255.0.1", "ntp.example.net"] {
                let wanted = (name(a), server.into(), server.into(), "udp".into(), "123".into());
                prop_assert!(allowed.contains(&wanted), "{wanted:?} is not allowed");
            }
        }
        for (from, to, address, protocol, port) in &allowed {
            if protocol == "udp" {
                prop_assert_eq!(port, "123");
                continue;
            }
            prop_assert_eq!((protocol.as_str(), port.as_str()), ("tcp", "12346"));
            let (a, b): (usize, usize) = (from[1..].parse().expect("n<i>"), to[1..].parse().expect("n<i>"));
            if a == b {
                continue;
            }
            prop_assert!(layout.share_a_group(a, b), "{from} may reach {to}, with no group shared");
            let same_realm = layout.realm(a) == layout.realm(b);
            let nat_of_a_neighbour = same_realm && layout.nodes[b].2 && *address == Natted::nat(b);
            prop_assert!(
                *address == layout.dialed(a, b) || nat_of_a_neighbour,
                "{from} may reach {to} at {address}, which it does not dial"
            );
        }
        let cluster: serde_json::Value =
            serde_json::from_slice(tree.get("cluster.json").expect("cluster.json")).expect("JSON");
        let firewall = &cluster["firewall"];
        prop_assert_eq!(firewall["rules"].as_array().expect("rules").len(), rules.len());
        prop_assert_eq!(firewall["sets"].as_array().expect("sets").len(), members.len());
        let mut sorted = rules.clone();
        sorted.sort();
        sorted.dedup();
        prop_assert_eq!(sorted, rules, "sorted, each once");
    }
}

/// A group of `n` members is `n` set rows and one rule, however large: the files grow
/// with the topology, never with the square of a group.
#[test]
fn a_large_group_is_one_rule_and_a_row_per_member() {
    let mut text = String::from("[cluster]\nname = \"big\"\n\n[sites.s]\n");
    for node in 0..500 {
        let _ = write!(
            text,
            "\n[nodes.n{node}]\nsite = \"s\"\naddress = \"10.0.{}.{}\"\nnetwork_groups = [\"all\"]\n",
            node / 200,
            node % 200 + 1
        );
    }
    let source = Source::new("big.toml", text);
    let tree = common::preview(&source, "big.toml", topoc::emit::Options::default());
    let (allowed, rules, members) = expand(&tree);
    assert_eq!(rules.len(), 1, "{rules:?}");
    assert_eq!(rules[0][..2], ["group:all", "group:all"]);
    assert_eq!(members.len(), 500);
    assert_eq!(allowed.len(), 500 * 500);
}
