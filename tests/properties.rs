//! The graph findings agree with a brute-force model of the same topology: adjacency by
//! shared group, parts by search, single points of failure by removing each node in turn.

mod common;

use std::collections::BTreeSet;
use std::fmt::Write as _;

use proptest::prelude::*;
use topoc::source::Source;

/// A topology as memberships: `groups[node]` lists the network groups of each node.
#[derive(Debug, Clone)]
struct Layout {
    groups: Vec<BTreeSet<usize>>,
    fanout_limit: usize,
}

fn layouts() -> impl Strategy<Value = Layout> {
    (1usize..=10, 1usize..=5, 1usize..=4).prop_flat_map(|(nodes, groups, fanout_limit)| {
        proptest::collection::vec(proptest::collection::btree_set(0..groups, 0..=3), nodes)
            .prop_map(move |groups| Layout {
                groups,
                fanout_limit,
            })
    })
}

impl Layout {
    fn toml(&self) -> String {
        let mut text = format!(
            "[cluster]\nname = \"random\"\ntransit_fanout_limit = {}\n\n[sites.s]\n\n[lints]\nsingle-point-of-failure = \"warn\"\n",
            self.fanout_limit
        );
        for (node, groups) in self.groups.iter().enumerate() {
            let list: Vec<String> = groups.iter().map(|g| format!("\"g{g}\"")).collect();
            let _ = write!(
                text,
                "\n[nodes.n{node}]\nsite = \"s\"\naddress = \"10.0.0.{}\"\nnetwork_groups = [{}]\n",
                node + 1,
                list.join(", ")
            );
        }
        text
    }

    fn adjacent(&self, a: usize, b: usize) -> bool {
        a != b && !self.groups[a].is_disjoint(&self.groups[b])
    }

    /// Parts of the nodes not in `removed`, each sorted, in order of their first node.
    fn parts_without(&self, removed: Option<usize>) -> Vec<Vec<usize>> {
        let n = self.groups.len();
        let mut seen = vec![false; n];
        let mut parts = Vec::new();
        for start in (0..n).filter(|&v| Some(v) != removed) {
            if seen[start] {
                continue;
            }
            seen[start] = true;
            let mut part = vec![start];
            let mut stack = vec![start];
            while let Some(v) = stack.pop() {
                let next: Vec<usize> = (0..n)
                    .filter(|&w| Some(w) != removed && !seen[w] && self.adjacent(v, w))
                    .collect();
                for w in next {
                    seen[w] = true;
                    part.push(w);
                    stack.push(w);
                }
            }
            part.sort_unstable();
            parts.push(part);
        }
        parts
    }

    fn single_points_of_failure(&self) -> Vec<usize> {
        let before = self.parts_without(None);
        (0..self.groups.len())
            .filter(|&v| {
                let part = before
                    .iter()
                    .find(|p| p.contains(&v))
                    .expect("v has a part");
                let rest: BTreeSet<usize> = part.iter().copied().filter(|&w| w != v).collect();
                let after = self.parts_without(Some(v));
                after.iter().filter(|p| rest.contains(&p[0])).count() >= 2
            })
            .collect()
    }

    fn is_transit(&self, node: usize) -> bool {
        self.groups[node].len() >= 2
    }

    /// Transit nodes over the limit, each with the nodes behind it.
    fn overloaded(&self) -> Vec<Vec<String>> {
        let n = self.groups.len();
        (0..n)
            .filter(|&t| self.is_transit(t))
            .filter_map(|t| {
                let behind: Vec<usize> = (0..n)
                    .filter(|&u| !self.is_transit(u) && self.adjacent(t, u))
                    .collect();
                (behind.len() > self.fanout_limit).then(|| {
                    let mut names: Vec<String> = behind.iter().map(|u| format!("n{u}")).collect();
                    names.sort();
                    std::iter::once(format!("n{t}")).chain(names).collect()
                })
            })
            .collect()
    }
}

impl Layout {
    /// Pairs of other nodes that reach each other with every node up but not without `v`.
    fn pairs_lost_without(&self, v: usize) -> u64 {
        let before = self.parts_without(None);
        let after = self.parts_without(Some(v));
        let part_of = |parts: &[Vec<usize>], x: usize| parts.iter().position(|p| p.contains(&x));
        let n = self.groups.len();
        let mut lost = 0;
        for a in (0..n).filter(|&a| a != v) {
            for b in (a + 1..n).filter(|&b| b != v) {
                let joined_before = part_of(&before, a) == part_of(&before, b);
                let joined_after = part_of(&after, a) == part_of(&after, b);
                if joined_before && !joined_after {
                    lost += 1;
                }
            }
        }
        lost
    }
}

