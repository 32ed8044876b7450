//! [`Batch`]: the secrets a build makes, written as they come: each into its temporary file
//! at once (encrypted where the topology names recipients), all renamed into place by
//! [`Batch::commit`] after one sync, so that the keys of 100,000 nodes are never held
//! together and a failed build leaves the directory as it was. A directory that does not
//! exist yet (`nodes/` on a first build) is written whole under a temporary name and
//! renamed into place once: one rename instead of one a file, and nothing in it to read
//! first.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use sha2::{Digest, Sha256};

use super::files::{
    make_private_dir, remove_temporaries, rename_temporaries, temporary, write_new, write_temporary,
};
use super::{Secrets, SecretsError, is_sealed, layout, sealed_path};
use crate::emit::sink::Produce;
use crate::emit::{Sink, SinkError};
use crate::seal;

/// Secrets on their way into the directory. Dropped before [`Batch::commit`], it removes
/// the temporary files it wrote.
#[derive(Debug)]
pub struct Batch {
    secrets: Secrets,
    made: HashSet<PathBuf>,
    /// Each file whose temporary is written.
    pending: Vec<PathBuf>,
    /// Each encrypted one, with the digest of what it holds (read back before the plaintext
    /// it supersedes is removed).
    sealed: Vec<(PathBuf, [u8; 32])>,
    /// Plaintext files whose encrypted copies the batch writes.
    superseded: Vec<PathBuf>,
    /// Directories the batch made, each before those inside it: removed again (when empty)
    /// if it is given up, so that a refused build leaves no trace.
    created: Vec<PathBuf>,
    /// Directories that did not exist: each written whole under its temporary name, with
    /// the files written there (by their final paths).
    fresh: Vec<(PathBuf, PathBuf)>,
    fresh_files: Vec<PathBuf>,
    committed: bool,
}

impl Secrets {
    /// Starts a batch (the directory is made with its first file): refuses recipients
    /// other than those the secrets were encrypted to.
    pub fn batch(&self) -> Result<Batch, SecretsError> {
        if let Some(recipients) = &self.recipients {
            let recorded = self.recorded_recipients();
            if !recorded.is_empty() && recorded != recipients.written {
                return Err(SecretsError::RecipientsChanged {
                    recorded,
                    now: recipients.written.clone(),
                });
            }
        }
        Ok(Batch {
            secrets: self.clone(),
            made: HashSet::new(),
            pending: Vec::new(),
            sealed: Vec::new(),
            superseded: Vec::new(),
            created: Vec::new(),
            fresh: Vec::new(),
            fresh_files: Vec::new(),
            committed: false,
        })
    }
}

impl Batch {
    /// Takes the file `relative` (a path from checked names): written into its temporary
    /// unless the directory already holds exactly `content` (an encrypted one, opened).
    pub fn add(&mut self, relative: &str, content: &[u8]) -> Result<(), SecretsError> {
        let path = self.secrets.root.join(relative);
        if let Some(parent) = path.parent()
            && self.made.insert(parent.to_owned())
        {
            self.make_directory(parent)?;
        }
        if let Some(at) = self.fresh_home(&path) {
            return self.add_fresh(relative, path, at, content);
        }
        let secrets = &self.secrets;
        let sealed = sealed_path(&path);
        match (&secrets.recipients, layout::is_secret(relative)) {
            (Some(recipients), true) => {
                let before = match std::fs::read(&sealed) {
                    Ok(bytes) => Some(
                        seal::open(&bytes, secrets.identities.as_ref())
                            .map_err(|why| secrets.sealed_error(&sealed, &why.to_string()))?,
                    ),
                    Err(_) => None,
                };
                // Encryption is randomised: an unchanged secret keeps its bytes.
                if before.as_deref() != Some(content) {
                    let bytes = seal::seal(content, recipients)
                        .map_err(|why| secrets.sealed_error(&sealed, &why))?;
                    self.write(sealed, &bytes)?;
                }
                if path.exists() {
                    self.superseded.push(path);
                }
            }
            (None, true) if sealed.exists() => {
                return Err(SecretsError::NoRecipients { path: sealed });
            }
            _ => {
                // What cannot be read is written over (or the write says why it cannot be).
                let before = std::fs::read(&path).ok();
                if before.as_deref() != Some(content) {
                    self.write(path, content)?;
                }
            }
        }
        Ok(())
    }

