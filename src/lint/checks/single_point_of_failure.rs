use crate::finding::level::Level;
use crate::finding::{Class, Finding, Scope, declare_lint, quoted};
use crate::lint::Context;

declare_lint! {
    /// A node whose loss cuts other nodes off from each other.
    ///
    /// When the only path between some nodes runs through one node, such as the single
    /// transit node of a site, losing that node stops configuration sync between them
    /// until it returns. The seed's layouts accept this for small sites, so the lint is
    /// off by default; turn it on (`single-point-of-failure = "warn"` in `[lints]`) to
    /// plan for redundancy. `topoc what-if --down NODE` shows what a loss disconnects.
    ///
    /// Give the groups this node joins a second shared node, such as a second transit node
    /// per site.
    "single-point-of-failure",
    Class::Lint(Level::Allow),
    Scope::Swg
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let (model, analysis) = (context.model, context.analysis());
    for &node_id in &analysis.single_points_of_failure {
        let node = model.node(node_id);
        let groups = model.network_group_names(&node.network_groups);
        let listed = quoted(&groups);
        findings.push(
            Finding::new(
                &LINT,
                node.span,
                format!("losing node `{}` cuts other nodes off from each other", node.name),
            )
            .label("single point of failure")
            .help(format!(
                "add a second node to the groups `{}` joins ({listed}) so that messages have another way",
                node.name
            ))
            .nodes([node.name.clone()])
            .groups(groups),
        );
    }
}
