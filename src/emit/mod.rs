//! Emit: the model compiled into the files of `topoc build`, handed a file at a time to a
//! [`Sink`]. Writing them is `write`'s job (its sinks); nothing here touches the file
//! system.
//!
//! One module per output: `node_json`, `hosts`, `cluster_json`, `inventory`, `graph` (DOT
//! and Mermaid), `probe_sh`, `seg` (SEG clusters) and `manifest`, which lists all the others.

pub mod certify;
pub mod cluster_json;
mod compile;
pub mod firewall;
pub mod graph;
pub mod graph_json;
pub mod graph_sites;
pub mod hosts;
pub mod inventory;
pub mod layout;
pub mod manifest;
pub mod node_json;
pub mod playbook;
pub mod probe_sh;
pub mod report_html;
pub mod runbook;
pub mod schema;
pub mod seg;
pub mod sink;
pub mod static_routes;
pub mod tree;

use std::fmt;

use serde::Serialize;

use crate::analysis::routes::RouteExtent;
use crate::environment::Limits;
use crate::model::Model;
pub use certify::Certify;
pub use compile::compile;
use manifest::Manifest;
pub use sink::{Sink, SinkError, Sinks};
pub use tree::{Tree, UnsafePath};

/// Why a build could not be compiled.
#[derive(Debug)]
pub enum EmitError {
    UnsafePath(UnsafePath),
    Inventory(serde_norway::Error),
    Csv(csv::Error),
    /// The sink could not take a file (for a build written to disk, the write failed).
    Sink(SinkError),
    /// A node's key or certificate could not be made.
    Key(crate::pki::CaProblem),
    /// Stopped because the other part of the build, made beside this one, failed (its
    /// error is the one reported).
    Halted,
}

impl fmt::Display for EmitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EmitError::UnsafePath(path) => path.fmt(f),
            EmitError::Inventory(error) => write!(f, "cannot write the inventory: {error}"),
            EmitError::Csv(error) => write!(f, "cannot write the firewall rules: {error}"),
            EmitError::Sink(error) => error.fmt(f),
            EmitError::Key(problem) => problem.fmt(f),
            EmitError::Halted => f.write_str("stopped: another part of the build failed"),
        }
    }
}

impl std::error::Error for EmitError {}

impl From<UnsafePath> for EmitError {
    fn from(path: UnsafePath) -> Self {
        EmitError::UnsafePath(path)
    }
}

/// What a build writes beyond the default.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// With [`RouteExtent::AllPairs`], each node's peers and its route to every other node
    /// in `node.json`, and the counts of all routes in `cluster.json`. Their size grows with
    /// the square of the cluster's, so they are written only on request
    /// (`topoc build --all-pairs`).
    pub routes: RouteExtent,
}

/// What `compile` handed its sink: the manifest, which lists every file but itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Emitted {
    pub manifest: Manifest,
}

impl Emitted {
    /// How many files the build has, the manifest included.
    pub fn file_count(&self) -> usize {
        self.manifest.files.len() + 1
    }

    /// Every file's path, the manifest's included, sorted.
    pub fn paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self
            .manifest
            .files
            .iter()
            .map(|file| file.path.clone())
            .chain([layout::MANIFEST.to_owned()])
            .collect();
        paths.sort();
        paths
    }
}

/// About how many bytes `compile` would produce, computed without producing them (linear
/// in the size of the model), so that a build can refuse an output too large to hold before
/// it makes a single key. It errs high: every node's files are counted at 8 kB plus what
/// each of them repeats from the topology (cluster name, version, NTP servers, the CA's
/// name in its certificates); hosts files, the one default output whose size grows with
/// the square of the cluster, are counted line by line; `--all-pairs` at 96 bytes a route.
pub fn estimated_size(model: &Model, options: Options) -> u64 {
    const PER_NODE: u64 = 8 * 1024;
    const PER_ROUTE: u64 = 96;
    let nodes = model.nodes.len() as u64;
    let repeated = 3 * model.cluster.name.value.len()
        + model.cluster.version.as_ref().map_or(0, |v| v.value.len())
        + model
            .ntp_servers
            .iter()
            .map(|server| server.value.len() + 8)
            .sum::<usize>()
        + 3 * model.ca.common_name.len();
    let mut total = nodes.saturating_mul(PER_NODE + repeated as u64);
    if options.routes == RouteExtent::AllPairs {
        total = total.saturating_add(nodes.saturating_mul(nodes).saturating_mul(PER_ROUTE));
    }
    if hosts::needed(model) {
        total = total.saturating_add(hosts::total_lines_size(model));
    }
    // The rules and sets, twice: the CSV files and `cluster.json`.
    total
        .saturating_add(firewall::estimated_size(model).saturating_mul(2))
        .saturating_add(static_routes::estimated_size(model))
        .saturating_add(if probe_sh::written(model) {
            probe_sh::estimated_size(model)
        } else {
            0
        })
}

/// A build refused before it is made: its output would be larger than the limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooLarge {
    /// About how many bytes it would write.
    pub estimate: u64,
    pub limit: u64,
    /// What makes it so large, one clause each.
    pub reasons: Vec<String>,
}

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "this build would write about {} MB, over the limit of {} MB",
            self.estimate / 1_000_000,
            self.limit / 1_000_000
        )?;
        if !self.reasons.is_empty() {
            write!(f, ": {}", self.reasons.join(", and "))?;
        }
        Ok(())
    }
}

impl std::error::Error for TooLarge {}

/// Refuses, before any key is made, a build whose output would exceed `limits`, saying why
/// it is so large.
pub fn within_budget(model: &Model, options: Options, limits: Limits) -> Result<(), TooLarge> {
    let estimate = estimated_size(model, options);
    if estimate <= limits.max_output_bytes {
        return Ok(());
    }
    let nodes = model.nodes.len();
    let mut reasons = Vec::new();
    if options.routes == RouteExtent::AllPairs {
        reasons.push(format!(
            "with --all-pairs each of the {nodes} node.json files lists every other node"
        ));
    }
    if hosts::needed(model) {
        let named = model
            .nodes
            .iter()
            .filter(|node| node.fqdn.is_some())
            .count();
        reasons.push(format!(
            "each of the {nodes} hosts files lists the {named} nodes that have an FQDN"
        ));
    }
    Err(TooLarge {
        estimate,
        limit: limits.max_output_bytes,
        reasons,
    })
}

/// The JSON Schemas of the generated JSON files, as `(file name, schema)`; they are
/// committed in `schemas/`, and a test fails when they are stale.
pub fn output_schemas() -> [(&'static str, String); 2] {
    [
        (
            "node.schema.json",
            json(&schemars::schema_for!(node_json::NodeFile)),
        ),
        (
            "cluster.schema.json",
            json(&schemars::schema_for!(cluster_json::ClusterFile<'static>)),
        ),
    ]
}

/// [`json`] into `writer`, a piece at a time.
pub fn json_to(writer: &mut dyn std::io::Write, value: &impl Serialize) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *writer, value)?;
    writer.write_all(b"\n")
}

/// Pretty JSON with a final newline.
///
/// # Panics
///
/// Never: the outputs hold only strings, numbers, booleans, lists and maps with string or
/// number keys, which JSON always represents.
pub fn json(value: &impl Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("outputs are plain data");
    text.push('\n');
    text
}
