//! The order in which nodes join a cluster: each from a node already in it with which it
//! shares a network group (so that the firewalls between them allow the connection), the
//! management node first. `diff` uses it for added nodes, the join plan for a whole cluster,
//! the upgrade plan to add the nodes back.

use std::collections::{BTreeSet, VecDeque};

use crate::model::{GroupId, Model, NodeId};
use crate::syntax::Kind;

/// One node joining: from a node already in the cluster, over a network group they share
/// (none for the first node, and none in a SEG cluster, whose servers all talk).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub node: NodeId,
    pub from: Option<NodeId>,
    pub group: Option<GroupId>,
}

/// The nodes of `model` not named in `before`, in an order in which each joins from a node
/// already in the cluster: a breadth-first walk from the nodes already in it (or from the
/// management node, else the first node, when every node is new). Nodes no joined node
/// reaches are left out. Each group is walked once, from the first joined member that
/// reaches it: linear in the memberships, never every pair of a group.
pub fn order(model: &Model, before: &BTreeSet<&str>) -> Vec<Step> {
    let mut joined: Vec<bool> = model
        .node_ids()
        .map(|id| before.contains(model.node(id).name.as_str()))
        .collect();
    let mut queue: VecDeque<NodeId> = model.node_ids().filter(|&id| joined[id.index()]).collect();
    let mut steps = Vec::new();
    if queue.is_empty()
        && let Some(start) = model.start_node()
    {
        joined[start.index()] = true;
        queue.push_back(start);
        steps.push(Step {
            node: start,
            from: None,
            group: None,
        });
    }
    let mut walked = vec![false; model.network_groups.len()];
    let mut everyone_walked = false;
    while let Some(at) = queue.pop_front() {
        let mut neighbours: Vec<(NodeId, Option<GroupId>)> = Vec::new();
        if model.cluster.kind == Kind::Seg {
            if !everyone_walked {
                everyone_walked = true;
                neighbours.extend(model.node_ids().map(|id| (id, None)));
            }
        } else {
            for group in &model.node(at).network_groups {
                let group = group.value;
                if !walked[group.index()] {
                    walked[group.index()] = true;
                    let members = &model.network_group(group).members;
                    neighbours.extend(members.iter().map(|&member| (member, Some(group))));
                }
            }
        }
        for (next, group) in neighbours {
            if !joined[next.index()] {
                joined[next.index()] = true;
                queue.push_back(next);
                steps.push(Step {
                    node: next,
                    from: Some(at),
                    group,
                });
            }
        }
    }
    steps
}
