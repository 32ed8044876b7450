//! Declared resilience and assertions against brute force on small random topologies: every
//! failing set `analysis::resilience::cuts` reports is real (its loss parts surviving
//! nodes), with the pairs it cuts counted right, and none is missed; every `[[assert]]` is
//! found false exactly when it is.

mod common;

use std::collections::BTreeSet;
use std::fmt::Write as _;

use proptest::prelude::*;
use topoc::analysis::resilience::{Cut, FailingSet, Failure, cuts};
use topoc::source::Source;

/// A topology as memberships and sites: `groups[node]`, `site[node]`.
#[derive(Debug, Clone)]
struct Layout {
    groups: Vec<BTreeSet<usize>>,
    site: Vec<usize>,
    sites: usize,
}

fn layouts() -> impl Strategy<Value = Layout> {
    (1usize..=9, 1usize..=5, 1usize..=3).prop_flat_map(|(nodes, groups, sites)| {
        (
            proptest::collection::vec(proptest::collection::btree_set(0..groups, 0..=3), nodes),
            proptest::collection::vec(0..sites, nodes),
        )
            .prop_map(move |(groups, site)| Layout {
                groups,
                site,
                sites,
            })
    })
}

impl Layout {
    fn toml(&self) -> String {
        let mut text = String::from("[cluster]\nname = \"random\"\n");
        for site in 0..self.sites {
            let _ = write!(text, "\n[sites.s{site}]\n");
        }
        for (node, groups) in self.groups.iter().enumerate() {
            let list: Vec<String> = groups.iter().map(|g| format!("\"g{g}\"")).collect();
            let _ = write!(
                text,
                "\n[nodes.n{node}]\nsite = \"s{}\"\naddress = \"10.0.0.{}\"\nnetwork_groups = [{}]\n",
                self.site[node],
                node + 1,
                list.join(", ")
            );
        }
        text
    }

    /// For each surviving node, the index of its part, with `nodes` and `groups` gone.
    fn parts(&self, nodes: &BTreeSet<usize>, groups: &BTreeSet<usize>) -> Vec<Option<usize>> {
        let n = self.groups.len();
        let adjacent = |a: usize, b: usize| {
            a != b
                && self.groups[a]
                    .intersection(&self.groups[b])
                    .any(|g| !groups.contains(g))
        };
        let mut part = vec![None; n];
        let mut count = 0;
        for start in (0..n).filter(|v| !nodes.contains(v)) {
            if part[start].is_some() {
                continue;
            }
            part[start] = Some(count);
            let mut stack = vec![start];
            while let Some(v) = stack.pop() {
                let next: Vec<usize> = (0..n)
                    .filter(|&w| !nodes.contains(&w) && part[w].is_none() && adjacent(v, w))
                    .collect();
                for w in next {
                    part[w] = Some(count);
                    stack.push(w);
                }
            }
            count += 1;
        }
        part
    }

    /// Pairs of surviving nodes that reached each other and no longer do.
    fn lost(&self, nodes: &BTreeSet<usize>, groups: &BTreeSet<usize>) -> u64 {
        let before = self.parts(&BTreeSet::new(), &BTreeSet::new());
        let after = self.parts(nodes, groups);
        let n = self.groups.len();
        let mut lost = 0;
        for a in (0..n).filter(|v| !nodes.contains(v)) {
            for b in (a + 1..n).filter(|v| !nodes.contains(v)) {
                if before[a] == before[b] && after[a] != after[b] {
                    lost += 1;
                }
            }
        }
        lost
    }

    /// Every smallest failing set of `failure`, as the brute force finds it.
    fn failing(&self, failure: Failure) -> Vec<(Vec<usize>, u64)> {
        let n = self.groups.len();
        let none = BTreeSet::new();
        let cut = |nodes: &BTreeSet<usize>, groups: &BTreeSet<usize>| self.lost(nodes, groups);
        let mut found = Vec::new();
        match failure {
            Failure::Nodes(count) => {
                for v in 0..n {
                    let lost = cut(&BTreeSet::from([v]), &none);
                    if lost > 0 {
                        found.push((vec![v], lost));
                    }
                }
                if count >= 2 && found.is_empty() {
                    for u in 0..n {
                        for v in u + 1..n {
                            let lost = cut(&BTreeSet::from([u, v]), &none);
                            if lost > 0 {
                                found.push((vec![u, v], lost));
                            }
                        }
                    }
                }
            }
            Failure::Site => {
                for site in 0..self.sites {
                    let nodes = (0..n).filter(|&v| self.site[v] == site).collect();
                    let lost = cut(&nodes, &none);
                    if lost > 0 {
                        found.push((vec![site], lost));
                    }
                }
            }
            Failure::Group => {
                let all: BTreeSet<usize> = self.groups.iter().flatten().copied().collect();
                for group in all {
                    let lost = cut(&none, &BTreeSet::from([group]));
                    if lost > 0 {
                        found.push((vec![group], lost));
                    }
                }
            }
        }
        found
    }
}

