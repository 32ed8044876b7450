//! What an operator must do about a change, beyond re-applying each node's files: the
//! consequences `topoc diff` lists, each a sentence with this cluster's names and values.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Model, NodeId, Settings};
use crate::syntax::Kind;

use super::diff::Side;
use crate::analysis::join;
use crate::finding::quoted;
use crate::model::resolve::defaults::ca_common_name;

/// Every consequence of going from `old` to `new`, in the order to act on them.
pub fn consequences(old: &Side<'_>, new: &Side<'_>, hosts_changed: &[String]) -> Vec<String> {
    let (a, b) = (old.model, new.model);
    let mut out = Vec::new();
    if b.cluster.kind == Kind::Seg {
        seg(a, b, &mut out);
    } else {
        ca(a, b, &mut out);
    }
    version(a, b, &mut out);
    port(a, b, &mut out);
    if b.cluster.kind == Kind::Swg {
        settings(a, b, &mut out);
        management(a, b, &mut out);
    }
    ntp(a, b, &mut out);
    if !hosts_changed.is_empty() {
        out.push(format!(
            "the hosts files change on {}: merge each node's new block (File editor > hosts) before re-applying its settings",
            quoted(hosts_changed)
        ));
    }
    joins(a, b, &mut out);
    out
}

fn node_name(model: &Model, node: Option<NodeId>) -> Option<&str> {
    node.map(|id| model.node(id).name.as_str())
}

fn master(model: &Model) -> Option<&str> {
    node_name(
        model,
        model.cluster.management_node.as_ref().map(|m| m.value),
    )
}

/// A SEG cluster: its name is its identity, and its master heads every directory file.
fn seg(a: &Model, b: &Model, out: &mut Vec<String>) {
    let first = master(b).unwrap_or("the master");
    if a.cluster.name.value != b.cluster.name.value {
        out.push(format!(
            "the cluster name changes from \"{}\" to \"{}\": for SEG servers that is a new cluster. Replace `AppClusterDirectory.xml` on every node, `{first}` (the master) first, and restart the EAS Integration Service on each; the nodes rejoin as the new cluster",
            a.cluster.name.value, b.cluster.name.value
        ));
    } else if master(a) != master(b) {
        out.push(format!(
            "the master changes from `{}` to `{first}`: it must be the first entry of every node's `AppClusterDirectory.xml`; replace the file on every node, `{first}` first, and restart the service on each",
            master(a).unwrap_or("none")
        ));
    }
}

/// The cluster CA: only a CA of one's own that changes files is a new CA; the settings of
/// topoc's own CA apply when a new one is made.
fn ca(a: &Model, b: &Model, out: &mut Vec<String>) {
    let files = |model: &Model| {
        model
            .ca
            .external
            .as_ref()
            .map(|(cert, key)| (cert.value.clone(), key.value.clone()))
    };
    if files(a) != files(b) {
        out.push(
            "the cluster CA changes (`[ca]` names other files): import the new CA certificate and key on every node first; every node certificate is issued anew".to_owned(),
        );
        return;
    }
    let default_name = |model: &Model| ca_common_name(&model.cluster.name.value);
    let named = |model: &Model| {
        Some(model.ca.common_name.clone()).filter(|name| *name != default_name(model))
    };
    let (x, y) = (&a.ca, &b.ca);
    let mut changed = Vec::new();
    if x.algorithm != y.algorithm {
        changed.push("algorithm");
    }
    if named(a) != named(b) {
        changed.push("common_name");
    }
    if x.validity_days != y.validity_days {
        changed.push("validity_days");
    }
    if x.node_validity_days != y.node_validity_days {
        changed.push("node_validity_days");
    }
    if !changed.is_empty() {
        out.push(format!(
            "`[ca]` {} changes: it applies when a new CA is made; the current CA stays until `topoc ca rotate`",
            changed.join(", ")
        ));
    }
}

/// The versions nodes run (the cluster's, or a node's own).
fn version(a: &Model, b: &Model, out: &mut Vec<String>) {
    let versions = |model: &Model| -> BTreeMap<String, String> {
        model
            .nodes
            .iter()
            .filter_map(|node| {
                let version = node.version.as_deref().or(model.cluster.version.as_ref())?;
                Some((node.name.clone(), version.value.clone()))
            })
            .collect()
    };
    let (before, after) = (versions(a), versions(b));
    let upgraded: Vec<String> = after
        .iter()
        .filter(|(node, version)| before.get(*node).is_some_and(|old| old != *version))
        .map(|(node, _)| node.clone())
        .collect();
    if upgraded.is_empty() {
        return;
    }
    let to = b
        .cluster
        .version
        .as_ref()
        .map_or_else(|| after[&upgraded[0]].clone(), |v| v.value.clone());
    let procedure = match b.cluster.kind {
        Kind::Swg => {
            "the vendor's procedure is to remove every node from the Central Management cluster, one at a time, upgrade each stand-alone, then add them back"
        }
        Kind::Seg => {
            "the vendor's procedure is to stop the EAS Integration Service on every node, upgrade each server, then start the master first and the others one at a time"
        }
    };
    out.push(format!(
        "an upgrade to {to} ({}): {procedure}; `topoc plan upgrade NEW --to {to}` lists the steps for this cluster",
        quoted(&upgraded)
    ));
}

