//! `topoc certs` and `topoc ca rotate`: the cluster CA and node certificates.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Subcommand;
use serde::Serialize;
use time::OffsetDateTime;
use topoc::environment::{Environment, KeySource, Limits};
use topoc::finding::Finding;
use topoc::finding::diagnostic::Severity;
use topoc::finding::level::LintLevels;
use topoc::keys::Keys;
use topoc::pki::{self, Summary};
use topoc::secrets::{Secrets, Store};
use topoc::write;

use super::common::{
    IdentityArgs, ListFormat, Needs, SecretsDir, allowed_paths, environment, identities,
    print_findings, read_source, recipients, remove_leftovers, resolved, valid_for, write_json,
    write_stdout,
};
use super::error::{Error, Exit};

#[derive(Debug, clap::Args)]
#[command(
    after_long_help = "Exit status: 0 when every certificate fits the topology, 1 when \
    one does not (a name or address missing, another CA, a different `ca.pem`, or an \
    error-level expiry under -D cert-expiring), 2 on a usage or input error."
)]
pub(super) struct CertsArgs {
    /// The topology file
    file: PathBuf,
    #[command(flatten)]
    secrets: SecretsDir,
    /// The output of a previous build: its certificates are the ones listed and judged
    #[arg(long, value_name = "DIR", default_value = "out", env = "TOPOC_OUT")]
    out: PathBuf,
    /// How long every certificate must still be valid, such as `30d` or `90d`
    #[arg(long, value_name = "DURATION", default_value = "30d", value_parser = valid_for)]
    valid_for: time::Duration,
    /// How to print them
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    format: ListFormat,
}

#[derive(Debug, Subcommand)]
pub(super) enum CaCommand {
    /// Replaces the cluster CA and re-issues every node certificate; the old ones are kept
    /// in `secrets/retired/`
    Rotate(RotateArgs),
}

#[derive(Debug, clap::Args)]
pub(super) struct RotateArgs {
    /// The topology file
    file: PathBuf,
    #[command(flatten)]
    secrets: SecretsDir,
    #[command(flatten)]
    identity: IdentityArgs,
}

/// One certificate of `topoc certs`: its name, its summary (or why there is none), and
/// what the checks of certificates found about it.
struct Entry {
    name: String,
    summary: Result<Summary, String>,
    problems: Vec<String>,
}

/// The codes that judge certificates, whose findings `certs` shows beside them.
const CERTIFICATE_CODES: [&str; 5] = [
    "ca-mismatch",
    "cert-expiring",
    "cert-foreign-ca",
    "cert-names",
    "invalid-ca",
];

pub(super) fn run_certs(args: &CertsArgs) -> Result<Exit, Error> {
    let source = read_source(&args.file)?;
    let store = Store::new(Secrets::reader(&args.secrets.dir), &args.file)
        .allowing(allowed_paths())
        .if_present()
        .with_output(&args.out);
    let environment = Environment {
        valid_for: args.valid_for,
        ..environment(&store, Limits::default())
    };
    let checked = topoc::check(&source, &LintLevels::default(), &environment)?;
    // Errors about the certificates are what this command lists; any other stops it.
    let other_errors = checked.report.diagnostics.iter().any(|d| {
        d.severity == Severity::Error && !CERTIFICATE_CODES.contains(&d.finding.lint.code)
    });
    let (Some(model), false) = (&checked.model, other_errors) else {
        print_findings(&source, &checked);
        return Ok(Exit::Findings);
    };
    let existing = store.material(model)?.unwrap_or_default();
    let published = store.published(model).unwrap_or_default();
    let findings: Vec<(&Finding, bool)> = checked
        .report
        .diagnostics
        .iter()
        .filter(|d| CERTIFICATE_CODES.contains(&d.finding.lint.code))
        .map(|d| (&d.finding, d.severity == Severity::Error))
        .collect();
    let problems = |node: Option<&str>| -> Vec<String> {
        findings
            .iter()
            .filter(|(finding, _)| match node {
                Some(node) => finding.nodes.iter().any(|n| n == node),
                None => finding.nodes.is_empty(),
            })
            .map(|(finding, _)| finding.message.clone())
            .collect()
    };
    let mut entries: Vec<Entry> = Vec::new();
    let ca = existing
        .ca_cert
        .as_ref()
        .or((!published.ca.is_empty()).then_some(&published.ca));
    if let Some(ca) = ca {
        entries.push(Entry {
            name: "cluster CA".to_owned(),
            summary: pki::summarize(ca),
            problems: problems(None),
        });
    }
    for node in &model.nodes {
        // What is deployed, where there is an output; else what the next build publishes.
        let cert = published.nodes.get(&node.name).cloned().or_else(|| {
            existing
                .nodes
                .get(&node.name)
                .and_then(|(_, cert)| cert.clone())
        });
        let summary = cert.map_or_else(
            || Err("no certificate yet: run `topoc build`".to_owned()),
            |pem| pki::summarize(&pem),
        );
        entries.push(Entry {
            name: node.name.clone(),
            summary,
            problems: problems(Some(&node.name)),
        });
    }
    let now = environment.now;
    match args.format {
        ListFormat::Human => write_stdout(&certs_human(&entries, now))?,
        ListFormat::Json => write_json(&certs_json(&entries, now))?,
    }
    Ok(if findings.iter().any(|(_, error)| *error) {
        Exit::Findings
    } else {
        Exit::Clean
    })
}

