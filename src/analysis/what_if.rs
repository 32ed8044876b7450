//! What if nodes, sites or groups fail: which nodes lose contact, and how much each single
//! node holds the cluster together.

use std::collections::BTreeSet;

use petgraph::graph::NodeIndex;
use petgraph::unionfind::UnionFind;

use crate::analysis::{Analysis, Vertex};
use crate::model::{GroupId, Model, NodeId};

/// The cluster with some nodes and groups gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Degraded {
    /// The parts the remaining nodes fall into, each in id order, in the order of their
    /// first node.
    pub parts: Vec<Vec<NodeId>>,
    /// Pairs of remaining nodes that reached each other before and no longer do.
    pub lost_pairs: u64,
}

/// Removes `nodes` and `groups` and sees what holds together. Linear in the size of the file.
pub fn degrade(
    model: &Model,
    analysis: &Analysis,
    nodes: &BTreeSet<NodeId>,
    groups: &BTreeSet<GroupId>,
) -> Degraded {
    let graph = &analysis.graph;
    let gone = |vertex: NodeIndex| match graph[vertex] {
        Vertex::Node(node) => nodes.contains(&node),
        Vertex::Group(group) => groups.contains(&group),
    };
    let mut union = UnionFind::new(graph.node_count());
    for edge in graph.raw_edges() {
        if !gone(edge.source()) && !gone(edge.target()) {
            union.union(edge.source().index(), edge.target().index());
        }
    }
    let mut part_of_root = vec![usize::MAX; graph.node_count()];
    let mut parts: Vec<Vec<NodeId>> = Vec::new();
    for node in model.node_ids().filter(|node| !nodes.contains(node)) {
        let root = union.find_mut(node.index());
        if part_of_root[root] == usize::MAX {
            part_of_root[root] = parts.len();
            parts.push(Vec::new());
        }
        parts[part_of_root[root]].push(node);
    }
    // Pairs lost: within each original part, the pairs the new parts no longer join.
    let mut lost_pairs = 0u64;
    let mut sizes_by_original: Vec<Vec<u64>> = vec![Vec::new(); analysis.parts.len()];
    for part in &parts {
        sizes_by_original[analysis.part_of[part[0].index()]].push(part.len() as u64);
    }
    for sizes in &sizes_by_original {
        lost_pairs += pairs_between(sizes);
    }
    Degraded { parts, lost_pairs }
}

/// Pairs with their two ends in different ones of groups of these sizes.
pub(crate) fn pairs_between(sizes: &[u64]) -> u64 {
    let total: u64 = sizes.iter().sum();
    let squares: u64 = sizes.iter().map(|s| s * s).sum();
    (total * total - squares) / 2
}

/// For every node, how many pairs of other nodes lose contact when it alone fails: one
/// depth-first search over the node–group graph, counting the nodes below each vertex, so the
/// parts a node's loss leaves are known without removing it.
pub fn each(model: &Model, analysis: &Analysis) -> Vec<u64> {
    let mut lost = crate::analysis::resilience::losses(analysis, None);
    lost.truncate(model.nodes.len());
    lost
}
