//! How `topoc check` and `topoc build` scale.
//!
//! Check: for topologies of growing size, the time and the extra peak memory of parsing the
//! TOML alone (the floor any TOML-reading tool pays) and of the whole check, their ratio, and
//! the scaling exponent of the check between sizes. Each figure is measured in a fresh child
//! process, so that memory one measurement freed does not hide another's peak; times are the
//! median of three runs.
//!
//! Build: the `topoc` binary itself on the same topologies, into a fresh directory: the
//! first build (every key and certificate made), a rebuild over it (all reused and checked)
//! and `build --check`, each with the peak memory of the process (its `VmHWM`, read every
//! 2 ms while it runs), and the scaling exponents. The directory is on `/dev/shm` where there
//! is one, so that the figures are topoc's and not the disk's; `TOPOC_BENCH_DIR` picks
//! another place.
//!
//! `cargo bench --bench scale` prints both tables (`-- check` or `-- build` for one);
//! `cargo bench --bench scale -- --write FILE [SIZE]` writes a topology (0, 1 or 2 for 1,000,
//! 10,000 or 100,000 nodes; 2 when left out) to FILE, to try the binary on it.

// Figures are printed as floats: counts of nodes and bytes far below 2^52.
#![allow(clippy::cast_precision_loss)]

mod generate;
mod place;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use topoc::finding::level::LintLevels;
use topoc::source::Source;

/// (sites, nodes per site): 1,000, 10,000 and 100,000 nodes in groups of 10.
const SIZES: [(usize, usize); 3] = [(10, 100), (100, 100), (1000, 100)];
const GROUP_SIZE: usize = 10;
const RUNS: usize = 3;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|arg| arg == "--write") {
        let path = args.get(at + 1).expect("--write takes a file name");
        let index = args
            .get(at + 2)
            .map_or(SIZES.len() - 1, |i| i.parse().expect("size index"));
        let (sites, per_site) = SIZES[index];
        std::fs::write(path, generate::topology(sites, per_site, GROUP_SIZE)).expect("writable");
        return;
    }
    if let Some(at) = args.iter().position(|arg| arg == "--child") {
        let what = args[at + 1].as_str();
        let size: usize = args[at + 2].parse().expect("size index");
        child(what, size);
        return;
    }
    let only = args.get(1).map(String::as_str);
    if only != Some("build") {
        check_table();
    }
    if only != Some("check") {
        build_table();
    }
}

fn check_table() {
    println!(
        "{:>8} {:>8} {:>9} {:>9} {:>6} {:>12} {:>12} {:>8}",
        "nodes", "file MB", "parse ms", "check ms", "ratio", "parse MB", "check MB", "x file"
    );
    let mut previous: Option<(f64, f64)> = None;
    for (index, (sites, per_site)) in SIZES.iter().enumerate() {
        let nodes = sites * per_site;
        let parse = measure("parse", index);
        let check = measure("check", index);
        println!(
            "{nodes:>8} {:>8.1} {:>9.1} {:>9.1} {:>6.2} {:>12.1} {:>12.1} {:>8.1}",
            check.file_mb,
            parse.millis,
            check.millis,
            check.millis / parse.millis,
            parse.peak_mb,
            check.peak_mb,
            check.peak_mb / check.file_mb
        );
        if let Some((previous_nodes, previous_millis)) = previous {
            let exponent =
                (check.millis / previous_millis).ln() / (nodes as f64 / previous_nodes).ln();
            println!(
                "{:>8} scaling exponent of check from the previous size: {exponent:.2}",
                ""
            );
        }
        previous = Some((nodes as f64, check.millis));
    }
}

