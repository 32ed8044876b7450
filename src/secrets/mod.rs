//! The secrets directory, the I/O edge for key material: read what is there, write what a
//! build created or re-issued, never anything into the output directory.
//!
//! ```text
//! secrets/              0700
//!   ca.pem, ca.key      the cluster CA (unless `[ca]` names files of its own)
//!   nodes/<node>.key    each node's private key
//!   nodes/<node>.pem    each node's certificate, kept so that a rebuild from scratch reuses it
//!   retired/<time>/     what `topoc ca rotate` replaced
//! ```
//!
//! Every file is written 0600 through a temporary file and a rename, so it is whole or absent.

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::emit::Tree;
use crate::emit::layout::secrets as layout;
use crate::pki::Existing;
use crate::seal::{Identities, Recipients};

mod batch;
mod files;
mod modes;
mod sealed;
mod store;

use crate::environment::Loose;

use files::{make_private_dir, read_optional, read_required};

pub use batch::Batch;
pub use store::Store;

const DIR_MODE: u32 = 0o700;
const FILE_MODE: u32 = 0o600;

#[derive(Debug)]
pub enum SecretsError {
    /// The secrets directory lies inside the output directory, which is published.
    InsideOutput {
        secrets: PathBuf,
        out: PathBuf,
    },
    /// The output directory lies inside the secrets directory: a build replaces the output
    /// whole, and a `--force` one would delete keys with it.
    OutputInside {
        secrets: PathBuf,
        out: PathBuf,
    },
    Io {
        path: PathBuf,
        error: io::Error,
    },
    /// An encrypted file that cannot be opened (or written): why, the recipients
    /// `recipients.txt` says it was written for, and where the identities came from.
    Sealed {
        path: PathBuf,
        why: String,
        recipients: Vec<String>,
        identities: Option<String>,
    },
    /// An encrypted secret, and a topology that names no recipients to write it for.
    NoRecipients {
        path: PathBuf,
    },
    /// The topology's recipients differ from those the secrets were encrypted to.
    RecipientsChanged {
        recorded: Vec<String>,
        now: Vec<String>,
    },
}

impl fmt::Display for SecretsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretsError::InsideOutput { secrets, out } => write!(
                f,
                "the secrets directory `{}` is inside the output directory `{}`, which is meant to be published; put it elsewhere",
                secrets.display(),
                out.display()
            ),
            SecretsError::OutputInside { secrets, out } => write!(
                f,
                "the output directory `{}` is inside the secrets directory `{}`: a build replaces the output whole; put them apart",
                out.display(),
                secrets.display()
            ),
            SecretsError::Io { path, error } => write!(f, "`{}`: {error}", path.display()),
            SecretsError::Sealed {
                path,
                why,
                recipients,
                identities,
            } => {
                write!(f, "cannot open `{}`: {why}", path.display())?;
                if let Some(source) = identities {
                    write!(f, " (identities from {source})")?;
                }
                if recipients.is_empty() {
                    Ok(())
                } else {
                    write!(
                        f,
                        "; it was written for {} (`{}`)",
                        recipients.join(", "),
                        layout::RECIPIENTS
                    )
                }
            }
            SecretsError::NoRecipients { path } => write!(
                f,
                "`{}` is encrypted, but the topology names no `[secrets] recipients`: add them, so that secrets stay encrypted",
                path.display()
            ),
            SecretsError::RecipientsChanged { recorded, now } => write!(
                f,
                "the secrets are encrypted to {}, the topology now names {}: run `topoc secrets rekey` first",
                recorded.join(", "),
                now.join(", ")
            ),
        }
    }
}

impl std::error::Error for SecretsError {}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> SecretsError + '_ {
    move |error| SecretsError::Io {
        path: path.to_owned(),
        error,
    }
}

/// A secrets directory, with the identities that open its encrypted files and the
/// recipients new secrets are encrypted to, where there are any.
#[derive(Debug, Clone)]
pub struct Secrets {
    root: PathBuf,
    identities: Option<Identities>,
    recipients: Option<Recipients>,
}