/// The number in a name such as `n3`, `s1` or `g4`.
fn number(name: &str) -> usize {
    name[1..].parse().expect("a generated name")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_failing_set_is_real_and_none_is_missed(layout in layouts()) {
        let source = Source::new("random.toml", layout.toml());
        let checked = common::check(&source);
        let (Some(model), Some(analysis)) = (&checked.model, &checked.analysis) else {
            return Err(TestCaseError::fail(format!("resolves: {}", layout.toml())));
        };
        for failure in [Failure::Nodes(1), Failure::Nodes(2), Failure::Site, Failure::Group] {
            let (reported, total) = cuts(model, analysis, failure, usize::MAX);
            let as_numbers: Vec<(Vec<usize>, u64)> = reported
                .iter()
                .map(|Cut { set, pairs }| {
                    let numbers = match set {
                        FailingSet::Nodes(nodes) => nodes
                            .iter()
                            .map(|&node| number(&model.node(node).name))
                            .collect(),
                        FailingSet::Site(site) => vec![number(&model.site(*site).name)],
                        FailingSet::Group(group) => {
                            vec![number(&model.network_group(*group).name)]
                        }
                    };
                    (numbers, *pairs)
                })
                .collect();
            let mut sorted = as_numbers.clone();
            sorted.sort();
            let mut expected = layout.failing(failure);
            expected.sort();
            prop_assert_eq!(&sorted, &expected, "{:?} in {}", failure, layout.toml());
            prop_assert_eq!(total, expected.len() as u64);
        }
    }
}

/// Keeping fewer still counts them all, and keeps the first.
#[test]
fn a_limited_list_counts_every_failing_set() {
    let layout = Layout {
        groups: vec![
            BTreeSet::from([0]),
            BTreeSet::from([0, 1]),
            BTreeSet::from([1, 2]),
            BTreeSet::from([2]),
        ],
        site: vec![0, 0, 0, 0],
        sites: 1,
    };
    let source = Source::new("chain.toml", layout.toml());
    let checked = common::check(&source);
    let (model, analysis) = (
        checked.model.as_ref().expect("model"),
        checked.analysis.as_ref().expect("analysis"),
    );
    let (kept, total) = cuts(model, analysis, Failure::Nodes(1), 1);
    assert_eq!(total, 2, "n1 and n2 each split the chain");
    assert_eq!(kept.len(), 1);
    assert_eq!(
        kept[0].set,
        FailingSet::Nodes(vec![topoc::model::NodeId(1)])
    );
    assert_eq!(kept[0].pairs, 2, "n0 from n2 and n3");
}

/// One `[[assert]]` over a layout's nodes: the claim, two nodes, and for `reach` the
/// optional hop limit and node every route must pass.
#[derive(Debug, Clone)]
struct Claim {
    kind: usize,
    a: usize,
    b: usize,
    max_hops: Option<u32>,
    via: Option<usize>,
}

impl Layout {
    /// Hops from `a` to `b` with `down` gone, by breadth-first search over shared groups.
    fn hops(&self, a: usize, b: usize, down: Option<usize>) -> Option<u32> {
        let n = self.groups.len();
        let mut hops = vec![None; n];
        hops[a] = Some(0);
        let mut queue = std::collections::VecDeque::from([a]);
        while let Some(v) = queue.pop_front() {
            for w in 0..n {
                if hops[w].is_none()
                    && Some(w) != down
                    && w != v
                    && !self.groups[v].is_disjoint(&self.groups[w])
                {
                    hops[w] = hops[v].map(|h| h + 1);
                    queue.push_back(w);
                }
            }
        }
        hops[b]
    }

    /// Whether `claim` holds, as the brute force sees it (update and runtime groups are
    /// each node's site, the default).
    fn holds(&self, claim: &Claim) -> bool {
        let (a, b) = (claim.a, claim.b);
        match claim.kind {
            0 => {
                let Some(hops) = self.hops(a, b, None) else {
                    return false;
                };
                claim.max_hops.is_none_or(|most| hops <= most)
                    && claim
                        .via
                        .is_none_or(|via| self.hops(a, b, Some(via)).is_none())
            }
            1 => self.groups[a].is_disjoint(&self.groups[b]),
            2 => self.site[a] == self.site[b],
            _ => self.site[a] != self.site[b],
        }
    }

    fn with_assert(&self, claim: &Claim) -> String {
        let key = [
            "reach",
            "not_direct",
            "same_update_group",
            "different_runtime_group",
        ][claim.kind];
        let mut text = self.toml();
        let _ = write!(
            text,
            "\n[[assert]]\n{key} = [\"n{}\", \"n{}\"]\n",
            claim.a, claim.b
        );
        if let Some(most) = claim.max_hops {
            let _ = writeln!(text, "max_hops = {most}");
        }
        if let Some(via) = claim.via {
            let _ = writeln!(text, "via = \"n{via}\"");
        }
        text
    }
}

fn layouts_with_claims() -> impl Strategy<Value = (Layout, Claim)> {
    layouts()
        .prop_filter("two nodes at least", |layout| layout.groups.len() >= 2)
        .prop_flat_map(|layout| {
            let n = layout.groups.len();
            (
                Just(layout),
                0usize..4,
                0..n,
                1..n,
                proptest::option::of(1u32..4),
                proptest::option::of(0..n),
            )
        })
        .prop_map(|(layout, kind, a, offset, max_hops, via)| {
            let n = layout.groups.len();
            let b = (a + offset) % n;
            let reach = kind == 0;
            let claim = Claim {
                kind,
                a,
                b,
                max_hops: max_hops.filter(|_| reach),
                via: via.filter(|&via| reach && via != a && via != b),
            };
            (layout, claim)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn an_assertion_is_reported_false_exactly_when_it_is((layout, claim) in layouts_with_claims()) {
        let text = layout.with_assert(&claim);
        let source = Source::new("random.toml", text.clone());
        let checked = common::check(&source);
        let codes = common::codes(&checked);
        prop_assert!(checked.model.is_some(), "resolves: {:?} in {}", codes, text);
        // A cluster already split is reported as such; the claims still stand on their own.
        let reported = codes.contains(&"assert");
        prop_assert_eq!(reported, !layout.holds(&claim), "{:?}: {}", claim, text);
    }
}
