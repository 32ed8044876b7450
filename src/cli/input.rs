//! The files the commands read: the topology (a regular file, or standard input, within
//! `--max-input-mb`) and the files it names (inside its directory or a root of
//! `--allow-path`), through the library's `input`.

use std::path::{Path, PathBuf};

use topoc::model::Model;
use topoc::seal::Recipients;
use topoc::source::Source;

use super::error::Error;

/// What the command line says about files the input names: the roots of `--allow-path`
/// and the limit of `--max-input-mb`, set once when the arguments are read.
static INPUT: std::sync::OnceLock<(Vec<PathBuf>, u64)> = std::sync::OnceLock::new();

pub(super) fn set_input(allowed: Vec<PathBuf>, max_input_mb: u64) {
    let _ = INPUT.set((allowed, max_input_mb.saturating_mul(1_000_000)));
}

/// The roots `--allow-path` adds to a topology's directory.
pub(super) fn allowed_paths() -> &'static [PathBuf] {
    INPUT.get().map_or(&[], |(allowed, _)| allowed.as_slice())
}

fn max_input_bytes() -> u64 {
    INPUT.get().map_or(
        topoc::input::DEFAULT_MAX_INPUT_MB * 1_000_000,
        |&(_, limit)| limit,
    )
}

/// The error of reading the topology at `path`, with the way past the size limit.
fn topology_read_error(path: String) -> impl FnOnce(std::io::Error) -> Error {
    move |error| {
        let error = if error.kind() == std::io::ErrorKind::FileTooLarge {
            std::io::Error::new(
                error.kind(),
                format!("{error} (`--max-input-mb` raises it)"),
            )
        } else {
            error
        };
        Error::Read { path, error }
    }
}

/// The topology on standard input, reported as `name`, up to `--max-input-mb`.
pub(super) fn read_stdin(name: &Path) -> Result<Source, Error> {
    let bytes = topoc::input::read_within(std::io::stdin().lock(), max_input_bytes())
        .map_err(topology_read_error("standard input".to_owned()))?;
    source_of(name, bytes)
}

/// The topology at `path`, read whole: a regular file of at most `--max-input-mb`.
pub(super) fn read_source(path: &Path) -> Result<Source, Error> {
    let bytes = topoc::input::read(path, max_input_bytes())
        .map_err(topology_read_error(path.display().to_string()))?;
    source_of(path, bytes)
}

/// `bytes` as the text of the topology named `name`.
fn source_of(name: &Path, bytes: Vec<u8>) -> Result<Source, Error> {
    let shown = name.display().to_string();
    let text = String::from_utf8(bytes).map_err(|error| Error::NotUtf8 {
        path: shown.clone(),
        offset: error.utf8_error().valid_up_to(),
    })?;
    Ok(Source::new(shown, text))
}

/// The recipients `[secrets]` names, with those of its `recipients_file` (relative to the
/// topology's directory); `None` when the topology asks for no encryption.
pub(super) fn recipients(model: &Model, topology: &Path) -> Result<Option<Recipients>, Error> {
    let sealing = &model.sealing;
    if !sealing.wanted() {
        return Ok(None);
    }
    let mut written: Vec<String> = sealing.recipients.iter().map(|r| r.value.clone()).collect();
    if let Some(file) = &sealing.recipients_file {
        let path = topoc::input::Paths::of(topology)
            .allowing(allowed_paths())
            .resolve(&file.value)
            .map_err(|error| Error::Read {
                path: topoc::model::values::shown(&file.value),
                error,
            })?;
        let text =
            topoc::input::read_text(&path, topoc::input::KEY_FILE_LIMIT).map_err(|error| {
                Error::Read {
                    path: path.display().to_string(),
                    error,
                }
            })?;
        written.extend(Recipients::lines(&text).map_err(|why| Error::Recipients {
            path: path.clone(),
            why,
        })?);
    }
    Recipients::parse(&written)
        .map(Some)
        .map_err(|why| Error::Recipients {
            path: topology.to_owned(),
            why,
        })
}
