//! `topoc report`: one self-contained HTML file for architects. Sites are boxes, network
//! groups colours (each a small hub its members are drawn to, so a group of a thousand is a
//! thousand lines, never a clique), transit nodes and the management node marked. The
//! layout is computed here, deterministic; the page's own script (inline, no request to any
//! network) pans, zooms, searches, opens collapsed sites, shows a node's groups, peers,
//! route to the management node and what its failure cuts, and the route between two nodes.

use std::fmt::Write as _;

use serde::Serialize;

use crate::analysis::Analysis;
use crate::analysis::routes::Router;
use crate::analysis::what_if;
use crate::finding::diagnostic::Report;
use crate::model::{Model, NodeId};

/// The page's script and style, kept beside this file.
const SCRIPT: &str = include_str!("report.js");
const STYLE: &str = include_str!("report.css");

/// The first line of every report, by which `topoc report` knows a file it may replace.
pub const MARKER: &str = "<!-- topoc report -->";

/// Above this many nodes, sites start collapsed (one box each) until opened.
const COLLAPSE_ABOVE: usize = 200;
/// Room for a node in a site's grid, in the picture's units.
const CELL: u32 = 44;
/// Padding inside a site box, and the room for its title.
const PAD: u32 = 16;
const TITLE: u32 = 28;
/// Room between site boxes.
const GAP: u32 = 60;

#[derive(Serialize)]
struct Data<'m> {
    cluster: &'m str,
    management: Option<usize>,
    collapsed: bool,
    width: u32,
    height: u32,
    sites: Vec<SiteData<'m>>,
    groups: Vec<GroupData<'m>>,
    nodes: Vec<NodeData<'m>>,
    findings: Vec<FindingData<'m>>,
    /// From the management node: how many nodes are how many hops away.
    hops: Vec<(u32, usize)>,
    unreachable: usize,
}

#[derive(Serialize)]
struct SiteData<'m> {
    name: &'m str,
    location: Option<&'m str>,
    x: u32,
    y: u32,
    w: u32,
    h: u32,
    nodes: Vec<usize>,
}

#[derive(Serialize)]
struct GroupData<'m> {
    name: &'m str,
    color: String,
    transit: bool,
    x: u32,
    y: u32,
    members: Vec<usize>,
}

#[derive(Serialize)]
struct NodeData<'m> {
    name: &'m str,
    site: usize,
    address: String,
    nat: Option<String>,
    transit: bool,
    x: u32,
    y: u32,
    groups: Vec<usize>,
    /// Pairs of other nodes its failure alone cuts apart.
    cuts: u64,
    /// Hops from the management node, and the node before it on that route.
    hops: Option<u32>,
    previous: Option<usize>,
}

#[derive(Serialize)]
struct FindingData<'m> {
    code: &'static str,
    severity: &'static str,
    message: &'m str,
    nodes: &'m [String],
    sites: &'m [String],
}

/// The report of `model` with its `findings`, as one HTML page.
///
/// # Panics
///
/// Never: the data is plain JSON.
pub fn html(model: &Model, analysis: &Analysis, findings: &Report) -> String {
    let data = data(model, analysis, findings);
    // In a script element only `</` could end it early: written as `<\/`.
    let json = serde_json::to_string(&data)
        .expect("plain data serializes")
        .replace("</", "<\\/");
    let mut page = String::with_capacity(json.len() + SCRIPT.len() + STYLE.len() + 2048);
    let title = escape(&format!("{}: topology report", model.cluster.name.value));
    let _ = write!(
        page,
        "{MARKER}\n<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"generator\" content=\"topoc\">\n<title>{title}</title>\n\
         <style>\n{STYLE}</style>\n</head>\n<body>\n\
         <header><h1>{title}</h1><input id=\"search\" type=\"search\" placeholder=\"Find a node or site\" autocomplete=\"off\"><ul id=\"results\"></ul>\
         <span class=\"hint\">drag to pan, wheel to zoom, click a node, shift-click a second for the route between them</span></header>\n\
         <main><svg id=\"picture\" role=\"img\" aria-label=\"{title}\"></svg>\n\
         <aside><section id=\"details\"><p>Click a node.</p></section>\
         <section id=\"summary\"></section><section id=\"findings\"></section></aside></main>\n\
         <script id=\"data\" type=\"application/json\">{json}</script>\n\
         <script>\n{SCRIPT}</script>\n</body>\n</html>\n"
    );
    page
}

