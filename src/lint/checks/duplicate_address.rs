use std::collections::BTreeSet;

use foldhash::{HashMap, HashMapExt as _};
use std::net::IpAddr;

use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;
use crate::model::{Model, NodeId, RealmId};

declare_lint! {
    /// Two nodes that look like one address from somewhere in the cluster.
    ///
    /// Every node must reach every other by a distinct address. Inside a NAT realm (sites
    /// that see each other's physical addresses) nodes use each other's physical address;
    /// from another realm they use the NAT address, or the physical one when a node has no
    /// NAT address. The same private address in two realms is therefore fine, as in the
    /// seed's NAT example, but two nodes that one realm would reach at the same address are
    /// not: one of them could never be reached from there. An IPv4-mapped IPv6 address
    /// (`::ffff:10.1.0.5`) is the same address as its IPv4 form.
    ///
    /// Correct the address, give the node a `nat_address`, or put its site in the right
    /// `nat_realm`.
    "duplicate-address",
    Class::Hard,
    Scope::Any
}

/// The first nodes seen with one external address: the very first, and the first of
/// another realm than its. That is enough to find a clash without comparing every pair.
#[derive(Default)]
struct Holders {
    first: Option<NodeId>,
    other_realm: Option<NodeId>,
}

impl Holders {
    /// The first holder in `realm`, when the cluster has only two realms.
    fn first_in(&self, model: &Model, realm: RealmId) -> Option<NodeId> {
        [self.first, self.other_realm]
            .into_iter()
            .flatten()
            .find(|&node| model.realm_of(node) == realm)
    }
}

/// The holders of each external address, and each node's: what a cluster of two realms or
/// more needs to see clashes across them.
struct External {
    /// Each external address's place in `holders`.
    places: HashMap<Key, u32>,
    holders: Vec<Holders>,
    /// Each node's external address's place in `holders`.
    of_node: Vec<u32>,
}

impl External {
    /// One lookup a node.
    fn of(model: &Model, realm_of: &[RealmId]) -> Self {
        let mut places: HashMap<Key, u32> = HashMap::with_capacity(model.nodes.len());
        let mut holders: Vec<Holders> = Vec::new();
        let mut of_node: Vec<u32> = Vec::with_capacity(model.nodes.len());
        for node in model.node_ids() {
            let realm = realm_of[node.index()];
            let next = u32::try_from(holders.len()).expect("fewer nodes than 2^32");
            let at = *places
                .entry(key(model.node(node).external_address().value))
                .or_insert(next);
            if at == next {
                holders.push(Holders::default());
            }
            of_node.push(at);
            let node_holders = &mut holders[at as usize];
            match node_holders.first {
                None => node_holders.first = Some(node),
                Some(first)
                    if node_holders.other_realm.is_none() && realm_of[first.index()] != realm =>
                {
                    node_holders.other_realm = Some(node);
                }
                Some(_) => {}
            }
        }
        Self {
            places,
            holders,
            of_node,
        }
    }

    fn of_node(&self, node: NodeId) -> &Holders {
        &self.holders[self.of_node[node.index()] as usize]
    }

    fn of_address(&self, address: Key) -> Option<&Holders> {
        self.places
            .get(&address)
            .map(|&at| &self.holders[at as usize])
    }
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    if all_distinct(model) {
        return;
    }
    let realm_of: Vec<RealmId> = model.node_ids().map(|node| model.realm_of(node)).collect();
    // The realms with nodes, in order: a viewer outside two realms is among the first three.
    let mut populated = vec![false; model.realms.len()];
    for &realm in &realm_of {
        populated[realm.index()] = true;
    }
    let realms: Vec<RealmId> = (0..populated.len())
        .filter(|&index| populated[index])
        .map(RealmId)
        .collect();
    // Within one realm, nodes only ever see physical addresses.
    let external = (realms.len() > 1).then(|| External::of(model, &realm_of));

