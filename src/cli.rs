//! The command line: parses arguments, reads files, prints reports, picks the exit code.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use time::OffsetDateTime;
use topoc::check::Check;
use topoc::emit::{self, graph};
use topoc::level::{Level, LintLevels};
use topoc::model::SharedKeySource;
use topoc::pki;
use topoc::report::{github, human, json, sarif};
use topoc::secrets::Secrets;
use topoc::source::Source;
use topoc::syntax::Kind;
use topoc::{checks, explain, suggest, write};

/// Exit code: nothing at error level.
const CLEAN: u8 = 0;
/// Exit code: findings at error level.
const FINDINGS: u8 = 1;
/// Exit code: usage, input or I/O failure.
const FAILURE: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "topoc",
    version,
    about = "Checks and compiles gateway cluster topologies"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Checks a topology and reports every finding
    Check(CheckArgs),
    /// Compiles a topology into every node's files
    Build(BuildArgs),
    /// Prints a picture of the topology (Graphviz DOT or Mermaid)
    Graph(GraphArgs),
    /// Lists the cluster CA and every node certificate with its names and dates
    Certs(CertsArgs),
    /// Manages the cluster CA
    #[command(subcommand)]
    Ca(CaCommand),
    /// Prints an existing SEG AppClusterDirectory.xml as a topology
    ImportSeg(ImportSegArgs),
    /// Prints the JSON Schema of the topology file, for editors
    Schema,
    /// Writes a commented starter topology, its schema and a .gitignore entry for secrets
    Init(InitArgs),
    /// Shows the route a message takes from one node to another
    Route(RouteArgs),
    /// Shows what happens when nodes, sites or groups fail
    WhatIf(WhatIfArgs),
    /// Prints the hop count between every pair of nodes
    Matrix(MatrixArgs),
    /// Compares two topologies: what changes, and which nodes to re-apply in which order
    Diff(DiffArgs),
    /// Prints shell completions
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
    /// Prints the man page
    Man,
    /// Explains a finding code: what it checks, why, and how to fix it
    Explain(ExplainArgs),
}

#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("what").required(true))]
struct ExplainArgs {
    /// The code, such as `unreachable-nodes`
    #[arg(group = "what")]
    code: Option<String>,
    /// List every code with its default level
    #[arg(long, group = "what")]
    list: bool,
}

#[derive(Debug, clap::Args)]
struct CheckArgs {
    /// The topology file
    file: PathBuf,
    /// How to print the findings
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// The secrets directory whose CA and certificates to check [default: `secrets` if present]
    #[arg(long, value_name = "DIR")]
    secrets: Option<PathBuf>,
    #[command(flatten)]
    lints: LintArgs,
}

#[derive(Debug, clap::Args)]
struct BuildArgs {
    /// The topology file
    file: PathBuf,
    /// The output directory, replaced as a whole
    #[arg(long, value_name = "DIR", default_value = "out")]
    out: PathBuf,
    /// Where keys live (never inside the output directory)
    #[arg(long, value_name = "DIR", default_value = "secrets")]
    secrets: PathBuf,
    /// Write nothing; exit 1 and list the files when the output differs from a fresh build
    #[arg(long)]
    check: bool,
    /// Replace the output directory even if topoc did not write it
    #[arg(long)]
    force: bool,
    /// Also list each node's peers and its next hop toward every other node in node.json,
    /// and count all routes in cluster.json (output grows with the square of the cluster)
    #[arg(long)]
    all_pairs: bool,
    #[command(flatten)]
    lints: LintArgs,
}