fn data<'m>(model: &'m Model, analysis: &Analysis, report: &'m Report) -> Data<'m> {
    let (sites, width, height) = layout_sites(model);
    let mut nodes: Vec<NodeData<'m>> = Vec::with_capacity(model.nodes.len());
    let cuts = what_if::each(model, analysis);
    let source = model.start_node();
    let table = source.map(|source| Router::new(model).from(source));
    let positions = positions(model, &sites);
    for id in model.node_ids() {
        let node = model.node(id);
        let route = table.as_ref().map(|table| table.route(id));
        let previous = route.as_ref().and_then(|route| {
            let at = route.len().checked_sub(2)?;
            Some(route[at].node.index())
        });
        let hops = table.as_ref().and_then(|table| table.hops(id));
        let (x, y) = positions[id.index()];
        nodes.push(NodeData {
            name: &node.name,
            site: node.site.value.index(),
            address: node.address.value.to_string(),
            nat: node.nat_address.as_ref().map(|nat| nat.value.to_string()),
            transit: node.transit.as_ref().is_some_and(|t| t.value),
            x,
            y,
            groups: node
                .network_groups
                .iter()
                .map(|g| g.value.index())
                .collect(),
            cuts: cuts[id.index()],
            // A route of one hop starts at the management node itself.
            previous: match (previous, hops) {
                (Some(previous), _) => Some(previous),
                (None, Some(_)) => source.map(NodeId::index),
                (None, None) => None,
            },
            hops,
        });
    }
    let groups = groups(model, &positions);
    let (hops, unreachable) = histogram(&nodes, source.map(NodeId::index));
    Data {
        cluster: &model.cluster.name.value,
        management: model
            .cluster
            .management_node
            .as_ref()
            .map(|m| m.value.index()),
        collapsed: model.nodes.len() > COLLAPSE_ABOVE,
        width,
        height,
        sites,
        groups,
        nodes,
        findings: report
            .diagnostics
            .iter()
            .map(|d| FindingData {
                code: d.finding.lint.code,
                severity: d.severity.name(),
                message: &d.finding.message,
                nodes: &d.finding.nodes,
                sites: &d.finding.sites,
            })
            .collect(),
        hops,
        unreachable,
    }
}

/// Where each node is drawn: in a grid in its site's box.
fn positions(model: &Model, sites: &[SiteData<'_>]) -> Vec<(u32, u32)> {
    let mut positions = vec![(0, 0); model.nodes.len()];
    for site in sites {
        let columns = columns(site.nodes.len());
        for (slot, &node) in site.nodes.iter().enumerate() {
            let (column, row) = (slot as u32 % columns, slot as u32 / columns);
            positions[node] = (
                site.x + PAD + column * CELL + CELL / 2,
                site.y + TITLE + row * CELL + CELL / 2,
            );
        }
    }
    positions
}

/// Each network group, its hub at the centre of its members (a little aside, so that it
/// never hides one).
fn groups<'m>(model: &'m Model, positions: &[(u32, u32)]) -> Vec<GroupData<'m>> {
    let transit = model.transit_group();
    model
        .network_groups
        .iter()
        .enumerate()
        .map(|(index, group)| {
            let count = group.members.len().max(1) as u64;
            let (sx, sy) = group.members.iter().fold((0u64, 0u64), |(sx, sy), m| {
                let (x, y) = positions[m.index()];
                (sx + u64::from(x), sy + u64::from(y))
            });
            GroupData {
                name: &group.name,
                color: color(index),
                transit: transit.is_some_and(|t| t.index() == index),
                x: u32::try_from(sx / count).unwrap_or(0) + 9,
                y: u32::try_from(sy / count).unwrap_or(0) + 9,
                members: group.members.iter().map(|m| m.index()).collect(),
            }
        })
        .collect()
}

/// How many nodes are how many hops from `source`, and how many cannot reach it.
fn histogram(nodes: &[NodeData<'_>], source: Option<usize>) -> (Vec<(u32, usize)>, usize) {
    let mut histogram = std::collections::BTreeMap::new();
    let mut unreachable = 0;
    for (index, node) in nodes.iter().enumerate() {
        match node.hops {
            Some(hops) => *histogram.entry(hops).or_insert(0) += 1,
            None if Some(index) != source => unreachable += 1,
            None => {}
        }
    }
    (histogram.into_iter().collect(), unreachable)
}

/// Columns of a grid of `count` cells, about square.
fn columns(count: usize) -> u32 {
    let mut columns = 1u32;
    while (columns as usize) * (columns as usize) < count {
        columns += 1;
    }
    columns
}

/// Site boxes in rows of about the square root of the site count, each sized to its nodes;
/// and the size of the whole picture.
fn layout_sites(model: &Model) -> (Vec<SiteData<'_>>, u32, u32) {
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); model.sites.len()];
    for id in model.node_ids() {
        members[model.node(id).site.value.index()].push(id.index());
    }
    let per_row = columns(model.sites.len()).max(1);
    let (mut x, mut y, mut row_height, mut width) = (GAP, GAP, 0, 0);
    let mut sites = Vec::with_capacity(model.sites.len());
    for (index, (site, nodes)) in model.sites.iter().zip(members).enumerate() {
        if index > 0 && (index as u32).is_multiple_of(per_row) {
            x = GAP;
            y += row_height + GAP;
            row_height = 0;
        }
        let columns = columns(nodes.len());
        let rows = (nodes.len() as u32).div_ceil(columns).max(1);
        let (w, h) = (
            (columns * CELL + 2 * PAD).max(160),
            rows * CELL + TITLE + PAD,
        );
        sites.push(SiteData {
            name: &site.name,
            location: site.location.as_deref(),
            x,
            y,
            w,
            h,
            nodes,
        });
        x += w + GAP;
        width = width.max(x);
        row_height = row_height.max(h);
    }
    (sites, width.max(400), y + row_height + GAP)
}

/// The colour of the group at `index`: hues a golden angle apart, so neighbours differ.
fn color(index: usize) -> String {
    let hue = (index as u64 * 137_508 / 1000) % 360;
    format!("hsl({hue}, 65%, 45%)")
}

/// `text` safe in HTML text and attributes.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
