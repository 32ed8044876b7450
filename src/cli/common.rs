//! What the commands share: lint flags, output formats, reading the topology (from
//! `input`, re-exported here), the environment, looking names up, writing to standard output. Command modules import from
//! here and from `error`, never from each other.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{ArgMatches, ValueEnum};
use time::OffsetDateTime;

use topoc::analysis::Analysis;
use topoc::environment::{DEFAULT_VALID_FOR, Environment, KeySource, Limits};
use topoc::finding::diagnostic::{DEFAULT_PER_CODE, Report};
use topoc::finding::level::{Level, LintLevels};
use topoc::lint::{self, LevelError};
use topoc::model::{Model, NodeId};
use topoc::report::human;
use topoc::seal::Identities;
use topoc::source::Source;
use topoc::{Checked, suggest};

use super::error::{Error, Exit};
pub(super) use super::input::{allowed_paths, read_source, read_stdin, recipients, set_input};

/// How a list-like result is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum ListFormat {
    Human,
    Json,
}

/// How findings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum Format {
    Human,
    Json,
    /// SARIF 2.1.0, for GitHub code scanning
    Sarif,
    /// GitHub Actions workflow commands (annotations)
    Github,
    /// GitLab Code Quality report (`artifacts:reports:codequality`)
    Gitlab,
}

/// Lint levels for this run, over the file's `[lints]`.
#[derive(Debug, clap::Args)]
pub(super) struct LintArgs {
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
    #[arg(long, env = "TOPOC_DENY_WARNINGS", value_parser = clap::builder::FalseyValueParser::new())]
    deny_warnings: bool,
}

/// The `-A/-W/-D` flags in the order given, so that a later one wins, as in rustc.
pub(super) fn command_line_levels(
    args: &LintArgs,
    matches: &ArgMatches,
) -> Result<LintLevels, Error> {
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
        let lint = lint::configurable(code).map_err(|error| match error {
            LevelError::Hard => Error::HardLint(code.clone()),
            LevelError::Unknown(nearest) => Error::UnknownCode {
                code: code.clone(),
                nearest,
                lint: true,
            },
        })?;
        levels.set_from_command_line(lint, level);
    }
    Ok(levels)
}

impl LintArgs {
    /// `--deny-warnings`.
    pub(super) fn deny_warnings(&self) -> bool {
        self.deny_warnings
    }
}

/// `--secrets DIR`: where keys live, never inside the output directory.
#[derive(Debug, clap::Args)]
pub(super) struct SecretsDir {
    /// The secrets directory: keys, certificates and the cluster CA (never inside the
    /// output directory)
    #[arg(
        long = "secrets",
        value_name = "DIR",
        default_value = "secrets",
        env = "TOPOC_SECRETS"
    )]
    pub(super) dir: PathBuf,
}

/// Where the identity that opens encrypted secrets comes from.
#[derive(Debug, clap::Args)]
pub(super) struct IdentityArgs {
    /// An age identity file (`AGE-SECRET-KEY-1…` lines, or an unencrypted SSH private key)
    /// that opens the encrypted secrets; without it, the environment variable
    /// `TOPOC_AGE_KEY` may hold the identity itself
    #[arg(long, value_name = "FILE", env = "TOPOC_AGE_IDENTITY")]
    identity: Option<PathBuf>,
}

/// The identities of `--identity FILE`, `TOPOC_AGE_IDENTITY` or `TOPOC_AGE_KEY`, in that
/// order; `None` when none is given.
pub(super) fn identities(args: &IdentityArgs) -> Result<Option<Identities>, Error> {
    if let Some(path) = &args.identity {
        let text = std::fs::read_to_string(path).map_err(|error| Error::Read {
            path: path.display().to_string(),
            error,
        })?;
        let source = format!("`{}`", path.display());
        return Identities::parse(&text, &source)
            .map(Some)
            .map_err(Error::Identity);
    }
    match std::env::var("TOPOC_AGE_KEY") {
        Ok(text) if !text.trim().is_empty() => Identities::parse(&text, "TOPOC_AGE_KEY")
            .map(Some)
            .map_err(Error::Identity),
        _ => Ok(None),
    }
}

