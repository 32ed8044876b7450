//! How `topoc check` scales: for topologies of growing size, the time and the extra peak
//! memory of parsing the TOML alone (the floor any TOML-reading tool pays) and of the whole
//! check, their ratio, and the scaling exponent of the check between sizes. Each figure is
//! measured in a fresh child process, so that memory one measurement freed does not hide
//! another's peak; times are the median of three runs.
//!
//! `cargo bench --bench scale` prints the table; `cargo bench --bench scale -- --write FILE`
//! writes the 100,000-node topology to FILE, to try the binary on it.

// Figures are printed as floats: counts of nodes and bytes far below 2^52.
#![allow(clippy::cast_precision_loss)]

mod generate;

use std::process::Command;
use std::time::{Duration, Instant};

use topoc::level::LintLevels;
use topoc::source::Source;

/// (sites, nodes per site): 1,000, 10,000 and 100,000 nodes in groups of 10.
const SIZES: [(usize, usize); 3] = [(10, 100), (100, 100), (1000, 100)];
const GROUP_SIZE: usize = 10;
const RUNS: usize = 3;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|arg| arg == "--write") {
        let path = args.get(at + 1).expect("--write takes a file name");
        let (sites, per_site) = SIZES[SIZES.len() - 1];
        std::fs::write(path, generate::topology(sites, per_site, GROUP_SIZE)).expect("writable");
        return;
    }
    if let Some(at) = args.iter().position(|arg| arg == "--child") {
        let what = args[at + 1].as_str();
        let size: usize = args[at + 2].parse().expect("size index");
        child(what, size);
        return;
    }
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
                let checked = topoc::check(&source, &LintLevels::default());
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
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with(field))
                .and_then(|line| line.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}
