//! What killed builds leave beside the output: their staging directories, removed only
//! when they are topoc's own.

use std::path::{Path, PathBuf};

use super::{Replace, check_replaceable};
use crate::emit::layout;

/// The file a staging directory holds while a build writes into it, so that a later build
/// knows a staging directory a killed build left for topoc's own and removes it. Taken out
/// before the swap: the output never holds it.
pub(super) const STAGING_MARKER: &str = ".topoc-staging";

/// What the marker says to whoever opens it.
pub(super) const MARKER_TEXT: &str = "a build of topoc writes here\n";

/// Removes staging directories of builds of `name` whose process is gone (killed builds),
/// and returns them: only directories that are topoc's own, holding its marker (a build
/// that was writing) or a whole topoc output (one that was swapping), never a link or
/// anything else that only has such a name.
pub(super) fn remove_stale_builds(parent: &Path, name: &str) -> Vec<PathBuf> {
    let prefix = format!(".{name}.topoc-");
    let mut removed = Vec::new();
    let Ok(entries) = std::fs::read_dir(parent) else {
        return removed;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file_name.strip_prefix(&prefix) else {
            continue;
        };
        let pid = rest.split('.').next().unwrap_or_default();
        let alive = pid
            .parse::<u32>()
            .is_ok_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
        let path = entry.path();
        if !alive && is_ours(&path) && remove_ours(&path).is_ok() {
            removed.push(path);
        }
    }
    removed.sort();
    removed
}

/// Removes a staging directory of topoc's (or the previous output swapped into its place)
/// so that a kill at any moment leaves it recognisably topoc's: marked first, the marker
/// removed last, then the directory, empty.
pub(super) fn remove_ours(dir: &Path) -> std::io::Result<()> {
    let marker = dir.join(STAGING_MARKER);
    if std::fs::symlink_metadata(&marker).is_err() {
        std::fs::write(&marker, MARKER_TEXT)?;
    }
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name() == STAGING_MARKER {
            continue;
        }
        if entry.file_type()?.is_dir() {
            std::fs::remove_dir_all(entry.path())?;
        } else {
            std::fs::remove_file(entry.path())?;
        }
    }
    std::fs::remove_file(&marker)?;
    std::fs::remove_dir(dir)
}

/// Whether `dir` is a staging directory topoc made: a directory (not a link to one) with
/// topoc's marker in it, or a whole topoc output, or empty (a build killed as it made or
/// removed it).
fn is_ours(dir: &Path) -> bool {
    let is = |path: &Path, file: bool| {
        std::fs::symlink_metadata(path).is_ok_and(|metadata| {
            if file {
                metadata.is_file()
            } else {
                metadata.is_dir()
            }
        })
    };
    let empty = || std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_none());
    is(dir, false)
        && (empty()
            || is(&dir.join(STAGING_MARKER), true)
            || (is(&dir.join(layout::MANIFEST), true)
                && check_replaceable(dir, Replace::OnlyOurs).is_ok()))
}
