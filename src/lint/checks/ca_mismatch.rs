use crate::finding::level::Level;
use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;

declare_lint! {
    /// A node's published `ca.pem` is not the cluster CA.
    ///
    /// "Each cluster node must have the Cluster CA and key imported" (seed: prerequisites),
    /// the same CA on every node: a node that trusts another CA refuses the certificates of
    /// all the others, and they refuse its own ("ssl failure … certificate verification").
    /// Different `ca.pem` files in one output mean that some nodes' files were copied from
    /// an older build or another cluster.
    ///
    /// The cluster CA is the one in the secrets directory (or `[ca]`'s files) when `check`
    /// can read it, else the `ca.pem` published for the first node. Run `topoc build` and
    /// import the same CA on every node.
    "ca-mismatch",
    Class::Lint(Level::Deny),
    Scope::Swg
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    let Some(deployed) = &context.evidence.deployed else {
        return;
    };
    let reference = match (&deployed.ca, deployed.ca_from_secrets) {
        (Some(ca), true) => format!("the cluster CA of the secrets ({})", ca.subject),
        (Some(ca), false) => format!("the CA the first node's `ca.pem` holds ({})", ca.subject),
        (None, _) => "the cluster CA".to_owned(),
    };
    for (id, judged) in context.deployed_nodes() {
        if !judged.ca_differs {
            continue;
        }
        let node = model.node(id);
        findings.push(
            Finding::new(
                &LINT,
                node.span,
                format!(
                    "the published `ca.pem` of node `{}` is not {reference}: the node and the others would refuse each other",
                    node.name
                ),
            )
            .label("this node holds another CA")
            .help("run `topoc build` and import the same `ca.pem` on every node")
            .nodes([node.name.clone()]),
        );
    }
}
