//! What git would take in: the guard against plaintext keys committed by accident.

use std::path::{Path, PathBuf};

/// The files among `paths` that git would take in: inside a work tree and not ignored.
/// Without git, or outside any work tree, none.
pub(super) fn exposed_in_git(paths: &[PathBuf]) -> Vec<PathBuf> {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let Some(first) = paths.first() else {
        return Vec::new();
    };
    // git runs in the nearest directory that exists, with paths relative to it (the working
    // directory asked once, not once a path).
    let Ok(cwd) = std::env::current_dir() else {
        return Vec::new();
    };
    let absolute = |path: &Path| cwd.join(path);
    let mut base = absolute(first);
    while !base.is_dir() {
        if !base.pop() {
            return Vec::new();
        }
    }
    let relative: Vec<PathBuf> = paths
        .iter()
        .filter_map(|path| {
            absolute(path)
                .strip_prefix(&base)
                .ok()
                .map(Path::to_path_buf)
        })
        .collect();
    let Ok(mut child) = Command::new("git")
        .args(["check-ignore", "--stdin", "-z", "-v", "-n"])
        .current_dir(&base)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
    else {
        return Vec::new();
    };
    // The paths are written while git's answers are read: git answers as it reads, and
    // with both pipes full neither side would go on.
    let stdin = child.stdin.take();
    let output = std::thread::scope(|scope| {
        scope.spawn(|| {
            let Some(stdin) = stdin else { return };
            let mut stdin = std::io::BufWriter::new(stdin);
            for path in &relative {
                // git gone (not a work tree): stop at the first refusal.
                if stdin
                    .write_all(path.as_os_str().as_encoded_bytes())
                    .and_then(|()| stdin.write_all(b"\0"))
                    .is_err()
                {
                    return;
                }
            }
            let _ = stdin.flush();
        });
        child.wait_with_output()
    });
    let Ok(output) = output else {
        return Vec::new();
    };
    // 0: some are ignored, 1: none is; anything else (not a work tree) says nothing.
    if !matches!(output.status.code(), Some(0 | 1)) {
        return Vec::new();
    }
    // Four fields a path: source, line, pattern, path; an empty source is not ignored.
    let fields: Vec<&[u8]> = output.stdout.split(|&byte| byte == 0).collect();
    fields
        .chunks(4)
        .filter(|record| record.len() == 4 && record[0].is_empty())
        .map(|record| base.join(String::from_utf8_lossy(record[3]).as_ref()))
        .collect()
}