#[derive(Debug, clap::Args)]
struct GraphArgs {
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
struct CertsArgs {
    /// The topology file
    file: PathBuf,
    /// The secrets directory
    #[arg(long, value_name = "DIR", default_value = "secrets")]
    secrets: PathBuf,
    /// How to print them
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    format: ListFormat,
}

#[derive(Debug, clap::Args)]
struct RouteArgs {
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
struct WhatIfArgs {
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
struct MatrixArgs {
    /// The topology file
    file: PathBuf,
    #[arg(long, value_enum, default_value_t = MatrixFormat::Csv)]
    format: MatrixFormat,
    /// Give the next hop with each hop count
    #[arg(long)]
    next_hop: bool,
}

#[derive(Debug, clap::Args)]
struct DiffArgs {
    /// The topology before the change
    old: PathBuf,
    /// The topology after it
    new: PathBuf,
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    format: DiffFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DiffFormat {
    Human,
    Json,
    /// For a pull-request comment
    Markdown,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum MatrixFormat {
    Csv,
    Markdown,
}

#[derive(Debug, clap::Args)]
struct InitArgs {
    /// Where to write `topology.toml`
    #[arg(default_value = ".")]
    dir: PathBuf,
}

#[derive(Debug, clap::Args)]
struct ImportSegArgs {
    /// The AppClusterDirectory.xml of a running cluster
    file: PathBuf,
    /// The address of a host name that does not resolve here, as HOST=IP (repeatable)
    #[arg(long = "address", value_name = "HOST=IP")]
    addresses: Vec<String>,
}

#[derive(Debug, Subcommand)]
enum CaCommand {
    /// Replaces the cluster CA and re-issues every node certificate; the old ones are kept
    /// in `secrets/retired/`
    Rotate(RotateArgs),
}

#[derive(Debug, clap::Args)]
struct RotateArgs {
    /// The topology file
    file: PathBuf,
    /// The secrets directory
    #[arg(long, value_name = "DIR", default_value = "secrets")]
    secrets: PathBuf,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ListFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum GraphFormat {
    Dot,
    Mermaid,
}

/// Lint levels for this run, over the file's `[lints]`.
#[derive(Debug, clap::Args)]
struct LintArgs {
    /// Do not report CODE
    #[arg(short = 'A', long = "allow", value_name = "CODE")]
    allow: Vec<String>,
    /// Report CODE as a warning
    #[arg(short = 'W', long = "warn", value_name = "CODE")]
    warn: Vec<String>,
    /// Report CODE as an error
    #[arg(short = 'D', long = "deny", value_name = "CODE")]
    deny: Vec<String>,
    /// Report every warning as an error
    #[arg(long)]
    deny_warnings: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
    /// SARIF 2.1.0, for GitHub code scanning
    Sarif,
    /// GitHub Actions workflow commands (annotations)
    Github,
}

/// A failure that ends the command with exit code 2.
struct Failure(String);

pub fn main() -> ExitCode {
    let matches = match Cli::command().try_get_matches() {
        Ok(matches) => matches,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { FAILURE } else { CLEAN });
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(FAILURE);
        }
    };
    let result = match &cli.command {
        Command::Check(args) => {
            let sub = matches.subcommand_matches("check").unwrap_or(&matches);
            run_check(args, sub)
        }
        Command::Build(args) => {
            let sub = matches.subcommand_matches("build").unwrap_or(&matches);
            run_build(args, sub)
        }
        Command::Graph(args) => run_graph(args),
        Command::Certs(args) => run_certs(args),
        Command::Ca(CaCommand::Rotate(args)) => run_rotate(args),
        Command::ImportSeg(args) => run_import_seg(args),
        Command::Route(args) => run_route(args),
        Command::WhatIf(args) => run_what_if(args),
        Command::Matrix(args) => run_matrix(args),
        Command::Diff(args) => run_diff(args),
        Command::Schema => write_stdout(&topoc::schema::topology()).map(|()| CLEAN),
        Command::Init(args) => run_init(args),
        Command::Completions { shell } => {
            let mut buffer = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "topoc", &mut buffer);
            write_stdout(&String::from_utf8_lossy(&buffer)).map(|()| CLEAN)
        }
        Command::Man => {
            let mut buffer = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut buffer)
                .map_err(|e| Failure(format!("cannot render the man page: {e}")))
                .and_then(|()| write_stdout(&String::from_utf8_lossy(&buffer)).map(|()| CLEAN))
        }
        Command::Explain(args) => run_explain(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(Failure(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(FAILURE)
        }
    }
}

fn run_check(args: &CheckArgs, matches: &ArgMatches) -> Result<u8, Failure> {
    let levels = command_line_levels(&args.lints, matches)?;
    let source = read_source(&args.file)?;
    let mut checked = topoc::check(&source, &levels);
    if let Some(model) = checked
        .model
        .as_ref()
        .filter(|m| m.cluster.kind == Kind::Seg)
    {
        // Judged when it can be read here; where it cannot (CI before deployment), only the
        // build needs it.
        let key = read_shared_key(model, &args.file);
        if key.is_ok() {
            topoc::add_shared_key_finding(&mut checked, &key, &levels);
        }
    }
    if let Some(model) = checked
        .model
        .as_ref()
        .filter(|m| m.cluster.kind == Kind::Swg)
    {
        let secrets = match &args.secrets {
            Some(dir) => Some(dir.clone()),
            None => Some(PathBuf::from("secrets")).filter(|dir| dir.is_dir()),
        };
        if secrets.is_some() || model.ca.external.is_some() {
            let dir = secrets.unwrap_or_else(|| PathBuf::from("secrets"));
            let existing = load_existing(&Secrets::reader(&dir), model, &args.file)?;
            let inspection = pki::inspect(&existing, OffsetDateTime::now_utc());
            topoc::add_certificate_findings(&mut checked, &inspection, &levels);
        }
    }
    let text = match args.format {
        Format::Human => human_report(&source, &checked.report, std::io::stdout().is_terminal()),
        Format::Json => json::render(&source, &checked.report),
        Format::Sarif => sarif::render(
            &source,
            &checked.report,
            &sarif::uri(&relative_to_cwd(&args.file)),
        ),
        Format::Github => github::render(&source, &checked.report),
    };
    write_stdout(&text)?;
    Ok(if checked.report.has_errors() {
        FINDINGS
    } else {
        CLEAN
    })
}

/// What a build needs besides the model: key material (swg) or the shared key (seg); for
/// `--check` without secrets, the certificates of the previous output and those a build
/// would re-issue.
enum Prepared {
    Swg(pki::Existing, pki::Material),
    Seg(String),
    Published(pki::Certificates, Vec<(String, String)>),
}

fn run_build(args: &BuildArgs, matches: &ArgMatches) -> Result<u8, Failure> {
    let levels = command_line_levels(&args.lints, matches)?;
    let source = read_source(&args.file)?;
    let mut checked = topoc::check(&source, &levels);
    let secrets = Secrets::new(&args.secrets, &args.out).map_err(|e| Failure(e.to_string()))?;
    let mut prepared = None;
    if let (Some(model), false) = (&checked.model, checked.report.has_errors()) {
        let outcome = if args.check && needs_published(model, &secrets) {
            published(model, &args.out)
        } else {
            prepare(model, &secrets, &args.file)?
        };
        match outcome {
            Ok(ready) => prepared = Some(ready),
            Err(finding) => checked.report.extend(vec![*finding], &levels),
        }
    }
    if !checked.report.diagnostics.is_empty() {
        eprint!(
            "{}",
            human_report(&source, &checked.report, std::io::stderr().is_terminal())
        );
    }
    let (Some(model), Some(analysis), Some(prepared), false) = (
        &checked.model,
        &checked.analysis,
        prepared,
        checked.report.has_errors(),
    ) else {
        eprintln!(
            "error: not building `{}`: fix the errors above first",
            source.name
        );
        return Ok(FINDINGS);
    };
    let input_name = args.file.file_name().map_or_else(
        || source.name.clone(),
        |name| name.to_string_lossy().into_owned(),
    );
    let certificates = match &prepared {
        Prepared::Swg(_, material) => Some(material.certificates()),
        Prepared::Published(certificates, _) => Some(certificates.clone()),
        Prepared::Seg(_) => None,
    };
    let tree = emit::compile(
        model,
        analysis,
        (&input_name, &source.text),
        certificates.as_ref(),
        emit::Options {
            all_pairs: args.all_pairs,
        },
    )
    .map_err(|error| Failure(error.to_string()))?;
    if args.check {
        return report_drift(&tree, &args.out, &source, &prepared);
    }
    let _lock = write::lock(&args.out).map_err(|e| Failure(e.to_string()))?;
    let mut text = String::new();
    match &prepared {
        Prepared::Swg(existing, material) => {
            secrets
                .store(material, existing, model.ca.external.is_none())
                .map_err(|e| Failure(e.to_string()))?;
            list_changes(&material.changes, &mut text);
        }
        // Made only for `--check`, which returned above: nothing to store.
        Prepared::Published(..) => {}
        Prepared::Seg(key) => {
            let configs: Vec<(String, String)> = model
                .node_ids()
                .map(|id| {
                    let name = &model.node(id).name;
                    (
                        format!("nodes/{name}/integration-service.config.xml"),
                        emit::seg::integration_service_config(model, id, key),
                    )
                })
                .collect();
            let written = secrets
                .store_files(&configs)
                .map_err(|e| Failure(e.to_string()))?;
            let lines: Vec<String> = written
                .iter()
                .map(|path| format!("wrote `{}`", path.display()))
                .collect();
            list_changes(&lines, &mut text);
        }
    }
    write::commit(&tree, &args.out, args.force).map_err(|error| Failure(error.to_string()))?;
    let _ = writeln!(
        text,
        "wrote {} files to `{}`",
        tree.len(),
        args.out.display()
    );
    write_stdout(&text)?;
    Ok(CLEAN)
}

/// Lists what a build changed in the secrets: every line of a small change; of a large one
/// (a first build of thousands of nodes), the first lines and how many more.
fn list_changes(lines: &[String], text: &mut String) {
    const SHOWN: usize = 20;
    let shown = if lines.len() > SHOWN {
        SHOWN / 2
    } else {
        lines.len()
    };
    for line in &lines[..shown] {
        let _ = writeln!(text, "{line}");
    }
    if lines.len() > shown {
        let _ = writeln!(
            text,
            "... and {} more changes to the secrets",
            lines.len() - shown
        );
    }
}

/// `build --check`: what differs between `out` and this build; exit 1 if anything does.
fn report_drift(
    tree: &emit::Tree,
    out: &Path,
    source: &Source,
    prepared: &Prepared,
) -> Result<u8, Failure> {
    let mut drift = write::drift(tree, out).map_err(|error| Failure(error.to_string()))?;
    if let Prepared::Published(_, stale) = prepared {
        for (node, why) in stale {
            drift.push(write::Drift::Reissued(
                format!("nodes/{node}/node.pem"),
                why.clone(),
            ));
        }
        if !stale.is_empty() && out.join("manifest.json").exists() {
            drift.push(write::Drift::Changed("manifest.json".to_owned()));
        }
        drift.sort();
        drift.dedup();
    }
    if drift.is_empty() {
        write_stdout(&format!(
            "`{}` is up to date ({} files)\n",
            out.display(),
            tree.len()
        ))?;
        return Ok(CLEAN);
    }
    let mut text = format!(
        "`{}` differs from a fresh build of `{}`:\n",
        out.display(),
        source.name
    );
    for difference in &drift {
        let _ = writeln!(text, "  {difference}");
    }
    write_stdout(&text)?;
    Ok(FINDINGS)
}

/// `--check` on a web gateway cluster whose CA is not here: the certificates are judged from
/// the previous output instead (CI checks for drift without the secrets).
fn needs_published(model: &topoc::model::Model, secrets: &Secrets) -> bool {
    model.cluster.kind == Kind::Swg
        && model.ca.external.is_none()
        && !secrets.root().join("ca.pem").exists()
        && !secrets.root().join("ca.key").exists()
}

fn published(
    model: &topoc::model::Model,
    out: &Path,
) -> Result<Prepared, Box<topoc::finding::Finding>> {
    let read = |node: &str, file: &str| {
        std::fs::read_to_string(out.join("nodes").join(node).join(file)).ok()
    };
    let ca = model
        .nodes
        .iter()
        .find_map(|node| read(&node.name, "ca.pem"));
    let Some(ca) = ca else {
        // No published CA: a build would create one and issue every certificate.
        let stale = model
            .nodes
            .iter()
            .map(|node| {
                (
                    node.name.clone(),
                    "no certificate was published yet".to_owned(),
                )
            })
            .collect();
        return Ok(Prepared::Published(pki::Certificates::default(), stale));
    };
    let nodes = model
        .nodes
        .iter()
        .filter_map(|node| Some((node.name.clone(), read(&node.name, "node.pem")?)))
        .collect();
    match pki::published(model, &ca, &nodes, OffsetDateTime::now_utc()) {
        Ok((certificates, stale)) => Ok(Prepared::Published(certificates, stale)),
        Err(problem) => Err(Box::new(topoc::checks::invalid_ca::finding(
            model, &problem,
        ))),
    }
}

/// Key material for a web gateway cluster, the shared key for a SEG cluster; `Err` holds the
/// finding that stops the build.
fn prepare(
    model: &topoc::model::Model,
    secrets: &Secrets,
    topology: &Path,
) -> Result<Result<Prepared, Box<topoc::finding::Finding>>, Failure> {
    match model.cluster.kind {
        Kind::Swg => {
            let existing = load_existing(secrets, model, topology)?;
            Ok(
                match pki::ensure(model, &existing, OffsetDateTime::now_utc(), false) {
                    Ok(material) => Ok(Prepared::Swg(existing, material)),
                    Err(problem) => Err(Box::new(topoc::checks::invalid_ca::finding(
                        model, &problem,
                    ))),
                },
            )
        }
        Kind::Seg => {
            let key = read_shared_key(model, topology);
            Ok(match topoc::checks::seg_shared_key::check(model, &key) {
                Some(finding) => Err(Box::new(finding)),
                None => Ok(Prepared::Seg(key.unwrap_or_default().trim().to_owned())),
            })
        }
    }
}

/// The SEG shared key from where the topology says, or why it cannot be read.
fn read_shared_key(model: &topoc::model::Model, topology: &Path) -> Result<String, String> {
    match &model.cluster.shared_key {
        Some(SharedKeySource::Env(name)) => std::env::var(&name.value)
            .map_err(|_| format!("the environment variable `{}` is not set", name.value)),
        Some(SharedKeySource::File(file)) => {
            let path = topology
                .parent()
                .unwrap_or(Path::new("."))
                .join(&file.value);
            std::fs::read_to_string(&path).map_err(|e| format!("`{}`: {e}", path.display()))
        }
        None => Err("the topology names no `shared_key_env` or `shared_key_file`".to_owned()),
    }
}

/// The key material of `secrets`, with the CA from `[ca]`'s files when the topology names
/// them (relative to the topology file).
fn load_existing(
    secrets: &Secrets,
    model: &topoc::model::Model,
    topology: &Path,
) -> Result<pki::Existing, Failure> {
    let base = topology.parent().unwrap_or(Path::new("."));
    let external = model
        .ca
        .external
        .as_ref()
        .map(|(cert, key)| (base.join(&cert.value), base.join(&key.value)));
    secrets
        .load(
            external
                .as_ref()
                .map(|(cert, key)| (cert.as_path(), key.as_path())),
        )
        .map_err(|e| Failure(format!("cannot read the key material: {e}")))
}

/// A topology, its model, analysis and report: the model must exist, and with `clean`
/// nothing may be at error level. Otherwise the report is printed and the exit code returned.
fn resolved(file: &Path, clean: bool) -> Result<Resolved, u8> {
    let source = read_source(file).map_err(|Failure(message)| {
        eprintln!("error: {message}");
        FAILURE
    })?;
    let checked = topoc::check(&source, &LintLevels::default());
    let errors = clean && checked.report.has_errors();
    if let (Some(model), Some(analysis), false) = (checked.model, checked.analysis, errors) {
        return Ok((source, model, analysis, checked.report));
    }
    eprint!(
        "{}",
        human_report(&source, &checked.report, std::io::stderr().is_terminal())
    );
    Err(FINDINGS)
}

/// What `resolved` gives: the source, its model, analysis and report.
type Resolved = (
    Source,
    topoc::model::Model,
    topoc::analysis::Analysis,
    topoc::diagnostic::Report,
);

/// One side of `topoc diff`, borrowed from what was loaded.
fn side(((_, model, _, report), tree): &(Resolved, emit::Tree)) -> topoc::diff::Side<'_> {
    topoc::diff::Side {
        model,
        report,
        tree,
    }
}

fn run_certs(args: &CertsArgs) -> Result<u8, Failure> {
    let (_, model, _, _) = match resolved(&args.file, true) {
        Ok(resolved) => resolved,
        Err(code) => return Ok(code),
    };
    let model = &model;
    let existing = load_existing(&Secrets::reader(&args.secrets), model, &args.file)?;
    let now = OffsetDateTime::now_utc();
    let mut entries = Vec::new();
    if let Some(ca) = &existing.ca_cert {
        entries.push(("cluster CA".to_owned(), pki::summarize(ca)));
    }
    for node in &model.nodes {
        let cert = existing
            .nodes
            .get(&node.name)
            .and_then(|(_, cert)| cert.clone());
        let summary = cert.map_or_else(
            || Err("no certificate yet: run `topoc build`".to_owned()),
            |pem| pki::summarize(&pem),
        );
        entries.push((node.name.clone(), summary));
    }
    let text = match args.format {
        ListFormat::Human => certs_human(&entries, now),
        ListFormat::Json => certs_json(&entries, now),
    };
    write_stdout(&text)?;
    Ok(CLEAN)
}

fn day(time: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        time.year(),
        u8::from(time.month()),
        time.day()
    )
}

fn certs_human(entries: &[(String, Result<pki::Summary, String>)], now: OffsetDateTime) -> String {
    let mut text = String::new();
    for (name, summary) in entries {
        match summary {
            Ok(summary) => {
                let sans: Vec<&str> = summary
                    .dns
                    .iter()
                    .chain(&summary.ips)
                    .map(String::as_str)
                    .collect();
                let _ = writeln!(
                    text,
                    "{name}\n  subject  {}\n  SANs     {}\n  issuer   {}\n  valid    {} to {} ({} days left)\n  serial   {}",
                    summary.subject,
                    if sans.is_empty() {
                        "-".to_owned()
                    } else {
                        sans.join(", ")
                    },
                    summary.issuer,
                    day(summary.not_before),
                    day(summary.not_after),
                    (summary.not_after - now).whole_days(),
                    summary.serial
                );
            }
            Err(why) => {
                let _ = writeln!(text, "{name}\n  {why}");
            }
        }
    }
    text
}

fn certs_json(entries: &[(String, Result<pki::Summary, String>)], now: OffsetDateTime) -> String {
    let list: Vec<serde_json::Value> = entries
        .iter()
        .map(|(name, summary)| match summary {
            Ok(summary) => serde_json::json!({
                "name": name,
                "subject": summary.subject,
                "issuer": summary.issuer,
                "dns": summary.dns,
                "ips": summary.ips,
                "not_before": day(summary.not_before),
                "not_after": day(summary.not_after),
                "days_left": (summary.not_after - now).whole_days(),
                "serial": summary.serial,
            }),
            Err(why) => serde_json::json!({ "name": name, "error": why }),
        })
        .collect();
    emit::json(&serde_json::json!({ "certificates": list }))
}

/// The node named `name`, or a usage error with a suggestion.
fn node_named(model: &topoc::model::Model, name: &str) -> Result<topoc::model::NodeId, Failure> {
    let wanted = name.to_ascii_lowercase();
    model
        .node_ids()
        .find(|&id| model.node(id).name == wanted)
        .ok_or_else(|| {
            let hint = suggest::did_you_mean(name, model.nodes.iter().map(|n| n.name.as_str()))
                .map(|hint| format!("; {hint}"))
                .unwrap_or_default();
            Failure(format!("no node is named `{name}`{hint}"))
        })
}

fn run_route(args: &RouteArgs) -> Result<u8, Failure> {
    let (_, model, _, _) = match resolved(&args.file, false) {
        Ok(resolved) => resolved,
        Err(code) => return Ok(code),
    };
    let (from, to) = (
        node_named(&model, &args.from)?,
        node_named(&model, &args.to)?,
    );
    let table = topoc::routes::Router::new(&model).from(from);
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

fn run_what_if(args: &WhatIfArgs) -> Result<u8, Failure> {
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
    let outcome = topoc::what_if::degrade(&model, &analysis, &all_nodes, &all_groups);
    let alone: Vec<(String, u64)> = elements
        .iter()
        .map(|(what, nodes, groups)| {
            (
                what.clone(),
                topoc::what_if::degrade(&model, &analysis, nodes, groups).lost_pairs,
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

fn run_diff(args: &DiffArgs) -> Result<u8, Failure> {
    let load = |file: &Path| -> Result<(Resolved, emit::Tree), u8> {
        let loaded = resolved(file, false)?;
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
    let diff = topoc::diff::diff(&side(&old), &side(&new));
    let text = match args.format {
        DiffFormat::Json => emit::json(&diff),
        DiffFormat::Human => diff.render(false),
        DiffFormat::Markdown => diff.render(true),
    };
    write_stdout(&text)?;
    Ok(CLEAN)
}

/// `what-if --each`: every node ranked by the pairs its loss alone disconnects.
fn what_if_each(
    args: &WhatIfArgs,
    model: &topoc::model::Model,
    analysis: &topoc::analysis::Analysis,
) -> Result<u8, Failure> {
    let lost = topoc::what_if::each(model, analysis);
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
type DownElement = (
    String,
    BTreeSet<topoc::model::NodeId>,
    BTreeSet<topoc::model::GroupId>,
);

fn down_elements(
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
        let wanted = name.to_ascii_lowercase();
        let site = model
            .sites
            .iter()
            .position(|s| s.name == wanted)
            .ok_or_else(|| {
                let hint = suggest::did_you_mean(name, model.sites.iter().map(|s| s.name.as_str()))
                    .map(|h| format!("; {h}"))
                    .unwrap_or_default();
                Failure(format!("no site is named `{name}`{hint}"))
            })?;
        let nodes = model
            .node_ids()
            .filter(|&n| model.node(n).site.value.index() == site)
            .collect();
        elements.push((format!("site `{wanted}`"), nodes, BTreeSet::new()));
    }
    for name in &args.groups {
        let wanted = name.to_ascii_lowercase();
        let group = model
            .network_groups
            .iter()
            .position(|g| g.name == wanted)
            .ok_or_else(|| {
                let hint = suggest::did_you_mean(
                    name,
                    model.network_groups.iter().map(|g| g.name.as_str()),
                )
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
                Failure(format!("no network group is named `{name}`{hint}"))
            })?;
        elements.push((
            format!("network group `{wanted}`"),
            BTreeSet::new(),
            BTreeSet::from([topoc::model::GroupId(group)]),
        ));
    }
    Ok(elements)
}

fn run_matrix(args: &MatrixArgs) -> Result<u8, Failure> {
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
    let mut router = topoc::routes::Router::new(&model);
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

/// The starter topology `topoc init` writes.
const STARTER: &str = include_str!("templates/init.toml");

fn run_init(args: &InitArgs) -> Result<u8, Failure> {
    std::fs::create_dir_all(&args.dir)
        .map_err(|e| Failure(format!("cannot create `{}`: {e}", args.dir.display())))?;
    let topology = args.dir.join("topology.toml");
    let schema = args.dir.join("topology.schema.json");
    for path in [&topology, &schema] {
        if path.exists() {
            return Err(Failure(format!(
                "`{}` exists already; topoc init does not overwrite it",
                path.display()
            )));
        }
    }
    let write = |path: &Path, text: &str| {
        std::fs::write(path, text)
            .map_err(|e| Failure(format!("cannot write `{}`: {e}", path.display())))
    };
    write(&topology, STARTER)?;
    write(&schema, &topoc::schema::topology())?;
    let gitignore = args.dir.join(".gitignore");
    let existing = std::fs::read_to_string(&gitignore).unwrap_or_default();
    if !existing.lines().any(|line| {
        matches!(
            line.trim(),
            "secrets" | "secrets/" | "/secrets" | "/secrets/"
        )
    }) {
        let separator = if existing.is_empty() || existing.ends_with('\n') {
            ""
        } else {
            "\n"
        };
        write(
            &gitignore,
            &format!(
                "{existing}{separator}# Keys and certificates written by topoc build: never commit them.\n/secrets/\n"
            ),
        )?;
    }
    write_stdout(&format!(
        "wrote `{}`, `{}` and a `.gitignore` entry for `secrets/`\nnext: topoc check {}\n",
        topology.display(),
        schema.display(),
        topology.display()
    ))?;
    Ok(CLEAN)
}

fn run_import_seg(args: &ImportSegArgs) -> Result<u8, Failure> {
    let mut addresses = std::collections::BTreeMap::new();
    for given in &args.addresses {
        let parsed = given
            .split_once('=')
            .and_then(|(host, ip)| Some((host.trim().to_owned(), ip.trim().parse().ok()?)));
        let Some((host, ip)) = parsed else {
            return Err(Failure(format!("`--address {given}` is not HOST=IP")));
        };
        addresses.insert(host, ip);
    }
    let shown = args.file.display().to_string();
    let xml = std::fs::read_to_string(&args.file)
        .map_err(|e| Failure(format!("cannot read `{shown}`: {e}")))?;
    let resolve = |host: &str| {
        use std::net::ToSocketAddrs;
        (host, 0)
            .to_socket_addrs()
            .ok()?
            .next()
            .map(|address| address.ip())
    };
    let topology = topoc::import_seg::parse(&xml)
        .and_then(|directory| topoc::import_seg::topology(&directory, &addresses, resolve))
        .map_err(|e| Failure(format!("`{shown}`: {e}")))?;
    write_stdout(&topology)?;
    Ok(CLEAN)
}

fn run_rotate(args: &RotateArgs) -> Result<u8, Failure> {
    let (_, model, _, _) = match resolved(&args.file, true) {
        Ok(resolved) => resolved,
        Err(code) => return Ok(code),
    };
    let model = &model;
    if model.ca.external.is_some() {
        return Err(Failure(
            "the CA is kept outside topoc (`[ca] cert` and `key`): replace those files instead"
                .to_owned(),
        ));
    }
    let secrets = Secrets::reader(&args.secrets);
    let now = OffsetDateTime::now_utc();
    let label = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    let retired = secrets.retire(&label).map_err(|e| Failure(e.to_string()))?;
    let existing = load_existing(&secrets, model, &args.file)?;
    let material = pki::ensure(model, &existing, now, true).map_err(|p| Failure(p.to_string()))?;
    secrets
        .store(&material, &existing, true)
        .map_err(|e| Failure(e.to_string()))?;
    write_stdout(&format!(
        "created a new cluster CA and re-issued {} node certificates; the previous ones are in `{}`\nrun `topoc build` to write them to the output, then import the new CA on every node\n",
        material.nodes.len(),
        retired.display()
    ))?;
    Ok(CLEAN)
}

fn run_graph(args: &GraphArgs) -> Result<u8, Failure> {
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
        let hops = topoc::routes::Router::new(model).from(from).route(to);
        if hops.is_empty() && from != to {
            return Err(Failure(format!(
                "`{}` cannot reach `{}`: there is no route to draw",
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

fn human_report(source: &Source, report: &topoc::diagnostic::Report, color: bool) -> String {
    human::render(source, report, human::Style { color, width: 100 })
}

fn run_explain(args: &ExplainArgs) -> Result<u8, Failure> {
    let text = match &args.code {
        Some(code) => explain::explain(code).map_err(Failure)?,
        None => explain::list(),
    };
    write_stdout(&text)?;
    Ok(CLEAN)
}

/// `path` relative to the working directory when it lies below it, as SARIF consumers want.
fn relative_to_cwd(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    std::env::current_dir()
        .ok()
        .and_then(|cwd| absolute.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_owned())
        .to_string_lossy()
        .replace('\\', "/")
}

/// The `-A/-W/-D` flags in the order given, so that a later one wins, as in rustc.
fn command_line_levels(args: &LintArgs, matches: &ArgMatches) -> Result<LintLevels, Failure> {
    let mut given: Vec<(usize, &String, Level)> = Vec::new();
    for (id, codes, level) in [
        ("allow", &args.allow, Level::Allow),
        ("warn", &args.warn, Level::Warn),
        ("deny", &args.deny, Level::Deny),
    ] {
        let indices = matches.indices_of(id).into_iter().flatten();
        given.extend(indices.zip(codes).map(|(index, code)| (index, code, level)));
    }
    given.sort_by_key(|&(index, _, _)| index);
    let mut levels = LintLevels::default();
    levels.deny_warnings = args.deny_warnings;
    for (_, code, level) in given {
        levels.set_from_command_line(configurable(code)?, level);
    }
    Ok(levels)
}

fn configurable(code: &str) -> Result<&'static Check, Failure> {
    match checks::find(code) {
        Some(check) if check.is_hard() => Err(Failure(format!(
            "`{code}` is a hard error; its level cannot be changed"
        ))),
        Some(check) => Ok(check),
        None => {
            let hint = suggest::did_you_mean(code, checks::ALL.iter().map(|c| c.code))
                .map(|hint| format!("; {hint}"))
                .unwrap_or_default();
            Err(Failure(format!("unknown lint `{code}`{hint}")))
        }
    }
}

fn read_source(path: &Path) -> Result<Source, Failure> {
    let shown = path.display().to_string();
    let bytes =
        std::fs::read(path).map_err(|error| Failure(format!("cannot read `{shown}`: {error}")))?;
    let text = String::from_utf8(bytes).map_err(|error| {
        Failure(format!(
            "`{shown}` is not UTF-8 text (invalid byte at offset {})",
            error.utf8_error().valid_up_to()
        ))
    })?;
    Ok(Source::new(shown, text))
}

fn write_stdout(text: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        // A closed pipe (`topoc check … | head`) is the reader's choice, not a failure.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(error) => Err(Failure(format!("cannot write the report: {error}"))),
    }
}
