use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;

declare_lint! {
    /// A node with a NAT address but no FQDN.
    ///
    /// Across NAT, Central Management "must be done using names rather than IPs": each node
    /// names itself, its own hosts file resolves the name to its physical address, and every
    /// other node's hosts file resolves it to the NAT address (seed: Configure Central
    /// Management in a NAT'D environment). Without a name there is nothing to resolve
    /// differently on each side, and the node that joins tells the others to connect back
    /// to an address they cannot reach.
    ///
    /// Give the node an `fqdn`, such as `proxy1a-mgmt.example1.local`.
    "nat-without-fqdn",
    Class::Hard,
    Scope::Any
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    for node in &model.nodes {
        let (Some(nat), None) = (&node.nat_address, &node.fqdn) else {
            continue;
        };
        findings.push(
            Finding::new(
                &LINT,
                nat.span,
                format!("node `{}` has a NAT address but no `fqdn`", node.name),
            )
            .label("NAT address without a name")
            .related(node.span, "add `fqdn` to this node")
            .help(format!(
                "add `fqdn = \"{}-mgmt.example.local\"`: across NAT the nodes must reach each other by name",
                node.name
            ))
            .nodes([node.name.clone()]),
        );
    }
}
