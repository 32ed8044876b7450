//! Writing a build to disk, the output edge of the library: all or nothing, never over files
//! topoc did not write.
//!
//! A build is written, a file at a time as it is made ([`Staging`], a sink of `emit`), into a
//! hidden directory beside the output directory and then swapped in with one atomic rename
//! (Linux `renameat2` with `RENAME_EXCHANGE`), so that a failure or a kill at any moment
//! leaves either the previous output or the new one, whole. `build --check` compares
//! instead ([`Compare`]).

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::emit::layout;
use crate::emit::manifest::Manifest;
use crate::emit::{Sink, Tree};

mod drift;
mod modes;
mod staging;
mod stale;

pub use drift::{Compare, Drift};
pub use modes::modes_as_written;
pub use staging::{Committed, Staging};

/// What can stop a write.
#[derive(Debug)]
pub enum WriteError {
    /// The output directory holds files and no topoc manifest.
    NotOurs {
        dir: PathBuf,
    },
    /// A previous output holds files its manifest does not list; replacing it would delete them.
    Unlisted {
        dir: PathBuf,
        files: Vec<String>,
    },
    /// The output path exists and is not a directory.
    NotADirectory {
        path: PathBuf,
    },
    /// The output path is a symbolic link, which topoc does not follow.
    Link {
        path: PathBuf,
    },
    /// Another build holds the lock on the output's directory.
    Busy {
        dir: PathBuf,
    },
    Io {
        path: PathBuf,
        error: io::Error,
    },
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::NotOurs { dir } => write!(
                f,
                "`{}` is not empty and was not written by topoc (it has no {}); use --force to replace it",
                dir.display(),
                layout::MANIFEST
            ),
            WriteError::Unlisted { dir, files } => write!(
                f,
                "`{}` holds files topoc did not write, which replacing it would delete: {}; move them away or use --force",
                dir.display(),
                files.join(", ")
            ),
            WriteError::NotADirectory { path } => {
                write!(f, "`{}` exists and is not a directory", path.display())
            }
            WriteError::Link { path } => write!(
                f,
                "`{}` is a symbolic link; topoc does not write through links: give the real directory",
                path.display()
            ),
            WriteError::Busy { dir } => write!(
                f,
                "another `topoc build` is writing into `{}`; run this one when it has finished",
                dir.display()
            ),
            WriteError::Io { path, error } => {
                write!(f, "cannot write `{}`: {error}", path.display())
            }
        }
    }
}

impl std::error::Error for WriteError {}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |error| WriteError::Io {
        path: path.to_owned(),
        error,
    }
}

/// Held while a build writes: an exclusive lock on each directory that holds its output or
/// its secrets, so that two builds never interleave (nor make two CAs for one secrets
/// directory). Released when dropped, or when the process ends.
#[derive(Debug)]
pub struct Lock {
    _directories: Vec<std::fs::File>,
}

/// Locks the directories `paths` live in (each once), or says which one another build
/// holds. The lock is on the directory itself, so that no lock file is left behind.
pub fn lock(paths: &[&Path]) -> Result<Lock, WriteError> {
    let mut parents = Vec::new();
    for path in paths {
        let parent = parent_of(path);
        std::fs::create_dir_all(&parent).map_err(io_error(&parent))?;
        let canonical = parent.canonicalize().map_err(io_error(&parent))?;
        if !parents.iter().any(|(known, _)| *known == canonical) {
            parents.push((canonical, parent));
        }
    }
    parents.sort();
    let mut directories = Vec::with_capacity(parents.len());
    for (_, parent) in parents {
        let directory = std::fs::File::open(&parent).map_err(io_error(&parent))?;
        match rustix::fs::flock(
            &directory,
            rustix::fs::FlockOperation::NonBlockingLockExclusive,
        ) {
            Ok(()) => directories.push(directory),
            Err(rustix::io::Errno::WOULDBLOCK) => return Err(WriteError::Busy { dir: parent }),
            Err(error) => return Err(io_error(&parent)(error.into())),
        }
    }
    Ok(Lock {
        _directories: directories,
    })
}

fn parent_of(out: &Path) -> PathBuf {
    match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// What an output directory that exists may hold for a build to replace it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replace {
    /// Only a previous topoc output, every file listed in its manifest.
    OnlyOurs,
    /// Anything (`--force`).
    Anything,
}

