//! The vendor's upgrade procedure for this cluster: "remove all appliances from the Central
//! Management cluster before you upgrade ... remove each appliance separately and then update
//! each appliance individually ... add them back" (seed: Central Management). Nodes leave
//! the leaves first, so that no node still in the cluster loses its path to the others: the
//! nodes behind transit nodes, then the transit nodes, the management node last; they come
//! back in join-plan order.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::analysis::join;
use crate::model::{Model, NodeId};

/// One step of the upgrade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// `remove`, `upgrade` or `join`.
    pub action: &'static str,
    pub node: String,
    /// For `join`: the node it is added from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

/// `topoc plan upgrade --format json`.
#[derive(Debug, Serialize)]
pub struct UpgradePlan {
    pub to: String,
    pub steps: Vec<Step>,
}

/// The order nodes leave in: nodes in one network group first, then the nodes in several,
/// the management node last; by name within each.
pub fn removal_order(model: &Model) -> Vec<NodeId> {
    let rank = |id: NodeId| {
        if model.is_management_node(id) {
            2
        } else {
            u8::from(model.relays(id))
        }
    };
    let mut nodes: Vec<NodeId> = model.node_ids().collect();
    nodes.sort_by_key(|&id| (rank(id), id));
    nodes
}

/// The upgrade of every node of `model` to `to`.
pub fn plan(model: &Model, to: &str) -> UpgradePlan {
    let name = |id: NodeId| model.node(id).name.clone();
    let leaving = removal_order(model);
    let mut steps: Vec<Step> = leaving
        .iter()
        .map(|&id| Step {
            action: "remove",
            node: name(id),
            from: None,
        })
        .collect();
    steps.extend(leaving.iter().map(|&id| Step {
        action: "upgrade",
        node: name(id),
        from: None,
    }));
    steps.extend(
        join::order(model, &BTreeSet::new())
            .into_iter()
            .map(|step| Step {
                action: "join",
                node: name(step.node),
                from: step.from.map(name),
            }),
    );
    UpgradePlan {
        to: to.to_owned(),
        steps,
    }
}

/// The plan as Markdown, with a check after each step.
pub fn markdown(model: &Model, plan: &UpgradePlan) -> String {
    use std::fmt::Write as _;
    let mut md = format!(
        "# Upgrade plan for cluster \"{}\" to {}\n\nThe vendor's procedure: take every node out of the cluster, upgrade each on its own, then add them back.\n",
        model.cluster.name.value.replace(['\n', '\r'], " "),
        plan.to
    );
    let mut section = "";
    for (index, step) in plan.steps.iter().enumerate() {
        let (heading, text) = match step.action {
            "remove" => (
                "Remove the nodes from the cluster",
                format!(
                    "Remove `{}` from the cluster; check that the others still list each other (Central Management > nodes).",
                    step.node
                ),
            ),
            "upgrade" => (
                "Upgrade each node on its own",
                format!(
                    "Upgrade `{}` to {}; check that it runs {} after the restart.",
                    step.node, plan.to, plan.to
                ),
            ),
            _ => (
                "Add the nodes back",
                match &step.from {
                    Some(from) => format!(
                        "Add `{}` from the GUI of `{from}`; check that both list each other.",
                        step.node
                    ),
                    None => format!("`{}` starts the cluster again.", step.node),
                },
            ),
        };
        if heading != section {
            section = heading;
            let _ = write!(md, "\n## {heading}\n\n");
        }
        let _ = writeln!(md, "{}. {text}", index + 1);
    }
    md
}
