//! The files of the secrets directory on disk: private directories, reads that may find
//! nothing, and the batch write that leaves every file whole.

use std::fs::{DirBuilder, OpenOptions};
use std::io::{self, Write as _};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use super::{DIR_MODE, FILE_MODE, SecretsError, io_error};

pub(super) fn make_private_dir(path: &Path) -> Result<(), SecretsError> {
    DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(path)
        .map_err(io_error(path))
}

/// The key or certificate at `path`, where there is one: a regular file of at most
/// [`KEY_FILE_LIMIT`](crate::input::KEY_FILE_LIMIT) bytes.
pub(super) fn read_optional(path: &Path) -> Result<Option<String>, SecretsError> {
    match crate::input::read_text(path, crate::input::KEY_FILE_LIMIT) {
        Ok(text) => Ok(Some(text)),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(io_error(path)(error)),
    }
}

pub(super) fn read_required(path: &Path) -> Result<Option<String>, SecretsError> {
    crate::input::read_text(path, crate::input::KEY_FILE_LIMIT)
        .map(Some)
        .map_err(io_error(path))
}

/// What a batch write adds to a file's name for its temporary, before the process id:
/// `ca.key.tmp-1234`, unique per file (`x.key` and `x.pem` must not share one).
const TEMPORARY: &str = ".tmp-";

/// The temporary files of batch writes of other processes below `root`: regular files (and
/// directories written whole) whose name ends in `.tmp-` and a process id not this one's. Under the lock no other run writes
/// there, so each was left by a run that was killed.
pub(super) fn leftovers(root: &Path) -> Result<Vec<PathBuf>, SecretsError> {
    let own = std::process::id().to_string();
    let mut found = Vec::new();
    let mut pending = vec![root.to_owned()];
    while let Some(dir) = pending.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
            Err(error) => return Err(io_error(&dir)(error)),
        };
        for entry in entries {
            let entry = entry.map_err(io_error(&dir))?;
            let kind = entry.file_type().map_err(io_error(&entry.path()))?;
            let name = entry.file_name();
            let pid = name
                .to_str()
                .and_then(|name| name.rsplit_once(TEMPORARY))
                .filter(|(stem, pid)| {
                    !stem.is_empty()
                        && !pid.is_empty()
                        && pid.bytes().all(|b| b.is_ascii_digit())
                        && *pid != own
                });
            // A directory a killed run was writing whole under its temporary name, or a
            // temporary file; any other directory is looked into.
            if (kind.is_file() || kind.is_dir()) && pid.is_some() {
                found.push(entry.path());
            } else if kind.is_dir() {
                pending.push(entry.path());
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Writes `files` with mode 0600 as one batch: each content into a new temporary file
/// beside its path, one sync of the file system, each temporary renamed over its path, and
/// a second sync. A crash leaves every file either as it was or whole with its new content,
/// and the batch costs two syncs however many keys it holds (a sync per file kept a
/// 100,000-node first build waiting on the disk for most of its time).
pub(super) fn write_secrets<B: AsRef<[u8]>>(
    root: &Path,
    files: &[(PathBuf, B)],
) -> Result<(), SecretsError> {
    if files.is_empty() {
        return Ok(());
    }
    let mut created = Vec::with_capacity(files.len());
    let written = files.iter().try_for_each(|(path, content)| {
        write_temporary(path, content.as_ref())?;
        created.push(path.clone());
        Ok(())
    });
    if let Err(error) = written {
        remove_temporaries(&created);
        return Err(error);
    }
    let finals: Vec<&Path> = files.iter().map(|(path, _)| path.as_path()).collect();
    rename_temporaries(root, &finals, &[])
}

/// The temporary file beside `path` that a batch writes first.
pub(super) fn temporary(path: &Path) -> PathBuf {
    // The process id, asked once (a batch names two temporaries a key).
    static PID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let pid = PID.get_or_init(|| std::process::id().to_string());
    let mut name = path.as_os_str().to_owned();
    name.push(TEMPORARY);
    name.push(pid);
    PathBuf::from(name)
}

/// Writes `content` into the temporary file of `path`, 0600, made anew (one this process
/// left is replaced).
pub(super) fn write_temporary(path: &Path, content: &[u8]) -> Result<(), SecretsError> {
    write_new(&temporary(path), content)
}

/// Writes `content` into a new file at `temporary`, 0600 (one there is replaced).
pub(super) fn write_new(temporary: &Path, content: &[u8]) -> Result<(), SecretsError> {
    let create = || {
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(FILE_MODE)
            .open(temporary)
    };
    let mut file = match create() {
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {
            std::fs::remove_file(temporary).map_err(io_error(temporary))?;
            create()
        }
        opened => opened,
    }
    .map_err(io_error(temporary))?;
    if let Err(error) = file.write_all(content) {
        let _ = std::fs::remove_file(temporary);
        return Err(io_error(temporary)(error));
    }
    Ok(())
}

/// Removes the temporary files of `paths` (a batch given up).
pub(super) fn remove_temporaries<P: AsRef<Path>>(paths: &[P]) {
    for path in paths {
        let _ = std::fs::remove_file(temporary(path.as_ref()));
    }
}

/// Once every temporary of `paths` and every directory of `fresh` (its final path, and the
/// temporary it was written under) is written: one sync, each renamed into place, a second
/// sync. On a failure what is not yet renamed is removed.
pub(super) fn rename_temporaries(
    root: &Path,
    paths: &[&Path],
    fresh: &[(PathBuf, PathBuf)],
) -> Result<(), SecretsError> {
    if paths.is_empty() && fresh.is_empty() {
        return Ok(());
    }
    let give_up = |paths: &[&Path], fresh: &[(PathBuf, PathBuf)]| {
        remove_temporaries(paths);
        for (_, aside) in fresh {
            let _ = std::fs::remove_dir_all(aside);
        }
    };
    if let Err(error) = sync(root) {
        give_up(paths, fresh);
        return Err(error);
    }
    for (index, path) in paths.iter().enumerate() {
        if let Err(error) = std::fs::rename(temporary(path), path) {
            give_up(&paths[index..], fresh);
            return Err(io_error(path)(error));
        }
    }
    for (index, (dir, aside)) in fresh.iter().enumerate() {
        if let Err(error) = std::fs::rename(aside, dir) {
            give_up(&[], &fresh[index..]);
            return Err(io_error(dir)(error));
        }
    }
    sync(root)
}

/// Flushes the file system that holds `dir` to the disk.
pub(super) fn sync(dir: &Path) -> Result<(), SecretsError> {
    let handle = std::fs::File::open(dir).map_err(io_error(dir))?;
    rustix::fs::syncfs(&handle).map_err(|error| io_error(dir)(error.into()))
}
