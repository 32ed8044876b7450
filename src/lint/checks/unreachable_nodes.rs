use std::collections::BTreeSet;

use crate::finding::{Class, Finding, Scope, declare_lint, plural};
use crate::lint::Context;
use crate::model::{GroupId, Model, NodeId};
use crate::suggest;

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
    let (model, analysis) = (context.model, context.analysis());
    let parts = &analysis.parts;
    if parts.len() < 2 {
        return;
    }
    let transit = model.transit_group();
    let in_transit = |node: NodeId| in_group(model, node, transit);
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
    // Looking for a misspelt group goes through the other part's groups: for the first
    // parts only, or ten thousand lone nodes would each go through the main part's.
    let mut suggestions = suggest::Budget::default();
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
                "node `{}` cannot reach the other {} of the cluster",
                model.node(here).name,
                plural((total - 1) as u64, "node")
            )
        } else {
            format!(
                "{} cannot reach the other {} of the cluster",
                plural(part.len() as u64, "node"),
                plural((total - part.len()) as u64, "node")
            )
        };
        findings.push(
            Finding::new(&LINT, model.node(here).span, message)
                .label(format!("cannot reach `{}`", model.node(there).name))
                .related(
                    model.node(there).span,
                    format!("`{}` is in another part", model.node(there).name),
                )
                .help(joining_help(
                    model,
                    part,
                    &parts[other],
                    transit,
                    suggestions.try_spend(),
                ))
                .nodes(model.node_names(part))
                .groups(groups_of(model, part))
                .sites(sites_of(model, part)),
        );
    }
}

/// How `part` could reach `other`: correct a network group name that is one letter off
/// another's, or give the site without one a transit node. Never a group across sites:
/// that is the mesh `cross-site-network-group` warns against.
fn joining_help(
    model: &Model,
    part: &[NodeId],
    other: &[NodeId],
    transit: Option<GroupId>,
    look_for_typos: bool,
) -> String {
    if let Some(help) = look_for_typos
        .then(|| misspelt_group(model, part, other))
        .flatten()
    {
        return help;
    }
    let in_transit = |node: NodeId| in_group(model, node, transit);
    // The side without a transit node; the other side has one, or neither does.
    let lacking = if part.iter().any(|&node| in_transit(node)) {
        other
    } else {
        part
    };
    let node = lacking[0];
    let site = &model.site(model.node(node).site.value).name;
    let name = &model.node(node).name;
    let group = &model.cluster.transit_group;
    if transit.is_some() {
        format!(
            "site `{site}` has no transit node in `{group}`: set `transit = true` on one of its nodes, such as `{name}`"
        )
    } else {
        format!(
            "no node is in the transit group `{group}`: set `transit = true` on one node of each site, such as `{name}` of `{site}`"
        )
    }
}

/// A network group of one part whose name is near a group's of the other, as the help that
/// says so. The misspelling is taken to be the smaller group, never the transit group.
fn misspelt_group(model: &Model, part: &[NodeId], other: &[NodeId]) -> Option<String> {
    let mut typo: Option<(usize, &str, String, &str)> = None;
    for (from, to) in [(part, other), (other, part)] {
        let theirs = groups_of(model, to);
        for &node in from {
            for group in &model.node(node).network_groups {
                let group = model.network_group(group.value);
                if group.name == model.cluster.transit_group {
                    continue;
                }
                let Some(near) = suggest::closest(&group.name, theirs.iter().map(String::as_str))
                    .filter(|near| *near != group.name)
                else {
                    continue;
                };
                let size = group.members.len();
                if typo.as_ref().is_none_or(|(smallest, ..)| size < *smallest) {
                    typo = Some((size, &group.name, near.to_owned(), &model.node(node).name));
                }
            }
        }
    }
    typo.map(|(_, name, near, node)| {
        format!(
            "`{name}` in the `network_groups` of `{node}` looks like a misspelling of `{near}`: correct it"
        )
    })
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

/// Whether `node` is a member of `group` (never of no group).
fn in_group(model: &Model, node: NodeId, group: Option<GroupId>) -> bool {
    group.is_some_and(|group| {
        model
            .node(node)
            .network_groups
            .iter()
            .any(|g| g.value == group)
    })
}
