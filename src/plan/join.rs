//! `topoc plan join --format json`: the join order of a whole cluster, by name.

use std::collections::BTreeSet;

use crate::analysis::join::order;
use crate::model::{Model, NodeId};

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
