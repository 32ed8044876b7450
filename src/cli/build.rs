//! `topoc build`: check, make or reuse the key material, compile, then write or compare.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::ArgMatches;
use time::OffsetDateTime;
use topoc::emit;
use topoc::model::SharedKeySource;
use topoc::pki;
use topoc::secrets::Secrets;
use topoc::source::Source;
use topoc::syntax::Kind;
use topoc::write;

use super::{
    CLEAN, FINDINGS, Failure, LintArgs, command_line_levels, human_report, load_existing,
    read_source, write_stdout,
};

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

/// What a build needs besides the model: key material (swg) or the shared key (seg); for
/// `--check` without secrets, the certificates of the previous output and those a build
/// would re-issue.
pub(super) enum Prepared {
    Swg(pki::Existing, pki::Material),
    Seg(String),
    Published(pki::Certificates<'static>, Vec<(String, String)>),
}

pub(super) fn run_build(args: &BuildArgs, matches: &ArgMatches) -> Result<u8, Failure> {
    let levels = command_line_levels(&args.lints, matches)?;
    let source = read_source(&args.file)?;
    let mut checked = topoc::check(&source, &levels);
    let secrets = Secrets::new(&args.secrets, &args.out).map_err(|e| Failure(e.to_string()))?;
    let mut prepared = None;
    let options = emit::Options {
        all_pairs: args.all_pairs,
    };
    // Held from before the secrets are read until the output is in place, so that a second
    // build into the same output or secrets fails at once instead of making its own CA.
    let mut _lock = None;
    if let (Some(model), false) = (&checked.model, checked.report.has_errors()) {
        within_budget(model, options, args.max_output_mb)?;
        if !args.check {
            _lock =
                Some(write::lock(&[&args.out, &args.secrets]).map_err(|e| Failure(e.to_string()))?);
        }
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
        options,
    )
    .map_err(|error| Failure(error.to_string()))?;
    if args.check {
        return report_drift(&tree, &args.out, &source, &prepared);
    }
    let mut text = store_secrets(model, &secrets, &prepared)?;
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

/// Writes what the build made for the secrets directory; what it did, for the user.
fn store_secrets(
    model: &topoc::model::Model,
    secrets: &Secrets,
    prepared: &Prepared,
) -> Result<String, Failure> {
    let mut text = String::new();
    match prepared {
        Prepared::Swg(existing, material) => {
            secrets
                .store(material, existing, model.ca.external.is_none())
                .map_err(|e| Failure(e.to_string()))?;
            list_changes(&material.changes, &mut text);
        }
        // Made only for `--check`, which never stores: nothing to store.
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
    Ok(text)
}

/// The output a build may hold in memory unless `--max-output-mb` says otherwise: ample for
/// a 100,000-node cluster (370 MB), far below what a hosts file per node of a large cluster
/// with FQDNs would take (every file lists every node).
pub(super) const DEFAULT_MAX_OUTPUT_MB: u64 = 2048;

/// Refuses, before any key is made, a build whose output would exceed `max_mb`, saying why
/// it is so large.
pub(super) fn within_budget(
    model: &topoc::model::Model,
    options: emit::Options,
    max_mb: u64,
) -> Result<(), Failure> {
    let estimate = emit::estimated_size(model, options);
    if estimate <= max_mb.saturating_mul(1_000_000) {
        return Ok(());
    }
    let nodes = model.nodes.len();
    let mut why = Vec::new();
    if options.all_pairs {
        why.push(format!(
            "with --all-pairs each of the {nodes} node.json files lists every other node"
        ));
    }
    if emit::hosts::needed(model) {
        let named = model
            .nodes
            .iter()
            .filter(|node| node.fqdn.is_some())
            .count();
        why.push(format!(
            "each of the {nodes} hosts files lists the {named} nodes that have an FQDN"
        ));
    }
    Err(Failure(format!(
        "this build would write about {} MB, over the limit of {max_mb} MB{}{}; raise the \
         limit with --max-output-mb if you mean it",
        estimate / 1_000_000,
        if why.is_empty() { "" } else { ": " },
        why.join(", and ")
    )))
}

/// Lists what a build changed in the secrets: every line of a small change; of a large one
/// (a first build of thousands of nodes), the first lines and how many more.
pub(super) fn list_changes(lines: &[String], text: &mut String) {
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
pub(super) fn report_drift(
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
pub(super) fn needs_published(model: &topoc::model::Model, secrets: &Secrets) -> bool {
    model.cluster.kind == Kind::Swg
        && model.ca.external.is_none()
        && !secrets.root().join("ca.pem").exists()
        && !secrets.root().join("ca.key").exists()
}

pub(super) fn published(
    model: &topoc::model::Model,
    out: &Path,
) -> Result<Prepared, Box<topoc::lint::finding::Finding>> {
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
        Err(problem) => Err(Box::new(topoc::lint::checks::invalid_ca::finding(
            model, &problem,
        ))),
    }
}

/// Key material for a web gateway cluster, the shared key for a SEG cluster; `Err` holds the
/// finding that stops the build.
pub(super) fn prepare(
    model: &topoc::model::Model,
    secrets: &Secrets,
    topology: &Path,
) -> Result<Result<Prepared, Box<topoc::lint::finding::Finding>>, Failure> {
    match model.cluster.kind {
        Kind::Swg => {
            let existing = load_existing(secrets, model, topology)?;
            Ok(
                match pki::ensure(model, &existing, OffsetDateTime::now_utc(), false) {
                    Ok(material) => Ok(Prepared::Swg(existing, material)),
                    Err(problem) => Err(Box::new(topoc::lint::checks::invalid_ca::finding(
                        model, &problem,
                    ))),
                },
            )
        }
        Kind::Seg => {
            let key = read_shared_key(model, topology);
            Ok(
                match topoc::lint::checks::seg_shared_key::check(model, &key) {
                    Some(finding) => Err(Box::new(finding)),
                    None => Ok(Prepared::Seg(key.unwrap_or_default().trim().to_owned())),
                },
            )
        }
    }
}

/// The SEG shared key from where the topology says, or why it cannot be read.
pub(super) fn read_shared_key(
    model: &topoc::model::Model,
    topology: &Path,
) -> Result<String, String> {
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
