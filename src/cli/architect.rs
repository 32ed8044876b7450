//! The architect's commands: `graph`, `route`, `what-if`, `matrix` and `diff`.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use topoc::emit;
use topoc::emit::graph;
use topoc::lint::level::LintLevels;

use super::build::{DEFAULT_MAX_OUTPUT_MB, within_budget};
use super::{
    CLEAN, FAILURE, FINDINGS, Failure, ListFormat, Resolved, human_report, node_named,
    position_named, read_source, resolved, write_stdout,
};

#[derive(Debug, clap::Args)]
pub(super) struct GraphArgs {
    /// The topology file
    file: PathBuf,
    /// Which picture to print
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    format: GraphFormat,
    /// Draw the route from one node to another
    #[arg(long, num_args = 2, value_names = ["FROM", "TO"])]
    highlight_route: Vec<String>,
    /// Draw a node as failed (repeatable)
    #[arg(long = "down", value_name = "NODE")]
    down: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub(super) struct RouteArgs {
    /// The topology file
    file: PathBuf,
    /// The node the message starts at
    from: String,
    /// The node it goes to
    to: String,
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    format: ListFormat,
}

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

#[derive(Debug, clap::Args)]
pub(super) struct MatrixArgs {
    /// The topology file
    file: PathBuf,
    #[arg(long, value_enum, default_value_t = MatrixFormat::Csv)]
    format: MatrixFormat,
    /// Give the next hop with each hop count
    #[arg(long)]
    next_hop: bool,
}

#[derive(Debug, clap::Args)]
pub(super) struct DiffArgs {
    /// The topology before the change
    old: PathBuf,
    /// The topology after it
    new: PathBuf,
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    format: DiffFormat,
    /// Compare the routes between every pair of nodes, not only those from the management
    /// node (a route search per node)
    #[arg(long)]
    all_pairs: bool,
    /// Refuse topologies whose build (compared in memory) is larger than this many megabytes
    #[arg(long, value_name = "MB", default_value_t = DEFAULT_MAX_OUTPUT_MB)]
    max_output_mb: u64,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum DiffFormat {
    Human,
    Json,
    /// For a pull-request comment
    Markdown,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum MatrixFormat {
    Csv,
    Markdown,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum GraphFormat {
    Dot,
    Mermaid,
}

/// One side of `topoc diff`, borrowed from what was loaded.
pub(super) fn side(
    ((_, model, _, report), tree): &(Resolved, emit::Tree),
) -> topoc::plan::diff::Side<'_> {
    topoc::plan::diff::Side {
        model,
        report,
        tree,
    }
}

pub(super) fn run_route(args: &RouteArgs) -> Result<u8, Failure> {
    let (_, model, _, _) = match resolved(&args.file, false) {
        Ok(resolved) => resolved,
        Err(code) => return Ok(code),
    };
    let (from, to) = (
        node_named(&model, &args.from)?,
        node_named(&model, &args.to)?,
    );
    let table = topoc::analysis::routes::Router::new(&model).from(from);
    let hops = table.route(to);
    let reachable = from == to || !hops.is_empty();
    let names = |id: topoc::model::NodeId| model.node(id).name.clone();
    let mut at = from;
    let steps: Vec<(String, String, String)> = hops
        .iter()
        .map(|hop| {
            let step = (
                names(at),
                names(hop.node),
                model.network_group(hop.group).name.clone(),
            );
            at = hop.node;
            step
        })
        .collect();
    let text = match args.format {
        ListFormat::Json => emit::json(&serde_json::json!({
            "from": names(from),
            "to": names(to),
            "reachable": reachable,
            "hops": steps.len(),
            "route": steps.iter().map(|(a, b, g)| serde_json::json!({"from": a, "to": b, "group": g})).collect::<Vec<_>>(),
        })),
        ListFormat::Human if !reachable => format!(
            "`{}` cannot reach `{}`: they share no chain of network groups\n",
            names(from),
            names(to)
        ),
        ListFormat::Human => {
            let mut text = format!(
                "{} → {}: {} hop{}\n",
                names(from),
                names(to),
                steps.len(),
                if steps.len() == 1 { "" } else { "s" }
            );
            for (index, (a, b, group)) in steps.iter().enumerate() {
                let _ = writeln!(text, "  {}. {a} → {b}  via {group}", index + 1);
            }
            text
        }
    };
    write_stdout(&text)?;
    Ok(if reachable { CLEAN } else { FINDINGS })
}

pub(super) fn run_what_if(args: &WhatIfArgs) -> Result<u8, Failure> {
    let (_, model, analysis, _) = match resolved(&args.file, false) {
        Ok(resolved) => resolved,
        Err(code) => return Ok(code),
    };
    if args.each {
        return what_if_each(args, &model, &analysis);
    }
    if args.nodes.is_empty() && args.sites.is_empty() && args.groups.is_empty() {
        return Err(Failure(
            "say what fails: --down NODE, --down-site SITE, --down-group GROUP, or --each"
                .to_owned(),
        ));
    }
    let elements = down_elements(args, &model)?;
    let all_nodes: BTreeSet<_> = elements
        .iter()
        .flat_map(|(_, n, _)| n.iter().copied())
        .collect();
    let all_groups: BTreeSet<_> = elements
        .iter()
        .flat_map(|(_, _, g)| g.iter().copied())
        .collect();
    let outcome = topoc::analysis::what_if::degrade(&model, &analysis, &all_nodes, &all_groups);
    let alone: Vec<(String, u64)> = elements
        .iter()
        .map(|(what, nodes, groups)| {
            (
                what.clone(),
                topoc::analysis::what_if::degrade(&model, &analysis, nodes, groups).lost_pairs,
            )
        })
        .collect();
    let parts: Vec<Vec<String>> = outcome.parts.iter().map(|p| model.node_names(p)).collect();
    let text = match args.format {
        ListFormat::Json => emit::json(&serde_json::json!({
            "down": alone.iter().map(|(what, lost)| serde_json::json!({"element": what, "single_point_of_failure": *lost > 0, "pairs_lost_alone": lost})).collect::<Vec<_>>(),
            "remaining_nodes": outcome.parts.iter().map(Vec::len).sum::<usize>(),
            "parts": parts,
            "pairs_lost": outcome.lost_pairs,
        })),
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
            let remaining: usize = outcome.parts.iter().map(Vec::len).sum();
            if parts.len() <= 1 {
                let _ = writeln!(text, "the other {remaining} nodes still reach each other");
            } else {
                let _ = writeln!(
                    text,
                    "the other {remaining} nodes fall into {} parts; {} pairs lose contact:",
                    parts.len(),
                    outcome.lost_pairs
                );
                for (index, part) in parts.iter().enumerate() {
                    let _ = writeln!(
                        text,
                        "  part {} ({} nodes): {}",
                        index + 1,
                        part.len(),
                        part.join(", ")
                    );
                }
            }
            text
        }
    };
    write_stdout(&text)?;
    Ok(if outcome.lost_pairs > 0 {
        FINDINGS
    } else {
        CLEAN
    })
}

pub(super) fn run_diff(args: &DiffArgs) -> Result<u8, Failure> {
    let load = |file: &Path| -> Result<(Resolved, emit::Tree), u8> {
        let loaded = resolved(file, false)?;
        within_budget(&loaded.1, emit::Options::default(), args.max_output_mb).map_err(
            |Failure(message)| {
                eprintln!("error: `{}`: {message}", file.display());
                FAILURE
            },
        )?;
        let tree = emit::compile(
            &loaded.1,
            &loaded.2,
            ("topology.toml", &loaded.0.text),
            None,
            emit::Options::default(),
        )
        .map_err(|e| {
            eprintln!("error: {e}");
            FAILURE
        })?;
        Ok((loaded, tree))
    };
    let (old, new) = match (load(&args.old), load(&args.new)) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(code), _) | (_, Err(code)) => return Ok(code),
    };
    let diff = topoc::plan::diff::diff(&side(&old), &side(&new), args.all_pairs);
    let text = match args.format {
        DiffFormat::Json => emit::json(&diff),
        DiffFormat::Human => diff.render(false),
        DiffFormat::Markdown => diff.render(true),
    };
    write_stdout(&text)?;
    Ok(CLEAN)
}

