//! `firewall.csv` and `firewall-sets.csv` (and `firewall` in `cluster.json`): the rules
//! the firewalls between the nodes need, over named address sets, the way firewalls take
//! them (address groups, object groups, ipsets). "It is highly recommended that you have
//! ACLs or firewall rules limiting the systems that can communicate on the chosen port to
//! just the MWGs" (seed: NAT'D environment).
//!
//! Web gateways: every member of a network group may connect to every other on the CM port,
//! TCP, at the address it dials. Without NAT that is one rule, `group:G` to `group:G`.
//! When members of `G` have NAT addresses, two sets more: `group:G:dialed` (each member at
//! the address other realms dial: its NAT address, else its physical one) and, for each
//! NAT realm `R` with such a member and another, `group:G@R` (the members in `R`, physical
//! addresses, which is how they dial each other). The rules are then `group:G` to `group:G:dialed`
//! and `group:G@R` to `group:G@R`; a member may thus also reach the NAT address of a peer in
//! its own realm, a peer it may already reach at its physical address. SEG: the same for
//! the set `cluster` of all servers, TCP and UDP on the cluster port. Every node to its NTP
//! servers (`nodes` to `ntp`), UDP 123.
//!
//! A group of `n` members is one rule and `n` set rows (at most `3n` with NAT), so the
//! files grow with the topology, never with the square of a group. Sorted, each once.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use schemars::JsonSchema;
use serde::Serialize;

use crate::model::{Model, NodeId, RealmId};
use crate::syntax::Kind;

/// The NTP port.
const NTP_PORT: u16 = 123;

/// The set of every node (physical addresses), the source of the NTP rule.
const NODES: &str = "nodes";
/// The set of the NTP servers.
const NTP: &str = "ntp";
/// SEG: the set of every server.
const SEG_CLUSTER: &str = "cluster";

/// One rule: connections from any address of one set to any address of another. Fields in
/// the order of `firewall.csv`'s columns.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Rule {
    /// The set the connections come from.
    pub from: String,
    /// The set they go to.
    pub to: String,
    /// `tcp` or `udp`.
    pub protocol: String,
    pub port: u16,
    pub reason: String,
}

// It borrows from the model and shares its set's name, so that the sets of a large
// cluster cost no string of their own.
/// One address of a set. Fields in the order of `firewall-sets.csv`'s columns.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Member<'a> {
    pub set: Arc<str>,
    /// The node the address belongs to; empty (null in JSON) for an NTP server.
    pub node: Option<&'a str>,
    /// An address, or for an NTP server given by name, that name.
    #[serde(serialize_with = "shown")]
    #[schemars(with = "String")]
    pub address: Address<'a>,
}

/// A set's address: a node's, or an NTP server as the topology gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Address<'a> {
    Ip(IpAddr),
    Given(&'a str),
}

impl fmt::Display for Address<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Ip(ip) => ip.fmt(f),
            Address::Given(text) => f.write_str(text),
        }
    }
}

/// A value as its text.
pub(super) fn shown<S: serde::Serializer>(
    value: &impl fmt::Display,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

/// The firewall rules of a cluster and the sets they name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Firewall<'a> {
    /// Sorted, each once: the rows of `firewall.csv`.
    pub rules: Vec<Rule>,
    /// Sorted by set, then node and address: the rows of `firewall-sets.csv`. Every set a
    /// rule names has at least one address.
    pub sets: Vec<Member<'a>>,
}

/// The rules and sets of `model`, in time linear in its size.
pub fn firewall(model: &Model) -> Firewall<'_> {
    let mut firewall = Firewall::default();
    match model.cluster.kind {
        Kind::Swg => {
            for group in &model.network_groups {
                let set = format!("group:{}", group.name);
                let reason = format!("Central Management, network group {}", group.name);
                firewall.members_dial_each_other(model, &set, &group.members, &["tcp"], &reason);
            }
        }
        Kind::Seg => {
            let all: Vec<NodeId> = model.node_ids().collect();
            firewall.members_dial_each_other(
                model,
                SEG_CLUSTER,
                &all,
                &["tcp", "udp"],
                "SEG cluster",
            );
        }
    }
    if !model.ntp_servers.is_empty() && !model.nodes.is_empty() {
        let nodes: Arc<str> = NODES.into();
        for id in model.node_ids() {
            let address = Address::Ip(model.node(id).address.value);
            firewall.add(&nodes, Some(id), address, model);
        }
        let ntp: Arc<str> = NTP.into();
        for server in &model.ntp_servers {
            firewall.sets.push(Member {
                set: ntp.clone(),
                node: None,
                address: Address::Given(&server.value),
            });
        }
        firewall.rule(NODES, NTP, "udp", NTP_PORT, "NTP");
    }
    firewall.rules.sort();
    firewall.rules.dedup();
    firewall.sets.sort();
    firewall.sets.dedup();
    firewall
}