/// A spinner with a phase and the elapsed time on standard error while long work runs,
/// when standard error is a terminal and `--quiet` is not given; nothing otherwise.
pub(super) struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    pub(super) fn start(phase: &str, quiet: bool) -> Progress {
        use std::io::IsTerminal as _;
        if quiet || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
        if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        bar.set_message(phase.to_owned());
        bar.enable_steady_tick(std::time::Duration::from_millis(100));
        Progress(Some(bar))
    }

    pub(super) fn phase(&self, phase: &str) {
        if let Some(bar) = &self.0 {
            bar.set_message(phase.to_owned());
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// What the pipeline takes from the world: now, `keys`, and `limits`.
pub(super) fn environment(keys: &dyn KeySource, limits: Limits) -> Environment<'_> {
    Environment {
        now: OffsetDateTime::now_utc(),
        keys,
        limits,
        valid_for: DEFAULT_VALID_FOR,
    }
}

/// `--valid-for`: a duration such as `30d` or `12w`, at most 100 years.
pub(super) fn valid_for(text: &str) -> Result<time::Duration, String> {
    let duration = humantime::parse_duration(text)
        .map_err(|e| format!("`{text}` is not a duration such as `30d` or `12w` ({e})"))?;
    time::Duration::try_from(duration)
        .ok()
        .filter(|duration| *duration <= time::Duration::days(36_525))
        .ok_or_else(|| "a validity must be at most 100 years".to_owned())
}

/// A topology with its model and analysis, for the commands that need one and no key:
/// with `clean`, nothing may be at error level either. Otherwise the report is printed on
/// standard error and the exit code returned.
pub(super) struct Resolved {
    pub model: Model,
    pub analysis: Analysis,
    /// Its findings, at the levels in force.
    pub report: Report,
}

/// Whether a command can go on with warnings or needs a topology without errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Needs {
    /// A model, whatever its lints say.
    Model,
    /// A model with nothing at error level.
    Clean,
}

pub(super) fn resolved(file: &Path, needs: Needs) -> Result<Result<Resolved, Exit>, Error> {
    let source = read_source(file)?;
    let checked = topoc::check(
        &source,
        &LintLevels::default(),
        &Environment::keyless(OffsetDateTime::now_utc()),
    )?;
    let errors = needs == Needs::Clean && checked.report.has_errors();
    if let (Some(model), Some(analysis), false) = (checked.model, checked.analysis, errors) {
        return Ok(Ok(Resolved {
            model,
            analysis,
            report: checked.report,
        }));
    }
    eprint!("{}", human_report(&source, &checked.report, Stream::Stderr));
    Ok(Err(Exit::Findings))
}

/// Prints a checked file's findings on standard error, if it has any.
pub(super) fn print_findings(source: &Source, checked: &Checked) {
    if !checked.report.diagnostics.is_empty() {
        eprint!("{}", human_report(source, &checked.report, Stream::Stderr));
    }
}

/// Where text goes, for colour: only a terminal gets it.
#[derive(Debug, Clone, Copy)]
pub(super) enum Stream {
    Stdout,
    Stderr,
}

pub(super) fn human_report(source: &Source, report: &Report, stream: Stream) -> String {
    human_report_listed(source, &report.summarised(DEFAULT_PER_CODE), stream)
}

/// [`human_report`] of a report as it is, for one already summarised as asked.
pub(super) fn human_report_listed(source: &Source, report: &Report, stream: Stream) -> String {
    // `--color`, NO_COLOR, CLICOLOR, CLICOLOR_FORCE and TERM, as anstream reads them.
    let (color, width) = match stream {
        Stream::Stdout => (
            anstream::AutoStream::choice(&std::io::stdout()),
            terminal_size::terminal_size_of(std::io::stdout()),
        ),
        Stream::Stderr => (
            anstream::AutoStream::choice(&std::io::stderr()),
            terminal_size::terminal_size_of(std::io::stderr()),
        ),
    };
    // anstream colours any terminal in CI; a dumb terminal says it cannot show colour.
    let dumb = std::env::var_os("TERM").is_some_and(|term| term == "dumb")
        && anstream::ColorChoice::global() == anstream::ColorChoice::Auto
        && std::env::var_os("CLICOLOR_FORCE").is_none_or(|force| force == "0");
    let color = if dumb {
        anstream::ColorChoice::Never
    } else {
        color
    };
    let width = width.map_or_else(columns, |(width, _)| usize::from(width.0));
    human::render(
        source,
        report,
        human::Style {
            color: color != anstream::ColorChoice::Never,
            width: width.clamp(40, 400),
        },
    )
}

