use crate::finding::level::Level;
use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;

declare_lint! {
    /// An update group in which no node can start an update.
    ///
    /// An update starts on a node with automatic updates enabled, at its interval, and only
    /// if that node may download updates from the internet: "If '… from internet' is NOT
    /// enabled, NOTHING will be done" (seed: Automatic Engine Updates). The node then fetches
    /// updates for the nodes of its update group that accept them from other nodes. When no
    /// node of a group has both `automatic` and `from_internet`, nothing in the group is ever
    /// updated, although automatic updates look enabled.
    ///
    /// Set `updates = { automatic = true, from_internet = true }` on at least one node of the
    /// group (both are the defaults).
    "update-group-without-source",
    Class::Lint(Level::Warn),
    Scope::Swg
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    for group in &model.update_groups {
        let updates = |node| model.node(node).updates;
        let automatic = group.members.iter().any(|&node| updates(node).automatic);
        let source = group
            .members
            .iter()
            .any(|&node| updates(node).automatic && updates(node).from_internet);
        if !automatic || source {
            continue;
        }
        let first = model.node(group.members[0]);
        findings.push(
            Finding::new(
                &LINT,
                group.span,
                format!(
                    "no node of update group `{}` may download updates from the internet, so none is ever updated",
                    group.name
                ),
            )
            .label("update group without a source")
            .help(format!(
                "allow one node, such as `{}`, to download: `updates = {{ automatic = true, from_internet = true }}`",
                first.name
            ))
            .nodes(model.node_names(&group.members))
            .groups([group.name.clone()]),
        );
    }
}
