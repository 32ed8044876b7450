//! The command line: parses arguments, reads files, prints reports, picks the exit code.
//!
//! This module holds the command enum, the dispatch and what every command shares (lint
//! flags, reading the topology, exit codes); each command lives in the module of its
//! audience: `check` (check, explain), `build`, `certs` (certs, ca rotate), `architect`
//! (graph, route, what-if, matrix, diff) and `setup` (init, import-seg).

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use topoc::lint::Check;
use topoc::lint::checks;
use topoc::lint::level::{Level, LintLevels};
use topoc::pki;
use topoc::report::human;
use topoc::secrets::Secrets;
use topoc::source::Source;
use topoc::suggest;

mod architect;
mod build;
mod certs;
mod check;
mod setup;

use architect::{
    DiffArgs, GraphArgs, MatrixArgs, RouteArgs, WhatIfArgs, run_diff, run_graph, run_matrix,
    run_route, run_what_if,
};
use build::{BuildArgs, run_build};
use certs::{CaCommand, CertsArgs, run_certs, run_rotate};
use check::{CheckArgs, ExplainArgs, run_check, run_explain};
use setup::{ImportSegArgs, InitArgs, run_import_seg, run_init};

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

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ListFormat {
    Human,
    Json,
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
        Command::Schema => write_stdout(&topoc::syntax::schema::topology()).map(|()| CLEAN),
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
    topoc::lint::diagnostic::Report,
);

/// The node named `name`, or a usage error with a suggestion.
fn node_named(model: &topoc::model::Model, name: &str) -> Result<topoc::model::NodeId, Failure> {
    let names = model.nodes.iter().map(|node| node.name.as_str());
    position_named("node", name, names).map(topoc::model::NodeId)
}

/// Where the `what` called `name` (any case) is among `names`, or an error with the nearest
/// name.
fn position_named<'n>(
    what: &str,
    name: &str,
    names: impl Iterator<Item = &'n str> + Clone,
) -> Result<usize, Failure> {
    let wanted = name.to_ascii_lowercase();
    names
        .clone()
        .position(|candidate| candidate == wanted)
        .ok_or_else(|| {
            let hint = suggest::did_you_mean(name, names)
                .map(|hint| format!("; {hint}"))
                .unwrap_or_default();
            Failure(format!("no {what} is named `{name}`{hint}"))
        })
}

fn human_report(source: &Source, report: &topoc::lint::diagnostic::Report, color: bool) -> String {
    human::render(source, report, human::Style { color, width: 100 })
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