/// The width to wrap at away from a terminal: `COLUMNS` when set, else 100.
fn columns() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|columns| columns.trim().parse().ok())
        .unwrap_or(100)
}

/// The node named `name` (any case), or a usage error with the nearest name.
pub(super) fn node_named(model: &Model, name: &str) -> Result<NodeId, Error> {
    let names = model.nodes.iter().map(|node| node.name.as_str());
    position_named("node", name, names).map(NodeId)
}

/// Where the `what` called `name` (any case) is among `names`, or an error with the nearest
/// name.
pub(super) fn position_named<'n>(
    what: &'static str,
    name: &str,
    names: impl Iterator<Item = &'n str> + Clone,
) -> Result<usize, Error> {
    let wanted = name.to_ascii_lowercase();
    names
        .clone()
        .position(|candidate| candidate == wanted)
        .ok_or_else(|| Error::UnknownName {
            what,
            name: name.to_owned(),
            nearest: suggest::closest(name, names).map(str::to_owned),
        })
}

/// `path` as code-scanning tools want it: relative to `base` (`--base-dir`), else to the
/// top level of the git work tree that holds it, else to the working directory; the path
/// as given when it lies below none of them. Forward slashes.
pub(super) fn repository_path(path: &Path, base: Option<&Path>) -> String {
    let absolute = |path: &Path| std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let file = absolute(path);
    let root = base
        .map(absolute)
        .or_else(|| git_top_level(&file))
        .or_else(|| std::env::current_dir().ok());
    root.and_then(|root| {
        // The work tree's top level is canonical; so must the file's path be to compare.
        let canonical =
            |path: &Path| std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
        canonical(&file)
            .strip_prefix(canonical(&root))
            .ok()
            .map(Path::to_path_buf)
    })
    .unwrap_or_else(|| path.to_owned())
    .to_string_lossy()
    .replace('\\', "/")
}

/// The top level of the git work tree that holds `file`, if git is there and it is in one.
fn git_top_level(file: &Path) -> Option<PathBuf> {
    let dir = file.parent()?;
    let output = std::process::Command::new("git")
        .args(["rev-parse", "--show-toplevel"])
        .current_dir(dir)
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| PathBuf::from(String::from_utf8_lossy(&output.stdout).trim_end()))
}

/// Appends `markdown` to the job summary when `GITHUB_STEP_SUMMARY` names one (GitHub
/// Actions); a summary that cannot be written is said on standard error, not an error.
pub(super) fn step_summary(markdown: &str) {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return;
    };
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut file| file.write_all(format!("{markdown}\n").as_bytes()));
    if let Err(error) = written {
        eprintln!(
            "warning: cannot append to the job summary `{}`: {error}",
            PathBuf::from(path).display()
        );
    }
}

pub(super) fn write_stdout(text: &str) -> Result<(), Error> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        // A closed pipe (`topoc check … | head`) is the reader's choice, not a failure.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(error) => Err(Error::Stdout {
            what: "report",
            error,
        }),
    }
}

/// `value` as pretty JSON on standard output.
pub(super) fn write_json(value: &impl serde::Serialize) -> Result<(), Error> {
    write_stdout(&topoc::emit::json(value))
}

/// Removes what runs killed while writing keys left in the secrets directory (only under
/// the lock), and says so on standard error.
pub(super) fn remove_leftovers(
    secrets: &topoc::secrets::Secrets,
    held: &topoc::write::Lock,
) -> Result<(), Error> {
    let removed = secrets.remove_leftovers(held)?;
    if removed.is_empty() {
        return Ok(());
    }
    let mut shown: Vec<String> = removed
        .iter()
        .take(5)
        .map(|path| format!("`{}`", path.display()))
        .collect();
    if removed.len() > 5 {
        shown.push(format!("and {} more", removed.len() - 5));
    }
    eprintln!(
        "note: removed {} that an interrupted run left: {}",
        topoc::finding::plural(removed.len() as u64, "temporary file"),
        shown.join(", ")
    );
    Ok(())
}
