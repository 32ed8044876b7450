//! What a probe of one node checks, decided on the model: the peers the node dials, by
//! which name, at which address and port; how the answer of a name lookup is judged; and
//! the SNTP exchange that measures a clock. `topoc probe` runs these checks over the
//! network, `probe.sh` (`emit::probe_sh`) with `getent`, `nc` and `openssl`; both take their
//! targets from here. Pure: the network and the clock are the caller's.

pub mod sntp;

use std::net::IpAddr;

use crate::model::{Model, NodeId};

/// One peer a node must reach directly, as that node dials it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The peer's node name.
    pub peer: String,
    /// What the prober dials: the peer's FQDN, or its address.
    pub dialed: String,
    /// The address the topology says the prober reaches the peer at (NAT-aware).
    pub address: IpAddr,
    /// The Central Management port.
    pub port: u16,
}

impl Target {
    /// Whether the prober dials a name (that must be looked up) rather than an address.
    pub fn by_name(&self) -> bool {
        self.dialed.parse::<IpAddr>().is_err()
    }

    /// The hosts file line that makes the dialed name lead to the right address, as the
    /// node's `hosts` file writes it.
    pub fn hosts_line(&self) -> String {
        hosts_line(self.address, &self.dialed)
    }
}

/// A hosts file line: an address and a name, separated by a tab.
pub fn hosts_line(address: IpAddr, name: &str) -> String {
    format!("{address}\t{name}")
}

/// Every peer `from` must reach directly, in node order.
pub fn targets(model: &Model, from: NodeId) -> Vec<Target> {
    let realm = model.realm_of(from);
    model
        .direct_peers(from)
        .into_iter()
        .map(|peer| Target {
            peer: model.node(peer).name.clone(),
            dialed: model.dialed(from, peer),
            address: model.address_seen_from(peer, realm).value,
            port: model.cluster.port,
        })
        .collect()
}

/// What a lookup of a target's dialed name says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameVerdict {
    /// The node dials an address: there is nothing to look up.
    Literal,
    /// The name leads to the topology's address (the answers, in the order given).
    Leads(Vec<IpAddr>),
    /// The name resolves, but never to the topology's address.
    Elsewhere(Vec<IpAddr>),
    /// The name does not resolve.
    Unresolved,
}

/// Judges the answers a lookup of `target.dialed` gave.
pub fn judge_name(target: &Target, answers: &[IpAddr]) -> NameVerdict {
    if !target.by_name() {
        NameVerdict::Literal
    } else if answers.is_empty() {
        NameVerdict::Unresolved
    } else if answers.contains(&target.address) {
        NameVerdict::Leads(answers.to_vec())
    } else {
        NameVerdict::Elsewhere(answers.to_vec())
    }
}

/// The NTP servers a node takes its time from (the cluster's), as written.
pub fn ntp_servers(model: &Model) -> Vec<String> {
    model
        .ntp_servers
        .iter()
        .map(|server| server.value.clone())
        .collect()
}
