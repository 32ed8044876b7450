//! `topoc check` and `topoc explain`.

use std::path::PathBuf;

use clap::ArgMatches;
use topoc::environment::{Environment, Limits};
use topoc::report::{explain, github, gitlab, json, sarif, summary};
use topoc::secrets::{Secrets, Store};
use topoc::{lint, suggest};

use super::common::{
    Format, LintArgs, Stream, command_line_levels, environment, human_report, read_source,
    repository_path, step_summary, valid_for, write_stdout,
};
use super::error::{Error, Exit};

#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("what").required(true))]
pub(super) struct ExplainArgs {
    /// The code, such as `unreachable-nodes`
    #[arg(group = "what")]
    code: Option<String>,
    /// List every code with its default level
    #[arg(long, group = "what")]
    list: bool,
}

#[derive(Debug, clap::Args)]
pub(super) struct CheckArgs {
    /// The topology file
    file: PathBuf,
    /// How to print the findings
    #[arg(long, value_enum, default_value_t = Format::Human, env = "TOPOC_FORMAT")]
    format: Format,
    /// The secrets directory whose CA and certificates to check [default: `secrets` if present]
    #[arg(long, value_name = "DIR", env = "TOPOC_SECRETS")]
    secrets: Option<PathBuf>,
    /// The output of a previous build, whose certificates to check against the topology
    #[arg(long, value_name = "DIR", default_value = "out", env = "TOPOC_OUT")]
    out: PathBuf,
    /// How long every certificate must still be valid, such as `30d` or `90d`
    #[arg(long, value_name = "DURATION", default_value = "30d", value_parser = valid_for)]
    valid_for: time::Duration,
    /// The directory paths in SARIF, GitHub and GitLab reports are relative to [default: the
    /// top level of the git work tree, else the working directory]
    #[arg(long, value_name = "DIR")]
    base_dir: Option<PathBuf>,
    #[command(flatten)]
    lints: LintArgs,
}

pub(super) fn run_check(args: &CheckArgs, matches: &ArgMatches) -> Result<Exit, Error> {
    let levels = command_line_levels(&args.lints, matches)?;
    let source = read_source(&args.file)?;
    let store = match &args.secrets {
        Some(dir) => Store::new(Secrets::reader(dir), &args.file),
        None => Store::new(Secrets::reader(&PathBuf::from("secrets")), &args.file).if_present(),
    }
    .with_output(&args.out);
    let environment = Environment {
        valid_for: args.valid_for,
        ..environment(&store, Limits::default())
    };
    let checked = topoc::check(&source, &levels, &environment)?;
    let path = || repository_path(&args.file, args.base_dir.as_deref());
    let text = match args.format {
        Format::Human => human_report(&source, &checked.report, Stream::Stdout),
        Format::Json => json::render(&source, &checked.report),
        Format::Sarif => sarif::render(&source, &checked.report, &sarif::uri(&path())),
        Format::Github => github::render(&source, &checked.report, &path()),
        Format::Gitlab => gitlab::render(&source, &checked.report, &path()),
    };
    write_stdout(&text)?;
    step_summary(&summary::markdown(&source, &checked.report, &path()));
    Ok(if checked.report.has_errors() {
        Exit::Findings
    } else {
        Exit::Clean
    })
}

pub(super) fn run_explain(args: &ExplainArgs) -> Result<Exit, Error> {
    let text = match &args.code {
        Some(code) => {
            let found = lint::find(code).ok_or_else(|| Error::UnknownCode {
                code: code.clone(),
                nearest: suggest::closest(code, lint::codes()),
                lint: false,
            })?;
            explain::explain(found)
        }
        None => explain::list(),
    };
    write_stdout(&text)?;
    Ok(Exit::Clean)
}
