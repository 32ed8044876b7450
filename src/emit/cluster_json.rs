//! `cluster.json`: the compiled model, for tools and for review.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;

use crate::analysis::Analysis;
use crate::analysis::routes::RoutingTable;
use crate::emit::firewall::Firewall;
use crate::emit::node_json::{ClusterSettings, FORMAT_VERSION};
use crate::model::{Group, Model, NodeId};
use crate::syntax::Kind;

/// The whole cluster as topoc understood it.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ClusterFile<'a> {
    /// Layout version of this file.
    pub format_version: u32,
    pub cluster: ClusterInfo,
    pub ntp_servers: Vec<String>,
    pub sites: Vec<SiteInfo<'a>>,
    pub nodes: Vec<NodeInfo<'a>>,
    /// The firewall rules between the nodes and to their NTP servers, and the address sets
    /// they name: the rows of `firewall.csv` and `firewall-sets.csv`.
    pub firewall: Firewall<'a>,
    /// Web gateway clusters only: groups, transit nodes, parts and routes. A SEG cluster
    /// has none of these (every server talks to every other).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub central_management: Option<CentralManagementInfo<'a>>,
}

/// What Central Management (web gateway clusters) makes of the topology.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct CentralManagementInfo<'a> {
    pub transit_group: String,
    pub transit_fanout_limit: usize,
    pub max_route_hops: usize,
    pub settings: ClusterSettings,
    pub network_groups: Vec<GroupInfo<'a>>,
    pub update_groups: Vec<GroupInfo<'a>>,
    pub runtime_groups: Vec<GroupInfo<'a>>,
    /// Nodes in two or more network groups (messages between their groups pass through
    /// them), whether declared transit or not, with the nodes behind them.
    pub relays: Vec<TransitInfo>,
    /// Sets of nodes that reach each other; one part when the cluster is whole.
    pub parts: Vec<Vec<String>>,
    pub routes: RouteSummary,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ClusterInfo {
    pub name: String,
    /// `swg` or `seg`.
    pub kind: String,
    pub port: u16,
    pub version: Option<String>,
    /// The node administrators attach the GUI to (web gateways), or the master (SEG).
    pub management_node: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SiteInfo<'a> {
    pub name: String,
    pub location: Option<String>,
    pub subnet: Option<String>,
    pub nat_realm: String,
    pub nodes: Vec<&'a str>,
}

/// A node of the cluster.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
// Names are borrowed from the model: a cluster of 100,000 nodes copies none of them.
pub struct NodeInfo<'a> {
    pub name: &'a str,
    pub site: &'a str,
    #[serde(serialize_with = "super::firewall::shown")]
    #[schemars(with = "String")]
    pub address: std::net::IpAddr,
    pub fqdn: Option<&'a str>,
    pub nat_address: Option<String>,
    /// Web gateway clusters only: its place in Central Management.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub central_management: Option<NodeGroups<'a>>,
}

/// A web gateway node's groups and role.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct NodeGroups<'a> {
    /// Declared `transit = true`.
    pub transit: bool,
    /// In two or more network groups.
    pub relays: bool,
    pub priority: Option<u32>,
    pub network_groups: Vec<&'a str>,
    pub update_group: &'a str,
    pub runtime_group: &'a str,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct GroupInfo<'a> {
    pub name: &'a str,
    pub members: Vec<&'a str>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct TransitInfo {
    pub node: String,
    /// Declared `transit = true`.
    pub declared_transit: bool,
    pub network_groups: Vec<String>,
    /// Nodes in a single group that shares a group with this node.
    pub behind: Vec<String>,
}

/// How long routes are: from one node to every other always, over all pairs on request.
#[derive(Debug, Default, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RouteSummary {
    /// Routes from the management node (else the first node by name) to every node it
    /// reaches: the path configuration changes take from the GUI.
    pub from_management_node: Option<RoutesFromOne>,
    /// Over all ordered pairs of nodes; only with `topoc build --all-pairs`, as it costs one
    /// search per node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all_pairs: Option<AllPairs>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RoutesFromOne {
    pub node: String,
    /// Nodes reached, by the number of hops to them.
    pub nodes_by_hops: BTreeMap<u32, u64>,
    /// The first farthest node, if the node reaches any other.
    pub farthest: Option<Farthest>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Farthest {
    pub node: String,
    pub hops: u32,
}

#[derive(Debug, Default, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct AllPairs {
    /// Ordered pairs of distinct nodes, by the number of hops between them.
    pub pairs_by_hops: BTreeMap<u32, u64>,
    /// The longest route, if any two nodes reach each other.
    pub longest: Option<LongestRoute>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct LongestRoute {
    pub from: String,
    pub to: String,
    pub hops: u32,
}

