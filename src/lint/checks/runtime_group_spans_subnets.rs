use std::collections::BTreeMap;
use std::net::IpAddr;

use ipnet::IpNet;

use crate::finding::level::Level;
use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;
use crate::model::NodeId;

declare_lint! {
    /// A runtime group whose nodes sit in different subnets.
    ///
    /// "Runtime groups should only be used for systems on the same subnet in same
    /// datacenter" (seed: Example with two locations). Runtime data (coaching, quota,
    /// authorized override) is shared often; across routed subnets it travels further and
    /// fails more, which shows as "Shared Data not synchronized" alerts.
    ///
    /// A node's subnet is its site's `subnet`; for a site that declares none, the /24 (IPv6:
    /// /64) around the node's address, the usual size of one LAN. Split the group by subnet,
    /// or declare the site's real subnet.
    "runtime-group-spans-subnets",
    Class::Lint(Level::Warn),
    Scope::Swg
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    let lan = |member: NodeId| {
        let node = model.node(member);
        let declared = model.site(node.site.value).subnet.as_ref().map(|s| s.value);
        lan_of(node.address.value.to_canonical(), declared)
    };
    for group in &model.runtime_groups {
        // The common case, told without a map: every member on the first one's LAN.
        let Some(first) = group.members.first().map(|&member| lan(member)) else {
            continue;
        };
        if group.members.iter().all(|&member| lan(member) == first) {
            continue;
        }
        let mut by_subnet: BTreeMap<IpNet, NodeId> = BTreeMap::new();
        for &member in &group.members {
            by_subnet.entry(lan(member)).or_insert(member);
        }
        // Report at the first node of the second subnet, against the first of the first.
        let mut firsts: Vec<(IpNet, NodeId)> = by_subnet.into_iter().collect();
        firsts.sort_by_key(|&(_, node)| node);
        let (home_subnet, home) = firsts[0];
        let (away_subnet, away) = firsts[1];
        let (home, away) = (model.node(home), model.node(away));
        findings.push(
            Finding::new(
                &LINT,
                away.runtime_group.span,
                format!(
                    "runtime group `{}` spans {} subnets: `{}` is in {away_subnet}, `{}` in {home_subnet}",
                    group.name,
                    firsts.len(),
                    away.name,
                    home.name
                ),
            )
            .label(format!("`{}` joins from {away_subnet}", away.name))
            .related(home.runtime_group.span, format!("`{}` is in {home_subnet}", home.name))
            .help("give each subnet its own runtime group")
            .nodes(model.node_names(&group.members))
            .groups([group.name.clone()]),
        );
    }
}

/// The LAN an address sits on: the declared subnet if it holds the address, else the usual
/// LAN around the address.
fn lan_of(address: IpAddr, declared: Option<IpNet>) -> IpNet {
    let lan = match address {
        IpAddr::V4(_) => 24,
        IpAddr::V6(_) => 64,
    };
    match declared {
        Some(net) if net.contains(&address) => net,
        _ => IpNet::new(address, lan).map_or(IpNet::from(address), |net| net.trunc()),
    }
}
