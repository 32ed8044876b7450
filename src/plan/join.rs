//! The order in which nodes join a cluster: each from a node already in it with which it
//! shares a network group (so that the firewalls between them allow the connection), the
//! management node first. `diff` uses it for added nodes, `plan join` for a whole cluster,
//! `plan upgrade` to add the nodes back.

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
    if queue.is_empty() {
        let start = model
            .cluster
            .management_node
            .as_ref()
            .map(|m| m.value)
            .or_else(|| model.node_ids().next());
        if let Some(start) = start {
            joined[start.index()] = true;
            queue.push_back(start);
            steps.push(Step {
                node: start,
                from: None,
                group: None,
            });
        }
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

/// `topoc plan join --format json`: one step per node.
#[derive(Debug, serde::Serialize)]
pub struct JoinPlan {
    pub steps: Vec<JoinStepJson>,
}

/// A step of [`JoinPlan`]: the node, the node it is added from, the group they share.
#[derive(Debug, serde::Serialize)]
pub struct JoinStepJson {
    pub node: String,
    pub from: Option<String>,
    pub group: Option<String>,
}

/// The join plan of a whole cluster, from nothing.
pub fn plan(model: &Model) -> JoinPlan {
    let name = |id: NodeId| model.node(id).name.clone();
    JoinPlan {
        steps: order(model, &BTreeSet::new())
            .into_iter()
            .map(|step| JoinStepJson {
                node: name(step.node),
                from: step.from.map(name),
                group: step.group.map(|g| model.network_group(g).name.clone()),
            })
            .collect(),
    }
}

/// The address `from` dials to reach `to`: its FQDN, else the address seen from `from`'s
/// NAT realm.
pub fn dialed(model: &Model, from: NodeId, to: NodeId) -> String {
    let node = model.node(to);
    node.fqdn.as_ref().map_or_else(
        || {
            model
                .address_seen_from(to, model.realm_of(from))
                .value
                .to_string()
        },
        |fqdn| fqdn.value.clone(),
    )
}

/// The join plan as Markdown: what must hold before, then each node in order with the
/// connectivity checks to run first in both directions.
pub fn markdown(model: &Model) -> String {
    use std::fmt::Write as _;
    let port = model.cluster.port;
    let name = |id: NodeId| model.node(id).name.as_str();
    let mut md = format!(
        "# Join plan for cluster \"{}\"\n\n## Before you start\n\n",
        model.cluster.name.value.replace(['\n', '\r'], " ")
    );
    let version = model.cluster.version.as_ref().map_or_else(
        || "the same version and build (state it as `version` in `[cluster]`)".to_owned(),
        |v| v.value.clone(),
    );
    let _ = writeln!(md, "1. Every node runs {version}.");
    let servers: Vec<&str> = model.ntp_servers.iter().map(|s| s.value.as_str()).collect();
    if servers.is_empty() {
        md.push_str("2. Every node's clock is within two minutes of the others (configure NTP).\n");
    } else {
        let _ = writeln!(
            md,
            "2. Every node takes its time from {} (Configuration > Date and Time), so that clocks stay within two minutes.",
            servers.join(", ")
        );
    }
    match model.cluster.kind {
        Kind::Swg => md.push_str(
            "3. Every node has the cluster CA imported, certificate and key: `ca.pem` and `ca.key` of the secrets directory (or the files `[ca]` names).\n",
        ),
        Kind::Seg => md.push_str(
            "3. Every node has the cluster's `clusterConfiguration` (with the shared key) from its `integration-service.config.xml` in the secrets directory.\n",
        ),
    }
    md.push_str("\n## Join order\n\n");
    for (index, step) in order(model, &BTreeSet::new()).iter().enumerate() {
        let node = name(step.node);
        let Some(from) = step.from else {
            let _ = writeln!(
                md,
                "{}. `{node}` starts the cluster: configure its Central Management settings first.",
                index + 1
            );
            continue;
        };
        let shared = step.group.map_or_else(String::new, |g| {
            format!(
                " (they share network group `{}`)",
                model.network_group(g).name
            )
        });
        let _ = writeln!(
            md,
            "{}. Add `{node}` from the GUI of `{}`{shared}. First check the connection both ways:\n   - on `{}`: `nc -v -w5 {} {port}`\n   - on `{node}`: `nc -v -w5 {} {port}`\n\n   Adding `{node}` replaces its policy with `{}`'s.",
            index + 1,
            name(from),
            name(from),
            dialed(model, from, step.node),
            dialed(model, step.node, from),
            name(from)
        );
    }
    md
}
