//! How long `check` takes to prove `[resilience] nodes = 2`: `cargo bench --bench resilience`
//! checks clusters of sites of ten nodes, two of them transit nodes (so no single node cuts
//! and every pair must be judged), at growing sizes, and prints the time of each and the
//! largest size checked within a second. The proof is one linear search per node, so the
//! time grows with the square of the cluster.

// Figures are printed as floats: counts far below 2^52.
#![allow(clippy::cast_precision_loss)]

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use time::OffsetDateTime;
use topoc::environment::Environment;
use topoc::finding::level::LintLevels;
use topoc::source::Source;

const RUNS: usize = 3;

/// `nodes` nodes in sites of ten, two transit nodes a site, `[resilience] nodes = 2`.
fn topology(nodes: usize) -> String {
    let mut text = String::from(
        "[cluster]\nname = \"resilient\"\n[ntp]\nservers = [\"192.0.2.123\"]\n\
         [resilience]\nnodes = 2\n",
    );
    for site in 0..nodes.div_ceil(10) {
        let _ = writeln!(text, "[sites.s{site}]");
    }
    for node in 0..nodes {
        let _ = write!(
            text,
            "[nodes.n{node}]\nsite = \"s{}\"\naddress = \"10.{}.{}.{}\"\n{}",
            node / 10,
            node / 62_500,
            node / 250 % 250,
            node % 250 + 1,
            if node % 10 < 2 {
                "transit = true\n"
            } else {
                ""
            }
        );
    }
    text
}

/// The median time of checking `text`, and the codes it reported.
fn time(text: &str) -> (Duration, Vec<&'static str>) {
    let source = Source::new("resilient.toml", text);
    let environment = Environment::keyless(OffsetDateTime::UNIX_EPOCH);
    let mut codes = Vec::new();
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let checked = topoc::check(&source, &LintLevels::default(), &environment)
                .expect("no keys to read");
            let elapsed = start.elapsed();
            codes = checked
                .report
                .diagnostics
                .iter()
                .map(|d| d.finding.lint.code)
                .collect();
            elapsed
        })
        .collect();
    times.sort();
    (times[RUNS / 2], codes)
}

fn main() {
    println!("{:>8} {:>12}  reported", "nodes", "check (s)");
    let mut within_a_second = 0;
    for nodes in [1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 8_000, 10_000] {
        let (took, codes) = time(&topology(nodes));
        assert!(
            codes.contains(&"resilience"),
            "two transit nodes of a site cut it off: {codes:?}"
        );
        println!(
            "{nodes:>8} {:>12.3}  {}",
            took.as_secs_f64(),
            codes.join(", ")
        );
        if took <= Duration::from_secs(1) {
            within_a_second = nodes;
        } else {
            break;
        }
    }
    println!("\nlargest cluster proved within a second: {within_a_second} nodes");
}
