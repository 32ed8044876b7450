//! `topoc check` and `topoc explain`.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::ArgMatches;
use time::OffsetDateTime;
use topoc::pki;
use topoc::report::explain;
use topoc::report::github;
use topoc::report::json;
use topoc::report::sarif;
use topoc::secrets::Secrets;
use topoc::syntax::Kind;

use super::build::read_shared_key;
use super::{
    CLEAN, FINDINGS, Failure, Format, LintArgs, command_line_levels, human_report, load_existing,
    read_source, relative_to_cwd, write_stdout,
};

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
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// The secrets directory whose CA and certificates to check [default: `secrets` if present]
    #[arg(long, value_name = "DIR")]
    secrets: Option<PathBuf>,
    #[command(flatten)]
    lints: LintArgs,
}

pub(super) fn run_check(args: &CheckArgs, matches: &ArgMatches) -> Result<u8, Failure> {
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

pub(super) fn run_explain(args: &ExplainArgs) -> Result<u8, Failure> {
    let text = match &args.code {
        Some(code) => explain::explain(code).map_err(Failure)?,
        None => explain::list(),
    };
    write_stdout(&text)?;
    Ok(CLEAN)
}
