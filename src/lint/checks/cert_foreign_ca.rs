use crate::finding::level::Level;
use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;

declare_lint! {
    /// A published node certificate was not signed by the cluster CA.
    ///
    /// "The Cluster CA is used by the Secure Web Gateway to authenticate nodes being added to
    /// the Cluster" (seed: Cluster CA): every node trusts the cluster CA and nothing else, so
    /// a node whose certificate another CA signed (left from before a `topoc ca rotate`, or
    /// copied from another cluster) is refused by every peer, the seed's "Cluster CA was
    /// changed on your primary node" case.
    ///
    /// The cluster CA is the one in the secrets directory (or `[ca]`'s files) when `check`
    /// can read it, else the `ca.pem` published for the first node. Run `topoc build` and
    /// deploy the node's new `node.pem`.
    "cert-foreign-ca",
    Class::Lint(Level::Deny),
    Scope::Swg
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    let Some(deployed) = &context.evidence.deployed else {
        return;
    };
    let ca = deployed
        .ca
        .as_ref()
        .map_or_else(|| "the cluster CA".to_owned(), |ca| format!("the cluster CA ({})", ca.subject));
    for (id, judged) in context.deployed_nodes() {
        if !judged.foreign {
            continue;
        }
        let node = model.node(id);
        let issuer = match &judged.cert {
            Some(Ok(summary)) => format!(" but by {}", summary.issuer),
            _ => String::new(),
        };
        findings.push(
            Finding::new(
                &LINT,
                node.span,
                format!(
                    "the published certificate of node `{}` was not signed by {ca}{issuer}: every peer refuses it",
                    node.name
                ),
            )
            .label("its certificate is from another CA")
            .help("run `topoc build` and deploy the node's new `node.pem`")
            .nodes([node.name.clone()]),
        );
    }
}
