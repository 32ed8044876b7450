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
fn pairs_between(sizes: &[u64]) -> u64 {
    let total: u64 = sizes.iter().sum();
    let squares: u64 = sizes.iter().map(|s| s * s).sum();
    (total * total - squares) / 2
}

/// For every node, how many pairs of other nodes lose contact when it alone fails: one
/// depth-first search over the node–group graph, counting the nodes below each vertex, so the
/// parts a node's loss leaves are known without removing it.
pub fn each(model: &Model, analysis: &Analysis) -> Vec<u64> {
    let graph = &analysis.graph;
    let count = graph.node_count();
    let is_node = |vertex: usize| matches!(graph[NodeIndex::new(vertex)], Vertex::Node(_));
    let (mut discovered, mut low, mut below) =
        (vec![usize::MAX; count], vec![0; count], vec![0u64; count]);
    let mut parent = vec![usize::MAX; count];
    // Per node vertex: the node counts of the child subtrees its loss cuts off.
    let mut cut_off: Vec<Vec<u64>> = vec![Vec::new(); count];
    let mut time = 0;
    let mut lost = vec![0u64; model.nodes.len()];
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
            if let Vertex::Node(node) = graph[NodeIndex::new(vertex)] {
                let cut: u64 = parts.iter().sum();
                // Above the vertex: the rest of the component, the vertex itself not counted.
                let rest = component_nodes - 1 - cut;
                if rest > 0 {
                    parts.push(rest);
                }
                lost[node.index()] = pairs_between(parts);
            }
            parts.clear();
        }
    }
    lost
}
