//! `firewall.csv` (and `firewall` in `cluster.json`): every connection the cluster needs,
//! one row per direction, to build the firewall rules and ACLs from. "It is highly
//! recommended that you have ACLs or firewall rules limiting the systems that can
//! communicate on the chosen port to just the MWGs" (seed: NAT'D environment).
//!
//! Web gateways: each pair of nodes that share a network group, both ways, TCP on the CM
//! port, to the address the source dials (the NAT address across NAT realms); each node to
//! its NTP servers, UDP 123. SEG: every pair of servers, TCP and UDP on the cluster port.
//! `from_address` is the source's own (physical) address. Sorted, without duplicates.

use std::collections::BTreeSet;

use schemars::JsonSchema;
use serde::Serialize;

use crate::model::{Model, NodeId};
use crate::syntax::Kind;

/// The NTP port.
const NTP_PORT: u16 = 123;

/// One connection, in one direction. Fields in the order of the CSV's columns.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Flow {
    pub from_node: String,
    pub from_address: String,
    /// Empty for a destination that is not a node (an NTP server).
    pub to_node: String,
    pub to_address: String,
    /// `tcp` or `udp`.
    pub protocol: String,
    pub port: u16,
    pub reason: String,
}

/// Every flow of the cluster, sorted, each once.
pub fn flows(model: &Model) -> Vec<Flow> {
    let mut flows = BTreeSet::new();
    let node_flow = |from: NodeId, to: NodeId, protocol: &str, reason: String| Flow {
        from_node: model.node(from).name.clone(),
        from_address: model.node(from).address.value.to_string(),
        to_node: model.node(to).name.clone(),
        to_address: model
            .address_seen_from(to, model.realm_of(from))
            .value
            .to_string(),
        protocol: protocol.to_owned(),
        port: model.cluster.port,
        reason,
    };
    match model.cluster.kind {
        Kind::Swg => {
            // Each group's members pairwise: the connections Central Management opens. A
            // pair in several groups is one flow (the first group by name gives the reason).
            for group in &model.network_groups {
                for &from in &group.members {
                    for &to in &group.members {
                        if from != to {
                            let reason =
                                format!("Central Management, network group {}", group.name);
                            flows.insert(node_flow(from, to, "tcp", reason));
                        }
                    }
                }
            }
        }
        Kind::Seg => {
            for from in model.node_ids() {
                for to in model.node_ids().filter(|&to| to != from) {
                    for protocol in ["tcp", "udp"] {
                        flows.insert(node_flow(from, to, protocol, "SEG cluster".to_owned()));
                    }
                }
            }
        }
    }
    let mut flows: Vec<Flow> = flows.into_iter().collect();
    // One flow per direction: of a pair in several groups, the first (by reason) stays.
    flows.dedup_by(|b, a| {
        (&a.from_node, &a.to_node, &a.protocol) == (&b.from_node, &b.to_node, &b.protocol)
    });
    for node in &model.nodes {
        for server in &model.ntp_servers {
            flows.push(Flow {
                from_node: node.name.clone(),
                from_address: node.address.value.to_string(),
                to_node: String::new(),
                to_address: server.value.clone(),
                protocol: "udp".to_owned(),
                port: NTP_PORT,
                reason: "NTP".to_owned(),
            });
        }
    }
    flows.sort();
    flows.dedup();
    flows
}

/// The CSV's columns, in the order of [`Flow`]'s fields.
pub const COLUMNS: [&str; 7] = [
    "from_node",
    "from_address",
    "to_node",
    "to_address",
    "protocol",
    "port",
    "reason",
];

/// The flows as CSV with a header line (there even when there is no flow).
pub fn csv(flows: &[Flow]) -> Result<String, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    writer.write_record(COLUMNS)?;
    for flow in flows {
        writer.serialize(flow)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|error| csv::Error::from(error.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The bytes `firewall.csv` will take, counted without building it: a row per member pair
/// of each group (at most 160 bytes each, a node's names and addresses aside), per SEG pair
/// and per NTP server and node.
pub fn estimated_size(model: &Model) -> u64 {
    const ROW: u64 = 160;
    let nodes = model.nodes.len() as u64;
    let pairs: u64 = match model.cluster.kind {
        Kind::Swg => model
            .network_groups
            .iter()
            .map(|group| {
                let members = group.members.len() as u64;
                members.saturating_mul(members)
            })
            .fold(0, u64::saturating_add),
        Kind::Seg => nodes.saturating_mul(nodes).saturating_mul(2),
    };
    pairs
        .saturating_add(nodes.saturating_mul(model.ntp_servers.len() as u64))
        .saturating_mul(ROW)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_names_the_fields_in_their_order() {
        let flow = Flow {
            from_node: "a".into(),
            from_address: "10.0.0.1".into(),
            to_node: "b".into(),
            to_address: "10.0.0.2".into(),
            protocol: "tcp".into(),
            port: 12346,
            reason: "r".into(),
        };
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.serialize(&flow).expect("serializes");
        let bytes = writer.into_inner().expect("flushed");
        let text = String::from_utf8(bytes).expect("UTF-8");
        assert_eq!(text.lines().next(), Some(COLUMNS.join(",").as_str()));
    }
}
