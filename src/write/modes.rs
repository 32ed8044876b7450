//! The modes of a published output: files 0644 (scripts 0755) and directories 0755,
//! whatever the umask of the process that writes them.

use std::path::Path;

use super::{WriteError, io_error, list_files};
use crate::emit::layout;

/// The process's umask set to 022 while a value lives, then put back.
#[derive(Debug)]
pub(super) struct Umask(rustix::fs::Mode);

impl Umask {
    pub(super) fn published() -> Self {
        Umask(rustix::process::umask(rustix::fs::Mode::from_raw_mode(
            0o022,
        )))
    }
}

impl Drop for Umask {
    fn drop(&mut self) {
        rustix::process::umask(self.0);
    }
}

/// Whether every file of `out` has the mode [`commit`] gives it (0644, scripts 0755) and
/// every directory 0755, so that an output left by a looser umask is written again.
pub fn modes_as_written(out: &Path) -> Result<bool, WriteError> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |path: &Path| {
        std::fs::symlink_metadata(path)
            .map(|metadata| metadata.permissions().mode() & 0o7777)
            .map_err(io_error(path))
    };
    if mode(out)? != 0o755 {
        return Ok(false);
    }
    let mut directories = std::collections::HashSet::new();
    for file in list_files(out)? {
        let path = out.join(&file);
        let wanted = if layout::executable(&file) {
            0o755
        } else {
            0o644
        };
        if mode(&path)? != wanted {
            return Ok(false);
        }
        let mut dir = path.parent();
        while let Some(parent) = dir.filter(|parent| *parent != out) {
            if !directories.insert(parent.to_owned()) {
                break;
            }
            if mode(parent)? != 0o755 {
                return Ok(false);
            }
            dir = parent.parent();
        }
    }
    Ok(true)
}
