//! `topoc build`: check, make or reuse the key material, compile, then write or compare.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use clap::ArgMatches;
use topoc::analysis::routes::RouteExtent;
use topoc::emit::Emitted;
use topoc::emit::layout::{self, NodeFile, node_file};
use topoc::environment::{DEFAULT_MAX_OUTPUT_MB, Limits};
use topoc::finding::plural;
use topoc::model::Model;
use topoc::report::build::{BuildJson, DriftJson};
use topoc::report::summary;
use topoc::secrets::{Batch, Secrets, Store};
use topoc::source::Source;
use topoc::syntax::Kind;
use topoc::write::{self, Replace};
use topoc::{BuildMode, BuildOptions, Output, emit};

use super::common::{
    IdentityArgs, LintArgs, ListFormat, Progress, SecretsDir, allowed_paths, command_line_levels,
    environment, identities, print_findings, read_source, remove_leftovers, repository_path,
    step_summary, write_json, write_stdout,
};
use super::error::{Error, Exit};
use super::secrets_out::SecretsOut;

// Command-line switches, each its own choice: no state machine.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, clap::Args)]
pub(super) struct BuildArgs {
    /// The topology file
    file: PathBuf,
    /// The output directory, replaced as a whole
    #[arg(long, value_name = "DIR", default_value = "out", env = "TOPOC_OUT")]
    out: PathBuf,
    #[command(flatten)]
    secrets: SecretsDir,
    /// Write nothing; exit 1 and list the files when the output differs from a fresh build
    #[arg(long)]
    check: bool,
    /// Make every directory of the secrets 0700 and every file 0600 where others could
    /// reach them (without it, a build refuses such secrets and says what to run)
    #[arg(long, conflicts_with = "check")]
    fix_permissions: bool,
    /// Replace the output directory even if topoc did not write it
    #[arg(long)]
    force: bool,
    /// Also list each node's peers and its next hop toward every other node in node.json,
    /// and count all routes in cluster.json (output grows with the square of the cluster)
    #[arg(long)]
    all_pairs: bool,
    /// Refuse to build an output larger than this many megabytes (estimated before any key
    /// is made)
    #[arg(long, value_name = "MB", default_value_t = DEFAULT_MAX_OUTPUT_MB)]
    max_output_mb: u64,
    /// How to say what was done: `json` follows `schemas/build.schema.json` (with --check:
    /// `schemas/build-check.schema.json`)
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    format: ListFormat,
    /// Print nothing on success (warnings and errors still go to standard error)
    #[arg(short, long)]
    quiet: bool,
    #[command(flatten)]
    lints: LintArgs,
    #[command(flatten)]
    identity: IdentityArgs,
}

pub(super) fn run_build(args: &BuildArgs, matches: &ArgMatches) -> Result<Exit, Error> {
    let levels = command_line_levels(&args.lints, matches)?;
    let source = read_source(&args.file)?;
    let secrets =
        Secrets::new(&args.secrets.dir, &args.out)?.opened_by(identities(&args.identity)?);
    let mode = if args.check {
        BuildMode::Check
    } else {
        BuildMode::Write
    };
    // Held from before the secrets are read until the output is in place, so that a second
    // build into the same output or secrets fails at once instead of making its own CA.
    let _lock = match mode {
        BuildMode::Write => Some(lock_and_tidy(args, &secrets)?),
        BuildMode::Check | BuildMode::Preview => None,
    };
    let store = Store::new(secrets.clone(), &args.file)
        .allowing(allowed_paths())
        .with_output(&args.out);
    let input_name = args.file.file_name().map_or_else(
        || source.name.clone(),
        |name| name.to_string_lossy().into_owned(),
    );
    let options = BuildOptions {
        mode,
        emit: emit::Options {
            routes: routes(args),
        },
    };
    let environment = environment(&store, Limits::max_output_mb(args.max_output_mb));
    let progress = Progress::start(
        &format!("checking `{}` and making its keys and files", source.name),
        args.quiet,
    );
    // The output goes where it is compared or written, a file at a time as it is made, and
    // so do the secrets (into temporary files until the build is whole).
    let mut sink = Sink::new(args, mode)?;
    let mut secrets_out = SecretsOut {
        secrets: &secrets,
        file: &args.file,
        batch: None,
        failed: None,
    };
    let mut unwritten = Mutex::new(topoc::emit::Tree::default());
    let built = topoc::build_into(
        &source,
        &input_name,
        &levels,
        &environment,
        options,
        topoc::emit::Sinks {
            public: match &mut sink {
                Sink::Staging(staging) => staging,
                Sink::Compare(compare) => compare,
            },
            secrets: match mode {
                BuildMode::Write => &mut secrets_out,
                BuildMode::Check | BuildMode::Preview => &mut unwritten,
            },
        },
    );
    drop(progress);
    let built = match (built, secrets_out.failed.take()) {
        (_, Some(error)) => return Err(error),
        (built, None) => built?,
    };
    print_findings(&source, &built.checked);
    let summary = summary::markdown(
        &source,
        &built.checked.report,
        &repository_path(&args.file, None),
    )
    .replacen("### topoc check", "### topoc build", 1);
    let (Some(output), Some(model)) = (&built.output, &built.checked.model) else {
        step_summary(&summary);
        eprintln!(
            "error: not building `{}`: fix the errors above first",
            source.name
        );
        return Ok(Exit::Findings);
    };
    let staging = match sink {
        Sink::Compare(compare) => {
            let drift = compare.finish()?;
            let (exit, text) =
                report_drift(output, drift, &args.out, &source, args.format, args.quiet)?;
            step_summary(&format!("{summary}\n{}", as_markdown_list(&text)));
            return Ok(exit);
        }
        Sink::Staging(staging) => staging,
    };
    note_probe_scripts(model);
    let Some((batch, sealed)) = secrets_out.take() else {
        return Err(Error::Emit(emit::EmitError::Sink(
            "the build ended before its secrets began".into(),
        )));
    };
    if !sealed && refuse_plaintext(args, &batch) {
        return Ok(Exit::Findings);
    }
    let written = write_output(args, output, staging, batch, model.cluster.kind)?;
    step_summary(&format!("{summary}\n{}", as_markdown_list(&written)));
    Ok(Exit::Clean)
}

