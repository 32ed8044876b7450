use std::collections::BTreeMap;

use crate::finding::level::Level;
use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;
use crate::model::{Model, NodeId};

declare_lint! {
    /// Nodes with different priorities.
    ///
    /// When the policy is out of sync, "the node with a higher priority (lower value) would
    /// win in case of a conflict. If all nodes have the same priority, the node where the
    /// most recent change was made will win. It is recommended to keep all nodes with the
    /// same priority" (seed: Node Priority). With mixed priorities, a stale node with a low
    /// value can overwrite the change an administrator just saved elsewhere.
    ///
    /// A node without `priority` keeps the appliance default, which counts as a value of its
    /// own. Give every node the same `priority`, or none at all.
    "mixed-priority",
    Class::Lint(Level::Warn),
    Scope::Swg
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    let priority_of = |node: NodeId| model.node(node).priority.as_ref().map(|p| p.value);
    let mut counts: BTreeMap<Option<u32>, (usize, NodeId)> = BTreeMap::new();
    for node in model.node_ids() {
        counts.entry(priority_of(node)).or_insert((0, node)).0 += 1;
    }
    if counts.len() < 2 {
        return;
    }
    // The usual priority: the one most nodes have, the first node's on a tie.
    let Some((&usual, &(_, example))) = counts
        .iter()
        .max_by_key(|(_, (count, first))| (*count, std::cmp::Reverse(*first)))
    else {
        return;
    };
    for node_id in model.node_ids().filter(|&node| priority_of(node) != usual) {
        let node = model.node(node_id);
        let span = node.priority.as_ref().map_or(node.span, |p| p.span);
        let example_node = model.node(example);
        let example_span = example_node
            .priority
            .as_ref()
            .map_or(example_node.span, |p| p.span);
        findings.push(
            Finding::new(
                &LINT,
                span,
                format!(
                    "node `{}` has {} but most nodes have {}",
                    node.name,
                    describe(priority_of(node_id)),
                    describe(usual)
                ),
            )
            .label("different priority")
            .related(
                example_span,
                format!("`{}` has {}", example_node.name, describe(usual)),
            )
            .help(fix(model, usual))
            .nodes([node.name.clone()]),
        );
    }
}

fn describe(priority: Option<u32>) -> String {
    priority.map_or_else(
        || "the appliance's default priority".to_owned(),
        |value| format!("priority {value}"),
    )
}

fn fix(model: &Model, usual: Option<u32>) -> String {
    match usual {
        Some(value) => format!("set `priority = {value}` here, as on the other nodes"),
        None if model.nodes.len() > 1 => "remove `priority`, as on the other nodes".to_owned(),
        None => "remove `priority`".to_owned(),
    }
}
