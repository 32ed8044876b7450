//! Getting started and tooling: `topoc init`, `import-seg`, `schema`, `completions`, `man`.

use std::path::{Path, PathBuf};

use super::common::write_stdout;
use super::error::{Error, Exit};

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
pub(super) const STARTER: &str = include_str!("templates/init.toml");

/// `word` as one shell word: as is when it is plain, else in single quotes.
fn shell_word(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
    {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

pub(super) fn run_init(args: &InitArgs) -> Result<Exit, Error> {
    std::fs::create_dir_all(&args.dir).map_err(|error| Error::CreateDir {
        path: args.dir.clone(),
        error,
    })?;
    let topology = args.dir.join("topology.toml");
    let schema = args.dir.join("topology.schema.json");
    for path in [&topology, &schema] {
        if path.exists() {
            return Err(Error::Exists(path.clone()));
        }
    }
    let write = |path: &Path, text: &str| {
        std::fs::write(path, text).map_err(|error| Error::Create {
            path: path.to_owned(),
            error,
        })
    };
    write(&topology, STARTER)?;
    write(&schema, &topoc::emit::schema::topology())?;
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
    // `build` puts `secrets/` in the working directory: the hint works from the directory
    // whose `.gitignore` keeps it out of git.
    let here = args.dir.as_os_str().is_empty() || args.dir == Path::new(".");
    let next = if here {
        "topoc check topology.toml && topoc build topology.toml".to_owned()
    } else {
        format!(
            "cd {} && topoc check topology.toml && topoc build topology.toml",
            shell_word(&args.dir.display().to_string())
        )
    };
    write_stdout(&format!(
        "wrote `{}`, `{}` and a `.gitignore` entry for `secrets/` beside them\nnext: {next}\n(build writes `secrets/` into the directory it runs in; run it there so that the entry applies, or encrypt the secrets with `[secrets] recipients`)\n",
        topology.display(),
        schema.display(),
    ))?;
    Ok(Exit::Clean)
}

pub(super) fn run_import_seg(args: &ImportSegArgs) -> Result<Exit, Error> {
    let mut addresses = std::collections::BTreeMap::new();
    for given in &args.addresses {
        let parsed = given
            .split_once('=')
            .and_then(|(host, ip)| Some((host.trim().to_owned(), ip.trim().parse().ok()?)));
        let Some((host, ip)) = parsed else {
            return Err(Error::AddressForm(given.clone()));
        };
        addresses.insert(host, ip);
    }
    let shown = args.file.display().to_string();
    let xml = std::fs::read_to_string(&args.file).map_err(|error| Error::Read {
        path: shown.clone(),
        error,
    })?;
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
        .map_err(|error| Error::Import {
            path: shown,
            error: error.to_string(),
        })?;
    write_stdout(&topology)?;
    Ok(Exit::Clean)
}

pub(super) fn run_schema() -> Result<Exit, Error> {
    write_stdout(&topoc::emit::schema::topology())?;
    Ok(Exit::Clean)
}

pub(super) fn run_completions(
    shell: clap_complete::Shell,
    mut command: clap::Command,
) -> Result<Exit, Error> {
    let mut buffer = Vec::new();
    clap_complete::generate(shell, &mut command, "topoc", &mut buffer);
    write_stdout(&String::from_utf8_lossy(&buffer))?;
    Ok(Exit::Clean)
}
