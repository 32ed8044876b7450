//! How fast a build issues node certificates: `cargo bench --bench certs` creates a CA and
//! the keys and certificates of a 1,000-node cluster from nothing, per algorithm, and prints
//! certificates per second.

// Figures are printed as floats: counts far below 2^52.
#![allow(clippy::cast_precision_loss)]

mod generate;

use std::time::Instant;

use time::OffsetDateTime;
use topoc::finding::level::LintLevels;
use topoc::pki::{self, Existing};
use topoc::source::Source;

fn main() {
    let text = generate::topology(10, 100, 10);
    println!(
        "{:>11} {:>6} {:>9} {:>13}",
        "algorithm", "nodes", "seconds", "certs/second"
    );
    for algorithm in ["ecdsa-p256", "ecdsa-p384", "ed25519"] {
        let source = Source::new(
            "generated.toml",
            format!("{text}\n[ca]\nalgorithm = \"{algorithm}\"\n"),
        );
        let model = topoc::check(
            &source,
            &LintLevels::default(),
            &topoc::Environment::keyless(time::OffsetDateTime::now_utc()),
        )
        .expect("no key material to read")
        .model
        .expect("the generated topology resolves");
        let started = Instant::now();
        let material = pki::ensure(
            &model,
            &Existing::default(),
            OffsetDateTime::now_utc(),
            false,
        )
        .expect("material");
        let seconds = started.elapsed().as_secs_f64();
        let count = material.nodes.len();
        println!(
            "{algorithm:>11} {count:>6} {seconds:>9.2} {:>13.0}",
            count as f64 / seconds
        );
    }
}
