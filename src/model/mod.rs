//! The resolved topology: defaults applied, names checked and folded, references turned
//! into ids, and every entity still pointing at the place in the file it came from.
//!
//! Sites, nodes and groups are sorted by name, so ids follow name order and everything
//! derived from the model is deterministic.

pub mod intent;
pub mod resolve;
pub mod values;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::Duration;

use ipnet::IpNet;

use crate::source::Span;
use crate::syntax::{Algorithm, Kind, Reach, VersionMatchLevel};

/// The largest clock difference the appliances accept between nodes: "If the times get out
/// of sync (more than 2 minutes), CM communication will fail" (seed: Central Management).
pub const MAX_CLOCK_DIFFERENCE: Duration = Duration::from_secs(120);

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Located<T> {
    pub fn new(value: T, span: Span) -> Self {
        Self { value, span }
    }
}

macro_rules! id {
    ($name:ident) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub usize);

        impl $name {
            pub fn index(self) -> usize {
                self.0
            }
        }
    };
}

id!(NodeId);
id!(SiteId);
id!(GroupId);
id!(RealmId);

#[derive(Debug)]
pub struct Model {
    pub cluster: Cluster,
    pub ntp_servers: Vec<Located<String>>,
    /// Where `[ntp]` is, if the file has it.
    pub ntp_span: Option<Span>,
    pub ca: CaSettings,
    pub sites: Vec<Site>,
    pub nodes: Vec<Node>,
    pub network_groups: Vec<Group>,
    pub update_groups: Vec<Group>,
    pub runtime_groups: Vec<Group>,
    /// NAT realms by name; sites in one realm see each other's physical addresses.
    pub realms: Vec<String>,
    /// How the Ansible control node reaches each site's nodes, by site id.
    pub reach: Vec<Reach>,
    /// `[secrets]`: whom the secrets are encrypted to.
    pub sealing: Sealing,
    /// `[resilience]`: the failures the cluster must survive connected.
    pub resilience: intent::Resilience,
    /// `[[assert]]`: statements about nodes, in file order.
    pub assertions: Vec<intent::Assertion>,
}

/// `[secrets]`: the age recipients every secret is encrypted to, when any are named.
#[derive(Debug, Clone, Default)]
pub struct Sealing {
    /// Recipients written in the topology, each checked.
    pub recipients: Vec<Located<String>>,
    /// `recipients_file`, relative to the topology's directory (read at the edge).
    pub recipients_file: Option<Located<String>>,
    /// Where `[secrets]` is.
    pub span: Option<Span>,
}

impl Sealing {
    /// Whether the topology asks for encrypted secrets.
    pub fn wanted(&self) -> bool {
        !self.recipients.is_empty() || self.recipients_file.is_some()
    }
}

#[derive(Debug)]
pub struct Cluster {
    pub name: Located<String>,
    pub kind: Kind,
    /// Where `[cluster]` is.
    pub span: Span,
    pub port: u16,
    pub port_span: Option<Span>,
    pub version: Option<Located<String>>,
    pub management_node: Option<Located<NodeId>>,
    /// The backbone network group; it exists only if some node joins it.
    pub transit_group: String,
    pub transit_fanout_limit: usize,
    /// Routes longer than this are reported by `long-route`.
    pub max_route_hops: usize,
    pub settings: Settings,
    pub shared_key: Option<SharedKeySource>,
}

/// Where `build` reads a SEG cluster's shared key; the key itself is never in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SharedKeySource {
    Env(Located<String>),
    File(Located<String>),
}

/// Central Management settings. `None` leaves the appliance default.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Settings {
    pub distribution_timeout: Option<Located<Duration>>,
    pub distribution_timeout_multiplier: Option<Located<u32>>,
    pub allowed_time_difference: Option<Located<Duration>>,
    pub check_version_match: Option<Located<bool>>,
    pub check_version_match_level: Option<Located<VersionMatchLevel>>,
}

#[derive(Debug)]
pub struct CaSettings {
    pub common_name: String,
    pub algorithm: Algorithm,
    pub validity_days: u32,
    pub node_validity_days: u32,
    /// Where `[ca]` is, if the file has it.
    pub span: Option<Span>,
    /// An existing CA kept outside the secrets directory: certificate and key paths,
    /// relative to the topology file.
    pub external: Option<(Located<String>, Located<String>)>,
}

