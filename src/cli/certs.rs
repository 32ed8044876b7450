//! `topoc certs` and `topoc ca rotate`: the cluster CA and node certificates.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Subcommand;
use serde::Serialize;
use time::OffsetDateTime;
use topoc::environment::KeySource;
use topoc::keys::Keys;
use topoc::pki::{self, Summary};
use topoc::secrets::{Secrets, Store};
use topoc::write;

use super::common::{ListFormat, Needs, resolved, write_json, write_stdout};
use super::error::{Error, Exit};

#[derive(Debug, clap::Args)]
pub(super) struct CertsArgs {
    /// The topology file
    file: PathBuf,
    /// The secrets directory
    #[arg(long, value_name = "DIR", default_value = "secrets")]
    secrets: PathBuf,
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
    /// The secrets directory
    #[arg(long, value_name = "DIR", default_value = "secrets")]
    secrets: PathBuf,
}

/// One certificate of `topoc certs`: its summary, or why there is none.
type Entry = (String, Result<Summary, String>);

pub(super) fn run_certs(args: &CertsArgs) -> Result<Exit, Error> {
    let resolved = match resolved(&args.file, Needs::Clean)? {
        Ok(resolved) => resolved,
        Err(exit) => return Ok(exit),
    };
    let model = &resolved.model;
    let store = Store::new(Secrets::reader(&args.secrets), &args.file);
    let existing = store.material(model)?.unwrap_or_default();
    let now = OffsetDateTime::now_utc();
    let mut entries: Vec<Entry> = Vec::new();
    if let Some(ca) = &existing.ca_cert {
        entries.push(("cluster CA".to_owned(), pki::summarize(ca)));
    }
    for node in &model.nodes {
        let cert = existing
            .nodes
            .get(&node.name)
            .and_then(|(_, cert)| cert.clone());
        let summary = cert.map_or_else(
            || Err("no certificate yet: run `topoc build`".to_owned()),
            |pem| pki::summarize(&pem),
        );
        entries.push((node.name.clone(), summary));
    }
    match args.format {
        ListFormat::Human => write_stdout(&certs_human(&entries, now))?,
        ListFormat::Json => write_json(&certs_json(&entries, now))?,
    }
    Ok(Exit::Clean)
}

fn certs_human(entries: &[Entry], now: OffsetDateTime) -> String {
    let mut text = String::new();
    for (name, summary) in entries {
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
        serial: &'a str,
        subject: &'a str,
    },
    Missing {
        error: &'a str,
        name: &'a str,
    },
}

fn certs_json(entries: &[Entry], now: OffsetDateTime) -> CertsJson<'_> {
    let certificates = entries
        .iter()
        .map(|(name, summary)| match summary {
            Ok(summary) => CertJson::Certificate {
                days_left: (summary.not_after - now).whole_days(),
                dns: &summary.dns,
                ips: &summary.ips,
                issuer: &summary.issuer,
                name,
                not_after: pki::day(summary.not_after),
                not_before: pki::day(summary.not_before),
                serial: &summary.serial,
                subject: &summary.subject,
            },
            Err(why) => CertJson::Missing { error: why, name },
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
    let secrets = Secrets::reader(&args.secrets);
    let now = OffsetDateTime::now_utc();
    let _lock = write::lock(&[&args.secrets])?;
    let retired = secrets.retire(&pki::stamp(now))?;
    let existing = Store::new(secrets.clone(), &args.file)
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
