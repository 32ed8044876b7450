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
use std::fs::{DirBuilder, OpenOptions, Permissions};
use std::io::{self, Write as _};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::pki::{Existing, Material};

const DIR_MODE: u32 = 0o700;
const FILE_MODE: u32 = 0o600;

#[derive(Debug)]
pub enum SecretsError {
    /// The secrets directory lies inside the output directory, which is published.
    InsideOutput {
        secrets: PathBuf,
        out: PathBuf,
    },
    Io {
        path: PathBuf,
        error: io::Error,
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
            SecretsError::Io { path, error } => write!(f, "`{}`: {error}", path.display()),
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

/// A secrets directory.
#[derive(Debug, Clone)]
pub struct Secrets {
    root: PathBuf,
}

impl Secrets {
    /// The directory at `root`, refused when it lies inside `out`.
    pub fn new(root: &Path, out: &Path) -> Result<Self, SecretsError> {
        let absolute = |path: &Path| std::path::absolute(path).map_err(io_error(path));
        let (root_abs, out_abs) = (absolute(root)?, absolute(out)?);
        if normalize(&root_abs).starts_with(normalize(&out_abs)) {
            return Err(SecretsError::InsideOutput {
                secrets: root.to_owned(),
                out: out.to_owned(),
            });
        }
        Ok(Self {
            root: root.to_owned(),
        })
    }

    /// The directory at `root`, for reading only (`check`, `certs`).
    pub fn reader(root: &Path) -> Self {
        Self {
            root: root.to_owned(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn ca_cert(&self) -> PathBuf {
        self.root.join("ca.pem")
    }

    fn ca_key(&self) -> PathBuf {
        self.root.join("ca.key")
    }

    fn node_file(&self, node: &str, extension: &str) -> PathBuf {
        self.root.join("nodes").join(format!("{node}.{extension}"))
    }

    /// What the directory holds; `external_ca` are the `[ca]` files, already resolved
    /// against the topology's directory, used instead of `ca.pem` and `ca.key`.
    pub fn load(&self, external_ca: Option<(&Path, &Path)>) -> Result<Existing, SecretsError> {
        let (cert, key) = match external_ca {
            Some((cert, key)) => (read_required(cert)?, read_required(key)?),
            None => (
                read_optional(&self.ca_cert())?,
                read_optional(&self.ca_key())?,
            ),
        };
        let mut nodes: BTreeMap<String, (Option<String>, Option<String>)> = BTreeMap::new();
        let nodes_dir = self.root.join("nodes");
        if nodes_dir.is_dir() {
            for entry in std::fs::read_dir(&nodes_dir).map_err(io_error(&nodes_dir))? {
                let path = entry.map_err(io_error(&nodes_dir))?.path();
                let (Some(stem), Some(extension)) = (
                    path.file_stem().and_then(|s| s.to_str()),
                    path.extension().and_then(|e| e.to_str()),
                ) else {
                    continue;
                };
                let slot = nodes.entry(stem.to_owned()).or_default();
                match extension {
                    "key" => slot.0 = read_optional(&path)?,
                    "pem" => slot.1 = read_optional(&path)?,
                    _ => {}
                }
            }
        }
        Ok(Existing {
            ca_cert: cert,
            ca_key: key,
            nodes,
        })
    }

    /// Writes whatever in `material` differs from what is there. The CA is written only when
    /// it lives here (`write_ca`); keys that exist are never rewritten.
    pub fn store<'a>(
        &self,
        material: &'a Material,
        existing: &Existing,
        write_ca: bool,
    ) -> Result<Vec<PathBuf>, SecretsError> {
        self.prepare()?;
        let mut pending: Vec<(PathBuf, &str)> = Vec::new();
        let mut put = |path: PathBuf, content: &'a str, before: Option<&String>| {
            if before.map(String::as_str) != Some(content) {
                pending.push((path, content));
            }
        };
        if write_ca {
            put(
                self.ca_cert(),
                &material.ca.cert_pem,
                existing.ca_cert.as_ref(),
            );
            put(
                self.ca_key(),
                &material.ca.key_pem,
                existing.ca_key.as_ref(),
            );
        }
        for (node, pair) in &material.nodes {
            let (old_key, old_cert) = existing.nodes.get(node).cloned().unwrap_or_default();
            put(self.node_file(node, "key"), &pair.key_pem, old_key.as_ref());
            put(
                self.node_file(node, "pem"),
                &pair.cert_pem,
                old_cert.as_ref(),
            );
        }
        write_secrets(&self.root, &pending)?;
        Ok(pending.into_iter().map(|(path, _)| path).collect())
    }

    /// Writes secret files under the directory (such as each node's SEG configuration),
    /// except those that already hold exactly their content; returns the paths written.
    /// Each `relative` path comes from checked names.
    pub fn store_files(&self, files: &[(String, String)]) -> Result<Vec<PathBuf>, SecretsError> {
        self.prepare()?;
        let mut pending = Vec::new();
        for (relative, content) in files {
            let path = self.root.join(relative);
            if let Some(parent) = path.parent() {
                make_private_dir(parent)?;
            }
            if read_optional(&path)?.as_deref() != Some(content.as_str()) {
                pending.push((path, content.as_str()));
            }
        }
        write_secrets(&self.root, &pending)?;
        Ok(pending.into_iter().map(|(path, _)| path).collect())
    }

    /// Moves the CA and the node certificates into `retired/<label>/` (rotation), keeping the
    /// node keys. Returns where they went.
    pub fn retire(&self, label: &str) -> Result<PathBuf, SecretsError> {
        self.prepare()?;
        let target = self.root.join("retired").join(label);
        make_private_dir(&target.join("nodes"))?;
        let mut moves = vec![
            (self.ca_cert(), target.join("ca.pem")),
            (self.ca_key(), target.join("ca.key")),
        ];
        let nodes_dir = self.root.join("nodes");
        if nodes_dir.is_dir() {
            for entry in std::fs::read_dir(&nodes_dir).map_err(io_error(&nodes_dir))? {
                let path = entry.map_err(io_error(&nodes_dir))?.path();
                if path.extension().is_some_and(|e| e == "pem") {
                    if let Some(name) = path.file_name() {
                        moves.push((path.clone(), target.join("nodes").join(name)));
                    }
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

    /// Creates the directories 0700 and tightens the modes of what is already there.
    fn prepare(&self) -> Result<(), SecretsError> {
        make_private_dir(&self.root.join("nodes"))?;
        for dir in [self.root.clone(), self.root.join("nodes")] {
            std::fs::set_permissions(&dir, Permissions::from_mode(DIR_MODE))
                .map_err(io_error(&dir))?;
        }
        Ok(())
    }
}

fn normalize(path: &Path) -> PathBuf {
    let mut normal = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                normal.pop();
            }
            std::path::Component::CurDir => {}
            other => normal.push(other),
        }
    }
    normal
}

fn make_private_dir(path: &Path) -> Result<(), SecretsError> {
    DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(path)
        .map_err(io_error(path))
}

fn read_optional(path: &Path) -> Result<Option<String>, SecretsError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(io_error(path)(error)),
    }
}

fn read_required(path: &Path) -> Result<Option<String>, SecretsError> {
    std::fs::read_to_string(path)
        .map(Some)
        .map_err(io_error(path))
}

/// Writes `files` with mode 0600 as one batch: each content into a new temporary file
/// beside its path, one sync of the file system, each temporary renamed over its path, and
/// a second sync. A crash leaves every file either as it was or whole with its new content,
/// and the batch costs two syncs however many keys it holds (a sync per file kept a
/// 100,000-node first build waiting on the disk for most of its time).
fn write_secrets(root: &Path, files: &[(PathBuf, &str)]) -> Result<(), SecretsError> {
    if files.is_empty() {
        return Ok(());
    }
    // `name.tmp-PID`: unique per file (`x.key` and `x.pem` must not share one).
    let temporary = |path: &Path| {
        let mut name = path.as_os_str().to_owned();
        name.push(format!(".tmp-{}", std::process::id()));
        PathBuf::from(name)
    };
    let mut created = Vec::with_capacity(files.len());
    let written = files.iter().try_for_each(|(path, content)| {
        let temporary = temporary(path);
        let _ = std::fs::remove_file(&temporary);
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(FILE_MODE)
            .open(&temporary)
            .map_err(io_error(&temporary))?;
        created.push(temporary.clone());
        file.write_all(content.as_bytes())
            .map_err(io_error(&temporary))
    });
    if let Err(error) = written.and_then(|()| sync(root)) {
        for temporary in created {
            let _ = std::fs::remove_file(temporary);
        }
        return Err(error);
    }
    for (index, (path, _)) in files.iter().enumerate() {
        if let Err(error) = std::fs::rename(temporary(path), path) {
            for (rest, _) in &files[index..] {
                let _ = std::fs::remove_file(temporary(rest));
            }
            return Err(io_error(path)(error));
        }
    }
    sync(root)
}

/// Flushes the file system that holds `dir` to the disk.
fn sync(dir: &Path) -> Result<(), SecretsError> {
    let handle = std::fs::File::open(dir).map_err(io_error(dir))?;
    rustix::fs::syncfs(&handle).map_err(|error| io_error(dir)(error.into()))
}
