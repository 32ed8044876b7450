use crate::finding::level::Level;
use crate::finding::{Class, Finding, Scope, declare_lint, quoted};
use crate::lint::Context;

declare_lint! {
    /// A node in two or more network groups that the topology does not declare transit.
    ///
    /// Messages between network groups pass through the nodes that sit in more than one: such
    /// a node is a transit node for Central Management whatever the file says, with the
    /// load, the fan-out limit and the single point of failure of one (seed: network
    /// groups). The file says `transit = true` for the nodes meant to carry that role; a node
    /// that carries it without saying so is often a copy-and-paste slip, and reviewers of the
    /// file do not see it. Outputs call such a node a relay, and `transit` only the declared
    /// ones.
    ///
    /// Declare it `transit = true` if it is meant to tie its groups together (it then joins
    /// the transit group too), or leave it in one network group.
    "undeclared-transit",
    Class::Lint(Level::Warn),
    Scope::Swg
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    for id in model.node_ids() {
        if !model.relays(id) || model.is_declared_transit(id) {
            continue;
        }
        let node = model.node(id);
        let groups = model.network_group_names(&node.network_groups);
        let span = node.network_groups.first().map_or(node.span, |g| g.span);
        findings.push(
            Finding::new(
                &LINT,
                span,
                format!(
                    "node `{}` is in {} network groups ({}), so messages between them pass through it, but it is not declared `transit = true`",
                    node.name,
                    groups.len(),
                    quoted(&groups)
                ),
            )
            .label("relays between its groups")
            .help(format!(
                "declare `{}` `transit = true` if it is meant to tie its groups together, or leave it in one network group",
                node.name
            ))
            .nodes([node.name.clone()])
            .groups(groups),
        );
    }
}