#[derive(Debug)]
pub struct Site {
    pub name: String,
    /// The key of `[sites.NAME]`.
    pub span: Span,
    pub location: Option<String>,
    pub subnet: Option<Located<IpNet>>,
    pub realm: RealmId,
    pub update_group: Located<String>,
    pub runtime_group: Located<String>,
    /// The gateway to other realms' NAT addresses for the site's nodes.
    pub route_via: Option<Located<IpAddr>>,
}

#[derive(Debug)]
pub struct Node {
    pub name: String,
    /// The key of `[nodes.NAME]`.
    pub span: Span,
    pub site: Located<SiteId>,
    pub address: Located<IpAddr>,
    /// Boxed, as `version`: most nodes have neither, and a node is kept small.
    pub fqdn: Option<Box<Located<String>>>,
    pub nat_address: Option<Located<IpAddr>>,
    /// The gateway to other realms' NAT addresses: the node's own `route_via`, else its
    /// site's.
    pub route_via: Option<Located<IpAddr>>,
    /// `transit = true`: a member of the cluster's transit group.
    pub transit: Option<Located<bool>>,
    /// Sorted by group id, without repeats; each span is where the membership comes from.
    pub network_groups: Vec<Located<GroupId>>,
    pub update_group: Located<GroupId>,
    pub runtime_group: Located<GroupId>,
    pub priority: Option<Located<u32>>,
    pub version: Option<Box<Located<String>>>,
    pub updates: Updates,
    /// A port written on the node, to be compared with the cluster's.
    pub port: Option<Located<u16>>,
    /// Settings written on the node, to be compared with the cluster's.
    /// Central Management settings of its own, where it has any (most nodes have none).
    pub settings: Option<Box<Settings>>,
}

/// How a node takes part in engine updates; all true unless the file says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Updates {
    pub automatic: bool,
    pub from_internet: bool,
    pub from_nodes: bool,
}

#[derive(Debug)]
pub struct Group {
    pub name: String,
    /// Members in node id order.
    pub members: Vec<NodeId>,
    /// The first place the file names this group.
    pub span: Span,
    /// Named by the file (in `network_groups` or by `transit = true`), not only a site's
    /// default network group.
    pub explicit: bool,
}

impl Node {
    /// Its own Central Management settings; none set where it has none.
    pub fn settings(&self) -> &Settings {
        const NONE: &Settings = &Settings::none();
        self.settings.as_deref().unwrap_or(NONE)
    }
}

impl Settings {
    /// Every setting left to the cluster's (or the appliance's) default.
    pub const fn none() -> Self {
        Self {
            distribution_timeout: None,
            distribution_timeout_multiplier: None,
            allowed_time_difference: None,
            check_version_match: None,
            check_version_match_level: None,
        }
    }
}

