//! The encrypted side of the secrets directory: opening `<name>.age` files, the record of
//! their recipients, and `encrypt`, `rekey` and the listing `secrets status` reads.

use std::io;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::emit::layout::secrets as layout;
use crate::seal::{self, OpenError, Recipients};

use super::files::{read_optional, sync, write_secrets};
use super::{Secrets, SecretsError, io_error, sealed_path};

impl Secrets {
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
    pub(super) fn read_secret(
        &self,
        path: &Path,
        locked: &mut Vec<String>,
    ) -> Result<Option<String>, SecretsError> {
        let sealed = sealed_path(path);
        let bytes = match crate::input::read(&sealed, crate::input::KEY_FILE_LIMIT) {
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
    pub(super) fn sealed_error(&self, path: &Path, why: &str) -> SecretsError {
        SecretsError::Sealed {
            path: path.to_owned(),
            why: why.to_owned(),
            recipients: self.recorded_recipients(),
            identities: self.identities.as_ref().map(|i| i.source.clone()),
        }
    }

    /// Writes `pending` in one batch, then removes the plaintext files it `supersedes`.
    pub(super) fn commit<B: AsRef<[u8]>>(
        &self,
        pending: &[(PathBuf, B)],
        supersedes: &[PathBuf],
    ) -> Result<(), SecretsError> {
        write_secrets(&self.root, pending)?;
        let written: Vec<(PathBuf, [u8; 32])> = pending
            .iter()
            .map(|(path, bytes)| (path.clone(), Sha256::digest(bytes.as_ref()).into()))
            .collect();
        self.remove_superseded(&written, supersedes)
    }

    /// Removes the plaintext files whose encrypted copies are now on disk, once every
    /// encrypted file written has been read back whole (and opened, where an identity is
    /// at hand).
    pub(super) fn remove_superseded(
        &self,
        written: &[(PathBuf, [u8; 32])],
        superseded: &[PathBuf],
    ) -> Result<(), SecretsError> {
        if superseded.is_empty() {
            return Ok(());
        }
        for (path, digest) in written {
            let back = std::fs::read(path).map_err(io_error(path))?;
            if <[u8; 32]>::from(Sha256::digest(&back)) != *digest {
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

    /// `recipients.txt` with `recipients`, to write.
    pub(super) fn recipients_entry(&self, recipients: &Recipients) -> (PathBuf, Vec<u8>) {
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