fn build_table() {
    let base = place::bench_dir();
    let dir = base.join(format!("topoc-bench-{}", std::process::id()));
    println!("\nbuild, in {}:", base.display());
    println!(
        "{:>8} {:>8} {:>9} {:>8} {:>9} {:>8} {:>9} {:>8} {:>9} {:>8}",
        "nodes",
        "files",
        "output MB",
        "first s",
        "peak MB",
        "again s",
        "peak MB",
        "check s",
        "peak MB",
        "exponent"
    );
    let mut previous: Option<(f64, f64)> = None;
    for (sites, per_site) in SIZES {
        let nodes = sites * per_site;
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("bench directory");
        let file = dir.join("topology.toml");
        std::fs::write(&file, generate::topology(sites, per_site, GROUP_SIZE)).expect("writable");
        let build = |extra: &[&str]| {
            let mut args = vec!["build", "topology.toml"];
            args.extend_from_slice(extra);
            run_measured(&dir, &args)
        };
        let Some(first) = build(&[]) else {
            println!("{nodes:>8} refused: its output would exceed the size limit (see above)");
            continue;
        };
        let again = build(&[]).expect("a second build succeeds as the first did");
        let check = build(&["--check"]).expect("the check of a build succeeds");
        let (files, bytes) = tree_size(&dir.join("out"));
        let exponent = previous.map_or(String::new(), |(previous_nodes, previous_secs)| {
            let exponent = (first.0 / previous_secs).ln() / (nodes as f64 / previous_nodes).ln();
            format!("{exponent:.2}")
        });
        println!(
            "{nodes:>8} {files:>8} {:>9.1} {:>8.2} {:>9.1} {:>8.2} {:>9.1} {:>8.2} {:>9.1} {exponent:>8}",
            bytes as f64 / 1e6,
            first.0,
            first.1,
            again.0,
            again.1,
            check.0,
            check.1,
        );
        previous = Some((nodes as f64, first.0));
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("(exponent: of the first build's time, from the previous size)");
}

/// Runs the topoc binary in `dir` with `args`; its wall time in seconds and its peak
/// memory in MB, or `None` when it refused (its reason is on standard error).
fn run_measured(dir: &Path, args: &[&str]) -> Option<(f64, f64)> {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_topoc"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("topoc runs");
    let status_file = PathBuf::from(format!("/proc/{}/status", child.id()));
    let mut peak_kb = 0;
    let status = loop {
        if let Some(status) = child.try_wait().expect("waitable") {
            break status;
        }
        peak_kb = peak_kb.max(place::status_field(&status_file, "VmHWM:"));
        std::thread::sleep(Duration::from_millis(2));
    };
    let seconds = started.elapsed().as_secs_f64();
    status.success().then_some((seconds, peak_kb as f64 / 1e3))
}

/// How many files are under `dir` and their bytes.
fn tree_size(dir: &Path) -> (u64, u64) {
    let mut totals = (0, 0);
    let mut pending = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("listable").flatten() {
            let metadata = entry.metadata().expect("metadata");
            if metadata.is_dir() {
                pending.push(entry.path());
            } else {
                totals.0 += 1;
                totals.1 += metadata.len();
            }
        }
    }
    totals
}

/// One measurement: median time, extra peak memory, and the size of the file.
struct Figures {
    millis: f64,
    peak_mb: f64,
    file_mb: f64,
}

/// Runs one measurement in a child process.
fn measure(what: &str, size: usize) -> Figures {
    let exe = std::env::current_exe().expect("own path");
    let output = Command::new(exe)
        .args(["--child", what, &size.to_string()])
        .output()
        .expect("child runs");
    let line = String::from_utf8_lossy(&output.stdout);
    let fields: Vec<f64> = line
        .split_whitespace()
        .map(|field| field.parse().expect("child prints numbers"))
        .collect();
    assert_eq!(fields.len(), 3, "child output: {line}");
    Figures {
        millis: fields[0],
        peak_mb: fields[1],
        file_mb: fields[2],
    }
}

fn child(what: &str, size: usize) {
    let (sites, per_site) = SIZES[size];
    let text = generate::topology(sites, per_site, GROUP_SIZE);
    let file_mb = text.len() as f64 / 1e6;
    let source = Source::new("generated.toml", text);
    let before = status_kb("VmRSS:");
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            if what == "parse" {
                let parsed = toml::de::DeTable::parse(&source.text).expect("generated TOML parses");
                std::hint::black_box(&parsed);
            } else {
                let checked = topoc::check(
                    &source,
                    &LintLevels::default(),
                    &topoc::Environment::keyless(time::OffsetDateTime::now_utc()),
                )
                .expect("no key material to read");
                assert!(
                    checked.report.diagnostics.is_empty(),
                    "generated topology is clean"
                );
                std::hint::black_box(&checked);
            }
            started.elapsed()
        })
        .collect();
    times.sort();
    let extra_mb = status_kb("VmHWM:").saturating_sub(before) as f64 / 1e3;
    println!(
        "{} {extra_mb} {file_mb}",
        times[RUNS / 2].as_secs_f64() * 1e3
    );
}

/// A field of `/proc/self/status` in kB; 0 where there is no procfs.
fn status_kb(field: &str) -> u64 {
    place::status_field(Path::new("/proc/self/status"), field)
}
