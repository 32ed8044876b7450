use crate::finding::level::Level;
use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;

declare_lint! {
    /// A node whose address lies outside its site's subnet.
    ///
    /// A site's `subnet` says where its nodes' Central Management interfaces are. An address
    /// outside it is almost always a typo, or a node filed under the wrong site, and the
    /// rest of the analysis (runtime groups by subnet, NAT realms) would then reason about
    /// the wrong place; on the appliance the CM listener address must be "the physical IP
    /// address of the NIC that will be used for communicating in the cluster" (seed:
    /// Configuration).
    ///
    /// Correct the address, the node's `site`, or the site's `subnet`.
    "address-outside-subnet",
    Class::Lint(Level::Deny),
    Scope::Any
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    // A site's gateway is reported once, not at every node that takes it.
    let mut gateways_reported = std::collections::BTreeSet::new();
    for node in &model.nodes {
        let site = model.site(node.site.value);
        let Some(subnet) = &site.subnet else { continue };
        let gateway = node
            .route_via
            .as_ref()
            .filter(|gateway| !subnet.value.contains(&gateway.value.to_canonical()))
            .filter(|gateway| gateways_reported.insert(gateway.span));
        if let Some(gateway) = gateway {
            findings.push(
                Finding::new(
                    &LINT,
                    gateway.span,
                    format!(
                        "gateway {} (`route_via`) of node `{}` is outside the subnet {} of site `{}`: the node cannot reach it directly",
                        gateway.value, node.name, subnet.value, site.name
                    ),
                )
                .label(format!("not in {}", subnet.value))
                .related(subnet.span, format!("subnet of site `{}`", site.name))
                .help("name a gateway on the site's subnet")
                .nodes([node.name.clone()])
                .sites([site.name.clone()]),
            );
        }
        if subnet.value.contains(&node.address.value.to_canonical()) {
            continue;
        }
        findings.push(
            Finding::new(
                &LINT,
                node.address.span,
                format!(
                    "address {} of node `{}` is outside the subnet {} of site `{}`",
                    node.address.value, node.name, subnet.value, site.name
                ),
            )
            .label(format!("not in {}", subnet.value))
            .related(subnet.span, format!("subnet of site `{}`", site.name))
            .help("correct the address, the node's `site`, or the site's `subnet`")
            .nodes([node.name.clone()])
            .sites([site.name.clone()]),
        );
    }
}
