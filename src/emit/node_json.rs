//! `nodes/<node>/node.json`: one node's Central Management configuration and its routes.

use std::collections::BTreeSet;

use schemars::JsonSchema;
use serde::Serialize;

use crate::analysis::routes::RoutingTable;
use crate::model::{Model, NodeId, Settings};
use crate::syntax::VersionMatchLevel;

/// Layout version of the generated JSON files. Version 2 made `peers` and `routes` (and the
/// all-pairs counts of `cluster.json`) opt-in, so that a default build stays linear in size;
/// version 3 says `transit` only of declared transit nodes, and `relays` of every node in two
/// or more network groups (`cluster.json`'s `transit_nodes` became `relays`); version 4 gives
/// `cluster.json`'s `firewall` as rules over address sets (`rules` and `sets`, the rows of
/// `firewall.csv` and `firewall-sets.csv`) instead of a flow per pair of nodes.
pub const FORMAT_VERSION: u32 = 4;

/// The configuration of one node of the cluster.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct NodeFile {
    /// Layout version of this file.
    pub format_version: u32,
    /// The cluster's name.
    pub cluster: String,
    /// This node's name.
    pub node: String,
    /// The site it stands in.
    pub site: String,
    /// Appliance version and build every node must run, if the topology states it.
    pub appliance_version: Option<String>,
    pub central_management: CentralManagement,
    /// NTP servers, in the order given.
    pub ntp_servers: Vec<String>,
    pub updates: Updates,
    /// Nodes this node talks to directly: those that share a network group with it. Only
    /// with `topoc build --all-pairs`: a group of k members lists k - 1 peers in each of them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peers: Option<Vec<Peer>>,
    /// Every other node that is not a peer, with the peer a message to it goes through
    /// first. Only with `topoc build --all-pairs`: every node lists every other node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routes: Option<Vec<Route>>,
}

/// Configuration > Central Management on this node.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct CentralManagement {
    /// What the node listens on and announces: its FQDN when it has one, else its address.
    pub listen_address: String,
    /// The physical address of its cluster interface.
    pub physical_address: String,
    pub port: u16,
    /// Lower wins a policy conflict; `null` keeps the appliance default.
    pub priority: Option<u32>,
    /// Whether administrators attach the GUI to this node.
    pub management_node: bool,
    /// Whether the topology declares the node a transit node (`transit = true`).
    pub transit: bool,
    /// Whether the node sits in two or more network groups, so that messages between them
    /// pass through it (declared transit or not).
    pub relays: bool,
    pub network_groups: Vec<String>,
    pub update_group: String,
    pub runtime_group: String,
    pub settings: ClusterSettings,
}

/// Settings that are equal on every member; `null` keeps the appliance default.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ClusterSettings {
    pub distribution_timeout_seconds: Option<u64>,
    pub distribution_timeout_multiplier: Option<u32>,
    pub allowed_time_difference_seconds: Option<u64>,
    pub check_version_match: Option<bool>,
    /// `version` or `build`.
    pub check_version_match_level: Option<String>,
}

/// Automatic engine updates on this node.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Updates {
    pub automatic: bool,
    pub from_internet: bool,
    pub from_nodes: bool,
}

/// A node this node talks to directly.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Peer {
    pub node: String,
    /// The peer's FQDN, if it has one; this node's hosts file resolves it.
    pub fqdn: Option<String>,
    /// The address this node reaches the peer at (NAT address across NAT realms).
    pub address: String,
    /// The network groups the two share.
    pub shared_groups: Vec<String>,
}

/// How a message reaches a node that is not a peer.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Route {
    pub node: String,
    /// The peer the message goes to first.
    pub next_hop: String,
    pub hops: u32,
}

impl ClusterSettings {
    pub fn from_model(settings: &Settings) -> Self {
        Self {
            distribution_timeout_seconds: settings
                .distribution_timeout
                .as_ref()
                .map(|d| d.value.as_secs()),
            distribution_timeout_multiplier: settings
                .distribution_timeout_multiplier
                .as_ref()
                .map(|m| m.value),
            allowed_time_difference_seconds: settings
                .allowed_time_difference
                .as_ref()
                .map(|d| d.value.as_secs()),
            check_version_match: settings.check_version_match.as_ref().map(|c| c.value),
            check_version_match_level: settings.check_version_match_level.as_ref().map(|level| {
                match level.value {
                    VersionMatchLevel::Version => "version",
                    VersionMatchLevel::Build => "build",
                }
                .to_owned()
            }),
        }
    }
}

/// The node file of `id`; with `routes` (its routing table), its peers and routes too.
pub fn node_file(model: &Model, id: NodeId, routes: Option<&RoutingTable>) -> NodeFile {
    let node = model.node(id);
    let (peers, routes) = match routes {
        Some(table) => {
            let (peers, routes) = peers_and_routes(model, id, table);
            (Some(peers), Some(routes))
        }
        None => (None, None),
    };
    NodeFile {
        format_version: FORMAT_VERSION,
        cluster: model.cluster.name.value.clone(),
        node: node.name.clone(),
        site: model.site(node.site.value).name.clone(),
        appliance_version: node
            .version
            .as_deref()
            .or(model.cluster.version.as_ref())
            .map(|version| version.value.clone()),
        central_management: CentralManagement {
            listen_address: node.listen_address(),
            physical_address: node.address.value.to_string(),
            port: model.cluster.port,
            priority: node.priority.as_ref().map(|p| p.value),
            management_node: model.is_management_node(id),
            transit: model.is_declared_transit(id),
            relays: model.relays(id),
            network_groups: model.network_group_names(&node.network_groups),
            update_group: model.update_group_name(id).to_owned(),
            runtime_group: model.runtime_group_name(id).to_owned(),
            settings: ClusterSettings::from_model(&model.cluster.settings),
        },
        ntp_servers: model
            .ntp_servers
            .iter()
            .map(|server| server.value.clone())
            .collect(),
        updates: Updates {
            automatic: node.updates.automatic,
            from_internet: node.updates.from_internet,
            from_nodes: node.updates.from_nodes,
        },
        peers,
        routes,
    }
}

/// The peers of `id` (members of its network groups) and the route to every other node.
fn peers_and_routes(model: &Model, id: NodeId, table: &RoutingTable) -> (Vec<Peer>, Vec<Route>) {
    let node = model.node(id);
    let realm = model.realm_of(id);
    let peer_ids: BTreeSet<NodeId> = node
        .network_groups
        .iter()
        .flat_map(|group| &model.network_group(group.value).members)
        .copied()
        .filter(|&peer| peer != id)
        .collect();
    let peers = peer_ids
        .iter()
        .map(|&peer_id| {
            let peer = model.node(peer_id);
            let shared: Vec<_> = peer
                .network_groups
                .iter()
                .filter(|group| {
                    node.network_groups
                        .iter()
                        .any(|own| own.value == group.value)
                })
                .cloned()
                .collect();
            Peer {
                node: peer.name.clone(),
                fqdn: peer.fqdn.as_ref().map(|fqdn| fqdn.value.clone()),
                address: model.address_seen_from(peer_id, realm).value.to_string(),
                shared_groups: model.network_group_names(&shared),
            }
        })
        .collect();
    let routes = model
        .node_ids()
        .filter(|other| *other != id && !peer_ids.contains(other))
        .filter_map(|other| {
            let next = table.next_hop(other)?;
            Some(Route {
                node: model.node(other).name.clone(),
                next_hop: model.node(next.node).name.clone(),
                hops: table.hops(other)?,
            })
        })
        .collect();
    (peers, routes)
}
