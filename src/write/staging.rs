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

use super::drift::{Against, Drift, unexpected};
use super::modes::{Umask, modes_as_written};
use super::stale::{MARKER_TEXT, STAGING_MARKER, remove_ours, remove_stale_builds};
use super::{Replace, WriteError, check_replaceable, io_error, parent_of, swap, sync_file_system};
use crate::emit::sink::Produce;
use crate::emit::{Sink, SinkError, layout};

/// An output being written. Dropped before [`Staging::finish`], it removes what it wrote.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    parent: PathBuf,
    dir: PathBuf,
    /// Whether `out` exists (so that the staging directory is exchanged with it).
    exists: bool,
    /// Whether the staging directory is made (the build differs from `out`).
    started: bool,
    /// Before that: the files found equal to `out`'s, to copy when it starts.
    equal: Vec<String>,
    /// Every file handed over, when there is a previous output to compare with.
    seen: Vec<String>,
    drift: Vec<Drift>,
    /// The directory of the file written last, relative (each node's files come together,
    /// so each of its directories is made once).
    last_directory: String,
    removed: Vec<PathBuf>,
    finished: bool,
    _umask: Umask,
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
            started: false,
            equal: Vec::new(),
            seen: Vec::new(),
            drift: Vec::new(),
            last_directory: String::new(),
            removed,
            finished: false,
            _umask: umask,
        })
    }

    /// Makes the staging directory, marked as topoc's while it is written, and copies into
    /// it the files found equal so far.
    fn start(&mut self) -> Result<(), WriteError> {
        if self.dir.exists() {
            remove_ours(&self.dir).map_err(io_error(&self.dir))?;
        }
        std::fs::create_dir(&self.dir).map_err(io_error(&self.dir))?;
        self.started = true;
        let marker = self.dir.join(STAGING_MARKER);
        std::fs::write(&marker, MARKER_TEXT).map_err(io_error(&marker))?;
        for relative in std::mem::take(&mut self.equal) {
            let from = self.out.join(&relative);
            let content = std::fs::read(&from).map_err(io_error(&from))?;
            self.write(&relative, &content)?;
        }
        Ok(())
    }

    fn write(&mut self, relative: &str, content: &[u8]) -> Result<(), WriteError> {
        let path = self.dir.join(relative);
        let mut file = self.create(relative)?;
        file.write_all(content).map_err(io_error(&path))
    }

    /// Creates the file `relative` of the staging directory (and its directory), with the
    /// mode the output gives it.
    fn create(&mut self, relative: &str) -> Result<File, WriteError> {
        if let Some((directory, _)) = relative.rsplit_once('/')
            && self.last_directory != directory
        {
            let path = self.dir.join(directory);
            std::fs::create_dir_all(&path).map_err(io_error(&path))?;
            directory.clone_into(&mut self.last_directory);
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
        if self.exists {
            self.seen.sort_unstable();
            let unexpected = unexpected(&self.out, &self.seen)?;
            self.drift.extend(unexpected);
            self.drift.sort();
        }
        if self.exists && !self.started && self.drift.is_empty() && modes_as_written(&self.out)? {
            self.finished = true;
            return Ok(Committed {
                written: false,
                compared: true,
                drift: std::mem::take(&mut self.drift),
                removed: std::mem::take(&mut self.removed),
            });
        }
        if !self.started {
            self.start()?;
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
            drift: std::mem::take(&mut self.drift),
            removed: std::mem::take(&mut self.removed),
        })
    }
}

impl Sink for Staging {
    fn file(&mut self, path: &str, produce: Produce<'_>) -> Result<(), SinkError> {
        let against = if self.exists {
            self.seen.push(path.to_owned());
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
        if tee.staging.started || !tee.against.as_ref().is_some_and(Against::same) {
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
    staging: &'s mut Staging,
    relative: &'s str,
    against: Option<Against>,
    file: Option<File>,
}

impl Tee<'_> {
    /// Starts the staging directory if need be and creates the file there, beginning with
    /// the `prefix` bytes found equal to the previous output's so far.
    fn open(&mut self, prefix: u64) -> Result<(), WriteError> {
        if !self.staging.started {
            self.staging.start()?;
        }
        let mut file = self.staging.create(self.relative)?;
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
        match self.against.as_ref().and_then(|a| a.drift(self.relative)) {
            Some(drift) => self.staging.drift.push(drift),
            None if self.file.is_none() => self.staging.equal.push(self.relative.to_owned()),
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
        if self.started && !self.finished {
            let _ = remove_ours(&self.dir);
        }
    }
}
