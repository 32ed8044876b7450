//! How an output directory differs from a build: [`Compare`], a sink that reads back each
//! file of `out` as the build hands over its own, so that `build --check` holds one file at
//! a time.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use super::{WriteError, io_error, list_files};
use crate::emit::{Sink, SinkError, Tree};

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

/// How the file `relative` of `out` differs from `content`; `None` when it holds exactly
/// that.
pub(super) fn compare(
    out: &Path,
    relative: &str,
    content: &[u8],
) -> Result<Option<Drift>, WriteError> {
    let path = out.join(relative);
    match std::fs::read(&path) {
        Ok(found) if found == content => Ok(None),
        Ok(_) => Ok(Some(Drift::Changed(relative.to_owned()))),
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            Ok(Some(Drift::Missing(relative.to_owned())))
        }
        Err(error) => Err(io_error(&path)(error)),
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
    drift: Vec<Drift>,
    seen: Vec<String>,
}

impl Compare {
    pub fn new(out: &Path) -> Self {
        Compare {
            out: out.to_owned(),
            drift: Vec::new(),
            seen: Vec::new(),
        }
    }

    /// How `out` differs from every file handed over, sorted; empty when it is up to date.
    pub fn finish(mut self) -> Result<Vec<Drift>, WriteError> {
        self.seen.sort_unstable();
        let unexpected = unexpected(&self.out, &self.seen)?;
        self.drift.extend(unexpected);
        self.drift.sort();
        Ok(self.drift)
    }
}

impl Sink for Compare {
    fn file(&mut self, path: &str, content: &[u8]) -> Result<(), SinkError> {
        if let Some(drift) = compare(&self.out, path, content)? {
            self.drift.push(drift);
        }
        self.seen.push(path.to_owned());
        Ok(())
    }
}

/// How `out` differs from `tree`, sorted; empty when the output is up to date.
pub fn drift(tree: &Tree, out: &Path) -> Result<Vec<Drift>, WriteError> {
    let mut comparing = Compare::new(out);
    for (path, content) in tree.iter() {
        if let Some(drift) = compare(out, path, content)? {
            comparing.drift.push(drift);
        }
        comparing.seen.push(path.to_owned());
    }
    comparing.finish()
}