impl RoutesFromOne {
    /// The summary of `table`: every node it reaches, in id order, the first farthest kept.
    pub fn new(model: &Model, table: &RoutingTable) -> Self {
        let mut summary = RoutesFromOne {
            node: model.node(table.source).name.clone(),
            nodes_by_hops: BTreeMap::new(),
            farthest: None,
        };
        for other in model.node_ids() {
            let Some(hops) = table.hops(other) else {
                continue;
            };
            *summary.nodes_by_hops.entry(hops).or_default() += 1;
            if summary.farthest.as_ref().is_none_or(|far| hops > far.hops) {
                summary.farthest = Some(Farthest {
                    node: model.node(other).name.clone(),
                    hops,
                });
            }
        }
        summary
    }
}

impl AllPairs {
    /// Counts every route of `table`; the first longest seen (in source, then destination
    /// order) stays.
    pub fn add(&mut self, model: &Model, table: &RoutingTable) {
        let from_one = RoutesFromOne::new(model, table);
        for (hops, count) in from_one.nodes_by_hops {
            *self.pairs_by_hops.entry(hops).or_default() += count;
        }
        if let Some(farthest) = from_one.farthest
            && self
                .longest
                .as_ref()
                .is_none_or(|longest| farthest.hops > longest.hops)
        {
            self.longest = Some(LongestRoute {
                from: from_one.node,
                to: farthest.node,
                hops: farthest.hops,
            });
        }
    }
}

pub fn cluster_file<'a>(
    model: &'a Model,
    analysis: &Analysis,
    routes: RouteSummary,
    firewall: Firewall<'a>,
) -> ClusterFile<'a> {
    let cluster = &model.cluster;
    let names = |nodes: &[NodeId]| -> Vec<&'a str> {
        nodes
            .iter()
            .map(|&node| model.node(node).name.as_str())
            .collect()
    };
    let groups = |groups: &'a [Group]| -> Vec<GroupInfo<'a>> {
        groups
            .iter()
            .map(|group| GroupInfo {
                name: &group.name,
                members: names(&group.members),
            })
            .collect()
    };
    // Each site's nodes in one pass: a filter per site would cost sites × nodes.
    let mut site_nodes = vec![Vec::new(); model.sites.len()];
    for node in &model.nodes {
        site_nodes[node.site.value.index()].push(node.name.as_str());
    }
    let web = cluster.kind == Kind::Swg;
    ClusterFile {
        format_version: FORMAT_VERSION,
        cluster: ClusterInfo {
            name: cluster.name.value.clone(),
            kind: match cluster.kind {
                Kind::Swg => "swg",
                Kind::Seg => "seg",
            }
            .to_owned(),
            port: cluster.port,
            version: cluster.version.as_ref().map(|v| v.value.clone()),
            management_node: cluster
                .management_node
                .as_ref()
                .map(|m| model.node(m.value).name.clone()),
        },
        ntp_servers: model.ntp_servers.iter().map(|s| s.value.clone()).collect(),
        sites: model
            .sites
            .iter()
            .enumerate()
            .map(|(index, site)| SiteInfo {
                name: site.name.clone(),
                location: site.location.clone(),
                subnet: site.subnet.as_ref().map(|s| s.value.to_string()),
                nat_realm: model.realms[site.realm.index()].clone(),
                nodes: std::mem::take(&mut site_nodes[index]),
            })
            .collect(),
        nodes: model.node_ids().map(|id| node_info(model, id)).collect(),
        firewall,
        central_management: web.then(|| CentralManagementInfo {
            transit_group: cluster.transit_group.clone(),
            transit_fanout_limit: cluster.transit_fanout_limit,
            max_route_hops: cluster.max_route_hops,
            settings: ClusterSettings::from_model(&cluster.settings),
            network_groups: groups(&model.network_groups),
            update_groups: groups(&model.update_groups),
            runtime_groups: groups(&model.runtime_groups),
            relays: relays(model),
            parts: analysis
                .parts
                .iter()
                .map(|part| model.node_names(part))
                .collect(),
            routes,
        }),
    }
}

fn relays(model: &Model) -> Vec<TransitInfo> {
    let plain = model.plain_members();
    model
        .node_ids()
        .filter(|&id| model.relays(id))
        .map(|id| {
            let node = model.node(id);
            let behind = model.nodes_behind(id, &plain);
            TransitInfo {
                node: node.name.clone(),
                declared_transit: model.is_declared_transit(id),
                network_groups: model.network_group_names(&node.network_groups),
                behind: model.node_names(&behind),
            }
        })
        .collect()
}

/// What cluster.json says of one node.
fn node_info(model: &Model, id: NodeId) -> NodeInfo<'_> {
    let web = model.cluster.kind == Kind::Swg;
    let node = model.node(id);
    NodeInfo {
        name: &node.name,
        site: &model.site(node.site.value).name,
        address: node.address.value,
        fqdn: node.fqdn.as_ref().map(|f| f.value.as_str()),
        nat_address: node.nat_address.as_ref().map(|n| n.value.to_string()),
        central_management: web.then(|| NodeGroups {
            transit: model.is_declared_transit(id),
            relays: model.relays(id),
            priority: node.priority.as_ref().map(|p| p.value),
            network_groups: node
                .network_groups
                .iter()
                .map(|group| model.network_group(group.value).name.as_str())
                .collect(),
            update_group: model.update_group_name(id),
            runtime_group: model.runtime_group_name(id),
        }),
    }
}
