//! The command line: parses arguments, reads files, prints reports, picks the exit code.
//!
//! This module holds the command enum and the dispatch. `common` holds what commands share
//! and `error` every failure's wording; each command lives in the module of its audience:
//! `check` (check, explain), `build`, `certs` (certs, ca rotate), `plan` (join, upgrade),
//! `architect` (graph,
//! route, matrix, diff), `what_if`, `probe`, `secrets`, `man` and `setup` (init, import-seg, schema, completions).
//! Command modules never import each other.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

mod architect;
mod build;
mod certs;
mod check;
mod common;
mod error;
mod git;
mod input;
mod man;
mod plan;
mod probe;
mod report;
mod secrets;
mod secrets_out;
mod setup;
mod what_if;

use error::Exit;

#[derive(Debug, Parser)]
#[command(
    name = "topoc",
    version,
    about = "Checks and compiles gateway cluster topologies",
    after_long_help = "Exit status: 0 on success; 1 when a topology has findings at error level \
        (or `build --check` finds drift, `route` finds no route, `what-if` loses pairs); 2 on a \
        usage, input or I/O error; 3 from `diff --exit-code` when the topologies differ."
)]
pub(crate) struct Cli {
    /// When to colour reports: `auto` follows the terminal and `NO_COLOR`, `CLICOLOR`,
    /// `CLICOLOR_FORCE` and `TERM`; `always` and `never` override them
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    color: ColorWhen,
    /// Let paths in the topology (`[ca]` files, `shared_key_file`, `recipients_file`) lead
    /// into DIR too; without it they stay inside the topology's directory. Repeatable
    #[arg(long, global = true, value_name = "DIR", env = "TOPOC_ALLOW_PATH")]
    allow_path: Vec<std::path::PathBuf>,
    /// The largest topology file read, in megabytes
    #[arg(long, global = true, value_name = "MB", default_value_t = topoc::input::DEFAULT_MAX_INPUT_MB)]
    max_input_mb: u64,
    #[command(subcommand)]
    command: Command,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Checks a topology and reports every finding
    Check(check::CheckArgs),
    /// Compiles a topology into every node's files
    Build(build::BuildArgs),
    /// Prints a picture of the topology (Graphviz DOT or Mermaid)
    Graph(architect::GraphArgs),
    /// Writes one self-contained, interactive HTML report of the topology for architects
    Report(report::ReportArgs),
    /// Lists the cluster CA and every node certificate with its names and dates
    Certs(certs::CertsArgs),
    /// Manages the cluster CA
    #[command(subcommand)]
    Ca(certs::CaCommand),
    /// Prints an existing SEG AppClusterDirectory.xml as a topology
    ImportSeg(setup::ImportSegArgs),
    /// Prints the JSON Schema of the topology file, for editors
    Schema,
    /// Writes a commented starter topology, its schema and a .gitignore entry for secrets
    Init(setup::InitArgs),
    /// Shows the route a message takes from one node to another
    Route(architect::RouteArgs),
    /// Shows what happens when nodes, sites or groups fail
    WhatIf(what_if::WhatIfArgs),
    /// Prints the hop count between every pair of nodes
    Matrix(architect::MatrixArgs),
    /// Compares two topologies: what changes, what to do about it, and which nodes to
    /// re-apply in which order
    #[command(
        after_long_help = "Exit status: 0 when NEW has no error (with --exit-code: and \
        nothing changes), 1 when NEW has errors (they are printed, nothing is planned), 2 on \
        a usage or input error, 3 with --exit-code when the topologies differ."
    )]
    Diff(architect::DiffArgs),
    /// Plans the work on the appliances: the join order, the upgrade procedure
    #[command(subcommand)]
    Plan(plan::PlanCommand),
    /// Checks that the real network matches the topology: names, connections, TLS
    /// handshakes and clocks, from one node; or stands in for a node
    Probe(probe::ProbeArgs),
    /// Encrypts the secrets with age so that they can live in git, re-encrypts them, or
    /// shows their state
    #[command(subcommand)]
    Secrets(secrets::SecretsCommand),
    /// Prints shell completions
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
    /// Prints the manual page, or writes one per subcommand with --dir
    Man(man::ManArgs),
    /// Explains a finding code: what it checks, why, and how to fix it
    Explain(check::ExplainArgs),
}

pub fn main() -> ExitCode {
    let matches = match Cli::command().try_get_matches() {
        Ok(matches) => matches,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                Exit::Failure
            } else {
                Exit::Clean
            }
            .into();
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return Exit::Failure.into();
        }
    };
    anstream::ColorChoice::write_global(match cli.color {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    });
    common::set_input(cli.allow_path.clone(), cli.max_input_mb);
    let sub = |name: &str| matches.subcommand_matches(name).unwrap_or(&matches);
    let result = match &cli.command {
        Command::Check(args) => check::run_check(args, sub("check")),
        Command::Build(args) => build::run_build(args, sub("build")),
        Command::Graph(args) => architect::run_graph(args),
        Command::Report(args) => report::run_report(args),
        Command::Certs(args) => certs::run_certs(args),
        Command::Ca(certs::CaCommand::Rotate(args)) => certs::run_rotate(args),
        Command::ImportSeg(args) => setup::run_import_seg(args),
        Command::Route(args) => architect::run_route(args),
        Command::WhatIf(args) => what_if::run_what_if(args),
        Command::Matrix(args) => architect::run_matrix(args),
        Command::Diff(args) => architect::run_diff(args),
        Command::Schema => setup::run_schema(),
        Command::Init(args) => setup::run_init(args),
        Command::Probe(args) => probe::run_probe(args),
        Command::Secrets(secrets::SecretsCommand::Encrypt(args)) => secrets::run_encrypt(args),
        Command::Secrets(secrets::SecretsCommand::Rekey(args)) => secrets::run_rekey(args),
        Command::Secrets(secrets::SecretsCommand::Status(args)) => secrets::run_status(args),
        Command::Completions { shell } => setup::run_completions(*shell, Cli::command()),
        Command::Man(args) => man::run_man(args, Cli::command()),
        Command::Explain(args) => check::run_explain(args),
        Command::Plan(plan::PlanCommand::Join(args)) => plan::run_join(args),
        Command::Plan(plan::PlanCommand::Upgrade(args)) => plan::run_upgrade(args),
    };
    match result {
        Ok(exit) => exit.into(),
        Err(error) => {
            eprintln!("error: {error}");
            Exit::Failure.into()
        }
    }
}
