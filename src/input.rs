//! Files that input names, read with care: a topology comes from any pull request, and the
//! paths it names (`[ca] cert`/`key`, `shared_key_file`, `recipients_file`) must not reach
//! past its directory, hang on a FIFO, or read a device without end.
//!
//! [`Paths`] keeps a topology's paths inside its directory (or a root `--allow-path`
//! names), judged on real paths, links followed; [`read`] reads only a regular file, and
//! only up to a limit. Both fail as an `io::Error` that names what is wrong and the way
//! out, so that every reader reports them as it reports any failure to read.

use std::fs::File;
use std::io::{self, Read as _};
use std::path::{Component, Path, PathBuf};

/// The largest certificate, key, shared key or recipients file read: 1 MB, far above any
/// real one (a 16,384-bit RSA key is 13 kB).
pub const KEY_FILE_LIMIT: u64 = 1_000_000;

/// The largest topology read unless `--max-input-mb` says: 64 MB, seven times a file of
/// 100,000 nodes.
pub const DEFAULT_MAX_INPUT_MB: u64 = 64;

/// The regular file at `path`, whole, if it is at most `limit` bytes. A FIFO, a device or a
/// directory is refused without waiting on it (the file is opened non-blocking and judged
/// by what was opened), and a file that grows while it is read stops at the limit.
pub fn read(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let fd = rustix::fs::open(
        path,
        rustix::fs::OFlags::RDONLY | rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::CLOEXEC,
        rustix::fs::Mode::empty(),
    )?;
    let file = File::from(fd);
    let metadata = file.metadata()?;
    let kind = metadata.file_type();
    if !kind.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{}, not a regular file: only regular files are read",
                describe(kind)
            ),
        ));
    }
    // Room for the file as it is now, so that it is read straight in: it may still grow.
    let expected = metadata.len().min(limit).saturating_add(1);
    let bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    read_into(file, limit, bytes)
}

/// All of `reader` (a file, standard input), if it ends within `limit` bytes.
pub fn read_within(reader: impl io::Read, limit: u64) -> io::Result<Vec<u8>> {
    read_into(reader, limit, Vec::new())
}

/// All of `reader` into `bytes`, if it ends within `limit` bytes.
fn read_into(reader: impl io::Read, limit: u64, mut bytes: Vec<u8>) -> io::Result<Vec<u8>> {
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!("larger than the limit of {}", megabytes(limit)),
        ));
    }
    Ok(bytes)
}

