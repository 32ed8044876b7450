//! [`Staging`]: a build written as it is made, a file at a time, into a hidden directory
//! beside the output, then swapped in whole.
//!
//! While the build matches the previous output file for file, nothing is written: an
//! unchanged rebuild leaves `out` alone. At the first file that differs the staging
//! directory is made, the files found equal so far are copied into it from the previous
//! output (they hold exactly what the build would write), and every later file is written
//! there as it comes.

use std::fs::File;
use std::io::{Read as _, Write};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::drift::{Against, Drift, unexpected};
use super::modes::{Umask, modes_as_written};
use super::stale::{MARKER_TEXT, STAGING_MARKER, remove_ours, remove_stale_builds};
use super::{Replace, WriteError, check_replaceable, io_error, parent_of, swap, sync_file_system};
use crate::emit::sink::Produce;
use crate::emit::{Sink, SinkError, layout};

/// An output being written. Dropped before [`Staging::finish`], it removes what it wrote.
/// Files may come from several threads at once: what they share is behind a lock, taken
/// for the bookkeeping and to create a file, never while one is written.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    parent: PathBuf,
    dir: PathBuf,
    /// Whether `out` exists (so that the staging directory is exchanged with it).
    exists: bool,
    progress: Mutex<Progress>,
    removed: Vec<PathBuf>,
    finished: bool,
    _umask: Umask,
}

/// What the files handed over so far have done.
#[derive(Debug, Default)]
struct Progress {
    /// Whether the staging directory is made (the build differs from `out`).
    started: bool,
    /// Before that: the files found equal to `out`'s, to copy when it starts.
    equal: Vec<String>,
    /// Every file handed over, when there is a previous output to compare with.
    seen: Vec<String>,
    drift: Vec<Drift>,
    /// The directory of the file created last, relative (each node's files come together,
    /// so each of its directories is made once).
    last_directory: String,
}

/// What [`Staging::finish`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    /// False when `out` already held this build, with the modes topoc gives: nothing was
    /// written.
    pub written: bool,
    /// Whether there was a previous output to compare with; without one, every file is new
    /// and `drift` is empty.
    pub compared: bool,
    /// How the previous output differed from this build, sorted.
    pub drift: Vec<Drift>,
    /// The staging directories of killed builds removed first.
    pub removed: Vec<PathBuf>,
}

impl Staging {
    /// Prepares to replace `out`: refuses an output topoc may not replace, and removes the
    /// staging directories killed builds left. Nothing is made yet.
    pub fn new(out: &Path, replace: Replace) -> Result<Self, WriteError> {
        // Files 0644 (scripts 0755) and directories 0755, whatever the umask the build runs
        // under: the output is published, never writable by others.
        let umask = Umask::published();
        let exists = check_replaceable(out, replace)?;
        let name = out
            .file_name()
            .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
        let parent = parent_of(out);
        std::fs::create_dir_all(&parent).map_err(io_error(&parent))?;
        let removed = remove_stale_builds(&parent, &name);
        let dir = parent.join(format!(".{name}.topoc-{}", std::process::id()));
        Ok(Staging {
            out: out.to_owned(),
            parent,
            dir,
            exists,
            progress: Mutex::default(),
            removed,
            finished: false,
            _umask: umask,
        })
    }

    /// The shared bookkeeping, locked. A poisoned lock means a thread panicked while
    /// holding it, and the panic reaches the caller anyway.
    fn progress(&self) -> MutexGuard<'_, Progress> {
        self.progress.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Makes the staging directory, marked as topoc's while it is written, and copies into
    /// it the files found equal so far.
    fn start(&self, progress: &mut Progress) -> Result<(), WriteError> {
        if self.dir.exists() {
            remove_ours(&self.dir).map_err(io_error(&self.dir))?;
        }
        std::fs::create_dir(&self.dir).map_err(io_error(&self.dir))?;
        progress.started = true;
        let marker = self.dir.join(STAGING_MARKER);
        std::fs::write(&marker, MARKER_TEXT).map_err(io_error(&marker))?;
        for relative in std::mem::take(&mut progress.equal) {
            self.copy_previous(&relative, progress)?;
        }
        Ok(())
    }

    /// Copies the previous output's file `relative`, found equal to the build's, into the
    /// staging directory.
    fn copy_previous(&self, relative: &str, progress: &mut Progress) -> Result<(), WriteError> {
        let from = self.out.join(relative);
        let content = std::fs::read(&from).map_err(io_error(&from))?;
        let path = self.dir.join(relative);
        let mut file = self.create(relative, progress)?;
        file.write_all(&content).map_err(io_error(&path))
    }

