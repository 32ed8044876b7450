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

use crate::emit::Tree;
use crate::emit::layout::secrets as layout;
use crate::emit::layout::{NodeFile, node_file};
use crate::emit::manifest::Manifest;
use crate::environment::{KeyError, KeySource, Published};
use crate::model::{Model, SharedKeySource};
use crate::pki::Existing;

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
        self.root.join(layout::CA_CERTIFICATE)
    }

    fn ca_key(&self) -> PathBuf {
        self.root.join(layout::CA_KEY)
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
        let nodes_dir = self.root.join(layout::NODES);
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
                    layout::KEY_EXTENSION => slot.0 = read_optional(&path)?,
                    layout::CERTIFICATE_EXTENSION => slot.1 = read_optional(&path)?,
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

    /// Writes the files of `tree` (paths relative to the directory, from checked names)
    /// except those that already hold exactly their content; returns the paths written.
    pub fn store(&self, tree: &Tree) -> Result<Vec<PathBuf>, SecretsError> {
        self.prepare()?;
        let mut made = std::collections::HashSet::new();
        let mut pending = Vec::new();
        for (relative, content) in tree.iter() {
            let path = self.root.join(relative);
            if let Some(parent) = path.parent() {
                if made.insert(parent.to_owned()) {
                    make_private_dir(parent)?;
                }
            }
            // What cannot be read is written over (or the write says why it cannot be).
            let before = std::fs::read(&path).ok();
            if before.as_deref() != Some(content) {
                pending.push((path, content));
            }
        }
        write_secrets(&self.root, &pending)?;
        Ok(pending.into_iter().map(|(path, _)| path).collect())
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
        ];
        let nodes_dir = self.root.join(layout::NODES);
        if nodes_dir.is_dir() {
            for entry in std::fs::read_dir(&nodes_dir).map_err(io_error(&nodes_dir))? {
                let path = entry.map_err(io_error(&nodes_dir))?.path();
                if path
                    .extension()
                    .is_some_and(|e| e == layout::CERTIFICATE_EXTENSION)
                {
                    if let Some(name) = path.file_name() {
                        moves.push((path.clone(), target.join(layout::NODES).join(name)));
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
        make_private_dir(&self.root.join(layout::NODES))?;
        for dir in [self.root.clone(), self.root.join(layout::NODES)] {
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
fn write_secrets(root: &Path, files: &[(PathBuf, &[u8])]) -> Result<(), SecretsError> {
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
        file.write_all(content).map_err(io_error(&temporary))
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

/// The key material of one topology: its secrets directory, and the files the topology
/// names (`[ca] cert`/`key`, `shared_key_file`), relative to the topology's directory.
#[derive(Debug, Clone)]
pub struct Store {
    secrets: Secrets,
    topology_dir: PathBuf,
    /// Read the directory even where it does not exist yet (a build makes it); otherwise
    /// only material that is there is judged.
    always: bool,
    /// The previous output, whose certificates a drift check may judge.
    out: Option<PathBuf>,
}

impl Store {
    /// The material in `secrets` for the topology at `topology`.
    pub fn new(secrets: Secrets, topology: &Path) -> Self {
        Store {
            secrets,
            topology_dir: topology.parent().unwrap_or(Path::new(".")).to_owned(),
            always: true,
            out: None,
        }
    }

    /// Only what is there: no material when the directory does not exist and `[ca]` names
    /// no files.
    #[must_use]
    pub fn if_present(mut self) -> Self {
        self.always = false;
        self
    }

    /// Certificates published in `out` stand in for a CA that is not at hand.
    #[must_use]
    pub fn with_output(mut self, out: &Path) -> Self {
        self.out = Some(out.to_owned());
        self
    }
}

impl KeySource for Store {
    fn material(&self, model: &Model) -> Result<Option<Existing>, KeyError> {
        let external = model.ca.external.as_ref().map(|(cert, key)| {
            (
                self.topology_dir.join(&cert.value),
                self.topology_dir.join(&key.value),
            )
        });
        if !self.always && external.is_none() && !self.secrets.root().is_dir() {
            return Ok(None);
        }
        self.secrets
            .load(
                external
                    .as_ref()
                    .map(|(cert, key)| (cert.as_path(), key.as_path())),
            )
            .map(Some)
            .map_err(|error| KeyError(error.to_string()))
    }

    fn shared_key(&self, model: &Model) -> Result<String, String> {
        match &model.cluster.shared_key {
            Some(SharedKeySource::Env(name)) => std::env::var(&name.value)
                .map_err(|_| format!("the environment variable `{}` is not set", name.value)),
            Some(SharedKeySource::File(file)) => {
                let path = self.topology_dir.join(&file.value);
                std::fs::read_to_string(&path).map_err(|e| format!("`{}`: {e}", path.display()))
            }
            None => Err("the topology names no `shared_key_env` or `shared_key_file`".to_owned()),
        }
    }

    fn published(&self, model: &Model) -> Option<Published> {
        let out = self.out.as_ref()?;
        // Only an output of this cluster: another's certificates say nothing about it.
        let manifest = std::fs::read_to_string(out.join(crate::emit::layout::MANIFEST)).ok()?;
        if Manifest::parse(&manifest)?.cluster != model.cluster.name.value {
            return None;
        }
        let read = |node: &str, file: NodeFile| {
            std::fs::read_to_string(out.join(node_file(node, file))).ok()
        };
        let read_all = |file: NodeFile| -> std::collections::BTreeMap<String, String> {
            model
                .nodes
                .iter()
                .filter_map(|node| Some((node.name.clone(), read(&node.name, file)?)))
                .collect()
        };
        let cas = read_all(NodeFile::CaCertificate);
        let ca = model
            .nodes
            .iter()
            .find_map(|node| cas.get(&node.name).cloned())?;
        let nodes = read_all(NodeFile::Certificate);
        Some(Published { ca, nodes, cas })
    }
}