impl<'a> Firewall<'a> {
    /// The sets and rules by which `members` (of one group, named `set`) reach each other
    /// at the addresses they dial: see the module's documentation.
    fn members_dial_each_other(
        &mut self,
        model: &'a Model,
        set: &str,
        members: &[NodeId],
        protocols: &[&str],
        reason: &str,
    ) {
        if members.len() < 2 {
            return;
        }
        let port = model.cluster.port;
        let all: Arc<str> = set.into();
        for &member in members {
            let address = Address::Ip(model.node(member).address.value);
            self.add(&all, Some(member), address, model);
        }
        // Each realm's members, and whether one of them has a NAT address: one pass.
        let mut realms: BTreeMap<RealmId, (bool, Vec<NodeId>)> = BTreeMap::new();
        for &member in members {
            let entry = realms.entry(model.realm_of(member)).or_default();
            entry.0 |= model.node(member).nat_address.is_some();
            entry.1.push(member);
        }
        if !realms.values().any(|(nat, _)| *nat) {
            for protocol in protocols {
                self.rule(set, set, protocol, port, reason);
            }
            return;
        }
        let dialed: Arc<str> = format!("{set}:dialed").into();
        for &member in members {
            let address = Address::Ip(model.node(member).external_address().value);
            self.add(&dialed, Some(member), address, model);
        }
        for protocol in protocols {
            self.rule(set, &dialed, protocol, port, reason);
        }
        // Inside a realm with a NAT address, its members dial each other's physical
        // addresses (a realm of one member dials nobody there).
        realms.retain(|_, (nat, inside)| *nat && inside.len() > 1);
        for (realm, (_, inside_members)) in realms {
            let name = &model.realms[realm.index()];
            let inside: Arc<str> = format!("{set}@{name}").into();
            for member in inside_members {
                let address = Address::Ip(model.node(member).address.value);
                self.add(&inside, Some(member), address, model);
            }
            let reason = format!("{reason}, inside NAT realm {name}");
            for protocol in protocols {
                self.rule(&inside, &inside, protocol, port, &reason);
            }
        }
    }

    fn add(
        &mut self,
        set: &Arc<str>,
        node: Option<NodeId>,
        address: Address<'a>,
        model: &'a Model,
    ) {
        self.sets.push(Member {
            set: set.clone(),
            node: node.map(|node| model.node(node).name.as_str()),
            address,
        });
    }

    fn rule(&mut self, from: &str, to: &str, protocol: &str, port: u16, reason: &str) {
        self.rules.push(Rule {
            from: from.to_owned(),
            to: to.to_owned(),
            protocol: protocol.to_owned(),
            port,
            reason: reason.to_owned(),
        });
    }
}

/// `firewall.csv`'s columns, in the order of [`Rule`]'s fields.
pub const RULE_COLUMNS: [&str; 5] = ["from", "to", "protocol", "port", "reason"];

/// `firewall-sets.csv`'s columns, in the order of [`Member`]'s fields.
pub const SET_COLUMNS: [&str; 3] = ["set", "node", "address"];

/// Rows as CSV with a header line (there even when there is no row).
pub fn csv<T: Serialize>(columns: &[&str], rows: &[T]) -> Result<String, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    writer.write_record(columns)?;
    for row in rows {
        writer.serialize(row)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|error| csv::Error::from(error.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The bytes both files take, counted without building them: at most three set rows per
/// membership (a node's name and addresses at most 160 bytes), one per node and NTP
/// server, and two rules per membership at most.
pub fn estimated_size(model: &Model) -> u64 {
    const ROW: u64 = 160;
    let memberships: u64 = match model.cluster.kind {
        Kind::Swg => model
            .network_groups
            .iter()
            .map(|group| group.members.len() as u64)
            .sum(),
        Kind::Seg => model.nodes.len() as u64,
    };
    (memberships * 5 + model.nodes.len() as u64 + model.ntp_servers.len() as u64 + 1) * ROW
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_header_names_the_fields_in_their_order() {
        let rule = Rule {
            from: "group:a".into(),
            to: "group:a".into(),
            protocol: "tcp".into(),
            port: 12346,
            reason: "r".into(),
        };
        let member = Member {
            set: "ntp".into(),
            node: None,
            address: Address::Given("10.0.0.1"),
        };
        assert_eq!(header(&rule), Some(RULE_COLUMNS.join(",")));
        assert_eq!(header(&member), Some(SET_COLUMNS.join(",")));
    }

    /// The header line the csv crate derives from a row's fields.
    fn header<T: Serialize>(row: &T) -> Option<String> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.serialize(row).expect("serializes");
        let bytes = writer.into_inner().expect("flushed");
        let text = String::from_utf8(bytes).expect("UTF-8");
        text.lines().next().map(str::to_owned)
    }
}
