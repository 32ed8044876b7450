//! `topoc diff OLD NEW`: what a change to the topology changes, and which nodes must be
//! re-applied, in a safe order.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::analysis::routes::{RouteExtent, Router};
use crate::emit::Tree;
use crate::finding::diagnostic::Report;
use crate::model::{Model, NodeId};

/// One side of a diff: a resolved topology, its report, and its build without certificates.
#[derive(Debug)]
pub struct Side<'a> {
    pub model: &'a Model,
    pub report: &'a Report,
    pub tree: &'a Tree,
}

/// How a diff is rendered for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    /// For a pull-request comment.
    Markdown,
}

#[derive(Debug, Default, Serialize)]
pub struct Diff {
    pub nodes_added: Vec<String>,
    pub nodes_removed: Vec<String>,
    /// Nodes in both, with what changed about them.
    pub nodes_changed: Vec<NodeChange>,
    pub groups: Vec<GroupChange>,
    pub became_transit: Vec<String>,
    pub stopped_transit: Vec<String>,
    /// The node whose routes were compared (the management node, else the first node in
    /// both); `None` when all pairs were (`diff --all-pairs`).
    pub routes_from: Option<String>,
    /// Routes between nodes in both whose hops or reachability changed.
    pub routes_changed: Vec<RouteChange>,
    /// Findings (code and message) only the new topology has.
    pub new_findings: Vec<String>,
    /// Findings only the old topology had.
    pub fixed_findings: Vec<String>,
    /// What the operator must do besides re-applying files, in order.
    pub consequences: Vec<String>,
    /// Files of the whole cluster that change (cluster.json, inventory.yaml, …).
    pub cluster_files_changed: Vec<String>,
    /// Nodes whose generated files change, in the order to re-apply them: transit nodes
    /// before the nodes behind them.
    pub reapply: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct NodeChange {
    pub node: String,
    pub changed: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct GroupChange {
    pub group: String,
    pub joined: Vec<String>,
    pub left: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct RouteChange {
    pub from: String,
    pub to: String,
    /// The nodes after `from`, or `None` when unreachable.
    pub before: Option<Vec<String>>,
    pub after: Option<Vec<String>>,
}

fn by_name(model: &Model) -> BTreeMap<&str, NodeId> {
    model
        .node_ids()
        .map(|id| (model.node(id).name.as_str(), id))
        .collect()
}

/// What describes a node, field by field, for comparison.
fn describe(model: &Model, id: NodeId) -> BTreeMap<&'static str, String> {
    let node = model.node(id);
    BTreeMap::from([
        ("site", model.site(node.site.value).name.clone()),
        ("address", node.address.value.to_string()),
        (
            "fqdn",
            node.fqdn
                .as_ref()
                .map(|f| f.value.clone())
                .unwrap_or_default(),
        ),
        (
            "nat_address",
            node.nat_address
                .as_ref()
                .map(|n| n.value.to_string())
                .unwrap_or_default(),
        ),
        (
            "network_groups",
            model.network_group_names(&node.network_groups).join(","),
        ),
        ("update_group", model.update_group_name(id).to_owned()),
        ("runtime_group", model.runtime_group_name(id).to_owned()),
        (
            "priority",
            node.priority
                .as_ref()
                .map(|p| p.value.to_string())
                .unwrap_or_default(),
        ),
        (
            "version",
            node.version
                .as_ref()
                .map(|v| v.value.clone())
                .unwrap_or_default(),
        ),
    ])
}

fn findings(report: &Report) -> BTreeSet<String> {
    report
        .diagnostics
        .iter()
        .map(|d| format!("{}: {}", d.finding.lint.code, d.finding.message))
        .collect()
}

/// What changed from `old` to `new`. Routes are compared from one node (one search on each
/// side), or between all pairs with [`RouteExtent::AllPairs`] (a search per node).
pub fn diff(old: &Side<'_>, new: &Side<'_>, routes: RouteExtent) -> Diff {
    let (old_nodes, new_nodes) = (by_name(old.model), by_name(new.model));
    let mut diff = Diff {
        nodes_added: new_nodes
            .keys()
            .filter(|n| !old_nodes.contains_key(*n))
            .map(|n| (*n).to_owned())
            .collect(),
        nodes_removed: old_nodes
            .keys()
            .filter(|n| !new_nodes.contains_key(*n))
            .map(|n| (*n).to_owned())
            .collect(),
        ..Diff::default()
    };
    let common: Vec<(&str, NodeId, NodeId)> = old_nodes
        .iter()
        .filter_map(|(name, &old_id)| Some((*name, old_id, *new_nodes.get(name)?)))
        .collect();
    for &(name, old_id, new_id) in &common {
        let (before, after) = (describe(old.model, old_id), describe(new.model, new_id));
        let changed: Vec<String> = before
            .keys()
            .filter(|k| before[*k] != after[*k])
            .map(|k| (*k).to_owned())
            .collect();
        if !changed.is_empty() {
            diff.nodes_changed.push(NodeChange {
                node: name.to_owned(),
                changed,
            });
        }
        match (
            old.model.is_declared_transit(old_id),
            new.model.is_declared_transit(new_id),
        ) {
            (false, true) => diff.became_transit.push(name.to_owned()),
            (true, false) => diff.stopped_transit.push(name.to_owned()),
            _ => {}
        }
    }
    diff.groups = group_changes(old.model, new.model);
    if routes == RouteExtent::AllPairs {
        diff.routes_changed = route_changes(old.model, new.model, &common, &common);
    } else {
        fn management(model: &Model) -> Option<&str> {
            let id = model.cluster.management_node.as_ref()?.value;
            Some(model.node(id).name.as_str())
        }
        let origin = management(old.model)
            .filter(|name| management(new.model) == Some(*name))
            .and_then(|name| common.iter().find(|(common, ..)| *common == name))
            .or(common.first());
        if let Some(&origin) = origin {
            diff.routes_from = Some(origin.0.to_owned());
            diff.routes_changed = route_changes(old.model, new.model, &[origin], &common);
        }
    }
    let (old_findings, new_findings) = (findings(old.report), findings(new.report));
    diff.new_findings = new_findings.difference(&old_findings).cloned().collect();
    diff.fixed_findings = old_findings.difference(&new_findings).cloned().collect();
    let (changed_nodes, cluster_files) = changed_files(old.tree, new.tree);
    let hosts_changed: Vec<String> = new
        .tree
        .iter()
        .filter(|(path, content)| path.ends_with("/hosts") && old.tree.get(path) != Some(*content))
        .filter_map(|(path, _)| crate::emit::layout::node_of(path).map(str::to_owned))
        .collect();
    diff.consequences = super::consequences::consequences(old, new, &hosts_changed);
    diff.cluster_files_changed = cluster_files;
    diff.reapply = reapply_order(new.model, &changed_nodes);
    diff
}

fn group_changes(old: &Model, new: &Model) -> Vec<GroupChange> {
    let members = |model: &Model| -> BTreeMap<String, BTreeSet<String>> {
        model
            .network_groups
            .iter()
            .map(|g| {
                (
                    g.name.clone(),
                    model.node_names(&g.members).into_iter().collect(),
                )
            })
            .collect()
    };
    let (before, after) = (members(old), members(new));
    let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let empty = BTreeSet::new();
    names
        .into_iter()
        .filter_map(|name| {
            let (b, a) = (
                before.get(name).unwrap_or(&empty),
                after.get(name).unwrap_or(&empty),
            );
            let joined: Vec<String> = a.difference(b).cloned().collect();
            let left: Vec<String> = b.difference(a).cloned().collect();
            (!joined.is_empty() || !left.is_empty()).then(|| GroupChange {
                group: name.clone(),
                joined,
                left,
            })
        })
        .collect()
}

/// Routes from each of `sources` to the other nodes present in both, compared hop by hop;
/// each pair once when the sources are all of them (`diff --all-pairs`).
fn route_changes(
    old: &Model,
    new: &Model,
    sources: &[(&str, NodeId, NodeId)],
    common: &[(&str, NodeId, NodeId)],
) -> Vec<RouteChange> {
    let each_pair_once = sources.len() == common.len();
    let (mut old_router, mut new_router) = (Router::new(old), Router::new(new));
    let path = |model: &Model,
                table: &crate::analysis::routes::RoutingTable,
                to: NodeId|
     -> Option<Vec<String>> {
        let hops = table.route(to);
        (!hops.is_empty()).then(|| {
            hops.iter()
                .map(|h| model.node(h.node).name.clone())
                .collect()
        })
    };
    let mut changes = Vec::new();
    for &(from, old_from, new_from) in sources {
        let (before_table, after_table) = (old_router.from(old_from), new_router.from(new_from));
        for &(to, old_to, new_to) in common {
            if from == to || (each_pair_once && from > to) {
                continue;
            }
            let before = path(old, &before_table, old_to);
            let after = path(new, &after_table, new_to);
            if before != after {
                changes.push(RouteChange {
                    from: from.to_owned(),
                    to: to.to_owned(),
                    before,
                    after,
                });
            }
        }
    }
    changes
}

/// Nodes whose own files differ (or exist on one side only), and the other files that differ.
fn changed_files(old: &Tree, new: &Tree) -> (BTreeSet<String>, Vec<String>) {
    let paths: BTreeSet<&str> = old.iter().chain(new.iter()).map(|(path, _)| path).collect();
    let mut nodes = BTreeSet::new();
    let mut cluster = Vec::new();
    for path in paths {
        if old.get(path) == new.get(path) || path == crate::emit::layout::MANIFEST {
            continue;
        }
        match crate::emit::layout::node_of(path) {
            Some(node) => {
                nodes.insert(node.to_owned());
            }
            None => cluster.push(path.to_owned()),
        }
    }
    (nodes, cluster)
}

/// Transit nodes first (they carry the others' messages), then the rest, each by name; nodes
/// the new topology no longer has are left out.
fn reapply_order(model: &Model, changed: &BTreeSet<String>) -> Vec<String> {
    let ids = by_name(model);
    let (mut transit, mut rest): (Vec<&String>, Vec<&String>) = changed
        .iter()
        .filter(|name| ids.contains_key(name.as_str()))
        .partition(|name| model.relays(ids[name.as_str()]));
    transit.sort();
    rest.sort();
    transit.into_iter().chain(rest).cloned().collect()
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.nodes_added.is_empty()
            && self.nodes_removed.is_empty()
            && self.nodes_changed.is_empty()
            && self.groups.is_empty()
            && self.routes_changed.is_empty()
            && self.new_findings.is_empty()
            && self.fixed_findings.is_empty()
            && self.consequences.is_empty()
            && self.cluster_files_changed.is_empty()
            && self.reapply.is_empty()
    }
}
