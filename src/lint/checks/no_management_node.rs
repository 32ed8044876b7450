use crate::finding::level::Level;
use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;

declare_lint! {
    /// No node is named as the management node.
    ///
    /// Any node accepts administrator logins, but "you may attach the GUI to only one node at
    /// a time", so "it is recommended that a single node be chosen to be the Management node
    /// and all Administrators will only connect to that node to make changes" (seed: Where's
    /// my master?). A node added to the cluster also takes its policy from the node the GUI
    /// is attached to.
    ///
    /// Set `management_node` in `[cluster]`.
    "no-management-node",
    Class::Lint(Level::Warn),
    Scope::Swg
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    if model.cluster.management_node.is_some() {
        return;
    }
    let Some(example) = model.nodes.first().map(|node| &node.name) else {
        return;
    };
    findings.push(
        Finding::new(
            &LINT,
            model.cluster.span,
            "the cluster names no management node",
        )
        .label("no `management_node`")
        .help(format!(
            "add `management_node = \"{example}\"` to `[cluster]`"
        )),
    );
}
