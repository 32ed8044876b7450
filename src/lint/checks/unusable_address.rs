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
    /// address, and for the gateway `route_via` names.
    ///
    /// Use the address of the node's cluster interface.
    "unusable-address",
    Class::Hard,
    Scope::Any
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    for site in &model.sites {
        let Some(gateway) = &site.route_via else {
            continue;
        };
        if let Some(reason) = values::unusable_reason(gateway.value) {
            findings.push(
                Finding::new(
                    &LINT,
                    gateway.span,
                    format!(
                        "`route_via` of site `{}` is {reason} ({}), which routes nothing",
                        site.name, gateway.value
                    ),
                )
                .label(reason)
                .help("use the address of the gateway on the nodes' management subnet")
                .sites([site.name.clone()]),
            );
        }
    }
    for node in &model.nodes {
        let site_gateway = model.site(node.site.value).route_via.as_ref();
        // A gateway the node takes from its site is the site's to report.
        let own_gateway = node
            .route_via
            .as_ref()
            .filter(|gateway| site_gateway.is_none_or(|site| site.span != gateway.span));
        let addresses = std::iter::once(("address", &node.address))
            .chain(node.nat_address.as_ref().map(|nat| ("nat_address", nat)))
            .chain(own_gateway.map(|gateway| ("route_via", gateway)));
        for (key, address) in addresses {
            let Some(reason) = values::unusable_reason(address.value) else {
                continue;
            };
            findings.push(
                Finding::new(
                    &LINT,
                    address.span,
                    format!(
                        "`{key}` of node `{}` is {reason} ({}), {}",
                        node.name,
                        address.value,
                        if key == "route_via" {
                            "which routes nothing"
                        } else {
                            "which no other node can reach"
                        }
                    ),
                )
                .label(reason)
                .help("use the address of the node's cluster interface")
                .nodes([node.name.clone()]),
            );
        }
    }
}
