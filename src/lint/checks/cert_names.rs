use crate::finding::level::Level;
use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;

declare_lint! {
    /// A published node certificate lacks a name or address its peers dial.
    ///
    /// Nodes authenticate each other with their certificates (seed: Cluster CA), and a node
    /// verifies the certificate of a peer against the name or address it dialed: its FQDN,
    /// its NAT address from another NAT realm, its physical address from its own. A
    /// certificate issued before the node got a new FQDN, address or NAT address fails that
    /// check, and the peers refuse the node ("ssl failure … certificate verification").
    ///
    /// It is reported when `check` finds the output of a previous build (`--out`, default
    /// `out`). Run `topoc build`, which re-issues the certificate with every name, and deploy
    /// the node's new `node.pem`.
    "cert-names",
    Class::Lint(Level::Deny),
    Scope::Swg
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    for (id, judged) in context.deployed_nodes() {
        if judged.missing.is_empty() {
            continue;
        }
        let node = model.node(id);
        let peers = model.direct_peers(id);
        let names: Vec<String> = judged
            .missing
            .iter()
            .map(|missing| {
                let dialer = peers
                    .iter()
                    .find(|&&peer| model.dialed(peer, id) == *missing);
                match dialer {
                    Some(&peer) => format!("`{missing}` (dialed by `{}`)", model.node(peer).name),
                    None => format!("`{missing}`"),
                }
            })
            .collect();
        findings.push(
            Finding::new(
                &LINT,
                node.span,
                format!(
                    "the published certificate of node `{}` does not name {}",
                    node.name,
                    names.join(", ")
                ),
            )
            .label("its certificate is older than this")
            .help("run `topoc build` and deploy the node's new `node.pem`")
            .nodes([node.name.clone()]),
        );
    }
}
