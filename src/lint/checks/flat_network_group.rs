use crate::finding::level::Level;
use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;

declare_lint! {
    /// A large network group without a transit node: every node talks to every other.
    ///
    /// Nodes of one network group exchange messages directly, all with all, so a group of n
    /// nodes is n·(n-1)/2 connections to keep up. The vendor's pattern for larger clusters is
    /// "only putting up to 10 nodes behind a single transit node", with "more than one
    /// transit node and smaller network groups that are tied to the transit node" (seed:
    /// Example with a larger cluster). A group larger than `transit_fanout_limit` in which
    /// no member is a transit node follows no such pattern; `transit-fanout` cannot see it,
    /// as there is no transit node to count for.
    ///
    /// Split the group into groups of at most `transit_fanout_limit` nodes, each with a
    /// transit node (`transit = true`) that ties it to the transit group.
    "flat-network-group",
    Class::Lint(Level::Warn),
    Scope::Swg
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    let limit = model.cluster.transit_fanout_limit;
    let transit = model.transit_group();
    for (index, group) in model.network_groups.iter().enumerate() {
        let size = group.members.len();
        if size <= limit
            || transit.is_some_and(|transit| transit.index() == index)
            || group.members.iter().any(|&node| model.relays(node))
        {
            continue;
        }
        let pairs = size * (size - 1) / 2;
        findings.push(
            Finding::new(
                &LINT,
                group.span,
                format!(
                    "network group `{}` has {size} members and no transit node: {pairs} connections, all with all",
                    group.name
                ),
            )
            .label(format!("{size} members, more than the limit of {limit}"))
            .help(format!(
                "split it into groups of at most {limit} nodes, each with a transit node (`transit = true`) that ties it to the transit group"
            ))
            .nodes(model.node_names(&group.members))
            .groups([group.name.clone()]),
        );
    }
}
