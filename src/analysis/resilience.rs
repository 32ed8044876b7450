//! Declared resilience, proved exhaustively: which sets of one or two nodes, one site or one
//! network group cut surviving nodes off from each other.
//!
//! One depth-first search over the node–group graph counts, for every vertex, the pairs of
//! surviving nodes its loss separates (the nodes below each vertex are counted, so the parts
//! a loss leaves are known without removing anything). That proves one node or one group
//! in linear time. Two nodes: one such search per node with that node already gone, so
//! `n` searches of the file's size instead of the `n²` pairs each tried on its own. A site:
//! its nodes removed at once, one site at a time.

use std::collections::BTreeSet;

use petgraph::graph::NodeIndex;

use crate::analysis::what_if::{degrade, pairs_between};
use crate::analysis::{Analysis, Vertex};
use crate::model::{GroupId, Model, NodeId, SiteId};

/// What may fail at once while every surviving node still reaches every other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Any set of this many nodes (1 or 2).
    Nodes(u32),
    /// Any one whole site.
    Site,
    /// Any one network group stops carrying traffic, its members alive.
    Group,
}

/// A set whose failure cuts surviving nodes off from each other, and how many pairs of
/// them it separates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut {
    pub set: FailingSet,
    /// Pairs of surviving nodes that reached each other before and no longer do.
    pub pairs: u64,
}

/// What fails in a [`Cut`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum FailingSet {
    /// One or two nodes, in id order.
    Nodes(Vec<NodeId>),
    Site(SiteId),
    Group(GroupId),
}

/// Every smallest failing set of `failure`, in order, at most `keep` of them listed; and how
/// many there are in all. For `Nodes(2)`, single nodes that cut already are the smallest
/// sets, and pairs are looked for only where no single node cuts.
pub fn cuts(model: &Model, analysis: &Analysis, failure: Failure, keep: usize) -> (Vec<Cut>, u64) {
    let mut found = Vec::new();
    let mut total = 0u64;
    let mut add = |cut: Cut| {
        total += 1;
        if found.len() < keep {
            found.push(cut);
        }
    };
    match failure {
        Failure::Nodes(count) => {
            let single = losses(analysis, None);
            let mut any = false;
            for node in model.node_ids() {
                let pairs = single[node.index()];
                if pairs > 0 {
                    any = true;
                    add(Cut {
                        set: FailingSet::Nodes(vec![node]),
                        pairs,
                    });
                }
            }
            if count >= 2 && !any {
                for first in model.node_ids() {
                    let after = losses(analysis, Some(first.index()));
                    for second in model.node_ids().filter(|second| *second > first) {
                        let pairs = after[second.index()];
                        if pairs > 0 {
                            add(Cut {
                                set: FailingSet::Nodes(vec![first, second]),
                                pairs,
                            });
                        }
                    }
                }
            }
        }
        Failure::Group => {
            let single = losses(analysis, None);
            for vertex in analysis.graph.node_indices() {
                if let Vertex::Group(group) = analysis.graph[vertex]
                    && single[vertex.index()] > 0
                {
                    add(Cut {
                        set: FailingSet::Group(group),
                        pairs: single[vertex.index()],
                    });
                }
            }
        }
        Failure::Site => {
            for (index, _) in model.sites.iter().enumerate() {
                let site = SiteId(index);
                let nodes: BTreeSet<NodeId> = model
                    .node_ids()
                    .filter(|node| model.node(*node).site.value == site)
                    .collect();
                let lost = degrade(model, analysis, &nodes, &BTreeSet::new()).lost_pairs;
                if lost > 0 {
                    add(Cut {
                        set: FailingSet::Site(site),
                        pairs: lost,
                    });
                }
            }
        }
    }
    (found, total)
}

/// For every vertex of the graph, the pairs of surviving nodes its loss separates, with the
/// vertex `gone` (if any) already removed. Linear in the size of the graph.
pub(crate) fn losses(analysis: &Analysis, gone: Option<usize>) -> Vec<u64> {
    let graph = &analysis.graph;
    let count = graph.node_count();
    let is_node = |vertex: usize| matches!(graph[NodeIndex::new(vertex)], Vertex::Node(_));
    let (mut discovered, mut low, mut below) =
        (vec![usize::MAX; count], vec![0; count], vec![0u64; count]);
    let mut parent = vec![usize::MAX; count];
    // Per vertex: the node counts of the child subtrees its loss cuts off.
    let mut cut_off: Vec<Vec<u64>> = vec![Vec::new(); count];
    let mut lost = vec![0u64; count];
    if let Some(gone) = gone {
        // Never entered: as if it were not there.
        discovered[gone] = 0;
    }
    let mut time = 1;
    for root in 0..count {
        if discovered[root] != usize::MAX {
            continue;
        }
        let mut component = vec![root];
        discovered[root] = time;
        low[root] = time;
        time += 1;
        below[root] = u64::from(is_node(root));
        // Iterative: each vertex with the rest of its neighbours still to look at.
        let mut stack = vec![(root, graph.neighbors(NodeIndex::new(root)))];
        while let Some((vertex, neighbours)) = stack.last_mut() {
            let vertex = *vertex;
            if let Some(child) = neighbours.next().map(NodeIndex::index) {
                if Some(child) == gone {
                    continue;
                }
                if discovered[child] == usize::MAX {
                    parent[child] = vertex;
                    discovered[child] = time;
                    low[child] = time;
                    time += 1;
                    below[child] = u64::from(is_node(child));
                    component.push(child);
                    stack.push((child, graph.neighbors(NodeIndex::new(child))));
                } else if child != parent[vertex] {
                    low[vertex] = low[vertex].min(discovered[child]);
                }
                continue;
            }
            stack.pop();
            if let Some(&(up, _)) = stack.last() {
                low[up] = low[up].min(low[vertex]);
                below[up] += below[vertex];
                // `vertex`'s subtree hangs on `up` alone: losing `up` cuts it off. For the
                // root this holds for every child.
                if low[vertex] >= discovered[up] {
                    cut_off[up].push(below[vertex]);
                }
            }
        }
        let component_nodes = below[root];
        for &vertex in &component {
            let parts = &mut cut_off[vertex];
            if parts.is_empty() {
                continue;
            }
            let cut: u64 = parts.iter().sum();
            // Above the vertex: the rest of the component, the vertex itself not counted.
            let rest = component_nodes - u64::from(is_node(vertex)) - cut;
            if rest > 0 {
                parts.push(rest);
            }
            lost[vertex] = pairs_between(parts);
            parts.clear();
        }
    }
    lost
}
