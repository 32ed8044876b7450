//! Every way a command can fail (exit code 2), with all its wording in one `Display`:
//! lowercase, names in backticks, no trailing period.

use std::fmt;
use std::path::PathBuf;

use topoc::BuildError;
use topoc::emit::{EmitError, TooLarge};
use topoc::environment::KeyError;
use topoc::pki::CaProblem;
use topoc::secrets::SecretsError;
use topoc::write::WriteError;

/// How a command ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Exit {
    /// Nothing at error level.
    Clean = 0,
    /// Findings at error level, or a difference found.
    Findings = 1,
    /// Usage, input or I/O failure.
    Failure = 2,
    /// `diff --exit-code`: the topologies differ.
    Changes = 3,
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit as u8)
    }
}

/// A failure that ends the command with exit code 2.
#[derive(Debug)]
pub(super) enum Error {
    /// A file could not be read.
    Read {
        path: String,
        error: std::io::Error,
    },
    /// The topology is not UTF-8; the offset of the first bad byte.
    NotUtf8 {
        path: String,
        offset: usize,
    },
    /// Standard output could not be written (`what`: the report, the matrix).
    Stdout {
        what: &'static str,
        error: std::io::Error,
    },
    /// The man page could not be rendered.
    Man(std::io::Error),
    /// No node, site or network group has this name; the nearest one, if any.
    UnknownName {
        what: &'static str,
        name: String,
        nearest: Option<String>,
    },
    /// `-A/-W/-D` named a hard error.
    HardLint(String),
    /// `-A/-W/-D` or `explain` named no code.
    UnknownCode {
        code: String,
        nearest: Option<&'static str>,
        lint: bool,
    },
    Keys(KeyError),
    Secrets(SecretsError),
    Write(WriteError),
    Emit(EmitError),
    /// A build's output would be too large; in `diff`, of which file.
    TooLarge {
        file: Option<PathBuf>,
        error: TooLarge,
    },
    /// `ca rotate` on a CA kept outside topoc.
    ExternalCa,
    Ca(CaProblem),
    /// `what-if` without anything that fails.
    NothingDown,
    /// `graph --highlight-route` from or to a node drawn as down.
    RouteEndDown(String),
    /// `graph --site` or `--collapse-sites` with `--format json`.
    ViewFormat,
    /// `graph --highlight-route` between nodes that cannot reach each other.
    NoRoute {
        from: String,
        to: String,
        down: bool,
    },
    /// `init` would overwrite a file.
    Exists(PathBuf),
    /// `report -o` names a file that is not an earlier report.
    NotAReport(PathBuf),
    /// A directory could not be made.
    CreateDir {
        path: PathBuf,
        error: std::io::Error,
    },
    /// A file could not be written.
    Create {
        path: PathBuf,
        error: std::io::Error,
    },
    /// `plan upgrade --to` is not a complete version.
    BadVersion(String),
    /// `plan upgrade --to` an older version, without `--allow-downgrade`.
    Downgrade {
        from: String,
        to: String,
    },
    /// `import-seg --address` not in the form HOST=IP.
    AddressForm(String),
    Probe(ProbeFailure),
    /// `secrets encrypt` or `rekey` for a topology without recipients.
    NoRecipients,
    /// An identity (`--identity`, `TOPOC_AGE_KEY`) that cannot be read as one.
    Identity(String),
    /// A recipient list that cannot be used.
    Recipients {
        path: PathBuf,
        why: String,
    },
    /// The SEG directory file could not be imported.
    Import {
        path: String,
        error: String,
    },
}

/// `path` exists, and `why` that stops the command.
fn exists(f: &mut fmt::Formatter<'_>, path: &std::path::Path, why: &str) -> fmt::Result {
    write!(f, "`{}` exists {why}", path.display())
}