/// Writes `tree` as the whole content of `out`, replacing a previous topoc output (or
/// leaving `out` alone when it already holds `tree`).
pub fn commit(tree: &Tree, out: &Path, replace: Replace) -> Result<Committed, WriteError> {
    let staging = Staging::new(out, replace)?;
    for (path, content) in tree.iter() {
        staging
            .file(path, &mut |writer| writer.write_all(content))
            .map_err(|error| from_sink(error, out))?;
    }
    staging.finish()
}

/// A sink's error as a [`WriteError`]: its own when it is one, else an I/O error at `out`.
fn from_sink(error: crate::emit::SinkError, out: &Path) -> WriteError {
    match error.downcast::<WriteError>() {
        Ok(error) => *error,
        Err(error) => io_error(out)(io::Error::other(error)),
    }
}

/// Flushes every file of the file system that holds `dir` to the disk (one `syncfs`,
/// however many files a build wrote).
fn sync_file_system(dir: &Path) -> Result<(), WriteError> {
    let handle = std::fs::File::open(dir).map_err(io_error(dir))?;
    rustix::fs::syncfs(&handle).map_err(|error| io_error(dir)(error.into()))
}

/// Whether `out` exists; an error when it must not be replaced.
fn check_replaceable(out: &Path, replace: Replace) -> Result<bool, WriteError> {
    let metadata = match std::fs::symlink_metadata(out) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(error) => return Err(io_error(out)(error)),
    };
    if metadata.file_type().is_symlink() {
        return Err(WriteError::Link {
            path: out.to_owned(),
        });
    }
    if !metadata.is_dir() {
        return Err(WriteError::NotADirectory {
            path: out.to_owned(),
        });
    }
    if replace == Replace::Anything {
        return Ok(true);
    }
    let present = list_files(out)?;
    if present.is_empty() {
        return Ok(true);
    }
    let Some(listed) = listed_files(out) else {
        return Err(WriteError::NotOurs {
            dir: out.to_owned(),
        });
    };
    let unlisted: Vec<String> = present
        .into_iter()
        .filter(|file| file != layout::MANIFEST && !listed.contains(file))
        .collect();
    if unlisted.is_empty() {
        Ok(true)
    } else {
        Err(WriteError::Unlisted {
            dir: out.to_owned(),
            files: unlisted,
        })
    }
}

/// The files a topoc manifest in `dir` lists, or `None` when there is no such manifest.
fn listed_files(dir: &Path) -> Option<std::collections::HashSet<String>> {
    let text = std::fs::read_to_string(dir.join(layout::MANIFEST)).ok()?;
    let manifest = Manifest::parse(&text)?;
    Some(manifest.files.into_iter().map(|file| file.path).collect())
}

/// Every file below `dir`, as sorted relative paths with `/`; links are listed, not followed.
pub fn list_files(dir: &Path) -> Result<Vec<String>, WriteError> {
    let mut files = Vec::new();
    let mut pending = vec![(dir.to_owned(), String::new())];
    while let Some((path, prefix)) = pending.pop() {
        for entry in std::fs::read_dir(&path).map_err(io_error(&path))? {
            let entry = entry.map_err(io_error(&path))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let relative = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            let kind = entry.file_type().map_err(io_error(&entry.path()))?;
            if kind.is_dir() {
                pending.push((entry.path(), relative));
            } else {
                files.push(relative);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Exchanges `staging` and `out` atomically; where the file system cannot, renames `out`
/// aside first, so that only that instant leaves no output.
fn swap(staging: &Path, out: &Path) -> Result<(), WriteError> {
    let cwd = rustix::fs::CWD;
    if rustix::fs::renameat_with(cwd, staging, cwd, out, rustix::fs::RenameFlags::EXCHANGE).is_ok()
    {
        return Ok(());
    }
    let aside = staging.with_extension("previous");
    std::fs::rename(out, &aside).map_err(io_error(out))?;
    if let Err(error) = std::fs::rename(staging, out) {
        let _ = std::fs::rename(&aside, out);
        return Err(io_error(out)(error));
    }
    std::fs::rename(&aside, staging).map_err(io_error(staging))
}