/// Which routes `node.json` and `cluster.json` give.
fn routes(args: &BuildArgs) -> RouteExtent {
    if args.all_pairs {
        RouteExtent::AllPairs
    } else {
        RouteExtent::FromManagementNode
    }
}

/// Says so when the build writes no `probe.sh`, and why.
fn note_probe_scripts(model: &Model) {
    if !emit::probe_sh::written(model) {
        eprintln!(
            "note: no `probe.sh` is written: each lists every peer of its node, and for this cluster they would take about {} MB together; `topoc probe --from NODE` checks the same",
            emit::probe_sh::estimated_size(model) / 1_000_000
        );
    }
}

/// Locks the output's and the secrets' directories, removes what killed runs left in the
/// secrets, and makes them private when asked.
fn lock_and_tidy(args: &BuildArgs, secrets: &Secrets) -> Result<write::Lock, Error> {
    let lock = write::lock(&[&args.out, &args.secrets.dir])?;
    remove_leftovers(secrets, &lock)?;
    if args.fix_permissions {
        for fixed in secrets.fix_permissions(&lock)? {
            eprintln!(
                "note: `{}` was {:04o}, is now {:04o}",
                fixed.path.display(),
                fixed.mode,
                fixed.wanted
            );
        }
    }
    Ok(lock)
}

/// Where a build's output goes: written (staged, then swapped in), or compared.
enum Sink {
    Staging(write::Staging),
    Compare(write::Compare),
}

impl Sink {
    fn new(args: &BuildArgs, mode: BuildMode) -> Result<Self, Error> {
        Ok(match mode {
            BuildMode::Write => {
                let replace = if args.force {
                    Replace::Anything
                } else {
                    Replace::OnlyOurs
                };
                Sink::Staging(write::Staging::new(&args.out, replace)?)
            }
            BuildMode::Check | BuildMode::Preview => Sink::Compare(write::Compare::new(&args.out)),
        })
    }
}