/// [`read`] as UTF-8 text.
pub fn read_text(path: &Path, limit: u64) -> io::Result<String> {
    String::from_utf8(read(path, limit)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not UTF-8 text"))
}

fn megabytes(bytes: u64) -> String {
    if bytes.is_multiple_of(1_000_000) {
        format!("{} MB", bytes / 1_000_000)
    } else {
        format!("{bytes} bytes")
    }
}

fn describe(kind: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt as _;
    if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

/// Where a topology's paths may lead: its own directory, and the roots allowed besides.
#[derive(Debug, Clone)]
pub struct Paths {
    dir: PathBuf,
    allowed: Vec<PathBuf>,
}

impl Paths {
    /// The paths of the topology file at `topology`, relative to its directory.
    pub fn of(topology: &Path) -> Self {
        Paths {
            dir: topology.parent().unwrap_or(Path::new("")).to_owned(),
            allowed: Vec::new(),
        }
    }

    /// Paths may also lead into each of `roots`.
    #[must_use]
    pub fn allowing(mut self, roots: &[PathBuf]) -> Self {
        self.allowed.extend(roots.iter().cloned());
        self
    }

    /// The topology's directory, which relative paths start from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path the topology wrote as `written`, from its directory, if it stays inside
    /// that directory or an allowed root. What exists is judged by its real path (links
    /// followed); what does not, by its text (`..` taken away), and reading it will say it
    /// is missing.
    pub fn resolve(&self, written: &str) -> io::Result<PathBuf> {
        let path = self.dir.join(written);
        let leads_to = real(&path)?;
        let roots = std::iter::once(&self.dir).chain(&self.allowed);
        for root in roots {
            if leads_to.starts_with(real(root)?) {
                return Ok(path);
            }
        }
        let mut message = format!(
            "outside `{}`, the topology's directory: paths in a topology stay inside it",
            real(&self.dir)?.display()
        );
        if self.allowed.is_empty() {
            message.push_str(" (`--allow-path DIR` allows another directory)");
        } else {
            let allowed: Vec<String> = self
                .allowed
                .iter()
                .map(|root| format!("`{}`", root.display()))
                .collect();
            message.push_str(" or ");
            message.push_str(&allowed.join(", "));
            message.push_str(", allowed by `--allow-path`");
        }
        Err(io::Error::new(io::ErrorKind::PermissionDenied, message))
    }
}

/// `path` made absolute and real: links followed where it exists, else `.` and `..` taken
/// away by their text from the real path of its longest existing ancestor.
pub fn real(path: &Path) -> io::Result<PathBuf> {
    let path = if path.as_os_str().is_empty() {
        Path::new(".")
    } else {
        path
    };
    match path.canonicalize() {
        Ok(real) => Ok(real),
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            let absolute = std::path::absolute(path)?;
            let mut out = PathBuf::new();
            for component in absolute.components() {
                match component {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::CurDir => {}
                    other => {
                        out.push(other);
                        if let Ok(real) = out.canonicalize() {
                            out = real;
                        }
                    }
                }
            }
            Ok(out)
        }
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_topology_directory() {
        let dir = tempfile::tempdir().expect("temp");
        let root = dir.path();
        std::fs::create_dir(root.join("net")).expect("dir");
        std::fs::write(root.join("net/ca.pem"), "pem").expect("write");
        std::fs::write(root.join("outside.pem"), "pem").expect("write");
        std::os::unix::fs::symlink(root.join("outside.pem"), root.join("net/link.pem"))
            .expect("link");
        let paths = Paths::of(&root.join("net/cluster.toml"));
        assert!(paths.resolve("ca.pem").is_ok());
        assert!(paths.resolve("./sub/../ca.pem").is_ok());
        assert!(
            paths.resolve("missing/key.pem").is_ok(),
            "missing, not outside"
        );
        for outside in [
            "../outside.pem",
            "/etc/passwd",
            "link.pem",
            "missing/../../x",
        ] {
            let error = paths.resolve(outside).expect_err(outside);
            assert_eq!(error.kind(), io::ErrorKind::PermissionDenied, "{outside}");
            assert!(error.to_string().contains("--allow-path"), "{error}");
        }
        let allowed = paths.allowing(&[root.to_owned()]);
        assert!(allowed.resolve("../outside.pem").is_ok());
        assert!(allowed.resolve("link.pem").is_ok());
        assert!(allowed.resolve("/etc/passwd").is_err());
    }

    #[test]
    fn only_regular_files_within_the_limit_are_read() {
        let dir = tempfile::tempdir().expect("temp");
        let file = dir.path().join("key.pem");
        std::fs::write(&file, "0123456789").expect("write");
        assert_eq!(read(&file, 10).expect("at the limit"), b"0123456789");
        let error = read(&file, 9).expect_err("past it");
        assert_eq!(error.kind(), io::ErrorKind::FileTooLarge);
        assert_eq!(error.to_string(), "larger than the limit of 9 bytes");
        assert!(read(dir.path(), 10).is_err(), "a directory");
        let error = read(Path::new("/dev/zero"), KEY_FILE_LIMIT).expect_err("a device");
        assert!(
            error.to_string().starts_with("a character device"),
            "{error}"
        );
        assert_eq!(
            read_within(std::io::repeat(0), 2_000_000)
                .expect_err("endless")
                .to_string(),
            "larger than the limit of 2 MB"
        );
    }
}