/// `what-if --each`: every node ranked by the pairs its loss alone disconnects.
pub(super) fn what_if_each(
    args: &WhatIfArgs,
    model: &topoc::model::Model,
    analysis: &topoc::analysis::Analysis,
) -> Result<u8, Failure> {
    let lost = topoc::analysis::what_if::each(model, analysis);
    let mut ranked: Vec<(u64, &str)> = model
        .nodes
        .iter()
        .enumerate()
        .map(|(i, node)| (lost[i], node.name.as_str()))
        .collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let text = match args.format {
        ListFormat::Json => emit::json(&serde_json::json!({
            "nodes": ranked.iter().map(|(pairs, name)| serde_json::json!({"node": name, "pairs_lost": pairs})).collect::<Vec<_>>(),
        })),
        ListFormat::Human => {
            let mut text = String::from("pairs lost  node (when it alone fails)\n");
            for (pairs, name) in &ranked {
                let _ = writeln!(text, "{pairs:>10}  {name}");
            }
            text
        }
    };
    write_stdout(&text)?;
    Ok(CLEAN)
}

/// What `--down`, `--down-site` and `--down-group` name: a description, its nodes, its groups.
pub(super) type DownElement = (
    String,
    BTreeSet<topoc::model::NodeId>,
    BTreeSet<topoc::model::GroupId>,
);

