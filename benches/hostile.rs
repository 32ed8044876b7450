//! Hostile shapes stay near-linear: `cargo bench --bench hostile` checks files made to be
//! slow (many misspelt names against many candidates, many unknown keys, many lone parts)
//! at 2,000 and at 20,000 of the repeated thing, and prints the ratio of the two times,
//! whose goal is near 10 (linear); a quadratic shape gives near 100.
//!
//! Each time is the median of five runs in this process of what `topoc check --format json`
//! does: read, resolve, analyse, lint, summarise past the limit per code, and render.

// Figures are printed as floats: counts far below 2^52.
#![allow(clippy::cast_precision_loss)]

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use time::OffsetDateTime;
use topoc::environment::Environment;
use topoc::finding::diagnostic::DEFAULT_PER_CODE;
use topoc::finding::level::LintLevels;
use topoc::report::json;
use topoc::source::Source;

const RUNS: usize = 5;
const SMALL: usize = 2_000;
const LARGE: usize = 20_000;
/// Above it, a shape is called worse than linear.
const GOAL: f64 = 15.0;

const HEAD: &str = "[cluster]\nname = \"x\"\n[ntp]\nservers = [\"192.0.2.123\"]\n\
                    [sites.s]\nsubnet = \"10.0.0.0/8\"\n";

/// One node naming `n` network groups of one member each (`lonely-network-group`, each
/// with its "did you mean").
fn lonely_groups(n: usize) -> String {
    let groups: Vec<String> = (0..n).map(|i| format!("\"g{i}\"")).collect();
    format!(
        "{HEAD}[nodes.a]\nsite = \"s\"\naddress = \"10.0.0.1\"\nnetwork_groups = [{}]\n\
         [nodes.b]\nsite = \"s\"\naddress = \"10.0.0.2\"\n",
        groups.join(", ")
    )
}

/// `n` sites and `n` nodes, each naming a site that is not there (names of one length,
/// so that every site is a candidate at both sizes).
fn unknown_sites(n: usize) -> String {
    let mut text = HEAD.to_owned();
    for i in 0..n {
        let _ = writeln!(text, "[sites.site{i:05}]");
    }
    for i in 0..n {
        let _ = write!(
            text,
            "[nodes.n{i}]\nsite = \"unknown{i:05}\"\naddress = \"{}\"\n",
            address(i)
        );
    }
    text
}

/// The `i`th address of `10.0.0.0/8`, from `10.0.0.1`.
fn address(i: usize) -> String {
    format!("10.{}.{}.{}", i / 62_500, i / 250 % 250, i % 250 + 1)
}

/// One table with `n` keys topoc does not know.
fn unknown_keys(n: usize) -> String {
    let mut text = format!("{HEAD}[nodes.a]\nsite = \"s\"\naddress = \"10.0.0.1\"\n");
    for i in 0..n {
        let _ = writeln!(text, "unknown_key_{i} = 1");
    }
    text
}

/// `n` nodes each alone in a network group of its own: `n` parts that cannot reach each
/// other (`unreachable-nodes`, each looking for a misspelt group).
fn lone_parts(n: usize) -> String {
    let mut text = HEAD.to_owned();
    for i in 0..n {
        let _ = write!(
            text,
            "[nodes.n{i}]\nsite = \"s\"\naddress = \"{}\"\nnetwork_groups = [\"part{i}\"]\n",
            address(i)
        );
    }
    text
}

/// A shape's name and the file of it with a given count of the repeated thing.
type Shape = fn(usize) -> String;

fn main() {
    let shapes: [(&str, Shape); 4] = [
        ("one node in many single-member groups", lonely_groups),
        ("many nodes naming unknown sites", unknown_sites),
        ("many unknown keys in one table", unknown_keys),
        ("many nodes each in a part of its own", lone_parts),
    ];
    println!(
        "{:<44} {:>10} {:>10} {:>8} {:>6}  near-linear",
        "shape", "2,000 (s)", "20,000 (s)", "ratio", "goal"
    );
    let mut worst: f64 = 0.0;
    for (name, make) in shapes {
        let small = time(&make(SMALL));
        let large = time(&make(LARGE));
        let ratio = large.as_secs_f64() / small.as_secs_f64();
        worst = worst.max(ratio);
        println!(
            "{name:<44} {:>10.4} {:>10.4} {ratio:>8.1} {:>6}  {}",
            small.as_secs_f64(),
            large.as_secs_f64(),
            format!("<= {GOAL}"),
            if ratio <= GOAL { "yes" } else { "no" }
        );
    }
    println!("\nworst ratio {worst:.1} (10 is linear, 100 quadratic)");
}

/// The median time of checking and reporting `text`.
fn time(text: &str) -> Duration {
    let source = Source::new("hostile.toml", text);
    let environment = Environment::keyless(OffsetDateTime::UNIX_EPOCH);
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let checked = topoc::check(&source, &LintLevels::default(), &environment)
                .expect("no keys to read");
            let mut report = checked.report;
            assert!(report.has_errors(), "every shape is an error");
            report.summarise(DEFAULT_PER_CODE);
            std::hint::black_box(json::render(&source, &report));
            start.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}
