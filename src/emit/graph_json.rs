//! `topoc graph --format json`: the picture's nodes, groups and memberships, for scripts
//! (its schema is `schemas/graph.schema.json`).

use schemars::JsonSchema;
use serde::Serialize;

use super::graph::Overlay;
use crate::model::{GroupId, Model};

/// `topoc graph --format json`: the nodes, the network groups, and an edge per membership
/// (a node in a group), never an edge per pair of members.
#[derive(Debug, Serialize, JsonSchema)]
pub struct GraphJson {
    pub cluster: String,
    pub nodes: Vec<GraphNode>,
    pub groups: Vec<GraphGroup>,
    /// One per membership: the node, the network group.
    pub edges: Vec<GraphEdge>,
}

// Independent properties of a node, each a JSON boolean for scripts: no state machine.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Serialize, JsonSchema)]
pub struct GraphNode {
    pub name: String,
    pub site: String,
    pub address: String,
    /// Administrators attach the GUI here (swg), or the master (seg).
    pub management: bool,
    /// Declared `transit = true`.
    pub transit: bool,
    /// In two or more network groups: messages cross it.
    pub relays: bool,
    /// Drawn as failed (`--down`).
    pub down: bool,
    /// On the highlighted route (`--highlight-route`).
    pub on_route: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct GraphGroup {
    pub name: String,
    pub members: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct GraphEdge {
    pub node: String,
    pub group: String,
    /// The highlighted route uses this membership.
    pub on_route: bool,
}

/// The graph of `model` with `overlay`, for scripts.
pub fn json_with(model: &Model, overlay: &Overlay) -> GraphJson {
    let nodes = model
        .node_ids()
        .map(|id| {
            let node = model.node(id);
            GraphNode {
                name: node.name.clone(),
                site: model.site(node.site.value).name.clone(),
                address: node.address.value.to_string(),
                management: model.is_management_node(id),
                transit: model.is_declared_transit(id),
                relays: model.relays(id),
                down: overlay.down.contains(&id),
                on_route: overlay.route_nodes.contains(&id),
            }
        })
        .collect();
    let groups = model
        .network_groups
        .iter()
        .map(|group| GraphGroup {
            name: group.name.clone(),
            members: model.node_names(&group.members),
        })
        .collect();
    let mut edges = Vec::new();
    for (index, group) in model.network_groups.iter().enumerate() {
        for &member in &group.members {
            edges.push(GraphEdge {
                node: model.node(member).name.clone(),
                group: group.name.clone(),
                on_route: overlay.route_edges.contains(&(member, GroupId(index))),
            });
        }
    }
    GraphJson {
        cluster: model.cluster.name.value.clone(),
        nodes,
        groups,
        edges,
    }
}
