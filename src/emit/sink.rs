//! Where `compile` puts each file it makes: a [`Sink`]. The in-memory [`Tree`] is one (for
//! previews and tests); the writer's staging directory and its comparison with a previous
//! output are others, so that a build reaches the disk a file at a time and is never held
//! whole in memory.

use super::EmitError;
use super::manifest::{Entry, sha256};
use super::tree::{Tree, UnsafePath, is_safe};

/// Why a sink could not take a file (the writer's own error, boxed so that `emit` does not
/// depend on it).
pub type SinkError = Box<dyn std::error::Error + Send + Sync>;

/// Takes the files of a build, one at a time, each once, in no particular order.
pub trait Sink {
    /// Takes one file of the output. `path` is a plain relative path (checked before).
    ///
    /// # Errors
    ///
    /// When the file cannot be kept (written, read back); the build stops there.
    fn file(&mut self, path: &str, content: &[u8]) -> Result<(), SinkError>;
}

impl Sink for Tree {
    fn file(&mut self, path: &str, content: &[u8]) -> Result<(), SinkError> {
        self.insert(path, content)?;
        Ok(())
    }
}

/// A sink, and each file handed to it with its digest and size: what the manifest lists.
pub(super) struct Recorder<'s> {
    sink: &'s mut dyn Sink,
    pub(super) entries: Vec<Entry>,
}

impl<'s> Recorder<'s> {
    pub(super) fn new(sink: &'s mut dyn Sink) -> Self {
        Recorder {
            sink,
            entries: Vec::new(),
        }
    }

    /// Checks `path` plain, records the file and hands it to the sink.
    pub(super) fn put(
        &mut self,
        path: impl Into<String>,
        content: impl AsRef<[u8]>,
    ) -> Result<(), EmitError> {
        let path = path.into();
        if !is_safe(&path) {
            return Err(UnsafePath(path).into());
        }
        let content = content.as_ref();
        self.sink.file(&path, content).map_err(EmitError::Sink)?;
        self.entries.push(Entry {
            sha256: sha256(content),
            bytes: content.len(),
            path,
        });
        Ok(())
    }

    /// Hands over a file the manifest does not list (the manifest itself).
    pub(super) fn put_unlisted(&mut self, path: &str, content: &[u8]) -> Result<(), EmitError> {
        self.sink.file(path, content).map_err(EmitError::Sink)
    }
}
