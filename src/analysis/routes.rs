//! Routes: how a message from one node reaches each other node, hop by hop.
//!
//! A breadth-first search from the source over node → its groups → their members. Each
//! group is scanned at most once per search, so one search costs the size of the file, and
//! groups and members are taken in id order, so every route is the same on every run: of
//! the shortest routes, the one through the lowest group and node ids.

use std::collections::{BTreeSet, VecDeque};

use crate::model::{GroupId, Model, NodeId};

/// Which routes an output or a comparison covers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RouteExtent {
    /// The routes from the management node (else the first node): one search.
    #[default]
    FromManagementNode,
    /// The routes between every pair of nodes: a search per node, output that grows with
    /// the square of the cluster.
    AllPairs,
}

/// Routes from one node to every other.
#[derive(Debug, Clone)]
pub struct RoutingTable {
    pub source: NodeId,
    /// Per destination: hops from the source; `None` when unreachable (and for the source).
    hops: Vec<Option<u32>>,
    /// Per destination: the previous node on the route and the group of the last hop.
    previous: Vec<Option<(NodeId, GroupId)>>,
}

/// One hop of a route: to `node`, through network group `group`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hop {
    pub node: NodeId,
    pub group: GroupId,
}

/// Reusable space for many searches over one model.
#[derive(Debug)]
pub struct Router<'m> {
    model: &'m Model,
    group_seen: Vec<bool>,
    queue: VecDeque<NodeId>,
    /// Nodes no route may pass through or end at (what-if pictures).
    down: Vec<bool>,
}

impl<'m> Router<'m> {
    pub fn new(model: &'m Model) -> Self {
        Self {
            model,
            group_seen: vec![false; model.network_groups.len()],
            queue: VecDeque::new(),
            down: vec![false; model.nodes.len()],
        }
    }

    /// Routes that never pass through `nodes`, as if they were down. A route from a node
    /// that is down still starts there; nothing is reached through it but its groups.
    #[must_use]
    pub fn avoiding(mut self, nodes: &BTreeSet<NodeId>) -> Self {
        for node in nodes {
            self.down[node.index()] = true;
        }
        self
    }

    /// Every route from `source`.
    pub fn from(&mut self, source: NodeId) -> RoutingTable {
        let model = self.model;
        let count = model.nodes.len();
        let mut hops = vec![None; count];
        let mut previous = vec![None; count];
        self.group_seen.fill(false);
        self.queue.clear();
        hops[source.index()] = Some(0);
        self.queue.push_back(source);
        while let Some(node) = self.queue.pop_front() {
            let here = hops[node.index()].unwrap_or_default();
            for group in &model.node(node).network_groups {
                let group = group.value;
                if std::mem::replace(&mut self.group_seen[group.index()], true) {
                    continue;
                }
                for &member in &model.network_group(group).members {
                    if hops[member.index()].is_none() && !self.down[member.index()] {
                        hops[member.index()] = Some(here + 1);
                        previous[member.index()] = Some((node, group));
                        self.queue.push_back(member);
                    }
                }
            }
        }
        hops[source.index()] = None;
        RoutingTable {
            source,
            hops,
            previous,
        }
    }
}

impl RoutingTable {
    /// Hops to `destination`, if it is reachable and not the source.
    pub fn hops(&self, destination: NodeId) -> Option<u32> {
        self.hops[destination.index()]
    }

    /// The hops from the source to `destination`, in order; empty when unreachable.
    pub fn route(&self, destination: NodeId) -> Vec<Hop> {
        let mut route = Vec::new();
        let mut at = destination;
        while let Some((previous, group)) = self.previous[at.index()] {
            route.push(Hop { node: at, group });
            at = previous;
        }
        route.reverse();
        route
    }

    /// The first node on the route to `destination`.
    pub fn next_hop(&self, destination: NodeId) -> Option<Hop> {
        let mut at = destination;
        let mut last = None;
        while let Some((previous, group)) = self.previous[at.index()] {
            last = Some(Hop { node: at, group });
            at = previous;
        }
        last
    }
}
