//! The path structure of a topology: which nodes reach which, and which nodes hold it
//! together.
//!
//! Central Management messages travel between nodes that share a network group, and on
//! through nodes that sit in several groups. The graph has one vertex per node and one per
//! network group, with an edge from each node to each of its groups, so its size is the
//! size of the file: a group of a thousand nodes is a thousand edges, never the half
//! million of a clique. A group with a single member joins nothing and is left out, so
//! that every group vertex in the graph leads to at least two nodes.

pub mod join;
pub mod resilience;
pub mod routes;
pub mod what_if;

use petgraph::algo::articulation_points::articulation_points;
use petgraph::graph::{NodeIndex, UnGraph};
use petgraph::unionfind::UnionFind;

use crate::model::{GroupId, Model, NodeId};

/// A vertex of the topology graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vertex {
    Node(NodeId),
    Group(GroupId),
}

#[derive(Debug)]
pub struct Analysis {
    /// Node vertices come first, at the index of their node id.
    pub graph: UnGraph<Vertex, ()>,
    /// The connected parts: nodes in id order, parts in the order of their first node.
    pub parts: Vec<Vec<NodeId>>,
    /// For each node, the index of its part in `parts`.
    pub part_of: Vec<usize>,
    /// Nodes whose loss cuts other nodes off from each other, in id order.
    pub single_points_of_failure: Vec<NodeId>,
}

pub fn analyze(model: &Model) -> Analysis {
    let graph = build_graph(model);
    let (parts, part_of) = parts(&graph, model.nodes.len());
    let mut single_points_of_failure: Vec<NodeId> = articulation_points(&graph)
        .into_iter()
        .filter_map(|vertex| match graph[vertex] {
            Vertex::Node(node) => Some(node),
            Vertex::Group(_) => None,
        })
        .collect();
    single_points_of_failure.sort_unstable();
    Analysis {
        graph,
        parts,
        part_of,
        single_points_of_failure,
    }
}

fn build_graph(model: &Model) -> UnGraph<Vertex, ()> {
    let joining = model
        .network_groups
        .iter()
        .filter(|group| group.members.len() >= 2);
    let group_count = joining.clone().count();
    let edge_count = joining.clone().map(|group| group.members.len()).sum();
    let mut graph = UnGraph::with_capacity(model.nodes.len() + group_count, edge_count);
    for node in model.node_ids() {
        graph.add_node(Vertex::Node(node));
    }
    for (index, group) in model.network_groups.iter().enumerate() {
        if group.members.len() < 2 {
            continue;
        }
        let vertex = graph.add_node(Vertex::Group(GroupId(index)));
        for member in &group.members {
            graph.add_edge(NodeIndex::new(member.index()), vertex, ());
        }
    }
    graph
}

fn parts(graph: &UnGraph<Vertex, ()>, node_count: usize) -> (Vec<Vec<NodeId>>, Vec<usize>) {
    let mut union = UnionFind::new(graph.node_count());
    for edge in graph.raw_edges() {
        union.union(edge.source().index(), edge.target().index());
    }
    let mut part_of_root = vec![usize::MAX; graph.node_count()];
    let mut parts: Vec<Vec<NodeId>> = Vec::new();
    let mut part_of = Vec::with_capacity(node_count);
    for node in 0..node_count {
        let root = union.find_mut(node);
        if part_of_root[root] == usize::MAX {
            part_of_root[root] = parts.len();
            parts.push(Vec::new());
        }
        parts[part_of_root[root]].push(NodeId(node));
        part_of.push(part_of_root[root]);
    }
    (parts, part_of)
}
