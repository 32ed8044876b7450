//! `inventory.yaml`: an Ansible inventory of the cluster.
//!
//! Hosts carry `ansible_host` (the address the control node reaches them at: the physical
//! one, or the NAT one where `[inventory]` says so) and the node's settings as `topoc_*`
//! variables; a variable with no value is left out, so that Ansible's `default()` applies.
//! Groups: one per site (`site_NAME`); for web gateway clusters one per network, update and
//! runtime group (`network_group_NAME`, `update_group_NAME`, `runtime_group_NAME`), and
//! `management_node`, `transit` (declared `transit = true`) and `relays` (in two or more
//! network groups, declared or not); for SEG clusters `master`. Ansible group names take
//! letters, digits and underscores, so the hyphens of names become underscores; names have
//! no underscores of their own, so no two groups meet.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::Serialize;

use crate::model::{Model, NodeId};
use crate::syntax::{Kind, Reach};

#[derive(Serialize)]
struct Inventory<'a> {
    all: All<'a>,
}

#[derive(Serialize)]
struct All<'a> {
    hosts: BTreeMap<&'a str, HostVars<'a>>,
    children: BTreeMap<String, Child<'a>>,
}

#[derive(Serialize)]
struct Child<'a> {
    // Ansible wants a mapping of host names to nothing (`name: null`); a set would be a list.
    #[allow(clippy::zero_sized_map_values)]
    hosts: BTreeMap<&'a str, ()>,
}

/// What every host has.
#[derive(Serialize)]
struct HostVars<'a> {
    #[serde(serialize_with = "super::firewall::shown")]
    ansible_host: IpAddr,
    topoc_cluster: &'a str,
    topoc_site: &'a str,
    topoc_listen_address: String,
    topoc_port: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    topoc_fqdn: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    topoc_nat_address: Option<String>,
    #[serde(flatten)]
    kind: KindVars<'a>,
}

/// What only one kind of cluster has.
#[derive(Serialize)]
#[serde(untagged)]
enum KindVars<'a> {
    Web {
        topoc_transit: bool,
        topoc_relays: bool,
        topoc_management_node: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        topoc_priority: Option<u32>,
        topoc_network_groups: Vec<&'a str>,
        topoc_update_group: &'a str,
        topoc_runtime_group: &'a str,
    },
    Mail {
        topoc_master: bool,
    },
}

/// The group name Ansible accepts for `prefix` and a topology name.
fn group_name(prefix: &str, name: &str) -> String {
    format!("{prefix}_{}", name.replace('-', "_"))
}

/// The address the Ansible control node reaches `id` at.
fn ansible_host(model: &Model, id: NodeId) -> IpAddr {
    let node = model.node(id);
    match (model.reach[node.site.value.index()], &node.nat_address) {
        (Reach::Nat, Some(nat)) => nat.value,
        _ => node.address.value,
    }
}

/// The groups `id` belongs to.
fn memberships(model: &Model, id: NodeId) -> Vec<String> {
    let node = model.node(id);
    let mut groups = vec![group_name("site", &model.site(node.site.value).name)];
    match model.cluster.kind {
        Kind::Swg => {
            groups.extend(
                model
                    .network_group_names(&node.network_groups)
                    .iter()
                    .map(|g| group_name("network_group", g)),
            );
            groups.push(group_name("update_group", model.update_group_name(id)));
            groups.push(group_name("runtime_group", model.runtime_group_name(id)));
            if model.is_management_node(id) {
                groups.push("management_node".to_owned());
            }
            if model.is_declared_transit(id) {
                groups.push("transit".to_owned());
            }
            if model.relays(id) {
                groups.push("relays".to_owned());
            }
        }
        Kind::Seg if model.is_management_node(id) => groups.push("master".to_owned()),
        Kind::Seg => {}
    }
    groups
}

fn host_vars(model: &Model, id: NodeId) -> HostVars<'_> {
    let node = model.node(id);
    let kind = match model.cluster.kind {
        Kind::Swg => KindVars::Web {
            topoc_transit: model.is_declared_transit(id),
            topoc_relays: model.relays(id),
            topoc_management_node: model.is_management_node(id),
            topoc_priority: node.priority.as_ref().map(|p| p.value),
            topoc_network_groups: node
                .network_groups
                .iter()
                .map(|group| model.network_group(group.value).name.as_str())
                .collect(),
            topoc_update_group: model.update_group_name(id),
            topoc_runtime_group: model.runtime_group_name(id),
        },
        Kind::Seg => KindVars::Mail {
            topoc_master: model.is_management_node(id),
        },
    };
    HostVars {
        ansible_host: ansible_host(model, id),
        topoc_cluster: &model.cluster.name.value,
        topoc_site: &model.site(node.site.value).name,
        topoc_listen_address: node.listen_address(),
        topoc_port: model.cluster.port,
        topoc_fqdn: node.fqdn.as_ref().map(|f| f.value.as_str()),
        topoc_nat_address: node.nat_address.as_ref().map(|n| n.value.to_string()),
        kind,
    }
}

/// `inventory.yaml` into `writer`, a piece at a time: a comment line, then the inventory.
pub fn write_inventory(model: &Model, writer: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut children: BTreeMap<String, Child> = BTreeMap::new();
    let mut hosts = BTreeMap::new();
    for id in model.node_ids() {
        let name = &model.node(id).name;
        for group in memberships(model, id) {
            #[allow(clippy::zero_sized_map_values)]
            children
                .entry(group)
                .or_insert_with(|| Child {
                    hosts: BTreeMap::new(),
                })
                .hosts
                .insert(name.as_str(), ());
        }
        hosts.insert(name.as_str(), host_vars(model, id));
    }
    writeln!(
        writer,
        "# Ansible inventory generated by topoc {} for cluster {}. Do not edit.",
        env!("CARGO_PKG_VERSION"),
        model.cluster.name.value.replace(['\n', '\r'], " ")
    )?;
    serde_norway::to_writer(
        writer,
        &Inventory {
            all: All { hosts, children },
        },
    )
    .map_err(std::io::Error::other)
}
