//! `topoc certs` and `topoc ca rotate`: the cluster CA and node certificates.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Subcommand;
use time::OffsetDateTime;
use topoc::emit;
use topoc::pki;
use topoc::secrets::Secrets;

use super::{CLEAN, Failure, ListFormat, load_existing, resolved, write_stdout};

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

pub(super) fn run_certs(args: &CertsArgs) -> Result<u8, Failure> {
    let (_, model, _, _) = match resolved(&args.file, true) {
        Ok(resolved) => resolved,
        Err(code) => return Ok(code),
    };
    let model = &model;
    let existing = load_existing(&Secrets::reader(&args.secrets), model, &args.file)?;
    let now = OffsetDateTime::now_utc();
    let mut entries = Vec::new();
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
    let text = match args.format {
        ListFormat::Human => certs_human(&entries, now),
        ListFormat::Json => certs_json(&entries, now),
    };
    write_stdout(&text)?;
    Ok(CLEAN)
}

pub(super) fn day(time: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        time.year(),
        u8::from(time.month()),
        time.day()
    )
}

pub(super) fn certs_human(
    entries: &[(String, Result<pki::Summary, String>)],
    now: OffsetDateTime,
) -> String {
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
                    day(summary.not_before),
                    day(summary.not_after),
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

pub(super) fn certs_json(
    entries: &[(String, Result<pki::Summary, String>)],
    now: OffsetDateTime,
) -> String {
    let list: Vec<serde_json::Value> = entries
        .iter()
        .map(|(name, summary)| match summary {
            Ok(summary) => serde_json::json!({
                "name": name,
                "subject": summary.subject,
                "issuer": summary.issuer,
                "dns": summary.dns,
                "ips": summary.ips,
                "not_before": day(summary.not_before),
                "not_after": day(summary.not_after),
                "days_left": (summary.not_after - now).whole_days(),
                "serial": summary.serial,
            }),
            Err(why) => serde_json::json!({ "name": name, "error": why }),
        })
        .collect();
    emit::json(&serde_json::json!({ "certificates": list }))
}

pub(super) fn run_rotate(args: &RotateArgs) -> Result<u8, Failure> {
    let (_, model, _, _) = match resolved(&args.file, true) {
        Ok(resolved) => resolved,
        Err(code) => return Ok(code),
    };
    let model = &model;
    if model.ca.external.is_some() {
        return Err(Failure(
            "the CA is kept outside topoc (`[ca] cert` and `key`): replace those files instead"
                .to_owned(),
        ));
    }
    let secrets = Secrets::reader(&args.secrets);
    let now = OffsetDateTime::now_utc();
    let label = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    let _lock = topoc::write::lock(&[&args.secrets]).map_err(|e| Failure(e.to_string()))?;
    let retired = secrets.retire(&label).map_err(|e| Failure(e.to_string()))?;
    let existing = load_existing(&secrets, model, &args.file)?;
    let material = pki::ensure(model, &existing, now, true).map_err(|p| Failure(p.to_string()))?;
    secrets
        .store(&material, &existing, true)
        .map_err(|e| Failure(e.to_string()))?;
    write_stdout(&format!(
        "created a new cluster CA and re-issued {} node certificates; the previous ones are in `{}`\nrun `topoc build` to write them to the output, then import the new CA on every node\n",
        material.nodes.len(),
        retired.display()
    ))?;
    Ok(CLEAN)
}