    /// Makes `parent`: inside the secrets directory, one that does not exist yet is made
    /// under its temporary name, to be renamed into place by `commit`.
    fn make_directory(&mut self, parent: &Path) -> Result<(), SecretsError> {
        let root = &self.secrets.root;
        let (made, fresh) = match parent.parent() {
            Some(grand) if parent != root && parent.starts_with(root) && !parent.exists() => {
                (grand, true)
            }
            _ => (parent, false),
        };
        let missing: Vec<PathBuf> = made
            .ancestors()
            .take_while(|dir| !dir.as_os_str().is_empty() && !dir.exists())
            .map(Path::to_path_buf)
            .collect();
        make_private_dir(made)?;
        self.created.extend(missing.into_iter().rev());
        if fresh {
            let aside = temporary(parent);
            if aside.exists() {
                std::fs::remove_dir_all(&aside).map_err(super::io_error(&aside))?;
            }
            make_private_dir(&aside)?;
            self.fresh.push((parent.to_owned(), aside));
        }
        Ok(())
    }

    /// Where in a fresh directory's temporary `path` goes, if its directory is fresh.
    fn fresh_home(&self, path: &Path) -> Option<usize> {
        let parent = path.parent()?;
        self.fresh.iter().position(|(dir, _)| dir == parent)
    }

    /// A file of a fresh directory: nothing there to compare with or to supersede.
    fn add_fresh(
        &mut self,
        relative: &str,
        path: PathBuf,
        at: usize,
        content: &[u8],
    ) -> Result<(), SecretsError> {
        let secrets = &self.secrets;
        let (path, bytes) = match (&secrets.recipients, layout::is_secret(relative)) {
            (Some(recipients), true) => {
                let sealed = sealed_path(&path);
                let bytes = seal::seal(content, recipients)
                    .map_err(|why| secrets.sealed_error(&sealed, &why))?;
                (sealed, std::borrow::Cow::Owned(bytes))
            }
            _ => (path, std::borrow::Cow::Borrowed(content)),
        };
        let name = path.file_name().unwrap_or_default();
        let aside = self.fresh[at].1.join(name);
        write_new(&aside, &bytes)?;
        if is_sealed(&path) {
            self.sealed
                .push((path.clone(), Sha256::digest(&bytes).into()));
        }
        self.fresh_files.push(path);
        Ok(())
    }

    fn write(&mut self, path: PathBuf, content: &[u8]) -> Result<(), SecretsError> {
        write_temporary(&path, content)?;
        if is_sealed(&path) {
            self.sealed
                .push((path.clone(), Sha256::digest(content).into()));
        }
        self.pending.push(path);
        Ok(())
    }

    /// The files the batch writes (or, with recipients, their encrypted copies), in the
    /// order they came.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.pending
            .iter()
            .chain(&self.fresh_files)
            .map(PathBuf::as_path)
    }

    /// Puts every file in place (one sync, the renames, a second sync), records the
    /// recipients beside the first encrypted secrets, and removes the plaintext files
    /// they supersede once each reads back whole. Returns the paths written.
    pub fn commit(mut self) -> Result<Vec<PathBuf>, SecretsError> {
        let secrets = self.secrets.clone();
        if let Some(recipients) = &secrets.recipients
            && !self.sealed.is_empty()
            && secrets.recorded_recipients().is_empty()
        {
            let (path, bytes) = secrets.recipients_entry(recipients);
            self.write(path, &bytes)?;
        }
        let paths: Vec<&Path> = self.pending.iter().map(PathBuf::as_path).collect();
        let renamed = rename_temporaries(&secrets.root, &paths, &self.fresh);
        // Renamed or removed: no temporary is left for `drop` either way.
        self.committed = true;
        renamed?;
        secrets.remove_superseded(&self.sealed, &self.superseded)?;
        let mut written = std::mem::take(&mut self.pending);
        written.append(&mut self.fresh_files);
        Ok(written)
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        if !self.committed {
            let paths: Vec<&Path> = self.pending.iter().map(PathBuf::as_path).collect();
            remove_temporaries(&paths);
            for (_, aside) in &self.fresh {
                let _ = std::fs::remove_dir_all(aside);
            }
            for dir in self.created.iter().rev() {
                let _ = std::fs::remove_dir(dir);
            }
        }
    }
}

/// A batch takes files from one thread at a time.
impl Sink for Mutex<Batch> {
    fn file(&self, path: &str, produce: Produce<'_>) -> Result<(), SinkError> {
        let mut content = Vec::new();
        produce(&mut content)?;
        // A poisoned lock means a thread panicked, and the panic reaches the caller anyway.
        self.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .add(path, &content)?;
        Ok(())
    }
}