    /// Creates the file `relative` of the staging directory (and its directory), with the
    /// mode the output gives it.
    fn create(&self, relative: &str, progress: &mut Progress) -> Result<File, WriteError> {
        if let Some((directory, _)) = relative.rsplit_once('/')
            && progress.last_directory != directory
        {
            let path = self.dir.join(directory);
            std::fs::create_dir_all(&path).map_err(io_error(&path))?;
            directory.clone_into(&mut progress.last_directory);
        }
        let path = self.dir.join(relative);
        let mode = if layout::executable(relative) {
            0o755
        } else {
            0o644
        };
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&path)
            .map_err(io_error(&path))
    }

    /// Puts the build in place of `out` with one atomic exchange, once it is on the disk;
    /// or, when `out` already holds it, leaves `out` as it is.
    pub fn finish(mut self) -> Result<Committed, WriteError> {
        let progress = self
            .progress
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        let started = progress.started;
        let (mut seen, mut drift) = (
            std::mem::take(&mut progress.seen),
            std::mem::take(&mut progress.drift),
        );
        if self.exists {
            seen.sort_unstable();
            drift.extend(unexpected(&self.out, &seen)?);
            drift.sort();
        }
        if self.exists && !started && drift.is_empty() && modes_as_written(&self.out)? {
            self.finished = true;
            return Ok(Committed {
                written: false,
                compared: true,
                drift,
                removed: std::mem::take(&mut self.removed),
            });
        }
        if !started {
            self.start(&mut self.progress())?;
        }
        // The new tree reaches the disk before it replaces the old one, so that a power
        // loss after `build` returns cannot leave an empty or partial tree in its place.
        let marker = self.dir.join(STAGING_MARKER);
        std::fs::remove_file(&marker).map_err(io_error(&marker))?;
        sync_file_system(&self.dir)?;
        if self.exists {
            swap(&self.dir, &self.out)?;
        } else {
            std::fs::rename(&self.dir, &self.out).map_err(io_error(&self.out))?;
        }
        self.finished = true;
        // After an exchange, the staging path holds the previous output. The rename itself
        // is made durable by syncing the directory that holds both.
        let _ = remove_ours(&self.dir);
        sync_file_system(&self.parent)?;
        Ok(Committed {
            written: true,
            compared: self.exists,
            drift,
            removed: std::mem::take(&mut self.removed),
        })
    }
}

impl Sink for Staging {
    fn file(&self, path: &str, produce: Produce<'_>) -> Result<(), SinkError> {
        let against = if self.exists {
            self.progress().seen.push(path.to_owned());
            Some(Against::open(&self.out.join(path))?)
        } else {
            None
        };
        let full = self.dir.join(path);
        let mut tee = Tee {
            staging: self,
            relative: path,
            against,
            file: None,
        };
        // Written from the first byte once the staging has started, or when there is no
        // previous file it may equal.
        if !tee.against.as_ref().is_some_and(Against::same) || tee.staging.progress().started {
            tee.open(0)?;
        }
        produce(&mut tee).map_err(io_error(&full))?;
        tee.end()?;
        Ok(())
    }
}

/// One file on its way: compared with the previous output's while it may equal it,
/// written into the staging directory once it may not (or once the staging has started).
struct Tee<'s> {
    staging: &'s Staging,
    relative: &'s str,
    against: Option<Against>,
    file: Option<File>,
}

impl Tee<'_> {
    /// Starts the staging directory if need be and creates the file there, beginning with
    /// the `prefix` bytes found equal to the previous output's so far.
    fn open(&mut self, prefix: u64) -> Result<(), WriteError> {
        let mut progress = self.staging.progress();
        if !progress.started {
            self.staging.start(&mut progress)?;
        }
        let mut file = self.staging.create(self.relative, &mut progress)?;
        drop(progress);
        if prefix > 0 {
            let old = self.staging.out.join(self.relative);
            let mut reader = File::open(&old).map_err(io_error(&old))?.take(prefix);
            std::io::copy(&mut reader, &mut file).map_err(io_error(&old))?;
        }
        self.file = Some(file);
        Ok(())
    }

    /// After the last piece: writes the file if it turned out to differ only at its end,
    /// and records how it compares.
    fn end(mut self) -> Result<(), WriteError> {
        let path = self.staging.dir.join(self.relative);
        if let Some(against) = self.against.as_mut() {
            against.end().map_err(io_error(&path))?;
            let matched = against.matched;
            if self.file.is_none() && !against.same() {
                self.open(matched)?;
            }
        }
        let drift = self.against.as_ref().and_then(|a| a.drift(self.relative));
        let mut progress = self.staging.progress();
        match drift {
            Some(drift) => progress.drift.push(drift),
            // Another thread started the staging directory while this file was found equal
            // to the previous one: it is copied from there now.
            None if self.file.is_none() && progress.started => {
                self.staging.copy_previous(self.relative, &mut progress)?;
            }
            None if self.file.is_none() => progress.equal.push(self.relative.to_owned()),
            None => {}
        }
        Ok(())
    }
}

impl Write for Tee<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if let Some(against) = self.against.as_mut() {
            let (was_same, before) = (against.same(), against.matched);
            against.feed(data)?;
            if was_same && !against.same() && self.file.is_none() {
                self.open(before).map_err(std::io::Error::other)?;
            }
        }
        if let Some(file) = self.file.as_mut() {
            file.write_all(data)?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let started = self
            .progress
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .started;
        if started && !self.finished {
            let _ = remove_ours(&self.dir);
        }
    }
}