/// Why `graph --site` and `--collapse-sites` take no `--format json`.
const VIEW_FORMAT: &str =
    "--site and --collapse-sites draw DOT or Mermaid; `--format json` gives the whole graph";

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Read { path, error } => write!(f, "cannot read `{path}`: {error}"),
            Error::NotUtf8 { path, offset } => write!(
                f,
                "`{path}` is not UTF-8 text (invalid byte at offset {offset})"
            ),
            Error::Stdout { what, error } => write!(f, "cannot write the {what}: {error}"),
            Error::Man(error) => write!(f, "cannot render the man page: {error}"),
            Error::UnknownName {
                what,
                name,
                nearest,
            } => {
                write!(f, "no {what} is named `{name}`")?;
                did_you_mean(f, nearest.as_deref())
            }
            Error::HardLint(code) => {
                write!(f, "`{code}` is a hard error; its level cannot be changed")
            }
            Error::UnknownCode {
                code,
                nearest,
                lint: true,
            } => {
                write!(f, "unknown lint `{code}`")?;
                did_you_mean(f, *nearest)
            }
            Error::UnknownCode {
                code,
                nearest,
                lint: false,
            } => {
                write!(f, "unknown code `{code}`")?;
                did_you_mean(f, *nearest)?;
                write!(f, " (`topoc explain --list` lists them)")
            }
            Error::Keys(error) => error.fmt(f),
            Error::Secrets(error) => error.fmt(f),
            Error::Write(error) => error.fmt(f),
            Error::Emit(error) => error.fmt(f),
            Error::TooLarge { file, error } => {
                if let Some(file) = file {
                    write!(f, "`{}`: ", file.display())?;
                }
                write!(
                    f,
                    "{error}; raise the limit with --max-output-mb if you mean it"
                )
            }
            Error::ExternalCa => write!(
                f,
                "the CA is kept outside topoc (`[ca] cert` and `key`): replace those files instead"
            ),
            Error::Ca(problem) => problem.fmt(f),
            Error::ViewFormat => f.write_str(VIEW_FORMAT),
            Error::NothingDown => write!(
                f,
                "say what fails: --down NODE, --down-site SITE, --down-group GROUP, or --each"
            ),
            Error::RouteEndDown(node) => {
                write!(f, "`{node}` is down (--down): there is no route to draw")
            }
            Error::NoRoute { from, to, down } => write!(
                f,
                "`{from}` cannot reach `{to}`{}: there is no route to draw",
                if *down {
                    " with the --down nodes gone"
                } else {
                    ""
                }
            ),
            Error::Exists(path) => exists(f, path, "already; topoc init does not overwrite it"),
            Error::NotAReport(path) => exists(
                f,
                path,
                "and is not a topoc report; give another file, or `--force` to replace it",
            ),
            Error::CreateDir { path, error } => {
                write!(f, "cannot create `{}`: {error}", path.display())
            }
            Error::Create { path, error } => {
                write!(f, "cannot write `{}`: {error}", path.display())
            }
            Error::BadVersion(why) => write!(f, "--to: {why}"),
            Error::Downgrade { from, to } => write!(
                f,
                "{to} is older than {from}, which the cluster runs; pass --allow-downgrade if you mean it"
            ),
            Error::AddressForm(given) => write!(f, "`--address {given}` is not HOST=IP"),
            Error::Import { path, error } => write!(f, "`{path}`: {error}"),
            Error::Probe(failure) => failure.fmt(f),
            Error::Identity(why) => write!(f, "{why}"),
            Error::NoRecipients => write!(
                f,
                "the topology names no recipients: add `[secrets] recipients = [\"age1…\"]` (or `recipients_file`)"
            ),
            Error::Recipients { path, why } => {
                write!(f, "the recipients of `{}`: {why}", path.display())
            }
        }
    }
}

/// Why `probe` cannot start.
#[derive(Debug)]
pub(super) enum ProbeFailure {
    /// No certificate, key or CA for the node.
    NoMaterial {
        node: String,
        what: &'static str,
        secrets: PathBuf,
    },
    /// The certificate, key or CA cannot be used.
    Material(String),
    /// `--bind` is not an address.
    BindForm(String),
    /// `--listen` could not listen.
    Listen {
        address: std::net::SocketAddr,
        error: std::io::Error,
    },
}

impl fmt::Display for ProbeFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProbeFailure::NoMaterial {
                node,
                what,
                secrets,
            } => write!(
                f,
                "no {what} for `{node}` in `{}`: run `topoc build`, or pass --cert, --key and --ca",
                secrets.display()
            ),
            ProbeFailure::Material(why) => write!(f, "{why}"),
            ProbeFailure::BindForm(given) => {
                write!(f, "`--bind {given}` is not ADDRESS or ADDRESS:PORT")
            }
            ProbeFailure::Listen { address, error } => {
                write!(f, "cannot listen on {address}: {error}")
            }
        }
    }
}

impl From<ProbeFailure> for Error {
    fn from(failure: ProbeFailure) -> Self {
        Error::Probe(failure)
    }
}

fn did_you_mean(f: &mut fmt::Formatter<'_>, nearest: Option<&str>) -> fmt::Result {
    match nearest {
        Some(nearest) => write!(f, "; did you mean `{nearest}`?"),
        None => Ok(()),
    }
}

impl From<KeyError> for Error {
    fn from(error: KeyError) -> Self {
        Error::Keys(error)
    }
}

impl From<SecretsError> for Error {
    fn from(error: SecretsError) -> Self {
        Error::Secrets(error)
    }
}

impl From<WriteError> for Error {
    fn from(error: WriteError) -> Self {
        Error::Write(error)
    }
}

impl From<BuildError> for Error {
    fn from(error: BuildError) -> Self {
        match error {
            BuildError::Keys(error) => Error::Keys(error),
            BuildError::TooLarge(error) => Error::TooLarge { file: None, error },
            BuildError::Emit(error) => Error::Emit(error),
        }
    }
}