impl Secrets {
    /// The directory at `root`, refused when it lies inside `out` or `out` inside it. Both
    /// are judged by where they really lead, whatever links lie between.
    pub fn new(root: &Path, out: &Path) -> Result<Self, SecretsError> {
        let real = |path: &Path| crate::input::real(path).map_err(io_error(path));
        let (root_real, out_real) = (real(root)?, real(out)?);
        if root_real.starts_with(&out_real) {
            return Err(SecretsError::InsideOutput {
                secrets: root.to_owned(),
                out: out.to_owned(),
            });
        }
        if out_real.starts_with(&root_real) {
            return Err(SecretsError::OutputInside {
                secrets: root.to_owned(),
                out: out.to_owned(),
            });
        }
        Ok(Self {
            root: root.to_owned(),
            identities: None,
            recipients: None,
        })
    }

    /// The directory at `root`, for reading only (`check`, `certs`).
    pub fn reader(root: &Path) -> Self {
        Self {
            root: root.to_owned(),
            identities: None,
            recipients: None,
        }
    }

    /// Encrypted files are opened with `identities`.
    #[must_use]
    pub fn opened_by(mut self, identities: Option<Identities>) -> Self {
        self.identities = identities;
        self
    }

    /// Secrets are written encrypted to `recipients` (plaintext without).
    #[must_use]
    pub fn sealed_for(mut self, recipients: Option<Recipients>) -> Self {
        self.recipients = recipients;
        self
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn ca_cert(&self) -> PathBuf {
        self.root.join(layout::CA_CERTIFICATE)
    }

    fn ca_key(&self) -> PathBuf {
        self.root.join(layout::CA_KEY)
    }

    /// What the directory holds; `external_ca` are the `[ca]` files, already resolved
    /// against the topology's directory, used instead of `ca.pem` and `ca.key`.
    pub fn load(&self, external_ca: Option<(&Path, &Path)>) -> Result<Existing, SecretsError> {
        let mut locked = Vec::new();
        let (cert, key) = match external_ca {
            Some((cert, key_file)) => {
                let key = match key_file.extension() {
                    Some(extension) if extension == layout::SEALED_EXTENSION => {
                        self.read_secret(&key_file.with_extension(""), &mut locked)?
                    }
                    _ => self.read_secret(key_file, &mut locked)?,
                };
                if key.is_none() && locked.is_empty() {
                    return Err(io_error(key_file)(io::ErrorKind::NotFound.into()));
                }
                (read_required(cert)?, key)
            }
            None => (
                read_optional(&self.ca_cert())?,
                self.read_secret(&self.ca_key(), &mut locked)?,
            ),
        };
        let ca_key_locked = !locked.is_empty();
        let mut names = std::collections::BTreeSet::new();
        let nodes_dir = self.root.join(layout::NODES);
        if nodes_dir.is_dir() {
            for entry in std::fs::read_dir(&nodes_dir).map_err(io_error(&nodes_dir))? {
                let path = entry.map_err(io_error(&nodes_dir))?.path();
                let Some(file) = path.file_name().and_then(|name| name.to_str()) else {
                    continue;
                };
                let sealed_key = format!(".{}.{}", layout::KEY_EXTENSION, layout::SEALED_EXTENSION);
                let node = file
                    .strip_suffix(&sealed_key)
                    .or_else(|| file.strip_suffix(&format!(".{}", layout::KEY_EXTENSION)))
                    .or_else(|| file.strip_suffix(&format!(".{}", layout::CERTIFICATE_EXTENSION)));
                if let (Some(node), true) = (node, path.is_file()) {
                    names.insert(node.to_owned());
                }
            }
        }
        let mut nodes: BTreeMap<String, (Option<String>, Option<String>)> = BTreeMap::new();
        for name in names {
            let key = self.read_secret(&self.root.join(layout::node_key(&name)), &mut locked)?;
            let cert = read_optional(&self.root.join(layout::node_certificate(&name)))?;
            if key.is_some() || cert.is_some() {
                nodes.insert(name, (key, cert));
            }
        }
        Ok(Existing {
            ca_cert: cert,
            ca_key: key,
            nodes,
            sealed_for: if locked.is_empty() {
                Vec::new()
            } else {
                self.recorded_recipients()
            },
            locked,
            ca_key_locked,
        })
    }

    /// Removes the temporary files that runs killed while they wrote keys left in the
    /// directory, and returns their paths. Only under the lock (`held`), which no run
    /// writes keys without, so that none of them is another run's work in progress.
    pub fn remove_leftovers(
        &self,
        held: &crate::write::Lock,
    ) -> Result<Vec<PathBuf>, SecretsError> {
        let _ = held;
        let leftovers = files::leftovers(&self.root)?;
        for path in &leftovers {
            if path.is_dir() {
                std::fs::remove_dir_all(path).map_err(io_error(path))?;
            } else {
                std::fs::remove_file(path).map_err(io_error(path))?;
            }
        }
        Ok(leftovers)
    }

    /// Writes the files of `tree` (paths relative to the directory, from checked names)
    /// except those that already hold exactly their content, as one [`Batch`]; returns the
    /// paths written.
    pub fn store(&self, tree: &Tree) -> Result<Vec<PathBuf>, SecretsError> {
        let mut batch = self.batch()?;
        for (relative, content) in tree.iter() {
            batch.add(relative, content)?;
        }
        batch.commit()
    }

    /// Moves the CA and the node certificates into `retired/<label>/` (rotation), keeping the
    /// node keys. Returns where they went.
    pub fn retire(&self, label: &str) -> Result<PathBuf, SecretsError> {
        self.prepare()?;
        let target = self.root.join(layout::retired(label));
        make_private_dir(&target.join(layout::NODES))?;
        let mut moves = vec![
            (self.ca_cert(), target.join(layout::CA_CERTIFICATE)),
            (self.ca_key(), target.join(layout::CA_KEY)),
            (
                sealed_path(&self.ca_key()),
                sealed_path(&target.join(layout::CA_KEY)),
            ),
        ];
        let nodes_dir = self.root.join(layout::NODES);
        if nodes_dir.is_dir() {
            for entry in std::fs::read_dir(&nodes_dir).map_err(io_error(&nodes_dir))? {
                let path = entry.map_err(io_error(&nodes_dir))?.path();
                if path
                    .extension()
                    .is_some_and(|e| e == layout::CERTIFICATE_EXTENSION)
                    && let Some(name) = path.file_name()
                {
                    moves.push((path.clone(), target.join(layout::NODES).join(name)));
                }
            }
        }
        for (from, to) in moves {
            if from.exists() {
                std::fs::rename(&from, &to).map_err(io_error(&from))?;
            }
        }
        Ok(target)
    }

    /// Creates the directories 0700; one that is already there keeps its mode, which
    /// [`Secrets::loose`] judges.
    fn prepare(&self) -> Result<(), SecretsError> {
        make_private_dir(&self.root.join(layout::NODES))
    }

    /// What in the directory others may read, write or enter, sorted.
    pub fn loose(&self) -> Result<Vec<Loose>, SecretsError> {
        modes::loose(&self.root)
    }

    /// Makes each directory 0700 and each file 0600 that others could reach, and returns
    /// what it changed. Only under the lock (`held`), and only when asked.
    pub fn fix_permissions(&self, held: &crate::write::Lock) -> Result<Vec<Loose>, SecretsError> {
        let _ = held;
        let loose = self.loose()?;
        modes::fix(&loose)?;
        Ok(loose)
    }
}

/// `path` encrypted: `path.age`.
fn sealed_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(layout::SEALED_EXTENSION);
    PathBuf::from(name)
}

fn is_sealed(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e == layout::SEALED_EXTENSION)
}