pub(super) fn down_elements(
    args: &WhatIfArgs,
    model: &topoc::model::Model,
) -> Result<Vec<DownElement>, Failure> {
    let mut elements: Vec<(
        String,
        BTreeSet<topoc::model::NodeId>,
        BTreeSet<topoc::model::GroupId>,
    )> = Vec::new();
    for name in &args.nodes {
        let id = node_named(model, name)?;
        elements.push((
            format!("node `{}`", model.node(id).name),
            BTreeSet::from([id]),
            BTreeSet::new(),
        ));
    }
    for name in &args.sites {
        let site = position_named("site", name, model.sites.iter().map(|s| s.name.as_str()))?;
        let nodes = model
            .node_ids()
            .filter(|&n| model.node(n).site.value.index() == site)
            .collect();
        let site_name = &model.sites[site].name;
        elements.push((format!("site `{site_name}`"), nodes, BTreeSet::new()));
    }
    for name in &args.groups {
        let groups = model.network_groups.iter().map(|g| g.name.as_str());
        let group = position_named("network group", name, groups)?;
        elements.push((
            format!("network group `{}`", model.network_groups[group].name),
            BTreeSet::new(),
            BTreeSet::from([topoc::model::GroupId(group)]),
        ));
    }
    Ok(elements)
}

pub(super) fn run_matrix(args: &MatrixArgs) -> Result<u8, Failure> {
    let (_, model, _, _) = match resolved(&args.file, false) {
        Ok(resolved) => resolved,
        Err(code) => return Ok(code),
    };
    let names: Vec<&str> = model.nodes.iter().map(|n| n.name.as_str()).collect();
    let stdout = std::io::stdout().lock();
    let mut out = std::io::BufWriter::new(stdout);
    let (separator, start, end) = match args.format {
        MatrixFormat::Csv => (",", "", ""),
        MatrixFormat::Markdown => (" | ", "| ", " |"),
    };
    let write_error = |e: std::io::Error| Failure(format!("cannot write the matrix: {e}"));
    let mut line = format!("{start}node{separator}{}{end}\n", names.join(separator));
    if let MatrixFormat::Markdown = args.format {
        let _ = writeln!(line, "|{}", "---|".repeat(names.len() + 1));
    }
    out.write_all(line.as_bytes()).map_err(write_error)?;
    // One row at a time: memory stays that of one routing table, whatever the size.
    let mut router = topoc::analysis::routes::Router::new(&model);
    for from in model.node_ids() {
        let table = router.from(from);
        let mut row = format!("{start}{}", names[from.index()]);
        for to in model.node_ids() {
            row.push_str(separator);
            match table.hops(to) {
                None if to == from => row.push('0'),
                None => row.push('-'),
                Some(hops) if args.next_hop => {
                    let next = table.next_hop(to).map_or("", |hop| names[hop.node.index()]);
                    let _ = write!(row, "{hops} via {next}");
                }
                Some(hops) => {
                    let _ = write!(row, "{hops}");
                }
            }
        }
        row.push_str(end);
        row.push('\n');
        match out.write_all(row.as_bytes()) {
            Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => return Ok(CLEAN),
            other => other.map_err(write_error)?,
        }
    }
    match out.flush() {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(CLEAN),
        other => other.map(|()| CLEAN).map_err(write_error),
    }
}

pub(super) fn run_graph(args: &GraphArgs) -> Result<u8, Failure> {
    let source = read_source(&args.file)?;
    let checked = topoc::check(&source, &LintLevels::default());
    let Some(model) = &checked.model else {
        eprint!(
            "{}",
            human_report(&source, &checked.report, std::io::stderr().is_terminal())
        );
        return Ok(FINDINGS);
    };
    let mut overlay = graph::Overlay::default();
    for name in &args.down {
        overlay.down.insert(node_named(model, name)?);
    }
    if let [from, to] = args.highlight_route.as_slice() {
        let (from, to) = (node_named(model, from)?, node_named(model, to)?);
        if let Some(&down) = [from, to].iter().find(|node| overlay.down.contains(node)) {
            return Err(Failure(format!(
                "`{}` is down (--down): there is no route to draw",
                model.node(down).name
            )));
        }
        // The route the cluster would take with the `--down` nodes gone.
        let hops = topoc::analysis::routes::Router::new(model)
            .avoiding(&overlay.down)
            .from(from)
            .route(to);
        if hops.is_empty() && from != to {
            let without = if overlay.down.is_empty() {
                String::new()
            } else {
                " with the --down nodes gone".to_owned()
            };
            return Err(Failure(format!(
                "`{}` cannot reach `{}`{without}: there is no route to draw",
                model.node(from).name,
                model.node(to).name
            )));
        }
        overlay = overlay.with_route(from, &hops);
    }
    let text = match args.format {
        GraphFormat::Dot => graph::dot_with(model, &overlay),
        GraphFormat::Mermaid => graph::mermaid_with(model, &overlay),
    };
    write_stdout(&text)?;
    Ok(CLEAN)
}
