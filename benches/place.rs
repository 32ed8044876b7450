//! What the benchmarks share about where they run: the directory for their files and the
//! memory figures of a process.

use std::path::{Path, PathBuf};

/// `/dev/shm` where there is one, so that the figures are topoc's and not the disk's;
/// `TOPOC_BENCH_DIR` picks another place.
pub fn bench_dir() -> PathBuf {
    std::env::var_os("TOPOC_BENCH_DIR").map_or_else(
        || {
            let shm = Path::new("/dev/shm");
            if shm.is_dir() {
                shm.to_owned()
            } else {
                std::env::temp_dir()
            }
        },
        PathBuf::from,
    )
}

/// A field of a process's status file in kB; 0 where there is none.
pub fn status_field(file: &Path, field: &str) -> u64 {
    std::fs::read_to_string(file)
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with(field))
                .and_then(|line| line.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}
