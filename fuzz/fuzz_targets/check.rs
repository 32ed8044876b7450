//! Any bytes as a topology: parse, check and every report, none of which may panic.
#![no_main]

// Each target uses a part of what every input goes through.
#[allow(dead_code)]
#[path = "../exercise.rs"]
mod exercise;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        exercise::check_and_report(text);
    }
});
