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
use crate::seal::{self, Identities, OpenError, Recipients};

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

    /// The recipients the encrypted files were written for, as `recipients.txt` records
    /// them (empty when it does not exist).
    pub fn recorded_recipients(&self) -> Vec<String> {
        std::fs::read_to_string(self.root.join(layout::RECIPIENTS))
            .map(|text| {
                text.lines()
                    .map(str::trim)
                    .filter(|line| !line.is_empty() && !line.starts_with('#'))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The secret at `path` (its plaintext name): `path.age` opened where it exists, else
    /// `path` itself. An encrypted file that cannot be opened for want of an identity is
    /// added to `locked`; any other failure to open it is an error.
    fn read_secret(
        &self,
        path: &Path,
        locked: &mut Vec<String>,
    ) -> Result<Option<String>, SecretsError> {
        let sealed = sealed_path(path);
        let bytes = match std::fs::read(&sealed) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return read_optional(path),
            Err(error) => return Err(io_error(&sealed)(error)),
        };
        match seal::open(&bytes, self.identities.as_ref()) {
            Ok(plaintext) => String::from_utf8(plaintext)
                .map(Some)
                .map_err(|_| self.sealed_error(&sealed, "its content is not text")),
            Err(OpenError::NoIdentity) => {
                locked.push(sealed.display().to_string());
                Ok(None)
            }
            Err(why) => Err(self.sealed_error(&sealed, &why.to_string())),
        }
    }

    /// The error for the encrypted file at `path`, with the recipients it was written for.
    fn sealed_error(&self, path: &Path, why: &str) -> SecretsError {
        SecretsError::Sealed {
            path: path.to_owned(),
            why: why.to_owned(),
            recipients: self.recorded_recipients(),
            identities: self.identities.as_ref().map(|i| i.source.clone()),
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

    /// Writes the files of `tree` (paths relative to the directory, from checked names)
    /// except those that already hold exactly their content; returns the paths written.
    pub fn store(&self, tree: &Tree) -> Result<Vec<PathBuf>, SecretsError> {
        self.prepare()?;
        if let Some(recipients) = &self.recipients {
            let recorded = self.recorded_recipients();
            if !recorded.is_empty() && recorded != recipients.written {
                return Err(SecretsError::RecipientsChanged {
                    recorded,
                    now: recipients.written.clone(),
                });
            }
        }
        let mut made = std::collections::HashSet::new();
        let mut pending: Vec<(PathBuf, Vec<u8>)> = Vec::new();
        let mut superseded = Vec::new();
        for (relative, content) in tree.iter() {
            let path = self.root.join(relative);
            if let Some(parent) = path.parent()
                && made.insert(parent.to_owned())
            {
                make_private_dir(parent)?;
            }
            let secret = layout::is_secret(relative);
            let sealed = sealed_path(&path);
            match (&self.recipients, secret) {
                (Some(recipients), true) => {
                    let before = match std::fs::read(&sealed) {
                        Ok(bytes) => Some(
                            seal::open(&bytes, self.identities.as_ref())
                                .map_err(|why| self.sealed_error(&sealed, &why.to_string()))?,
                        ),
                        Err(_) => None,
                    };
                    // Encryption is randomised: an unchanged secret keeps its bytes.
                    if before.as_deref() != Some(content) {
                        let bytes = seal::seal(content, recipients)
                            .map_err(|why| self.sealed_error(&sealed, &why))?;
                        pending.push((sealed, bytes));
                    }
                    if path.exists() {
                        superseded.push(path);
                    }
                }
                (None, true) if sealed.exists() => {
                    return Err(SecretsError::NoRecipients { path: sealed });
                }
                _ => {
                    // What cannot be read is written over (or the write says why it cannot be).
                    let before = std::fs::read(&path).ok();
                    if before.as_deref() != Some(content) {
                        pending.push((path, content.to_vec()));
                    }
                }
            }
        }
        if let Some(recipients) = &self.recipients
            && pending.iter().any(|(path, _)| is_sealed(path))
            && self.recorded_recipients().is_empty()
        {
            pending.push(self.recipients_entry(recipients));
        }
        self.commit(&pending, &superseded)?;
        Ok(pending.into_iter().map(|(path, _)| path).collect())
    }

    /// Writes `pending` in one batch, then removes the plaintext files it `supersedes`.
    fn commit(
        &self,
        pending: &[(PathBuf, Vec<u8>)],
        supersedes: &[PathBuf],
    ) -> Result<(), SecretsError> {
        write_secrets(&self.root, pending)?;
        self.remove_superseded(pending, supersedes)
    }

    /// Removes the plaintext files whose encrypted copies are now on disk, once every
    /// encrypted file written has been read back whole (and opened, where an identity is
    /// at hand).
    fn remove_superseded(
        &self,
        written: &[(PathBuf, Vec<u8>)],
        superseded: &[PathBuf],
    ) -> Result<(), SecretsError> {
        if superseded.is_empty() {
            return Ok(());
        }
        for (path, bytes) in written {
            let back = std::fs::read(path).map_err(io_error(path))?;
            if &back != bytes {
                return Err(
                    self.sealed_error(path, "it reads back different from what was written")
                );
            }
        }
        for plain in superseded {
            let sealed = sealed_path(plain);
            let back = std::fs::read(&sealed).map_err(io_error(&sealed))?;
            if self.identities.is_some() {
                let opened = seal::open(&back, self.identities.as_ref())
                    .map_err(|why| self.sealed_error(&sealed, &why.to_string()))?;
                let original = std::fs::read(plain).map_err(io_error(plain))?;
                if opened != original && !written.iter().any(|(path, _)| path == &sealed) {
                    return Err(self
                        .sealed_error(&sealed, "it does not hold what the plaintext file holds"));
                }
            }
        }
        for plain in superseded {
            std::fs::remove_file(plain).map_err(io_error(plain))?;
        }
        sync(&self.root)
    }

    /// Every secret file below the directory, by its plaintext path relative to it, with
    /// whether it is encrypted; sorted.
    pub fn secret_files(&self) -> Result<Vec<(String, bool)>, SecretsError> {
        let mut found = Vec::new();
        if self.root.is_dir() {
            walk(&self.root, &self.root, &mut found)?;
        }
        found.sort();
        Ok(found)
    }

    /// `topoc secrets encrypt`: every plaintext secret encrypted to the recipients in one
    /// batch; the plaintext files are removed only after every encrypted file has been read
    /// back. Returns the files encrypted.
    pub fn encrypt(&self) -> Result<Vec<String>, SecretsError> {
        let recipients = self.recipients.as_ref().ok_or(SecretsError::NoRecipients {
            path: self.root.clone(),
        })?;
        let recorded = self.recorded_recipients();
        if !recorded.is_empty() && recorded != recipients.written {
            return Err(SecretsError::RecipientsChanged {
                recorded,
                now: recipients.written.clone(),
            });
        }
        let mut pending = Vec::new();
        let mut superseded = Vec::new();
        let mut done = Vec::new();
        for (relative, sealed) in self.secret_files()? {
            if sealed {
                continue;
            }
            let path = self.root.join(&relative);
            let plaintext = std::fs::read(&path).map_err(io_error(&path))?;
            let target = sealed_path(&path);
            let bytes = seal::seal(&plaintext, recipients)
                .map_err(|why| self.sealed_error(&target, &why))?;
            pending.push((target, bytes));
            superseded.push(path);
            done.push(relative);
        }
        if !pending.is_empty() || recorded.is_empty() {
            pending.push(self.recipients_entry(recipients));
        }
        self.commit(&pending, &superseded)?;
        Ok(done)
    }

    /// `topoc secrets rekey`: every encrypted secret opened and encrypted anew to the
    /// recipients, in one batch, and `recipients.txt` updated. Returns the files rekeyed.
    pub fn rekey(&self) -> Result<Vec<String>, SecretsError> {
        let recipients = self.recipients.as_ref().ok_or(SecretsError::NoRecipients {
            path: self.root.clone(),
        })?;
        let mut pending = Vec::new();
        let mut done = Vec::new();
        for (relative, sealed) in self.secret_files()? {
            if !sealed {
                continue;
            }
            let target = sealed_path(&self.root.join(&relative));
            let bytes = std::fs::read(&target).map_err(io_error(&target))?;
            let plaintext = seal::open(&bytes, self.identities.as_ref())
                .map_err(|why| self.sealed_error(&target, &why.to_string()))?;
            let bytes = seal::seal(&plaintext, recipients)
                .map_err(|why| self.sealed_error(&target, &why))?;
            pending.push((target, bytes));
            done.push(relative);
        }
        pending.push(self.recipients_entry(recipients));
        self.commit(&pending, &[])?;
        Ok(done)
    }

    /// Whether the identities open the encrypted file of the secret `relative`.
    pub fn opens(&self, relative: &str) -> Result<bool, SecretsError> {
        let target = sealed_path(&self.root.join(relative));
        let bytes = std::fs::read(&target).map_err(io_error(&target))?;
        match seal::open(&bytes, self.identities.as_ref()) {
            Ok(_) => Ok(true),
            Err(OpenError::NoIdentity | OpenError::NotARecipient) => Ok(false),
            Err(why) => Err(self.sealed_error(&target, &why.to_string())),
        }
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

impl Secrets {
    /// `recipients.txt` with `recipients`, to write.
    fn recipients_entry(&self, recipients: &Recipients) -> (PathBuf, Vec<u8>) {
        (
            self.root.join(layout::RECIPIENTS),
            recipients_file(recipients),
        )
    }
}

/// `recipients.txt`'s content.
fn recipients_file(recipients: &Recipients) -> Vec<u8> {
    let mut text = String::from(
        "# The age recipients topoc encrypted the secrets of this directory to (public keys).\n",
    );
    for recipient in &recipients.written {
        text.push_str(recipient);
        text.push('\n');
    }
    text.into_bytes()
}

/// Every secret file below `dir` (relative to `root`, by plaintext name) and whether it
/// is encrypted; temporary files of an interrupted write are left out.
fn walk(root: &Path, dir: &Path, found: &mut Vec<(String, bool)>) -> Result<(), SecretsError> {
    for entry in std::fs::read_dir(dir).map_err(io_error(dir))? {
        let path = entry.map_err(io_error(dir))?.path();
        if path.is_dir() {
            walk(root, &path, found)?;
            continue;
        }
        let Some(relative) = path
            .strip_prefix(root)
            .ok()
            .and_then(|relative| relative.to_str())
        else {
            continue;
        };
        let relative = relative.replace('\\', "/");
        let suffix = format!(".{}", layout::SEALED_EXTENSION);
        let (plain, sealed) = match relative.strip_suffix(&suffix) {
            Some(plain) => (plain.to_owned(), true),
            None => (relative.clone(), false),
        };
        if layout::is_secret(&plain) {
            found.push((plain, sealed));
        }
    }
    Ok(())
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
fn write_secrets<B: AsRef<[u8]>>(root: &Path, files: &[(PathBuf, B)]) -> Result<(), SecretsError> {
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
        file.write_all(content.as_ref())
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
