//! `compile`: every file of a build into a sink, the nodes' files and the cluster's side by
//! side on two threads (they need nothing of each other, but for the routes of every pair),
//! then the manifest.

use std::sync::atomic::AtomicBool;

use super::cluster_json::{self, AllPairs, RouteSummary, RoutesFromOne};
use super::layout::{self, NodeFile, node_file};
use super::manifest::Manifest;
use super::sink::{Recorder, put_unlisted};
use super::{
    Certify, EmitError, Emitted, Options, Sink, firewall, graph, hosts, inventory, json, json_to,
    node_json, playbook, probe_sh, runbook, seg, static_routes,
};
use crate::analysis::Analysis;
use crate::analysis::routes::{RouteExtent, Router};
use crate::model::Model;
use crate::syntax::Kind;

/// Every file of the build, into `sink`: each node's files as the node is reached, the
/// cluster's meanwhile on another thread (after the nodes' with [`RouteExtent::AllPairs`],
/// whose counts `cluster.json` gives), then the manifest. `input` is the topology's file
/// name (without directories, so that the output does not depend on where the build ran)
/// and its text. With `certificates`, every node gets the CA certificate and its own; keys
/// never reach `emit`. The first error stops both threads; the one that failed first by
/// itself is reported, the nodes' before the cluster's.
///
/// Without [`RouteExtent::AllPairs`] the work and the output grow with the size of the topology
/// (hosts files aside: each lists every node, as the vendor requires), and what is held at
/// once is the model, the manifest's entries and a file on each thread.
pub fn compile(
    model: &Model,
    analysis: &Analysis,
    input: (&str, &str),
    certificates: Option<&mut dyn Certify>,
    options: Options,
    sink: &dyn Sink,
) -> Result<Emitted, EmitError> {
    // Routes are Central Management's: a SEG cluster has none to count.
    let all_pairs = options.routes == RouteExtent::AllPairs && model.cluster.kind == Kind::Swg;
    let halt = AtomicBool::new(false);
    let (nodes, cluster) = std::thread::scope(|scope| {
        let beside = (!all_pairs).then(|| {
            let halt = &halt;
            std::thread::Builder::new()
                .name("topoc-cluster".to_owned())
                .spawn_scoped(scope, move || {
                    let mut out = Recorder::new(sink, halt);
                    let summary = route_summary(model, None);
                    let made = cluster_files(model, analysis, input, summary, &mut out);
                    if made.is_err() {
                        out.halt_all();
                    }
                    made.map(|()| out.entries)
                })
        });
        let mut out = Recorder::new(sink, &halt);
        let mut pairs = all_pairs.then(|| (Router::new(model), AllPairs::default()));
        let nodes = node_files(model, input, certificates, pairs.as_mut(), &mut out);
        if nodes.is_err() {
            out.halt_all();
        }
        let cluster = match beside {
            Some(Ok(thread)) => Some(
                thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            ),
            // With every pair's routes, or where no thread could start: after the nodes'.
            None | Some(Err(_)) => nodes.as_ref().ok().map(|()| {
                let summary = route_summary(model, pairs.map(|(_, counted)| counted));
                cluster_files(model, analysis, input, summary, &mut out).map(|()| Vec::new())
            }),
        };
        (nodes.map(|()| out.entries), cluster)
    });
    let mut entries = match (nodes, cluster) {
        (Err(error), _) if !matches!(error, EmitError::Halted) => return Err(error),
        (_, Some(Err(error))) | (Err(error), _) => return Err(error),
        (Ok(entries), None) => entries,
        (Ok(mut entries), Some(Ok(mut more))) => {
            entries.append(&mut more);
            entries
        }
    };
    entries.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    let manifest = Manifest::new(&model.cluster.name.value, input, entries);
    put_unlisted(sink, layout::MANIFEST, |writer| manifest.write_to(writer))?;
    Ok(Emitted { manifest })
}

/// What `cluster.json` says of routes: from the management node, and over all pairs when
/// counted.
fn route_summary(model: &Model, all_pairs: Option<AllPairs>) -> RouteSummary {
    RouteSummary {
        from_management_node: model
            .start_node()
            .map(|origin| RoutesFromOne::new(model, &Router::new(model).from(origin))),
        all_pairs,
    }
}

