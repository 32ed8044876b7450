//! The files of a build, in memory: relative path to content, sorted by path.

use std::collections::BTreeMap;
use std::fmt;

/// Relative paths with `/` separators; every component a plain file name.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tree {
    files: BTreeMap<String, Box<[u8]>>,
}

/// A path built from the input that is not a plain relative path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsafePath(pub String);

impl fmt::Display for UnsafePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "refusing to write `{}`: not a plain relative path",
            self.0.escape_debug()
        )
    }
}

impl std::error::Error for UnsafePath {}

impl Tree {
    /// Adds a file. Names come from DNS-label names, checked again here so that no input
    /// can ever place a file outside the output directory.
    pub fn insert(
        &mut self,
        path: impl Into<String>,
        content: impl Into<Vec<u8>>,
    ) -> Result<(), UnsafePath> {
        let path = path.into();
        if !is_safe(&path) {
            return Err(UnsafePath(path));
        }
        // A `String` or `Vec` given by value becomes the content without a copy (unless it
        // has room to spare, which is given back).
        self.files.insert(path, content.into().into_boxed_slice());
        Ok(())
    }

    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(|content| &**content)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files
            .iter()
            .map(|(path, content)| (path.as_str(), &**content))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// Whether every component is a non-empty name of letters, digits, `.`, `-` and `_`,
/// other than `.` and `..`.
pub fn is_safe(path: &str) -> bool {
    !path.is_empty()
        && path.split('/').all(|part| {
            !part.is_empty()
                && part != "."
                && part != ".."
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths_enter_the_tree() {
        let mut tree = Tree::default();
        assert!(tree.insert("nodes/tok-1/node.json", "{}").is_ok());
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../b",
            "a//b",
            "a/./b",
            "nodes/a b",
            "nodes/\u{202e}x",
        ] {
            assert!(tree.insert(bad, "x").is_err(), "{bad:?}");
        }
        assert_eq!(tree.len(), 1);
    }
}
