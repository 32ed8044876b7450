use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;
use crate::model::values;

declare_lint! {
    /// An address no other node can connect to.
    ///
    /// Central Management listens on "the physical IP address of the NIC that will be used
    /// for communicating in the cluster" (seed: Configuration). A loopback, unspecified
    /// (`0.0.0.0`, `::`), multicast, broadcast or link-local (`169.254.0.0/16`, `fe80::/10`)
    /// address is no such address: the other nodes would connect to themselves, to nothing,
    /// or to an address that is not routed beyond one link. The same holds for a NAT
    /// address.
    ///
    /// Use the address of the node's cluster interface.
    "unusable-address",
    Class::Hard,
    Scope::Any
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    for node in &context.model.nodes {
        let addresses = std::iter::once(("address", &node.address))
            .chain(node.nat_address.as_ref().map(|nat| ("nat_address", nat)));
        for (key, address) in addresses {
            let Some(reason) = values::unusable_reason(address.value) else {
                continue;
            };
            findings.push(
                Finding::new(
                    &LINT,
                    address.span,
                    format!(
                        "`{key}` of node `{}` is {reason} ({}), which no other node can reach",
                        node.name, address.value
                    ),
                )
                .label(reason)
                .help("use the address of the node's cluster interface")
                .nodes([node.name.clone()]),
            );
        }
    }
}
