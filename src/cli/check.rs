//! `topoc check` and `topoc explain`.

use std::path::{Path, PathBuf};

use clap::ArgMatches;
use topoc::environment::{Environment, Limits};
use topoc::finding::diagnostic::{DEFAULT_PER_CODE, Report};
use topoc::finding::level::LintLevels;
use topoc::report::{explain, github, gitlab, json, sarif, summary};
use topoc::secrets::{Secrets, Store};
use topoc::source::Source;
use topoc::{lint, suggest};

use super::common::{
    Format, LintArgs, Progress, Stream, allowed_paths, command_line_levels, environment,
    human_report_listed, read_source, read_stdin, repository_path, step_summary, valid_for,
    write_stdout,
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
#[command(
    after_long_help = "Exit status: 0 when no file has a finding at error level, 1 when \
    one has, 2 when a file cannot be read (the worst of all the files).\n\nExamples:\n  \
    topoc check cluster.toml\n  topoc check --format sarif cluster.toml > topoc.sarif\n  \
    topoc check a.toml b.toml\n  git show HEAD:cluster.toml | topoc check - --stdin-filename cluster.toml"
)]
pub(super) struct CheckArgs {
    /// The topology files; `-` reads standard input
    #[arg(required = true, num_args = 1..)]
    files: Vec<PathBuf>,
    /// The name standard input's topology is reported under, and where its relative paths
    /// (`[ca]` files, recipients) start [default: `<stdin>`, in the working directory]
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<PathBuf>,
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
    /// The absolute address of topoc's `docs/lints.md` where your CI can open it: SARIF
    /// rules then link to their section (`helpUri`)
    #[arg(long, value_name = "URL", env = "TOPOC_RULE_HELP_URI", value_parser = absolute_uri)]
    rule_help_uri: Option<String>,
    /// Print nothing when no file has a finding (human format)
    #[arg(short, long)]
    quiet: bool,
    /// List at most N findings of each code per file and count the rest ("and 19,990
    /// more"); 0 lists every one
    #[arg(long, value_name = "N", default_value_t = DEFAULT_PER_CODE, env = "TOPOC_MAX_PER_CODE")]
    max_per_code: usize,
    #[command(flatten)]
    lints: LintArgs,
}

/// `--rule-help-uri`: an absolute URI (a scheme, a colon, no spaces), as SARIF requires.
fn absolute_uri(text: &str) -> Result<String, String> {
    let scheme = text.split_once(':').map(|(scheme, _)| scheme);
    let valid = scheme.is_some_and(|scheme| {
        scheme
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    }) && !text.contains(char::is_whitespace)
        && !text.contains('#');
    if valid {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "`{text}` is not an absolute URI without a fragment, such as `https://example.com/topoc/docs/lints.md`"
        ))
    }
}

/// One file checked: its path as given (or `--stdin-filename`), its text and report.
struct Checked {
    path: PathBuf,
    source: Source,
    report: Report,
}

pub(super) fn run_check(args: &CheckArgs, matches: &ArgMatches) -> Result<Exit, Error> {
    let levels = command_line_levels(&args.lints, matches)?;
    let mut checked = Vec::new();
    let mut worst = Exit::Clean;
    let progress = Progress::start("checking", args.quiet);
    for (index, file) in args.files.iter().enumerate() {
        progress.phase(&format!("checking `{}`", file.display()));
        let last = index + 1 == args.files.len();
        match check_one(args, &levels, file, last) {
            Ok(one) => {
                if one.report.has_errors() && worst == Exit::Clean {
                    worst = Exit::Findings;
                }
                checked.push(one);
            }
            // One file that cannot be read does not hide the others' findings.
            Err(error) => {
                eprintln!("error: {error}");
                worst = Exit::Failure;
            }
        }
    }
    drop(progress);
    // Repository paths (which may ask git) only for the formats and the summary that use them.
    let summarized = std::env::var_os("GITHUB_STEP_SUMMARY").is_some_and(|path| !path.is_empty());
    let located = matches!(args.format, Format::Sarif | Format::Github | Format::Gitlab);
    let paths: Vec<String> = if located || summarized {
        checked
            .iter()
            .map(|one| repository_path(&one.path, args.base_dir.as_deref()))
            .collect()
    } else {
        Vec::new()
    };
    let quiet = args.quiet && checked.iter().all(|one| one.report.diagnostics.is_empty());
    let text = match args.format {
        Format::Human if quiet => String::new(),
        Format::Human => checked
            .iter()
            .map(|one| human_report_listed(&one.source, &one.report, Stream::Stdout))
            .collect(),
        Format::Json if checked.len() == 1 => json::render(&checked[0].source, &checked[0].report),
        Format::Json => {
            let documents: Vec<serde_json::Value> = checked
                .iter()
                .filter_map(|one| {
                    serde_json::from_str(&json::render(&one.source, &one.report)).ok()
                })
                .collect();
            topoc::emit::json(&documents)
        }
        Format::Sarif => {
            let uris: Vec<String> = paths.iter().map(|path| sarif::uri(path)).collect();
            let files: Vec<sarif::File<'_>> = checked
                .iter()
                .zip(&uris)
                .map(|(one, uri)| (&one.source, &one.report, uri.as_str()))
                .collect();
            sarif::render(&files, args.rule_help_uri.as_deref())
        }
        Format::Github => checked
            .iter()
            .zip(&paths)
            .map(|(one, path)| github::render(&one.source, &one.report, path))
            .collect(),
        Format::Gitlab => {
            let files: Vec<(&Source, &Report, &str)> = checked
                .iter()
                .zip(&paths)
                .map(|(one, path)| (&one.source, &one.report, path.as_str()))
                .collect();
            gitlab::render(&files)
        }
    };
    write_stdout(&text)?;
    for (one, path) in checked.iter().zip(&paths) {
        step_summary(&summary::markdown(&one.source, &one.report, path));
    }
    Ok(worst)
}

/// Reads and checks one file (`-`: standard input); `last` when no other follows it.
fn check_one(
    args: &CheckArgs,
    levels: &LintLevels,
    file: &Path,
    last: bool,
) -> Result<Checked, Error> {
    let (path, source) = if file == Path::new("-") {
        let path = args
            .stdin_filename
            .clone()
            .unwrap_or_else(|| PathBuf::from("<stdin>"));
        (path.clone(), read_stdin(&path)?)
    } else {
        (file.to_owned(), read_source(file)?)
    };
    let store = match &args.secrets {
        Some(dir) => Store::new(Secrets::reader(dir), &path),
        None => Store::new(Secrets::reader(&PathBuf::from("secrets")), &path).if_present(),
    }
    .allowing(allowed_paths())
    .with_output(&args.out);
    let environment = Environment {
        valid_for: args.valid_for,
        ..environment(&store, Limits::default())
    };
    let topoc::Checked {
        model,
        analysis,
        mut report,
        ..
    } = topoc::check(&source, levels, &environment)?;
    if last {
        // Left for the process's end to take back at once: freeing the model piece by
        // piece takes longer (half a millisecond at 10,000 nodes).
        std::mem::forget((model, analysis));
    }
    report.summarise(args.max_per_code);
    Ok(Checked {
        path,
        source,
        report,
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