/// Writes the secrets, then puts the staged output in place; says what was done, and
/// returns that text.
fn write_output(
    args: &BuildArgs,
    output: &Output<Emitted, ()>,
    staging: write::Staging,
    secrets: Batch,
    kind: Kind,
) -> Result<String, Error> {
    let progress = Progress::start("writing the secrets and the output", args.quiet);
    let written = secrets.commit()?;
    let changes: Vec<String> = match kind {
        Kind::Swg => output.changes.clone(),
        Kind::Seg => written
            .iter()
            .map(|path| format!("wrote `{}`", path.display()))
            .collect(),
    };
    let mut text = list_changes(&changes);
    // A rebuild that changes nothing writes nothing: every file the build made matched
    // the previous output's, which holds no other file and has the modes topoc gives.
    let committed = staging.finish()?;
    for staging in &committed.removed {
        eprintln!(
            "note: removed `{}`, which an interrupted build left",
            staging.display()
        );
    }
    drop(progress);
    let files = plural(output.public.file_count() as u64, "file");
    let out = args.out.display();
    let _ = if committed.written {
        writeln!(text, "wrote {files} to `{out}`")
    } else {
        writeln!(text, "`{out}` is up to date ({files}): nothing written")
    };
    match args.format {
        ListFormat::Human if args.quiet => {}
        ListFormat::Human => write_stdout(&text)?,
        ListFormat::Json => {
            let paths = output.public.paths();
            // Without a previous output, every file is new.
            let drift = if committed.compared {
                committed.drift
            } else {
                paths.iter().cloned().map(write::Drift::Missing).collect()
            };
            write_json(&BuildJson::new(
                &args.out.display().to_string(),
                paths,
                &drift,
                changes,
            ))?;
        }
    }
    Ok(text)
}

/// The lines of a command's output as a Markdown list, for the job summary.
fn as_markdown_list(text: &str) -> String {
    let mut list = String::new();
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        let _ = writeln!(list, "- {}", summary::cell(line.trim()));
    }
    list
}

/// Warns when the plaintext keys this build writes would be inside a git work tree that
/// does not ignore them; with `--deny-warnings`, says so as an error and returns true.
fn refuse_plaintext(args: &BuildArgs, secrets: &Batch) -> bool {
    let plaintext: Vec<PathBuf> = secrets
        .paths()
        .filter(|path| layout::secrets::is_secret(&path.to_string_lossy()))
        .map(Path::to_path_buf)
        .collect();
    let exposed = super::git::exposed_in_git(&plaintext);
    let Some(first) = exposed.first() else {
        return false;
    };
    let others = match exposed.len() {
        1 => String::new(),
        n => format!(" and {} more", n - 1),
    };
    let message = format!(
        "`{}`{others} would hold a private key in plaintext inside a git work tree, where git does not ignore it: add the secrets directory to .gitignore, or encrypt the secrets (`[secrets] recipients`)",
        first.display()
    );
    if args.lints.deny_warnings() {
        eprintln!("error: {message} (--deny-warnings)");
        return true;
    }
    eprintln!("warning: {message}");
    false
}

/// Lists what a build changed in the secrets: every line of a small change; of a large one
/// (a first build of thousands of nodes), the first lines and how many more.
fn list_changes(lines: &[String]) -> String {
    const SHOWN: usize = 20;
    let shown = if lines.len() > SHOWN {
        SHOWN / 2
    } else {
        lines.len()
    };
    let mut text = String::new();
    for line in &lines[..shown] {
        let _ = writeln!(text, "{line}");
    }
    if lines.len() > shown {
        let _ = writeln!(
            text,
            "... and {} to the secrets",
            plural((lines.len() - shown) as u64, "more change")
        );
    }
    text
}

/// `build --check`: what differs between `out` and this build; exit 1 if anything does.
fn report_drift(
    output: &Output<Emitted, ()>,
    mut drift: Vec<write::Drift>,
    out: &Path,
    source: &Source,
    format: ListFormat,
    quiet: bool,
) -> Result<(Exit, String), Error> {
    if !output.reissued.is_empty() {
        for (node, why) in &output.reissued {
            drift.push(write::Drift::Reissued(
                node_file(node, NodeFile::Certificate),
                why.clone(),
            ));
        }
        if out.join(layout::MANIFEST).exists() {
            drift.push(write::Drift::Changed(layout::MANIFEST.to_owned()));
        }
        drift.sort();
        drift.dedup();
    }
    let exit = if drift.is_empty() {
        Exit::Clean
    } else {
        Exit::Findings
    };
    if format == ListFormat::Json {
        write_json(&DriftJson::new(&out.display().to_string(), &drift))?;
    }
    if drift.is_empty() {
        let text = format!(
            "`{}` is up to date ({})\n",
            out.display(),
            plural(output.public.file_count() as u64, "file")
        );
        if format == ListFormat::Human && !quiet {
            write_stdout(&text)?;
        }
        return Ok((exit, text));
    }
    let mut text = format!(
        "`{}` differs from a fresh build of `{}`:\n",
        out.display(),
        source.name
    );
    for difference in &drift {
        let _ = writeln!(text, "  {difference}");
    }
    if format == ListFormat::Human {
        write_stdout(&text)?;
    }
    Ok((exit, text))
}
