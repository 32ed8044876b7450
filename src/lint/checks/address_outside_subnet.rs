use crate::declare_check;
use crate::lint::CheckKind;
use crate::lint::checks::Context;
use crate::lint::finding::Finding;
use crate::lint::level::Level;

declare_check! {
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
    ADDRESS_OUTSIDE_SUBNET, "address-outside-subnet", CheckKind::Lint(Level::Deny)
}

pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    for node in &model.nodes {
        let site = model.site(node.site.value);
        let Some(subnet) = &site.subnet else { continue };
        if subnet.value.contains(&node.address.value) {
            continue;
        }
        findings.push(
            Finding::new(
                &ADDRESS_OUTSIDE_SUBNET,
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
