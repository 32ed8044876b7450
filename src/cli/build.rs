//! `topoc build`: check, make or reuse the key material, compile, then write or compare.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::ArgMatches;
use topoc::analysis::routes::RouteExtent;
use topoc::emit::layout::{self, NodeFile, node_file};
use topoc::environment::{DEFAULT_MAX_OUTPUT_MB, Limits};
use topoc::secrets::{Secrets, Store};
use topoc::source::Source;
use topoc::syntax::Kind;
use topoc::write::{self, Replace};
use topoc::{BuildMode, BuildOptions, Output, emit};

use super::common::{
    LintArgs, command_line_levels, environment, print_findings, read_source, write_stdout,
};
use super::error::{Error, Exit};

#[derive(Debug, clap::Args)]
pub(super) struct BuildArgs {
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
    /// Refuse to build an output larger than this many megabytes (it is held in memory
    /// before the atomic swap)
    #[arg(long, value_name = "MB", default_value_t = DEFAULT_MAX_OUTPUT_MB)]
    max_output_mb: u64,
    #[command(flatten)]
    lints: LintArgs,
}

pub(super) fn run_build(args: &BuildArgs, matches: &ArgMatches) -> Result<Exit, Error> {
    let levels = command_line_levels(&args.lints, matches)?;
    let source = read_source(&args.file)?;
    let secrets = Secrets::new(&args.secrets, &args.out)?;
    let mode = if args.check {
        BuildMode::Check
    } else {
        BuildMode::Write
    };
    // Held from before the secrets are read until the output is in place, so that a second
    // build into the same output or secrets fails at once instead of making its own CA.
    let _lock = match mode {
        BuildMode::Write => Some(write::lock(&[&args.out, &args.secrets])?),
        BuildMode::Check | BuildMode::Preview => None,
    };
    let store = Store::new(secrets.clone(), &args.file).with_output(&args.out);
    let input_name = args.file.file_name().map_or_else(
        || source.name.clone(),
        |name| name.to_string_lossy().into_owned(),
    );
    let options = BuildOptions {
        mode,
        emit: emit::Options {
            routes: if args.all_pairs {
                RouteExtent::AllPairs
            } else {
                RouteExtent::FromManagementNode
            },
        },
    };
    let environment = environment(&store, Limits::max_output_mb(args.max_output_mb));
    let built = topoc::build(&source, &input_name, &levels, &environment, options)?;
    print_findings(&source, &built.checked);
    let (Some(output), Some(model)) = (&built.output, &built.checked.model) else {
        eprintln!(
            "error: not building `{}`: fix the errors above first",
            source.name
        );
        return Ok(Exit::Findings);
    };
    if mode == BuildMode::Check {
        return report_drift(output, &args.out, &source);
    }
    let written = secrets.store(&output.secret)?;
    let changes: Vec<String> = match model.cluster.kind {
        Kind::Swg => output.changes.clone(),
        Kind::Seg => written
            .iter()
            .map(|path| format!("wrote `{}`", path.display()))
            .collect(),
    };
    let mut text = list_changes(&changes);
    let replace = if args.force {
        Replace::Anything
    } else {
        Replace::OnlyOurs
    };
    write::commit(&output.public, &args.out, replace)?;
    let _ = writeln!(
        text,
        "wrote {} files to `{}`",
        output.public.len(),
        args.out.display()
    );
    write_stdout(&text)?;
    Ok(Exit::Clean)
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
            "... and {} more changes to the secrets",
            lines.len() - shown
        );
    }
    text
}

/// `build --check`: what differs between `out` and this build; exit 1 if anything does.
fn report_drift(output: &Output, out: &Path, source: &Source) -> Result<Exit, Error> {
    let mut drift = write::drift(&output.public, out)?;
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
    if drift.is_empty() {
        write_stdout(&format!(
            "`{}` is up to date ({} files)\n",
            out.display(),
            output.public.len()
        ))?;
        return Ok(Exit::Clean);
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
    Ok(Exit::Findings)
}