/// The cluster port: every node must agree.
fn port(a: &Model, b: &Model, out: &mut Vec<String>) {
    let (from, to) = (a.cluster.port, b.cluster.port);
    if from == to {
        return;
    }
    let order: Vec<String> = master(b)
        .map(str::to_owned)
        .into_iter()
        .chain(
            b.nodes
                .iter()
                .map(|node| node.name.clone())
                .filter(|name| Some(name.as_str()) != master(b)),
        )
        .collect();
    out.push(format!(
        "the cluster port changes from {from} to {to}: every node must use the same port. Open {to} in the firewalls between the nodes first, then change it on every node in this order: {}; nodes lose contact with each other until all are changed",
        quoted(&order)
    ));
}

/// The values of Central Management settings, by name, for comparing.
fn setting_values(settings: &Settings) -> BTreeMap<&'static str, Option<String>> {
    BTreeMap::from([
        (
            "distribution_timeout",
            settings
                .distribution_timeout
                .as_ref()
                .map(|d| format!("{:?}", d.value)),
        ),
        (
            "distribution_timeout_multiplier",
            settings
                .distribution_timeout_multiplier
                .as_ref()
                .map(|m| m.value.to_string()),
        ),
        (
            "allowed_time_difference",
            settings
                .allowed_time_difference
                .as_ref()
                .map(|d| format!("{:?}", d.value)),
        ),
        (
            "check_version_match",
            settings
                .check_version_match
                .as_ref()
                .map(|c| c.value.to_string()),
        ),
        (
            "check_version_match_level",
            settings
                .check_version_match_level
                .as_ref()
                .map(|l| format!("{:?}", l.value)),
        ),
    ])
}

/// Cluster-wide Central Management settings.
fn settings(a: &Model, b: &Model, out: &mut Vec<String>) {
    let (before, after) = (
        setting_values(&a.cluster.settings),
        setting_values(&b.cluster.settings),
    );
    let changed: Vec<&str> = before
        .keys()
        .filter(|key| before[*key] != after[*key])
        .copied()
        .collect();
    if changed.is_empty() {
        return;
    }
    let at = master(b).map_or_else(String::new, |name| format!(" on `{name}`"));
    out.push(format!(
        "cluster settings change ({}): set them{at} (Central Management settings); they must be equal on every member",
        changed.join(", ")
    ));
}

/// The node administrators attach the GUI to.
fn management(a: &Model, b: &Model, out: &mut Vec<String>) {
    if master(a) != master(b) {
        out.push(format!(
            "the management node changes from `{}` to `{}`: attach the GUI to `{}` from now on",
            master(a).unwrap_or("none"),
            master(b).unwrap_or("none"),
            master(b).unwrap_or("none")
        ));
    }
}

fn ntp(a: &Model, b: &Model, out: &mut Vec<String>) {
    let servers = |model: &Model| -> Vec<String> {
        model.ntp_servers.iter().map(|s| s.value.clone()).collect()
    };
    if servers(a) != servers(b) {
        out.push(format!(
            "the NTP servers change to {}: set them on every node (Configuration > Date & Time)",
            quoted(servers(b))
        ));
    }
}

/// Nodes added, in an order in which each can reach a node already in the cluster, and
/// nodes removed.
fn joins(a: &Model, b: &Model, out: &mut Vec<String>) {
    let before: BTreeSet<&str> = a.nodes.iter().map(|n| n.name.as_str()).collect();
    let removed: Vec<String> = a
        .nodes
        .iter()
        .map(|n| n.name.clone())
        .filter(|name| !b.nodes.iter().any(|n| n.name == *name))
        .collect();
    if !removed.is_empty() {
        out.push(format!(
            "remove {} from the cluster before taking {} out of service",
            quoted(&removed),
            if removed.len() == 1 { "it" } else { "them" }
        ));
    }
    let steps = join::order(b, &before);
    if steps.is_empty() {
        return;
    }
    let name = |id: NodeId| &b.node(id).name;
    let listed: Vec<String> = steps
        .iter()
        .map(|step| match step.from {
            Some(from) => format!("`{}` from `{}`", name(step.node), name(from)),
            None => format!("`{}` first", name(step.node)),
        })
        .collect();
    let how = match b.cluster.kind {
        Kind::Swg => {
            "each from the GUI of a node already in the cluster that shares a network group with it (the added node takes that node's policy)"
        }
        Kind::Seg => "each with the new `AppClusterDirectory.xml`",
    };
    out.push(format!(
        "add the new nodes in this order, {how}: {}",
        listed.join(", ")
    ));
}
