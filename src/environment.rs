//! What the pipeline takes from the world, as one value: the time, the key material beside
//! the topology, and limits. The library never reads the clock; it asks this.

use std::fmt;
use std::path::{Path, PathBuf};

use time::{Duration, OffsetDateTime};

use crate::model::Model;
use crate::pki::Existing;

/// Everything besides the topology's text that [`check`](crate::check) and
/// [`build`](crate::build) depend on.
#[derive(Debug, Clone, Copy)]
pub struct Environment<'a> {
    /// The moment certificates are judged and issued at.
    pub now: OffsetDateTime,
    /// Where key material and the SEG shared key come from.
    pub keys: &'a dyn KeySource,
    pub limits: Limits,
    /// How long certificates must stay valid from `now` (`--valid-for`); one ending sooner
    /// is reported by `cert-expiring`.
    pub valid_for: Duration,
}

/// How long certificates must stay valid unless told otherwise: 30 days, the window in
/// which a build re-issues node certificates.
pub const DEFAULT_VALID_FOR: Duration = Duration::days(crate::pki::RENEWAL_WINDOW_DAYS);

impl Environment<'_> {
    /// No key material at all, at `now`, with the default limits: for fuzzing, `diff` and
    /// the commands that need no keys.
    pub fn keyless(now: OffsetDateTime) -> Environment<'static> {
        Environment {
            now,
            keys: &NoKeys,
            limits: Limits::default(),
            valid_for: DEFAULT_VALID_FOR,
        }
    }
}

/// Bounds on what a build may produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest output a build may write (a build, streamed, never holds it whole; the
    /// limit stops a topology whose output would fill the disk, refused before any key is
    /// made).
    pub max_output_bytes: u64,
}

/// The output a build may write unless told otherwise: ample for a 100,000-node cluster
/// (about 600 MB), far below what a hosts file per node of a large cluster with FQDNs
/// would take (every file lists every node).
pub const DEFAULT_MAX_OUTPUT_MB: u64 = 2048;

impl Limits {
    pub fn max_output_mb(megabytes: u64) -> Self {
        Limits {
            max_output_bytes: megabytes.saturating_mul(1_000_000),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::max_output_mb(DEFAULT_MAX_OUTPUT_MB)
    }
}

/// The key material a topology's cluster has outside the topology file. The secrets store
/// ([`secrets::Store`](crate::secrets::Store)) reads it from disk; tests may hand it over.
pub trait KeySource: fmt::Debug {
    /// The CA (from the secrets or the files `[ca]` names) and each node's key and
    /// certificate; `Ok(None)` when there is no material here to judge.
    fn material(&self, model: &Model) -> Result<Option<Existing>, KeyError>;

    /// A SEG cluster's shared key, from where the topology says (`Err`: why it cannot be
    /// read).
    fn shared_key(&self, model: &Model) -> Result<String, String>;

    /// The certificates a previous build published (the CA's, then each node's by name),
    /// for a drift check where the CA is not at hand; `None` when none was published.
    fn published(&self, model: &Model) -> Option<Published>;

    /// What in the secrets directory others may read, write or enter; `None` when there is
    /// no directory to judge or nothing in it is loose.
    fn loose(&self) -> Option<LooseSecrets> {
        None
    }
}

/// The secrets directory and every file or directory in it that others may reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LooseSecrets {
    pub root: PathBuf,
    pub entries: Vec<Loose>,
}

/// A file or directory of the secrets directory that others may read, write or enter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loose {
    pub path: PathBuf,
    /// Its permission bits now.
    pub mode: u32,
    /// What topoc would make them: 0600 for a file, 0700 for a directory.
    pub wanted: u32,
}

/// The command that makes every one of `root`'s files and directories private, quoted for
/// a POSIX shell.
pub fn chmod_command(root: &Path) -> String {
    let text = root.display().to_string();
    let plain = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+:@".contains(c));
    if plain {
        format!("chmod -R go-rwx {text}")
    } else {
        format!("chmod -R go-rwx '{}'", text.replace('\'', r"'\''"))
    }
}

/// Certificates read from a previous output.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Published {
    /// The first node's (by name) `ca.pem`.
    pub ca: String,
    /// Each node's certificate, by name.
    pub nodes: std::collections::BTreeMap<String, String>,
    /// Each node's `ca.pem`, by name.
    pub cas: std::collections::BTreeMap<String, String>,
}

/// Key material that exists but cannot be read.
#[derive(Debug)]
pub struct KeyError(pub String);

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot read the key material: {}", self.0)
    }
}

impl std::error::Error for KeyError {}

/// No key material anywhere.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoKeys;

impl KeySource for NoKeys {
    fn material(&self, _: &Model) -> Result<Option<Existing>, KeyError> {
        Ok(None)
    }

    fn shared_key(&self, _: &Model) -> Result<String, String> {
        Err("no shared key is at hand".to_owned())
    }

    fn published(&self, _: &Model) -> Option<Published> {
        None
    }
}
