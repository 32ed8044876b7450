use crate::finding::level::Level;
use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;

declare_lint! {
    /// A Secure Email Gateway cluster of one node.
    ///
    /// A SEG cluster exists so that the other nodes "initiate a 'voting process' to elect a
    /// new master" when the master goes down (seed: What happens if the master SEG goes
    /// down?). With a single node there is nobody to take over and nothing to sync, but the
    /// integration service still runs in clustered mode.
    ///
    /// Add the other SEG servers as nodes, or leave clustering off for a lone server.
    "seg-single-node",
    Class::Lint(Level::Warn),
    Scope::Seg
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    if model.nodes.len() != 1 {
        return;
    }
    let node = &model.nodes[0];
    findings.push(
        Finding::new(
            &LINT,
            node.span,
            format!(
                "SEG cluster `{}` has a single node, `{}`",
                model.cluster.name.value, node.name
            ),
        )
        .label("the only node")
        .related(model.cluster.span, "this cluster")
        .help("add the other SEG servers of the cluster as nodes")
        .nodes([node.name.clone()]),
    );
}
