use std::collections::BTreeSet;

use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;
use crate::model::{Model, NodeId};

declare_lint! {
    /// Some nodes cannot reach the others through shared network groups.
    ///
    /// Central Management sends messages only between nodes that share a network group;
    /// a node in several groups relays between them. When the groups split the nodes into
    /// parts that share no group, the appliances refuse the configuration with
    /// "Invalid node path matrix / unreachable nodes" (seed: Why can't I add a node?).
    ///
    /// There is one finding per part. The help names a node of the part and a group of
    /// another part to join: usually `transit = true` on one node per site, so that each
    /// site's group is tied to the transit group.
    "unreachable-nodes",
    Class::Hard,
    Scope::Swg
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let Context {
        model, analysis, ..
    } = *context;
    let parts = &analysis.parts;
    if parts.len() < 2 {
        return;
    }
    let transit = model.transit_group();
    let in_transit = |node: NodeId| {
        transit.is_some_and(|group| {
            model
                .node(node)
                .network_groups
                .iter()
                .any(|g| g.value == group)
        })
    };
    let anchor = |part: &[NodeId]| {
        part.iter()
            .copied()
            .find(|&node| in_transit(node))
            .unwrap_or(part[0])
    };
    let largest_except = |skip: Option<usize>| {
        (0..parts.len())
            .filter(|&index| Some(index) != skip)
            .max_by_key(|&index| (parts[index].len(), std::cmp::Reverse(index)))
            .unwrap_or_default()
    };
    let main = transit
        .and_then(|group| model.network_groups[group.index()].members.first())
        .map_or_else(
            || largest_except(None),
            |&node| analysis.part_of[node.index()],
        );

    let total = model.nodes.len();
    for (index, part) in parts.iter().enumerate() {
        let other = if index == main {
            largest_except(Some(main))
        } else {
            main
        };
        let here = anchor(part);
        let there = anchor(&parts[other]);
        let message = if part.len() == 1 {
            format!(
                "node `{}` cannot reach the other {} nodes of the cluster",
                model.node(here).name,
                total - 1
            )
        } else {
            format!(
                "{} nodes cannot reach the other {} nodes of the cluster",
                part.len(),
                total - part.len()
            )
        };
        findings.push(
            Finding::new(&LINT, model.node(here).span, message)
                .label(format!("cannot reach `{}`", model.node(there).name))
                .related(
                    model.node(there).span,
                    format!("`{}` is in another part", model.node(there).name),
                )
                .help(joining_help(model, here, there, in_transit(there)))
                .nodes(model.node_names(part))
                .groups(groups_of(model, part))
                .sites(sites_of(model, part)),
        );
    }
}

/// How `here` could join the part of `there`.
fn joining_help(model: &Model, here: NodeId, there: NodeId, there_in_transit: bool) -> String {
    let (here_name, there_name) = (&model.node(here).name, &model.node(there).name);
    if there_in_transit {
        return format!(
            "set `transit = true` on `{here_name}` to join the transit group `{}`, which `{there_name}` is in",
            model.cluster.transit_group
        );
    }
    match model.node(there).network_groups.first() {
        Some(group) => format!(
            "add `{}` to the `network_groups` of `{here_name}`, or give both parts a transit node",
            model.network_group(group.value).name
        ),
        None => format!("put `{here_name}` and `{there_name}` in a shared network group"),
    }
}

fn groups_of(model: &Model, part: &[NodeId]) -> BTreeSet<String> {
    part.iter()
        .flat_map(|&node| &model.node(node).network_groups)
        .map(|group| model.network_group(group.value).name.clone())
        .collect()
}

fn sites_of(model: &Model, part: &[NodeId]) -> BTreeSet<String> {
    part.iter()
        .map(|&node| model.site(model.node(node).site.value).name.clone())
        .collect()
}
