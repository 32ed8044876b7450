use foldhash::HashMap;
use std::net::IpAddr;

use crate::finding::level::Level;
use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;
use crate::model::values;

declare_lint! {
    /// An NTP server no node can take its time from.
    ///
    /// "Time must be in sync" across the cluster (seed: prerequisites), and every node
    /// takes its time from the servers in `[ntp]`. A loopback, unspecified (`0.0.0.0`,
    /// `::`), multicast, broadcast or link-local server is no server for a node elsewhere:
    /// each node would ask itself, nobody, or an address not routed beyond one link. A
    /// server that is a node's own address makes that node take its time from itself, so
    /// its clock drifts with nothing to correct it.
    ///
    /// List the addresses or names of real NTP servers that every node can reach.
    "unusable-ntp-server",
    Class::Lint(Level::Deny),
    Scope::Any
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    // The first node (in name order) whose own address each NTP server is: the servers are
    // few, so they are the table, and every node is looked up in it once an address.
    let mut own: HashMap<IpAddr, Option<&str>> = model
        .ntp_servers
        .iter()
        .filter_map(|server| server.value.parse::<IpAddr>().ok())
        .map(|address| (address.to_canonical(), None))
        .collect();
    if !own.is_empty() {
        for node in &model.nodes {
            let addresses = std::iter::once(&node.address).chain(node.nat_address.as_ref());
            for address in addresses {
                if let Some(owner @ None) = own.get_mut(&address.value.to_canonical()) {
                    *owner = Some(node.name.as_str());
                }
            }
        }
    }
    for server in &model.ntp_servers {
        let Ok(address) = server.value.parse::<IpAddr>() else {
            continue;
        };
        let (label, message, nodes) = if let Some(reason) = values::unusable_reason(address) {
            (
                reason.to_owned(),
                format!(
                    "NTP server {} is {reason}: no node can take its time from it",
                    server.value
                ),
                Vec::new(),
            )
        } else if let Some(Some(node)) = own.get(&address.to_canonical()) {
            (
                format!("node `{node}`'s own address"),
                format!(
                    "NTP server {} is node `{node}`'s own address: `{node}` would take its time from itself",
                    server.value
                ),
                vec![(*node).to_owned()],
            )
        } else {
            continue;
        };
        findings.push(
            Finding::new(&LINT, server.span, message)
                .label(label)
                .help("list real NTP servers that every node can reach")
                .nodes(nodes),
        );
    }
}
