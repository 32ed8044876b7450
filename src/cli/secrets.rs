//! `topoc secrets encrypt|rekey|status`: the secrets directory encrypted with age for git.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Subcommand;
use serde::Serialize;
use topoc::finding::plural;
use topoc::secrets::Secrets;
use topoc::write;

use super::common::{
    IdentityArgs, ListFormat, Needs, SecretsDir, identities, recipients, remove_leftovers,
    resolved, write_json, write_stdout,
};
use super::error::{Error, Exit};

#[derive(Debug, Subcommand)]
pub(super) enum SecretsCommand {
    /// Encrypts every plaintext secret (keys, SEG node settings) to the topology's
    /// `[secrets]` recipients; the plaintext is removed once every encrypted file reads back
    Encrypt(SecretsArgs),
    /// Re-encrypts every encrypted secret to the topology's recipients, after the list
    /// changed (needs an identity that opens them)
    Rekey(SecretsArgs),
    /// Lists the secret files: encrypted or not, for which recipients, and whether the
    /// identity given opens them
    Status(StatusArgs),
}

#[derive(Debug, clap::Args)]
pub(super) struct SecretsArgs {
    /// The topology file
    file: PathBuf,
    #[command(flatten)]
    secrets: SecretsDir,
    #[command(flatten)]
    identity: IdentityArgs,
}

#[derive(Debug, clap::Args)]
pub(super) struct StatusArgs {
    #[command(flatten)]
    common: SecretsArgs,
    /// How to print it
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    format: ListFormat,
}

/// The secrets directory of `args`, with its identities and the topology's recipients.
fn directory(args: &SecretsArgs) -> Result<Result<(Secrets, Vec<String>), Exit>, Error> {
    let model = match resolved(&args.file, Needs::Model)? {
        Ok(resolved) => resolved.model,
        Err(exit) => return Ok(Err(exit)),
    };
    let recipients = recipients(&model, &args.file)?;
    let written = recipients
        .as_ref()
        .map(|r| r.written.clone())
        .unwrap_or_default();
    let secrets = Secrets::reader(&args.secrets.dir)
        .opened_by(identities(&args.identity)?)
        .sealed_for(recipients);
    Ok(Ok((secrets, written)))
}

/// What `encrypt` and `rekey` share: the directory, locked, with the topology's
/// recipients (refused without any); `act` does the work and says what it did.
fn rewrite(
    args: &SecretsArgs,
    act: impl FnOnce(&Secrets, &[String]) -> Result<String, Error>,
) -> Result<Exit, Error> {
    let (secrets, recipients) = match directory(args)? {
        Ok(found) => found,
        Err(exit) => return Ok(exit),
    };
    if recipients.is_empty() {
        return Err(Error::NoRecipients);
    }
    let lock = write::lock(&[&args.secrets.dir])?;
    remove_leftovers(&secrets, &lock)?;
    write_stdout(&act(&secrets, &recipients)?)?;
    Ok(Exit::Clean)
}

pub(super) fn run_encrypt(args: &SecretsArgs) -> Result<Exit, Error> {
    rewrite(args, |secrets, recipients| {
        let done = secrets.encrypt()?;
        Ok(format!(
            "encrypted {} in `{}` to {}; the plaintext files are gone\n",
            plural(done.len() as u64, "file"),
            args.secrets.dir.display(),
            plural(recipients.len() as u64, "recipient")
        ))
    })
}

pub(super) fn run_rekey(args: &SecretsArgs) -> Result<Exit, Error> {
    rewrite(args, |secrets, recipients| {
        let done = secrets.rekey()?;
        Ok(format!(
            "re-encrypted {} in `{}` to {}\n",
            plural(done.len() as u64, "file"),
            args.secrets.dir.display(),
            recipients.join(", ")
        ))
    })
}

/// `topoc secrets status --format json`; fields in name order.
#[derive(Serialize)]
struct StatusJson {
    files: Vec<FileJson>,
    /// The recipients `recipients.txt` says the encrypted files were written for.
    recorded_recipients: Vec<String>,
    /// The recipients the topology names now.
    topology_recipients: Vec<String>,
}

#[derive(Serialize)]
struct FileJson {
    encrypted: bool,
    /// Whether the identity given opens it (`null`: plaintext, or no identity given).
    opens: Option<bool>,
    path: String,
}

pub(super) fn run_status(args: &StatusArgs) -> Result<Exit, Error> {
    let (secrets, topology_recipients) = match directory(&args.common)? {
        Ok(found) => found,
        Err(exit) => return Ok(exit),
    };
    let with_identity = identities(&args.common.identity)?.is_some();
    let mut files = Vec::new();
    for (path, encrypted) in secrets.secret_files()? {
        let opens = if encrypted && with_identity {
            Some(secrets.opens(&path)?)
        } else {
            None
        };
        files.push(FileJson {
            encrypted,
            opens,
            path,
        });
    }
    let status = StatusJson {
        files,
        recorded_recipients: secrets.recorded_recipients(),
        topology_recipients,
    };
    if let ListFormat::Json = args.format {
        write_json(&status)?;
        return Ok(Exit::Clean);
    }
    let mut text = String::new();
    for file in &status.files {
        let state = match (file.encrypted, file.opens) {
            (false, _) => "plaintext",
            (true, Some(true)) => "encrypted, the identity opens it",
            (true, Some(false)) => "encrypted, the identity does not open it",
            (true, None) => "encrypted",
        };
        let shown = if file.encrypted {
            format!("{}.age", file.path)
        } else {
            file.path.clone()
        };
        let _ = writeln!(text, "{shown:<48} {state}");
    }
    let list = |recipients: &[String]| {
        if recipients.is_empty() {
            "none".to_owned()
        } else {
            recipients.join(", ")
        }
    };
    let _ = writeln!(
        text,
        "\nencrypted for:     {}\ntopology names:    {}",
        list(&status.recorded_recipients),
        list(&status.topology_recipients)
    );
    if !status.recorded_recipients.is_empty()
        && status.recorded_recipients != status.topology_recipients
    {
        text.push_str("the recipients changed: run `topoc secrets rekey`\n");
    }
    if status.files.iter().any(|file| !file.encrypted) && !status.topology_recipients.is_empty() {
        text.push_str("some secrets are in plaintext: run `topoc secrets encrypt`\n");
    }
    write_stdout(&text)?;
    Ok(Exit::Clean)
}