/// Each node's files, in node order, into `out`; with `all_pairs`, every node's routes
/// found and counted on the way.
fn node_files(
    model: &Model,
    input: (&str, &str),
    mut certificates: Option<&mut dyn Certify>,
    mut all_pairs: Option<&mut (Router<'_>, AllPairs)>,
    out: &mut Recorder<'_>,
) -> Result<(), EmitError> {
    let web = model.cluster.kind == Kind::Swg;
    let with_hosts = hosts::needed(model);
    let with_probe_scripts = probe_sh::written(model);
    let joins_from = runbook::joins_from(model);
    for id in model.node_ids() {
        let name = &model.node(id).name;
        // One routing table at a time: all of them at once would be the square of the size.
        let table = all_pairs.as_deref_mut().map(|(router, counted)| {
            let table = router.from(id);
            counted.add(model, &table);
            table
        });
        if web {
            let node = node_json::node_file(model, id, table.as_ref());
            out.put(node_file(name, NodeFile::Settings), json(&node))?;
        }
        if with_hosts {
            out.put(
                node_file(name, NodeFile::Hosts),
                hosts::hosts_file(model, id, input.0),
            )?;
        }
        if let Some(routes) = static_routes::routes_file(model, id, input.0) {
            out.put(node_file(name, NodeFile::Routes), routes)?;
        }
        out.put(
            node_file(name, NodeFile::Runbook),
            runbook::node_runbook(model, id, joins_from[id.index()], input.0),
        )?;
        if with_probe_scripts {
            out.put(
                node_file(name, NodeFile::Probe),
                probe_sh::probe_script(model, id, input.0),
            )?;
        }
        if let Some(certificates) = certificates.as_deref_mut() {
            out.put(
                node_file(name, NodeFile::CaCertificate),
                certificates.ca().as_bytes(),
            )?;
            if let Some(cert) = certificates.node(id, name)? {
                out.put(node_file(name, NodeFile::Certificate), cert)?;
            }
        }
        if id.index() == 0 {
            // Every node has about as many files as the first: room for all their entries
            // at once (a vector that doubles holds up to twice what it needs), and the
            // cluster's.
            let per_node = out.entries.len();
            out.entries.reserve_exact(per_node * model.nodes.len() + 16);
        }
    }
    Ok(())
}

/// The files of the whole cluster (not of one node), into `out`.
fn cluster_files(
    model: &Model,
    analysis: &Analysis,
    input: (&str, &str),
    summary: RouteSummary,
    out: &mut Recorder<'_>,
) -> Result<(), EmitError> {
    let web = model.cluster.kind == Kind::Swg;
    let firewall = firewall::firewall(model);
    out.put(
        layout::FIREWALL,
        firewall::csv(&firewall::RULE_COLUMNS, &firewall.rules).map_err(EmitError::Csv)?,
    )?;
    out.put(
        layout::FIREWALL_SETS,
        firewall::csv(&firewall::SET_COLUMNS, &firewall.sets).map_err(EmitError::Csv)?,
    )?;
    let cluster = cluster_json::cluster_file(model, analysis, summary, firewall);
    out.put_with(layout::CLUSTER_JSON, |writer| json_to(writer, &cluster))?;
    drop(cluster);
    out.put_with(layout::INVENTORY, |writer| {
        inventory::write_inventory(model, writer)
    })?;
    if web {
        out.put(layout::RUNBOOK, runbook::join_plan(model))?;
        out.put(
            layout::PLAYBOOK,
            playbook::playbook(model).map_err(EmitError::Inventory)?,
        )?;
    }
    out.put(layout::GRAPH_DOT, graph::dot(model))?;
    out.put(layout::GRAPH_MERMAID, graph::mermaid(model))?;
    if model.cluster.kind == Kind::Seg {
        let order = seg::directory_order(model);
        out.put(layout::SEG_DIRECTORY, seg::directory(model, &order))?;
        out.put(
            layout::SEG_RECOVERY_DIRECTORY,
            seg::directory(model, &order[..order.len().min(1)]),
        )?;
        out.put(layout::SEG_RUNBOOK, seg::runbook(model, input.0))?;
    }
    Ok(())
}
