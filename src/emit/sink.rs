//! Where `compile` puts each file it makes: a [`Sink`]. The in-memory [`Tree`] is one (for
//! previews and tests, behind a mutex); the writer's staging directory and its comparison
//! with a previous output are others, so that a build reaches the disk a file at a time and
//! is never held whole in memory. A sink takes files from several threads at once (the
//! nodes' files and the cluster's are made side by side), each file whole from one.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use sha2::{Digest, Sha256};

use super::EmitError;
use super::manifest::Entry;
use super::tree::{Tree, UnsafePath, is_safe};
use crate::model::Model;

/// Why a sink could not take a file (the writer's own error, boxed so that `emit` does not
/// depend on it).
pub type SinkError = Box<dyn std::error::Error + Send + Sync>;

/// What makes one file: it writes the file's content into the writer it is given.
pub type Produce<'p> = &'p mut dyn FnMut(&mut dyn Write) -> io::Result<()>;

/// Takes the files of a build, each once, in no particular order, from any thread.
pub trait Sink: Sync {
    /// Told, before the first file, the model whose files follow (a sink of secrets
    /// learns there whom to encrypt them for).
    ///
    /// # Errors
    ///
    /// When the sink cannot take this model's files; the build stops before the first.
    fn begin(&mut self, _model: &Model) -> Result<(), SinkError> {
        Ok(())
    }

    /// Takes one file of the output: calls `produce` exactly once with a writer for its
    /// content, so that a large file streams through and is never held whole. `path` is a
    /// plain relative path (checked before). Other threads may hand over other files
    /// meanwhile.
    ///
    /// # Errors
    ///
    /// When the file cannot be kept (written, read back) or `produce` fails; the build
    /// stops there.
    fn file(&self, path: &str, produce: Produce<'_>) -> Result<(), SinkError>;
}

/// Where a build puts what it makes: the output, and the secrets it makes or changes.
pub struct Sinks<'a> {
    pub public: &'a mut dyn Sink,
    pub secrets: &'a mut dyn Sink,
}

impl std::fmt::Debug for Sinks<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sinks").finish_non_exhaustive()
    }
}

/// A tree in memory takes files from one thread at a time.
impl Sink for Mutex<Tree> {
    fn file(&self, path: &str, produce: Produce<'_>) -> Result<(), SinkError> {
        let mut content = Vec::new();
        produce(&mut content)?;
        // A poisoned lock means a thread panicked, and the panic reaches the caller anyway.
        self.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(path, content)?;
        Ok(())
    }
}

/// A writer that passes everything on and takes its digest and length on the way.
struct Hashing<'w> {
    inner: &'w mut dyn Write,
    digest: Sha256,
    bytes: usize,
}

impl Write for Hashing<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(data)?;
        self.digest.update(&data[..written]);
        self.bytes += written;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A sink, and each file handed to it with its digest and size: what the manifest lists.
/// Recorders on several threads may share one sink, and a flag that halts them all once
/// one of them failed.
pub(super) struct Recorder<'s> {
    sink: &'s dyn Sink,
    halt: &'s AtomicBool,
    pub(super) entries: Vec<Entry>,
}

impl<'s> Recorder<'s> {
    pub(super) fn new(sink: &'s dyn Sink, halt: &'s AtomicBool) -> Self {
        Recorder {
            sink,
            halt,
            entries: Vec::new(),
        }
    }

    /// Tells the recorders sharing the flag to stop (this one failed).
    pub(super) fn halt_all(&self) {
        self.halt.store(true, Ordering::Relaxed);
    }

    /// [`EmitError::Halted`] once another recorder failed.
    fn go_on(&self) -> Result<(), EmitError> {
        if self.halt.load(Ordering::Relaxed) {
            return Err(EmitError::Halted);
        }
        Ok(())
    }

    /// Checks `path` plain, hands the file to the sink and records it. The content is
    /// whole already: it goes to the sink as it is, unbuffered.
    pub(super) fn put(
        &mut self,
        path: impl Into<String>,
        content: impl AsRef<[u8]>,
    ) -> Result<(), EmitError> {
        let content = content.as_ref();
        self.record(path.into(), &mut |writer| writer.write_all(content))
    }

    /// [`Recorder::put`], the content written by `produce` a piece at a time (buffered).
    pub(super) fn put_with(
        &mut self,
        path: impl Into<String>,
        mut produce: impl FnMut(&mut dyn Write) -> io::Result<()>,
    ) -> Result<(), EmitError> {
        self.record(path.into(), &mut |writer| {
            let mut buffered = io::BufWriter::with_capacity(1 << 16, writer);
            produce(&mut buffered)?;
            buffered.flush()
        })
    }

    /// Checks `path` plain, hands the file `produce` writes to the sink, and records it
    /// with the digest and size of what went through.
    fn record(
        &mut self,
        path: String,
        produce: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    ) -> Result<(), EmitError> {
        self.go_on()?;
        if !is_safe(&path) {
            return Err(UnsafePath(path).into());
        }
        let mut recorded = None;
        self.sink
            .file(&path, &mut |writer| {
                let mut hashing = Hashing {
                    inner: writer,
                    digest: Sha256::new(),
                    bytes: 0,
                };
                produce(&mut hashing)?;
                recorded = Some((hashing.digest.finalize(), hashing.bytes));
                Ok(())
            })
            .map_err(EmitError::Sink)?;
        let (digest, bytes) = recorded.ok_or_else(|| {
            EmitError::Sink(format!("the output took no content for `{path}`").into())
        })?;
        self.entries.push(Entry {
            sha256: digest.into(),
            bytes,
            path,
        });
        Ok(())
    }
}

/// Hands `sink` a file the manifest does not list (the manifest itself), written by
/// `produce` a piece at a time (buffered).
pub(super) fn put_unlisted(
    sink: &dyn Sink,
    path: &str,
    mut produce: impl FnMut(&mut dyn Write) -> io::Result<()>,
) -> Result<(), EmitError> {
    sink.file(path, &mut |writer| {
        let mut buffered = io::BufWriter::with_capacity(1 << 16, writer);
        produce(&mut buffered)?;
        buffered.flush()
    })
    .map_err(EmitError::Sink)
}
