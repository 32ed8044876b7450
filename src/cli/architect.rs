//! The architect's commands: `graph`, `route`, `matrix` and `diff` (`what-if` has its own
//! module).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use serde::Serialize;
use time::OffsetDateTime;
use topoc::analysis::routes::{RouteExtent, Router};
use topoc::emit::graph;
use topoc::emit::graph_sites::{self, View};
use topoc::environment::{DEFAULT_MAX_OUTPUT_MB, Environment, Limits};
use topoc::finding::level::LintLevels;
use topoc::model::{NodeId, SiteId};
use topoc::plan::diff::{self, Side, Style};
use topoc::{BuildMode, BuildOptions, Built, emit};

use super::common::{
    ListFormat, Needs, Stream, human_report, node_named, position_named, print_findings,
    read_source, resolved, write_json, write_stdout,
};
use super::error::{Error, Exit};

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
    /// Draw one site: its nodes and groups, and the other sites its groups reach, one box
    /// each (for large clusters)
    #[arg(long, value_name = "SITE", conflicts_with_all = ["collapse_sites", "highlight_route", "down"])]
    site: Option<String>,
    /// Draw one box per site and the network groups between sites (for large clusters)
    #[arg(long, conflicts_with_all = ["highlight_route", "down"])]
    collapse_sites: bool,
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
    /// Exit 3 when the topologies differ (as `git diff --exit-code`), for scripts
    #[arg(long)]
    exit_code: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DiffFormat {
    Human,
    Json,
    /// For a pull-request comment
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum MatrixFormat {
    Csv,
    Markdown,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum GraphFormat {
    Dot,
    Mermaid,
    /// Nodes, network groups and one edge per membership (`schemas/graph.schema.json`)
    Json,
}

/// `topoc route --format json`; fields in name order.
#[derive(Serialize)]
struct RouteJson<'a> {
    from: &'a str,
    hops: usize,
    reachable: bool,
    route: Vec<HopJson<'a>>,
    to: &'a str,
}

#[derive(Serialize)]
struct HopJson<'a> {
    from: &'a str,
    group: &'a str,
    to: &'a str,
}

pub(super) fn run_route(args: &RouteArgs) -> Result<Exit, Error> {
    let model = match resolved(&args.file, Needs::Model)? {
        Ok(resolved) => resolved.model,
        Err(exit) => return Ok(exit),
    };
    let (from, to) = (
        node_named(&model, &args.from)?,
        node_named(&model, &args.to)?,
    );
    let hops = Router::new(&model).from(from).route(to);
    let reachable = from == to || !hops.is_empty();
    let name = |id: NodeId| model.node(id).name.as_str();
    let mut at = from;
    let steps: Vec<HopJson<'_>> = hops
        .iter()
        .map(|hop| {
            let step = HopJson {
                from: name(at),
                to: name(hop.node),
                group: &model.network_group(hop.group).name,
            };
            at = hop.node;
            step
        })
        .collect();
    match args.format {
        ListFormat::Json => write_json(&RouteJson {
            from: name(from),
            to: name(to),
            reachable,
            hops: steps.len(),
            route: steps,
        })?,
        ListFormat::Human if !reachable => write_stdout(&format!(
            "`{}` cannot reach `{}`: they share no chain of network groups\n",
            name(from),
            name(to)
        ))?,
        ListFormat::Human => {
            let mut text = format!(
                "{} → {}: {} hop{}\n",
                name(from),
                name(to),
                steps.len(),
                if steps.len() == 1 { "" } else { "s" }
            );
            for (index, hop) in steps.iter().enumerate() {
                let _ = writeln!(
                    text,
                    "  {}. {} → {}  via {}",
                    index + 1,
                    hop.from,
                    hop.to,
                    hop.group
                );
            }
            write_stdout(&text)?;
        }
    }
    Ok(if reachable {
        Exit::Clean
    } else {
        Exit::Findings
    })
}

pub(super) fn run_matrix(args: &MatrixArgs) -> Result<Exit, Error> {
    let model = match resolved(&args.file, Needs::Model)? {
        Ok(resolved) => resolved.model,
        Err(exit) => return Ok(exit),
    };
    let names: Vec<&str> = model.nodes.iter().map(|n| n.name.as_str()).collect();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let (separator, start, end) = match args.format {
        MatrixFormat::Csv => (",", "", ""),
        MatrixFormat::Markdown => (" | ", "| ", " |"),
    };
    let write_error = |error: std::io::Error| match error.kind() {
        // A closed pipe (`topoc matrix … | head`) is the reader's choice, not a failure.
        std::io::ErrorKind::BrokenPipe => None,
        _ => Some(Error::Stdout {
            what: "matrix",
            error,
        }),
    };
    let mut line = format!("{start}node{separator}{}{end}\n", names.join(separator));
    if args.format == MatrixFormat::Markdown {
        let _ = writeln!(line, "|{}", "---|".repeat(names.len() + 1));
    }
    let mut rows = vec![line];
    // One row at a time: memory stays that of one routing table, whatever the size.
    let mut router = Router::new(&model);
    let mut next = model.node_ids();
    loop {
        for row in rows.drain(..) {
            if let Err(error) = out.write_all(row.as_bytes()) {
                return write_error(error).map_or(Ok(Exit::Clean), Err);
            }
        }
        let Some(from) = next.next() else { break };
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
        rows.push(row);
    }
    match out.flush() {
        Ok(()) => Ok(Exit::Clean),
        Err(error) => write_error(error).map_or(Ok(Exit::Clean), Err),
    }
}