fn certs_human(entries: &[Entry], now: OffsetDateTime) -> String {
    let mut text = String::new();
    for Entry {
        name,
        summary,
        problems,
    } in entries
    {
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
                    pki::day(summary.not_before),
                    pki::day(summary.not_after),
                    (summary.not_after - now).whole_days(),
                    summary.serial
                );
            }
            Err(why) => {
                let _ = writeln!(text, "{name}\n  {why}");
            }
        }
        for problem in problems {
            let _ = writeln!(text, "  problem  {problem}");
        }
    }
    text
}

/// `topoc certs --format json`.
#[derive(Serialize)]
struct CertsJson<'a> {
    certificates: Vec<CertJson<'a>>,
}

/// One certificate; fields in name order, as the JSON has them.
#[derive(Serialize)]
#[serde(untagged)]
enum CertJson<'a> {
    Certificate {
        days_left: i64,
        dns: &'a [String],
        ips: &'a [String],
        issuer: &'a str,
        name: &'a str,
        not_after: String,
        not_before: String,
        problems: &'a [String],
        serial: &'a str,
        subject: &'a str,
    },
    Missing {
        error: &'a str,
        name: &'a str,
        problems: &'a [String],
    },
}

fn certs_json(entries: &[Entry], now: OffsetDateTime) -> CertsJson<'_> {
    let certificates = entries
        .iter()
        .map(|entry| match &entry.summary {
            Ok(summary) => CertJson::Certificate {
                days_left: (summary.not_after - now).whole_days(),
                dns: &summary.dns,
                ips: &summary.ips,
                issuer: &summary.issuer,
                name: &entry.name,
                not_after: pki::day(summary.not_after),
                not_before: pki::day(summary.not_before),
                problems: &entry.problems,
                serial: &summary.serial,
                subject: &summary.subject,
            },
            Err(why) => CertJson::Missing {
                error: why,
                name: &entry.name,
                problems: &entry.problems,
            },
        })
        .collect();
    CertsJson { certificates }
}

pub(super) fn run_rotate(args: &RotateArgs) -> Result<Exit, Error> {
    let resolved = match resolved(&args.file, Needs::Clean)? {
        Ok(resolved) => resolved,
        Err(exit) => return Ok(exit),
    };
    let model = &resolved.model;
    if model.ca.external.is_some() {
        return Err(Error::ExternalCa);
    }
    let secrets = Secrets::reader(&args.secrets.dir)
        .opened_by(identities(&args.identity)?)
        .sealed_for(recipients(model, &args.file)?);
    let now = OffsetDateTime::now_utc();
    let lock = write::lock(&[&args.secrets.dir])?;
    remove_leftovers(&secrets, &lock)?;
    let retired = secrets.retire(&pki::stamp(now))?;
    let existing = Store::new(secrets.clone(), &args.file)
        .allowing(allowed_paths())
        .material(model)?
        .unwrap_or_default();
    let material = pki::ensure(model, &existing, now, true).map_err(Error::Ca)?;
    let reissued = material.nodes.len();
    let made = Keys::Made(Box::new(existing), material)
        .into_secrets(model, true)
        .map_err(Error::Emit)?;
    secrets.store(&made.tree)?;
    write_stdout(&format!(
        "created a new cluster CA and re-issued {reissued} node certificates; the previous ones are in `{}`\nrun `topoc build` to write them to the output, then import the new CA on every node\n",
        retired.display()
    ))?;
    Ok(Exit::Clean)
}
