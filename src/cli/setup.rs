//! Getting started: `topoc init` and `topoc import-seg`.

use std::path::{Path, PathBuf};

use super::{CLEAN, Failure, write_stdout};

#[derive(Debug, clap::Args)]
pub(super) struct InitArgs {
    /// Where to write `topology.toml`
    #[arg(default_value = ".")]
    dir: PathBuf,
}

#[derive(Debug, clap::Args)]
pub(super) struct ImportSegArgs {
    /// The AppClusterDirectory.xml of a running cluster
    file: PathBuf,
    /// The address of a host name that does not resolve here, as HOST=IP (repeatable)
    #[arg(long = "address", value_name = "HOST=IP")]
    addresses: Vec<String>,
}

/// The starter topology `topoc init` writes.
pub(super) const STARTER: &str = include_str!("../templates/init.toml");

pub(super) fn run_init(args: &InitArgs) -> Result<u8, Failure> {
    std::fs::create_dir_all(&args.dir)
        .map_err(|e| Failure(format!("cannot create `{}`: {e}", args.dir.display())))?;
    let topology = args.dir.join("topology.toml");
    let schema = args.dir.join("topology.schema.json");
    for path in [&topology, &schema] {
        if path.exists() {
            return Err(Failure(format!(
                "`{}` exists already; topoc init does not overwrite it",
                path.display()
            )));
        }
    }
    let write = |path: &Path, text: &str| {
        std::fs::write(path, text)
            .map_err(|e| Failure(format!("cannot write `{}`: {e}", path.display())))
    };
    write(&topology, STARTER)?;
    write(&schema, &topoc::syntax::schema::topology())?;
    let gitignore = args.dir.join(".gitignore");
    let existing = std::fs::read_to_string(&gitignore).unwrap_or_default();
    if !existing.lines().any(|line| {
        matches!(
            line.trim(),
            "secrets" | "secrets/" | "/secrets" | "/secrets/"
        )
    }) {
        let separator = if existing.is_empty() || existing.ends_with('\n') {
            ""
        } else {
            "\n"
        };
        write(
            &gitignore,
            &format!(
                "{existing}{separator}# Keys and certificates written by topoc build: never commit them.\n/secrets/\n"
            ),
        )?;
    }
    write_stdout(&format!(
        "wrote `{}`, `{}` and a `.gitignore` entry for `secrets/`\nnext: topoc check {}\n",
        topology.display(),
        schema.display(),
        topology.display()
    ))?;
    Ok(CLEAN)
}

pub(super) fn run_import_seg(args: &ImportSegArgs) -> Result<u8, Failure> {
    let mut addresses = std::collections::BTreeMap::new();
    for given in &args.addresses {
        let parsed = given
            .split_once('=')
            .and_then(|(host, ip)| Some((host.trim().to_owned(), ip.trim().parse().ok()?)));
        let Some((host, ip)) = parsed else {
            return Err(Failure(format!("`--address {given}` is not HOST=IP")));
        };
        addresses.insert(host, ip);
    }
    let shown = args.file.display().to_string();
    let xml = std::fs::read_to_string(&args.file)
        .map_err(|e| Failure(format!("cannot read `{shown}`: {e}")))?;
    let resolve = |host: &str| {
        use std::net::ToSocketAddrs;
        (host, 0)
            .to_socket_addrs()
            .ok()?
            .next()
            .map(|address| address.ip())
    };
    let topology = topoc::import_seg::parse(&xml)
        .and_then(|directory| topoc::import_seg::topology(&directory, &addresses, resolve))
        .map_err(|e| Failure(format!("`{shown}`: {e}")))?;
    write_stdout(&topology)?;
    Ok(CLEAN)
}
