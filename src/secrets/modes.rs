//! The permissions of the secrets directory. topoc makes every directory there 0700 and
//! every file 0600. What it finds looser it reports with the command to run, and repairs
//! only when asked (`build --fix-permissions`); it never changes a mode unasked:
//!
//! - a plaintext secret (a private key, a SEG node's configuration) others may read or
//!   write at all, as ssh judges a private key;
//! - anything else (certificates, encrypted `.age` files, directories) others may write:
//!   encrypted secrets and certificates may be read by all (a git clone checks them out
//!   0644 in directories 0755), never replaced.

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use super::{DIR_MODE, FILE_MODE, SecretsError, io_error, layout};
use crate::environment::Loose;

/// Bits that give the group or others any access: none may be set on a plaintext secret.
const OTHERS: u32 = 0o077;
/// Bits that let the group or others write: none may be set on anything.
const OTHERS_WRITE: u32 = 0o022;

/// Every file and directory below `root` (itself included) that others may reach, sorted;
/// links are not followed (a link's own mode means nothing). Nothing when `root` does not
/// exist.
pub(super) fn loose(root: &Path) -> Result<Vec<Loose>, SecretsError> {
    let mut found = Vec::new();
    let metadata = match std::fs::symlink_metadata(root) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(found),
        Err(error) => return Err(io_error(root)(error)),
    };
    // A linked root is judged by what it leads to.
    let metadata = if metadata.file_type().is_symlink() {
        std::fs::metadata(root).map_err(io_error(root))?
    } else {
        metadata
    };
    if !metadata.is_dir() {
        return Ok(found);
    }
    judge(root, metadata.permissions().mode(), None, &mut found);
    let mut pending = vec![root.to_owned()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).map_err(io_error(&dir))? {
            let entry = entry.map_err(io_error(&dir))?;
            let path = entry.path();
            let metadata = std::fs::symlink_metadata(&path).map_err(io_error(&path))?;
            if metadata.is_dir() {
                judge(&path, metadata.permissions().mode(), None, &mut found);
                pending.push(path);
            } else if metadata.is_file() {
                let relative = path.strip_prefix(root).unwrap_or(&path);
                let plaintext = relative.to_str().is_some_and(layout::is_secret);
                judge(
                    &path,
                    metadata.permissions().mode(),
                    Some(plaintext),
                    &mut found,
                );
            }
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(found)
}

/// Adds `path` to `found` if its `mode` is too loose: `plaintext` tells a file holding a
/// plaintext secret from any other, `None` a directory.
fn judge(path: &Path, mode: u32, plaintext: Option<bool>, found: &mut Vec<Loose>) {
    let forbidden = if plaintext == Some(true) {
        OTHERS
    } else {
        OTHERS_WRITE
    };
    if mode & forbidden != 0 {
        found.push(Loose {
            path: path.to_owned(),
            mode: mode & 0o7777,
            wanted: if plaintext.is_none() {
                DIR_MODE
            } else {
                FILE_MODE
            },
        });
    }
}

/// Gives each of `loose` the mode topoc would.
pub(super) fn fix(loose: &[Loose]) -> Result<(), SecretsError> {
    for item in loose {
        std::fs::set_permissions(&item.path, std::fs::Permissions::from_mode(item.wanted))
            .map_err(io_error(&item.path))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::environment::chmod_command;

    #[test]
    fn loose_modes_are_found_and_fixed() {
        let dir = tempfile::tempdir().expect("temp");
        let root = dir.path().join("secrets");
        std::fs::create_dir_all(root.join("nodes/a")).expect("dirs");
        let set = |path: &Path, mode: u32| {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
        };
        std::fs::write(root.join("ca.key"), "k").expect("write");
        std::fs::write(root.join("nodes/a.key"), "k").expect("write");
        std::fs::write(root.join("nodes/a/x.xml"), "k").expect("write");
        std::fs::write(root.join("nodes/b.key.age"), "sealed").expect("write");
        std::fs::write(root.join("ca.pem"), "cert").expect("write");
        // As a git clone leaves them: readable by all, writable by none but the owner.
        set(&root, 0o755);
        set(&root.join("nodes/b.key.age"), 0o644);
        set(&root.join("ca.pem"), 0o644);
        set(&root.join("nodes"), 0o700);
        set(&root.join("nodes/a"), 0o777);
        set(&root.join("ca.key"), 0o600);
        set(&root.join("nodes/a.key"), 0o644);
        set(&root.join("nodes/a/x.xml"), 0o644);
        std::fs::write(root.join("nodes/a/integration-service.config.xml"), "k").expect("write");
        set(&root.join("nodes/a/integration-service.config.xml"), 0o640);
        let found = loose(&root).expect("read");
        let paths: Vec<(String, u32, u32)> = found
            .iter()
            .map(|l| {
                let relative = l.path.strip_prefix(&root).expect("below");
                (relative.display().to_string(), l.mode, l.wanted)
            })
            .collect();
        assert_eq!(
            paths,
            [
                ("nodes/a".to_owned(), 0o777, 0o700),
                (
                    "nodes/a/integration-service.config.xml".to_owned(),
                    0o640,
                    0o600
                ),
                ("nodes/a.key".to_owned(), 0o644, 0o600),
            ]
        );
        fix(&found).expect("fix");
        assert!(loose(&root).expect("read").is_empty());
        assert!(
            loose(&dir.path().join("absent"))
                .expect("nothing")
                .is_empty()
        );
        assert_eq!(
            chmod_command(Path::new("secrets")),
            "chmod -R go-rwx secrets"
        );
        assert_eq!(
            chmod_command(Path::new("my secrets/it's")),
            r"chmod -R go-rwx 'my secrets/it'\''s'"
        );
    }
}