    let mut reported: BTreeSet<(NodeId, NodeId)> = BTreeSet::new();
    let mut report = |first: NodeId, second: NodeId, viewer: RealmId| {
        if first != second && reported.insert((first.min(second), first.max(second))) {
            findings.push(clash(model, first.min(second), first.max(second), viewer));
        }
    };

    let mut physical: HashMap<(Key, RealmId), NodeId> = HashMap::with_capacity(model.nodes.len());
    for node in model.node_ids() {
        let realm = realm_of[node.index()];
        let address = key(model.node(node).address.value);
        // Inside one realm: two nodes with one physical address.
        let first = *physical.entry((address, realm)).or_insert(node);
        if first != node {
            report(first, node, realm);
        }
        let Some(external) = &external else {
            continue;
        };
        // Seen from another realm: two nodes with one external address.
        let holders = external.of_node(node);
        let partner = match realms.len() {
            2 => holders.first_in(model, realm),
            _ => holders.first,
        };
        if let Some(partner) = partner {
            let outside = [realm_of[partner.index()], realm];
            if let Some(&viewer) = realms.iter().find(|r| !outside.contains(r)) {
                report(partner, node, viewer);
            }
        }
        // Inside this node's realm: its physical address is another realm's node's external one.
        // (Without a NAT address, the physical address is the external one: no lookup.)
        let physical_holders = if model.node(node).nat_address.is_some() {
            external.of_address(address)
        } else {
            Some(holders)
        };
        if let Some(holders) = physical_holders {
            let foreign = [holders.first, holders.other_realm]
                .into_iter()
                .flatten()
                .find(|&other| realm_of[other.index()] != realm);
            if let Some(other) = foreign {
                report(other, node, realm);
            }
        }
    }
}

/// Whether no two nodes share an address, physical or NAT: then no two can clash, and the
/// tables `check` builds are not needed. That is the common case, told by sorting every
/// address in one vector (addresses mostly come in order; a set would be a cache miss an
/// address).
fn all_distinct(model: &Model) -> bool {
    let mut keys: Vec<Key> = Vec::with_capacity(model.nodes.len());
    for node in &model.nodes {
        let physical = key(node.address.value);
        keys.push(physical);
        let nat = node.nat_address.as_ref().map(|nat| key(nat.value));
        keys.extend(nat.filter(|&nat| nat != physical));
    }
    keys.sort_unstable();
    keys.windows(2).all(|pair| pair[0] != pair[1])
}

/// An address as a key: its octets as IPv6, IPv4 as IPv4-mapped IPv6, so that both forms
/// of one address are one key. Four 32-bit words rather than one `u128`, so that a table
/// entry takes 24 bytes rather than 48.
type Key = [u32; 4];

fn key(address: IpAddr) -> Key {
    let octets = match address.to_canonical() {
        IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
        IpAddr::V6(v6) => v6.octets(),
    };
    let word = |at: usize| u32::from_be_bytes([octets[at], octets[at + 1], octets[at + 2], octets[at + 3]]);
    [word(0), word(4), word(8), word(12)]
}

fn clash(model: &Model, first: NodeId, second: NodeId, viewer: RealmId) -> Finding {
    let (first_at, second_at) = (
        model.address_seen_from(first, viewer),
        model.address_seen_from(second, viewer),
    );
    let (first_name, second_name) = (&model.node(first).name, &model.node(second).name);
    let realm = &model.realms[viewer.index()];
    Finding::new(
        &LINT,
        second_at.span,
        format!(
            "nodes `{first_name}` and `{second_name}` both appear as {} from NAT realm `{realm}`",
            second_at.value
        ),
    )
    .label(format!("`{second_name}` as seen from `{realm}`"))
    .related(
        first_at.span,
        format!("`{first_name}` as seen from `{realm}`"),
    )
    .help("give each node its own address, a `nat_address`, or its site the right `nat_realm`")
    .nodes([first_name.clone(), second_name.clone()])
}