fn node_names(nodes: &[usize]) -> Vec<String> {
    nodes.iter().map(|v| format!("n{v}")).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn graph_findings_match_brute_force(layout in layouts()) {
        let source = Source::new("random.toml", layout.toml());
        let checked = common::check(&source);
        let analysis = checked.analysis.as_ref().expect("random layouts resolve");
        let findings = |code: &str| -> Vec<Vec<String>> {
            checked
                .report
                .diagnostics
                .iter()
                .filter(|d| d.finding.lint.code == code)
                .map(|d| d.finding.nodes.clone())
                .collect()
        };

        let parts = layout.parts_without(None);
        let found_parts: Vec<Vec<usize>> = analysis
            .parts
            .iter()
            .map(|part| part.iter().map(|node| node.index()).collect())
            .collect();
        prop_assert_eq!(&found_parts, &parts);

        let unreachable = findings("unreachable-nodes");
        // The help for a cut never asks for a group shared across parts: a transit node, or
        // a misspelt name corrected.
        for diagnostic in checked.report.diagnostics.iter().filter(|d| d.finding.lint.code == "unreachable-nodes") {
            let help = diagnostic.finding.help.clone().unwrap_or_default();
            prop_assert!(
                help.contains("transit = true") || help.contains("looks like a misspelling of"),
                "{}",
                help
            );
        }
        if parts.len() >= 2 {
            let mut expected: Vec<Vec<String>> = parts.iter().map(|p| node_names(p)).collect();
            let mut found = unreachable.clone();
            expected.sort();
            found.sort();
            prop_assert_eq!(found, expected);
        } else {
            prop_assert!(unreachable.is_empty());
        }

        let spof: Vec<Vec<String>> = layout
            .single_points_of_failure()
            .into_iter()
            .map(|v| vec![format!("n{v}")])
            .collect();
        let mut found_spof = findings("single-point-of-failure");
        found_spof.sort();
        prop_assert_eq!(found_spof, spof);

        let mut found_fanout = findings("transit-fanout");
        found_fanout.sort();
        let mut expected_fanout = layout.overloaded();
        expected_fanout.sort();
        prop_assert_eq!(found_fanout, expected_fanout);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn what_if_matches_brute_force(layout in layouts()) {
        let source = Source::new("random.toml", layout.toml());
        let checked = common::check(&source);
        let (model, analysis) = (checked.model.expect("resolves"), checked.analysis.expect("analysed"));
        let each = topoc::analysis::what_if::each(&model, &analysis);
        for (v, &lost) in each.iter().enumerate() {
            let brute = layout.pairs_lost_without(v);
            prop_assert_eq!(lost, brute, "--each for n{}", v);
            let down = std::collections::BTreeSet::from([topoc::model::NodeId(v)]);
            let degraded = topoc::analysis::what_if::degrade(&model, &analysis, &down, &std::collections::BTreeSet::new());
            prop_assert_eq!(degraded.lost_pairs, brute, "--down n{}", v);
            let expected: Vec<Vec<usize>> = layout.parts_without(Some(v));
            let found: Vec<Vec<usize>> = degraded.parts.iter().map(|p| p.iter().map(|n| n.index()).collect()).collect();
            prop_assert_eq!(found, expected);
        }
    }
}

/// Versions a node or the cluster may state in `no_version_is_ever_downgraded`.
const VERSIONS: [&str; 4] = ["11.9.0", "12.2.4", "12.2.4-46412", "12.2.10-50000"];

/// A one-site cluster whose nodes state the versions `nodes` (an index into `VERSIONS`, or
/// none), and the cluster `cluster`.
fn versioned(cluster: Option<usize>, nodes: &[Option<usize>]) -> String {
    let mut text = String::from("[cluster]\nname = \"p\"\nmanagement_node = \"n-0\"\n");
    if let Some(version) = cluster {
        let _ = writeln!(text, "version = \"{}\"", VERSIONS[version]);
    }
    text.push_str("\n[ntp]\nservers = [\"10.0.0.1\"]\n\n[sites.s]\nsubnet = \"10.1.0.0/24\"\n");
    for (index, version) in nodes.iter().enumerate() {
        let _ = write!(
            text,
            "\n[nodes.n-{index}]\nsite = \"s\"\naddress = \"10.1.0.{}\"\n",
            index + 10
        );
        if let Some(version) = version {
            let _ = writeln!(text, "version = \"{}\"", VERSIONS[*version]);
        }
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The reference is the cluster's version, else the one most nodes state (the highest on
    /// a tie); a node behind it is told to upgrade to it, a node ahead of it is never told to
    /// go back; without a cluster version, a node that states none is reported.
    #[test]
    fn no_version_is_ever_downgraded(
        cluster in proptest::option::of(0..VERSIONS.len()),
        nodes in proptest::collection::vec(proptest::option::of(0..VERSIONS.len()), 2..6),
    ) {
        let checked = common::check(&Source::new("versions.toml", versioned(cluster, &nodes)));
        let findings: Vec<_> = checked
            .report
            .diagnostics
            .iter()
            .map(|d| &d.finding)
            .filter(|f| f.lint.code == "version-mismatch")
            .collect();
        let reference = cluster.or_else(|| {
            let stated: Vec<usize> = nodes.iter().flatten().copied().collect();
            (0..VERSIONS.len())
                .filter(|v| stated.contains(v))
                .max_by_key(|v| (stated.iter().filter(|s| *s == v).count(), *v))
        });
        for (index, version) in nodes.iter().enumerate() {
            let name = format!("n-{index}");
            let about: Vec<_> = findings.iter().filter(|f| f.nodes == [name.clone()]).collect();
            let expected = match (version, reference) {
                (_, None) => false,
                (Some(v), Some(r)) => *v != r,
                (None, Some(_)) => cluster.is_none(),
            };
            prop_assert_eq!(about.len(), usize::from(expected), "{}: {:?}", name, about);
            // `VERSIONS` is in ascending order: a higher index is a newer version.
            for finding in about {
                let help = finding.help.clone().unwrap_or_default();
                prop_assert!(!help.contains("downgrade"), "{}", help);
                let reference = reference.expect("a reference");
                match version {
                    // Ahead of the reference: the others are to come up to it.
                    Some(v) if *v > reference => prop_assert!(
                        help.contains(&format!("upgrade the other nodes to {}", VERSIONS[*v]))
                            || help.contains(&format!("upgrade them to {}", VERSIONS[*v])),
                        "{}",
                        help
                    ),
                    Some(_) => prop_assert!(
                        help.contains(&format!("upgrade `{name}` to {}", VERSIONS[reference])),
                        "{}",
                        help
                    ),
                    None => prop_assert!(help.contains(VERSIONS[reference]), "{}", help),
                }
            }
        }
    }
}

/// A one-site cluster whose nodes have the update flags `flags` (automatic, from internet,
/// from nodes), all in the site's update group.
fn with_updates(flags: &[(bool, bool, bool)]) -> String {
    let mut text = String::from(
        "[cluster]\nname = \"p\"\nmanagement_node = \"n-0\"\n\n[ntp]\nservers = [\"192.0.2.1\"]\n\n[sites.s]\n",
    );
    for (index, (automatic, internet, nodes)) in flags.iter().enumerate() {
        let _ = write!(
            text,
            "\n[nodes.n-{index}]\nsite = \"s\"\naddress = \"10.1.0.{}\"\nupdates = {{ automatic = {automatic}, from_internet = {internet}, from_nodes = {nodes} }}\n",
            index + 10
        );
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The nodes named are exactly those the seed's procedure never updates: every node with
    /// `automatic` and `from_internet` updates itself and every other node of its group that
    /// has `from_nodes`; where no node has `automatic`, updates are by hand and nothing is
    /// named.
    #[test]
    fn the_nodes_that_never_update_are_named_exactly(
        flags in proptest::collection::vec((any::<bool>(), any::<bool>(), any::<bool>()), 1..6),
    ) {
        let checked = common::check(&Source::new("updates.toml", with_updates(&flags)));
        let mut updated = vec![false; flags.len()];
        for (source, &(automatic, internet, _)) in flags.iter().enumerate() {
            if automatic && internet {
                for (node, &(_, _, from_nodes)) in flags.iter().enumerate() {
                    if node == source || from_nodes {
                        updated[node] = true;
                    }
                }
            }
        }
        let by_hand = flags.iter().all(|&(automatic, _, _)| !automatic);
        let expected: Vec<String> = (0..flags.len())
            .filter(|&node| !by_hand && !updated[node])
            .map(|node| format!("n-{node}"))
            .collect();
        let named: Vec<String> = checked
            .report
            .diagnostics
            .iter()
            .filter(|d| d.finding.lint.code == "update-group-without-source")
            .flat_map(|d| d.finding.nodes.clone())
            .collect();
        prop_assert_eq!(named, expected);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The order `diff` gives for adding nodes: the first starts the cluster, and every other
    /// joins from a node already in it with which it shares a network group.
    #[test]
    fn every_node_joins_from_one_already_in_the_cluster_that_shares_a_group(layout in layouts()) {
        let checked = common::check(&Source::new("random.toml", layout.toml()));
        let model = checked.model.expect("random layouts resolve");
        let steps: Vec<(&str, Option<&str>)> = topoc::analysis::join::order(&model, &BTreeSet::new())
            .iter()
            .map(|step| (model.node(step.node).name.as_str(), step.from.map(|from| model.node(from).name.as_str())))
            .collect();
        let mut joined: BTreeSet<&str> = BTreeSet::new();
        for (index, (node, from)) in steps.iter().enumerate() {
            match from {
                None => prop_assert_eq!(index, 0),
                Some(from) => {
                    prop_assert!(joined.contains(from), "{} joins from {} before it joined", node, from);
                    let groups = |name: &str| -> BTreeSet<String> {
                        let id = model.nodes.iter().position(|n| n.name == name).expect("node");
                        model.network_group_names(&model.nodes[id].network_groups).into_iter().collect()
                    };
                    prop_assert!(!groups(node).is_disjoint(&groups(from)), "{} and {} share no group", node, from);
                }
            }
            prop_assert!(joined.insert(node), "{} joins twice", node);
        }
        // Every node of the management node's part joins; a cut-off part cannot.
        let reachable = layout.parts_without(None).iter().find(|part| part.contains(&0)).map_or(0, Vec::len);
        prop_assert_eq!(steps.len(), reachable);
    }
}