pub(super) fn run_graph(args: &GraphArgs) -> Result<Exit, Error> {
    let source = read_source(&args.file)?;
    let checked = topoc::check(
        &source,
        &LintLevels::default(),
        &Environment::keyless(OffsetDateTime::now_utc()),
    )?;
    let Some(model) = &checked.model else {
        print_findings(&source, &checked);
        return Ok(Exit::Findings);
    };
    let view = match &args.site {
        Some(name) => Some(View::Site(SiteId(position_named(
            "site",
            name,
            model.sites.iter().map(|site| site.name.as_str()),
        )?))),
        None => args.collapse_sites.then_some(View::Collapsed),
    };
    if let Some(view) = view {
        let text = match args.format {
            GraphFormat::Dot => graph_sites::dot(model, view),
            GraphFormat::Mermaid => graph_sites::mermaid(model, view),
            GraphFormat::Json => return Err(Error::ViewFormat),
        };
        write_stdout(&text)?;
        return Ok(Exit::Clean);
    }
    let mut overlay = graph::Overlay::default();
    for name in &args.down {
        overlay.down.insert(node_named(model, name)?);
    }
    if let [from, to] = args.highlight_route.as_slice() {
        let (from, to) = (node_named(model, from)?, node_named(model, to)?);
        if let Some(&down) = [from, to].iter().find(|node| overlay.down.contains(node)) {
            return Err(Error::RouteEndDown(model.node(down).name.clone()));
        }
        // The route the cluster would take with the `--down` nodes gone.
        let hops = Router::new(model)
            .avoiding(&overlay.down)
            .from(from)
            .route(to);
        if hops.is_empty() && from != to {
            return Err(Error::NoRoute {
                from: model.node(from).name.clone(),
                to: model.node(to).name.clone(),
                down: !overlay.down.is_empty(),
            });
        }
        overlay = overlay.with_route(from, &hops);
    }
    let text = match args.format {
        GraphFormat::Dot => graph::dot_with(model, &overlay),
        GraphFormat::Mermaid => graph::mermaid_with(model, &overlay),
        GraphFormat::Json => {
            topoc::emit::json(&topoc::emit::graph_json::json_with(model, &overlay))
        }
    };
    write_stdout(&text)?;
    Ok(Exit::Clean)
}

pub(super) fn run_diff(args: &DiffArgs) -> Result<Exit, Error> {
    let environment = Environment {
        limits: Limits::max_output_mb(args.max_output_mb),
        ..Environment::keyless(OffsetDateTime::now_utc())
    };
    let preview = |file: &Path| -> Result<Result<Built, Exit>, Error> {
        let source = read_source(file)?;
        let options = BuildOptions {
            mode: BuildMode::Preview,
            emit: emit::Options::default(),
        };
        // Both sides under one name, so that the name makes no difference.
        let built = topoc::build(
            &source,
            "topology.toml",
            &LintLevels::default(),
            &environment,
            options,
        )
        .map_err(|error| match Error::from(error) {
            Error::TooLarge { error, .. } => Error::TooLarge {
                file: Some(file.to_owned()),
                error,
            },
            other => other,
        })?;
        if built.output.is_none() {
            // As `check` prints them.
            write_stdout(&human_report(
                &source,
                &built.checked.report,
                Stream::Stdout,
            ))?;
            return Ok(Err(Exit::Findings));
        }
        Ok(Ok(built))
    };
    let (old, new) = match (preview(&args.old)?, preview(&args.new)?) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(exit), _) | (_, Err(exit)) => return Ok(exit),
    };
    let routes = if args.all_pairs {
        RouteExtent::AllPairs
    } else {
        RouteExtent::FromManagementNode
    };
    // A plan for a topology the appliances would refuse is no plan: its errors instead.
    if new.checked.report.has_errors() {
        let source = read_source(&args.new)?;
        write_stdout(&human_report(&source, &new.checked.report, Stream::Stdout))?;
        return Ok(Exit::Findings);
    }
    let (Some(old), Some(new)) = (side(&old), side(&new)) else {
        return Ok(Exit::Findings);
    };
    let diff = diff::diff(&old, &new, routes);
    match args.format {
        DiffFormat::Json => write_json(&diff)?,
        DiffFormat::Human => write_stdout(&diff.render(Style::Plain))?,
        DiffFormat::Markdown => write_stdout(&diff.render(Style::Markdown))?,
    }
    Ok(if args.exit_code && !diff.is_empty() {
        Exit::Changes
    } else {
        Exit::Clean
    })
}

/// One side of `topoc diff`, borrowed from its preview build.
fn side(built: &Built) -> Option<Side<'_>> {
    Some(Side {
        model: built.checked.model.as_ref()?,
        report: &built.checked.report,
        tree: &built.output.as_ref()?.public,
    })
}
