use crate::finding::level::Level;
use crate::finding::{Class, Finding, Scope, declare_lint, quoted};
use crate::lint::Context;
use crate::model::NodeId;

declare_lint! {
    /// Nodes that never receive engine updates.
    ///
    /// An update starts on a node with automatic updates enabled, at its interval, and only
    /// if that node may download updates from the internet: "If '… from internet' is NOT
    /// enabled, NOTHING will be done" (seed: Automatic Engine Updates). The node then fetches
    /// updates for the nodes of its update group that accept them from other nodes
    /// (`from_nodes`). So a node is updated only when it starts and downloads updates itself
    /// (`automatic` and `from_internet`), or accepts them from other nodes while another node
    /// of its group does. When automatic updates are enabled somewhere in a group, every
    /// node of it that gets updates neither way is named: it stays on old engines, although
    /// automatic updates look enabled.
    ///
    /// Set `updates = { automatic = true, from_internet = true }` on at least one node of the
    /// group, and leave `from_nodes = true` (the default) on the others.
    "update-group-without-source",
    Class::Lint(Level::Warn),
    Scope::Swg
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    for group in &model.update_groups {
        let updates = |node: NodeId| model.node(node).updates;
        // Automatic updates off everywhere is a choice (updates by hand), not a mistake.
        if !group.members.iter().any(|&node| updates(node).automatic) {
            continue;
        }
        let is_source = |node: NodeId| updates(node).automatic && updates(node).from_internet;
        let sources: Vec<NodeId> = group.members.iter().copied().filter(|&n| is_source(n)).collect();
        // A node is updated when it is a source itself, or accepts updates from other nodes
        // and another node of its group is a source.
        let never: Vec<NodeId> = group
            .members
            .iter()
            .copied()
            .filter(|&node| {
                let fed = updates(node).from_nodes && sources.iter().any(|&s| s != node);
                !(is_source(node) || fed)
            })
            .collect();
        let Some(&first) = never.first() else {
            continue;
        };
        let finding = if sources.is_empty() {
            Finding::new(
                &LINT,
                group.span,
                format!(
                    "no node of update group `{}` both starts updates and downloads them (`automatic` and `from_internet`), so none of its nodes is ever updated",
                    group.name
                ),
            )
            .label("update group without a source")
            .help(format!(
                "let one node, such as `{}`, start and download updates: `updates = {{ automatic = true, from_internet = true }}`",
                model.node(first).name
            ))
        } else {
            let names = model.node_names(&never);
            Finding::new(
                &LINT,
                model.node(first).span,
                format!(
                    "{} of update group `{}` never {} engine updates: {} neither {} them nor {} them from other nodes",
                    listed(&names),
                    group.name,
                    if never.len() == 1 { "receives" } else { "receive" },
                    if never.len() == 1 { "it" } else { "they" },
                    if never.len() == 1 { "downloads" } else { "download" },
                    if never.len() == 1 { "accepts" } else { "accept" },
                ),
            )
            .label("never updated")
            .related(
                model.node(sources[0]).span,
                format!("`{}` downloads updates for the group", model.node(sources[0]).name),
            )
            .help(format!(
                "let {} take updates from other nodes (`from_nodes = true`, the default)",
                if never.len() == 1 { "it" } else { "them" }
            ))
        };
        findings.push(
            finding
                .nodes(model.node_names(&never))
                .groups([group.name.clone()]),
        );
    }
}

/// "node `a`" or "nodes `a`, `b`".
fn listed(names: &[String]) -> String {
    let noun = if names.len() == 1 { "node" } else { "nodes" };
    format!("{noun} {}", quoted(names))
}
