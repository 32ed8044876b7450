//! `topoc what-if`: what happens when nodes, sites or network groups fail.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Serialize;
use topoc::analysis::{Analysis, what_if};
use topoc::finding::plural;
use topoc::model::{GroupId, Model, NodeId};

use super::common::{
    ListFormat, Needs, node_named, position_named, resolved, write_json, write_stdout,
};
use super::error::{Error, Exit};

#[derive(Debug, clap::Args)]
pub(super) struct WhatIfArgs {
    /// The topology file
    file: PathBuf,
    /// A node that fails (repeatable)
    #[arg(long = "down", value_name = "NODE")]
    nodes: Vec<String>,
    /// A site whose nodes all fail (repeatable)
    #[arg(long = "down-site", value_name = "SITE")]
    sites: Vec<String>,
    /// A network group that stops carrying messages (repeatable)
    #[arg(long = "down-group", value_name = "GROUP")]
    groups: Vec<String>,
    /// Rank every node by how many pairs of other nodes its loss disconnects
    #[arg(long, conflicts_with_all = ["nodes", "sites", "groups"])]
    each: bool,
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    format: ListFormat,
}

/// `topoc what-if --format json`; fields in name order.
#[derive(Serialize)]
struct WhatIfJson<'a> {
    down: Vec<DownJson<'a>>,
    pairs_lost: u64,
    parts: Vec<Vec<String>>,
    remaining_nodes: usize,
}

#[derive(Serialize)]
struct DownJson<'a> {
    element: &'a str,
    pairs_lost_alone: u64,
    single_point_of_failure: bool,
}

/// `topoc what-if --each --format json`.
#[derive(Serialize)]
struct EachJson<'a> {
    nodes: Vec<EachNodeJson<'a>>,
}

#[derive(Serialize)]
struct EachNodeJson<'a> {
    node: &'a str,
    pairs_lost: u64,
}

/// What `--down`, `--down-site` and `--down-group` name: a description, its nodes, its groups.
struct Down {
    what: String,
    nodes: BTreeSet<NodeId>,
    groups: BTreeSet<GroupId>,
}

pub(super) fn run_what_if(args: &WhatIfArgs) -> Result<Exit, Error> {
    let resolved = match resolved(&args.file, Needs::Model)? {
        Ok(resolved) => resolved,
        Err(exit) => return Ok(exit),
    };
    let (model, analysis) = (&resolved.model, &resolved.analysis);
    if args.each {
        return what_if_each(args.format, model, analysis);
    }
    if args.nodes.is_empty() && args.sites.is_empty() && args.groups.is_empty() {
        return Err(Error::NothingDown);
    }
    let downs = down_elements(args, model)?;
    let all_nodes: BTreeSet<_> = downs.iter().flat_map(|d| d.nodes.iter().copied()).collect();
    let all_groups: BTreeSet<_> = downs
        .iter()
        .flat_map(|d| d.groups.iter().copied())
        .collect();
    let outcome = what_if::degrade(model, analysis, &all_nodes, &all_groups);
    let alone: Vec<(&str, u64)> = downs
        .iter()
        .map(|down| {
            let lost = what_if::degrade(model, analysis, &down.nodes, &down.groups).lost_pairs;
            (down.what.as_str(), lost)
        })
        .collect();
    let parts: Vec<Vec<String>> = outcome.parts.iter().map(|p| model.node_names(p)).collect();
    let remaining: usize = outcome.parts.iter().map(Vec::len).sum();
    match args.format {
        ListFormat::Json => write_json(&WhatIfJson {
            down: alone
                .iter()
                .map(|&(element, lost)| DownJson {
                    element,
                    single_point_of_failure: lost > 0,
                    pairs_lost_alone: lost,
                })
                .collect(),
            remaining_nodes: remaining,
            parts,
            pairs_lost: outcome.lost_pairs,
        })?,
        ListFormat::Human => {
            let mut text = String::new();
            for (what, lost) in &alone {
                let verdict = if *lost > 0 {
                    format!("a single point of failure: alone it disconnects {lost} pairs")
                } else {
                    "not a single point of failure".to_owned()
                };
                let _ = writeln!(text, "down: {what}, {verdict}");
            }
            if parts.len() <= 1 {
                let _ = writeln!(
                    text,
                    "the other {} still reach each other",
                    plural(remaining as u64, "node")
                );
            } else {
                let _ = writeln!(
                    text,
                    "the other {} fall into {} parts; {} lose contact:",
                    plural(remaining as u64, "node"),
                    parts.len(),
                    plural(outcome.lost_pairs as u64, "pair")
                );
                for (index, part) in parts.iter().enumerate() {
                    let _ = writeln!(
                        text,
                        "  part {} ({}): {}",
                        index + 1,
                        plural(part.len() as u64, "node"),
                        part.join(", ")
                    );
                }
            }
            write_stdout(&text)?;
        }
    }
    Ok(if outcome.lost_pairs > 0 {
        Exit::Findings
    } else {
        Exit::Clean
    })
}

/// `what-if --each`: every node ranked by the pairs its loss alone disconnects.
fn what_if_each(format: ListFormat, model: &Model, analysis: &Analysis) -> Result<Exit, Error> {
    let lost = what_if::each(model, analysis);
    let mut ranked: Vec<(u64, &str)> = model
        .nodes
        .iter()
        .enumerate()
        .map(|(i, node)| (lost[i], node.name.as_str()))
        .collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    match format {
        ListFormat::Json => write_json(&EachJson {
            nodes: ranked
                .iter()
                .map(|&(pairs_lost, node)| EachNodeJson { node, pairs_lost })
                .collect(),
        })?,
        ListFormat::Human => {
            let mut text = String::from("pairs lost  node (when it alone fails)\n");
            for (pairs, name) in &ranked {
                let _ = writeln!(text, "{pairs:>10}  {name}");
            }
            write_stdout(&text)?;
        }
    }
    Ok(Exit::Clean)
}

fn down_elements(args: &WhatIfArgs, model: &Model) -> Result<Vec<Down>, Error> {
    let mut downs = Vec::new();
    for name in &args.nodes {
        let id = node_named(model, name)?;
        downs.push(Down {
            what: format!("node `{}`", model.node(id).name),
            nodes: BTreeSet::from([id]),
            groups: BTreeSet::new(),
        });
    }
    for name in &args.sites {
        let site = position_named("site", name, model.sites.iter().map(|s| s.name.as_str()))?;
        downs.push(Down {
            what: format!("site `{}`", model.sites[site].name),
            nodes: model
                .node_ids()
                .filter(|&n| model.node(n).site.value.index() == site)
                .collect(),
            groups: BTreeSet::new(),
        });
    }
    for name in &args.groups {
        let groups = model.network_groups.iter().map(|g| g.name.as_str());
        let group = position_named("network group", name, groups)?;
        downs.push(Down {
            what: format!("network group `{}`", model.network_groups[group].name),
            nodes: BTreeSet::new(),
            groups: BTreeSet::from([GroupId(group)]),
        });
    }
    Ok(downs)
}