impl Model {
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }

    pub fn site(&self, id: SiteId) -> &Site {
        &self.sites[id.index()]
    }

    pub fn network_group(&self, id: GroupId) -> &Group {
        &self.network_groups[id.index()]
    }

    pub fn node_ids(&self) -> impl Iterator<Item = NodeId> + '_ {
        (0..self.nodes.len()).map(NodeId)
    }

    /// Where the cluster CA is named: `[ca]`'s `cert` when the CA is kept outside, else
    /// `[ca]`, else `[cluster]`.
    pub fn ca_span(&self) -> Span {
        self.ca
            .external
            .as_ref()
            .map(|(cert, _)| cert.span)
            .or(self.ca.span)
            .unwrap_or(self.cluster.span)
    }

    /// The NAT realm a node stands in.
    pub fn realm_of(&self, node: NodeId) -> RealmId {
        self.site(self.node(node).site.value).realm
    }

    /// The transit group, if any node joins it.
    pub fn transit_group(&self) -> Option<GroupId> {
        self.network_groups
            .binary_search_by(|group| group.name.as_str().cmp(&self.cluster.transit_group))
            .ok()
            .map(GroupId)
    }

    /// Whether `node` sits in two or more network groups, so that messages between them pass
    /// through it (a transit node in the graph, declared so or not).
    pub fn relays(&self, node: NodeId) -> bool {
        self.node(node).network_groups.len() >= 2
    }

    /// Whether the file declares `node` a transit node (`transit = true`).
    pub fn is_declared_transit(&self, node: NodeId) -> bool {
        self.node(node)
            .transit
            .as_ref()
            .is_some_and(|transit| transit.value)
    }

    /// The members of a group by site, sites in id order.
    pub fn members_by_site(&self, members: &[NodeId]) -> BTreeMap<SiteId, Vec<NodeId>> {
        let mut by_site: BTreeMap<SiteId, Vec<NodeId>> = BTreeMap::new();
        for &member in members {
            by_site
                .entry(self.node(member).site.value)
                .or_default()
                .push(member);
        }
        by_site
    }

    /// The address of `node` as nodes of `viewer` reach it: the physical address inside its
    /// own NAT realm, the NAT address (or the physical one, without NAT) from any other.
    pub fn address_seen_from(&self, node: NodeId, viewer: RealmId) -> &Located<IpAddr> {
        if self.realm_of(node) == viewer {
            &self.node(node).address
        } else {
            self.node(node).external_address()
        }
    }

    /// The names of `groups` (network groups), in the order given.
    pub fn network_group_names(&self, groups: &[Located<GroupId>]) -> Vec<String> {
        groups
            .iter()
            .map(|group| self.network_group(group.value).name.clone())
            .collect()
    }

    pub fn update_group_name(&self, node: NodeId) -> &str {
        &self.update_groups[self.node(node).update_group.value.index()].name
    }

    pub fn runtime_group_name(&self, node: NodeId) -> &str {
        &self.runtime_groups[self.node(node).runtime_group.value.index()].name
    }

    /// Where the cluster starts: the management node, else the first node by name (none in
    /// a cluster without nodes). Routes are counted from it, and it joins first.
    pub fn start_node(&self) -> Option<NodeId> {
        self.cluster
            .management_node
            .as_ref()
            .map(|node| node.value)
            .or_else(|| self.node_ids().next())
    }

    /// Whether administrators attach the GUI to `node` (swg), or it is the master (seg).
    pub fn is_management_node(&self, node: NodeId) -> bool {
        self.cluster
            .management_node
            .as_ref()
            .is_some_and(|management| management.value == node)
    }

    /// The nodes `node` talks to directly, in id order: those it shares a network group with
    /// (SEG: every other node).
    pub fn direct_peers(&self, node: NodeId) -> Vec<NodeId> {
        let mut peers: Vec<NodeId> = match self.cluster.kind {
            Kind::Seg => self.node_ids().collect(),
            Kind::Swg => self
                .node(node)
                .network_groups
                .iter()
                .flat_map(|group| self.network_group(group.value).members.iter().copied())
                .collect(),
        };
        peers.sort_unstable();
        peers.dedup();
        peers.retain(|&peer| peer != node);
        peers
    }

    /// What `from` dials to reach `to`: its FQDN, else the address seen from `from`'s NAT
    /// realm.
    pub fn dialed(&self, from: NodeId, to: NodeId) -> String {
        self.node(to).fqdn.as_ref().map_or_else(
            || {
                self.address_seen_from(to, self.realm_of(from))
                    .value
                    .to_string()
            },
            |fqdn| fqdn.value.clone(),
        )
    }

    /// By network group: its members in a single group (that relay nothing), in id order.
    /// Made once for every transit node that asks what is behind it, so that many transit
    /// nodes in one large group do not each walk its members.
    pub fn plain_members(&self) -> Vec<Vec<NodeId>> {
        self.network_groups
            .iter()
            .map(|group| {
                group
                    .members
                    .iter()
                    .copied()
                    .filter(|&member| !self.relays(member))
                    .collect()
            })
            .collect()
    }

    /// The nodes behind a transit node: those in a single group that it shares, in id order
    /// (`plain` is [`Self::plain_members`]).
    pub fn nodes_behind(&self, transit: NodeId, plain: &[Vec<NodeId>]) -> Vec<NodeId> {
        let mut behind: Vec<NodeId> = self
            .node(transit)
            .network_groups
            .iter()
            .flat_map(|group| &plain[group.value.index()])
            .copied()
            .collect();
        behind.sort_unstable();
        behind
    }

    /// Names of nodes, in the order given.
    pub fn node_names(&self, nodes: &[NodeId]) -> Vec<String> {
        nodes
            .iter()
            .map(|&node| self.node(node).name.clone())
            .collect()
    }
}

impl Node {
    /// What the node listens on and announces: its FQDN when it has one, else its address.
    pub fn listen_address(&self) -> String {
        self.fqdn
            .as_ref()
            .map_or_else(|| self.address.value.to_string(), |fqdn| fqdn.value.clone())
    }

    /// The address other realms must use: the NAT address, or the physical one.
    pub fn external_address(&self) -> &Located<IpAddr> {
        self.nat_address.as_ref().unwrap_or(&self.address)
    }
}
