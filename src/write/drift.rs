//! How an output directory differs from a build: [`Compare`], a sink that reads back each
//! file of `out` as the build hands over its own, so that `build --check` holds one file at
//! a time.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use super::{WriteError, io_error, list_files};
use crate::emit::sink::Produce;
use crate::emit::{Sink, SinkError};

/// How a file on disk differs from the build.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Drift {
    /// The build has it, with other content.
    Changed(String),
    /// The build has it; the directory does not.
    Missing(String),
    /// The directory has it; the build does not.
    Unexpected(String),
    /// A certificate a build would re-issue, and why.
    Reissued(String, String),
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Drift::Changed(path) => write!(f, "changed     {path}"),
            Drift::Missing(path) => write!(f, "missing     {path}"),
            Drift::Unexpected(path) => write!(f, "unexpected  {path}"),
            Drift::Reissued(path, why) => write!(f, "re-issue    {path}: {why}"),
        }
    }
}

/// A file of the previous output read alongside what a build writes, to tell whether it
/// holds exactly that: a piece at a time, so that neither is ever held whole.
#[derive(Debug)]
pub(super) struct Against {
    /// `None` when there is no such file.
    old: Option<io::BufReader<std::fs::File>>,
    same: bool,
    /// How many bytes were found equal (while they all are).
    pub(super) matched: u64,
}

impl Against {
    pub(super) fn open(path: &Path) -> Result<Self, WriteError> {
        let old = match std::fs::File::open(path) {
            Ok(file) => Some(io::BufReader::with_capacity(1 << 16, file)),
            Err(error) if error.kind() == io::ErrorKind::NotFound => None,
            Err(error) => return Err(io_error(path)(error)),
        };
        Ok(Against {
            same: old.is_some(),
            old,
            matched: 0,
        })
    }

    /// Whether everything so far was equal to the old file's start.
    pub(super) fn same(&self) -> bool {
        self.same
    }

    /// Compares the next piece of the new content.
    pub(super) fn feed(&mut self, mut data: &[u8]) -> io::Result<()> {
        use io::BufRead as _;
        let Some(old) = self.old.as_mut().filter(|_| self.same) else {
            return Ok(());
        };
        while !data.is_empty() {
            let buffer = old.fill_buf()?;
            let n = buffer.len().min(data.len());
            if n == 0 || buffer[..n] != data[..n] {
                self.same = false;
                return Ok(());
            }
            old.consume(n);
            data = &data[n..];
            self.matched += n as u64;
        }
        Ok(())
    }

    /// After the last piece: the old file must end there too.
    pub(super) fn end(&mut self) -> io::Result<()> {
        use io::BufRead as _;
        if let Some(old) = self.old.as_mut().filter(|_| self.same) {
            self.same = old.fill_buf()?.is_empty();
        }
        Ok(())
    }

    /// How the old file differs, once the new content has ended.
    pub(super) fn drift(&self, relative: &str) -> Option<Drift> {
        match (&self.old, self.same) {
            (None, _) => Some(Drift::Missing(relative.to_owned())),
            (Some(_), false) => Some(Drift::Changed(relative.to_owned())),
            (Some(_), true) => None,
        }
    }
}

impl io::Write for Against {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.feed(data)?;
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The files of `out` that are not among `built` (sorted), as [`Drift::Unexpected`].
pub(super) fn unexpected(out: &Path, built: &[String]) -> Result<Vec<Drift>, WriteError> {
    if !out.is_dir() {
        return Ok(Vec::new());
    }
    Ok(list_files(out)?
        .into_iter()
        .filter(|file| built.binary_search(file).is_err())
        .map(Drift::Unexpected)
        .collect())
}

/// A sink that writes nothing: it compares each file with the one of `out`.
#[derive(Debug)]
pub struct Compare {
    out: PathBuf,
    /// How the files differ, and every file handed over (from any thread).
    found: Mutex<(Vec<Drift>, Vec<String>)>,
}

impl Compare {
    pub fn new(out: &Path) -> Self {
        Compare {
            out: out.to_owned(),
            found: Mutex::default(),
        }
    }

    /// How `out` differs from every file handed over, sorted; empty when it is up to date.
    pub fn finish(self) -> Result<Vec<Drift>, WriteError> {
        let (mut drift, mut seen) = self
            .found
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        seen.sort_unstable();
        drift.extend(unexpected(&self.out, &seen)?);
        drift.sort();
        Ok(drift)
    }
}

impl Sink for Compare {
    fn file(&self, path: &str, produce: Produce<'_>) -> Result<(), SinkError> {
        let full = self.out.join(path);
        let mut against = Against::open(&full)?;
        produce(&mut against).map_err(io_error(&full))?;
        against.end().map_err(io_error(&full))?;
        // A poisoned lock means a thread panicked, and the panic reaches the caller anyway.
        let mut found = self.found.lock().unwrap_or_else(PoisonError::into_inner);
        found.0.extend(against.drift(path));
        found.1.push(path.to_owned());
        Ok(())
    }
}
