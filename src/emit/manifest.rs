//! `manifest.json`: what a build wrote, so that a later build or a reviewer can tell.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::emit::node_json::FORMAT_VERSION;

/// The name every manifest has; its presence marks a directory as topoc's output.
pub const FILE: &str = "manifest.json";
/// The value of `generator` in every manifest, before the version.
pub const GENERATOR: &str = "topoc";

#[derive(Serialize)]
struct Manifest<'a> {
    format_version: u32,
    generator: String,
    cluster: &'a str,
    input: Input<'a>,
    files: Vec<Entry<'a>>,
}

#[derive(Serialize)]
struct Input<'a> {
    file: &'a str,
    sha256: String,
}

#[derive(Serialize)]
struct Entry<'a> {
    path: &'a str,
    sha256: String,
    bytes: usize,
}

pub fn sha256(content: &[u8]) -> String {
    let digest = Sha256::digest(content);
    digest
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            use std::fmt::Write as _;
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

/// The manifest of `files`; `input` is the topology's file name and text.
pub fn manifest<'a>(
    cluster: &str,
    input: (&str, &str),
    files: impl Iterator<Item = (&'a str, &'a [u8])>,
) -> String {
    let manifest = Manifest {
        format_version: FORMAT_VERSION,
        generator: format!("{GENERATOR} {}", env!("CARGO_PKG_VERSION")),
        cluster,
        input: Input {
            file: input.0,
            sha256: sha256(input.1.as_bytes()),
        },
        files: files
            .map(|(path, content)| Entry {
                path,
                sha256: sha256(content),
                bytes: content.len(),
            })
            .collect(),
    };
    super::json(&manifest)
}
