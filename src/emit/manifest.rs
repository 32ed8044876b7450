//! `manifest.json`: what a build wrote, so that a later build or a reviewer can tell. It is
//! written and read through [`Manifest`] alone.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::emit::node_json::FORMAT_VERSION;

/// The value of `generator` in every manifest, before the version.
pub const GENERATOR: &str = "topoc";

/// The manifest of one build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format_version: u32,
    /// `topoc <version>`.
    pub generator: String,
    pub cluster: String,
    pub input: Input,
    /// Every other file of the output, sorted by path.
    pub files: Vec<Entry>,
}

/// The topology a build read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    /// Its file name, without directories.
    pub file: String,
    pub sha256: String,
}

/// One file of the output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub path: String,
    pub sha256: String,
    pub bytes: usize,
}

impl Manifest {
    /// The manifest of the files `entries` describes (sorted by path); `input` is the
    /// topology's file name and text.
    pub fn new(cluster: &str, input: (&str, &str), files: Vec<Entry>) -> Self {
        Manifest {
            format_version: FORMAT_VERSION,
            generator: format!("{GENERATOR} {}", env!("CARGO_PKG_VERSION")),
            cluster: cluster.to_owned(),
            input: Input {
                file: input.0.to_owned(),
                sha256: sha256(input.1.as_bytes()),
            },
            files,
        }
    }

    /// A manifest that topoc wrote, read from `text`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let manifest: Manifest = serde_json::from_str(text).ok()?;
        manifest
            .generator
            .starts_with(GENERATOR)
            .then_some(manifest)
    }

    /// The manifest as the file holds it.
    pub fn render(&self) -> String {
        super::json(self)
    }

    /// [`Manifest::render`] into `writer`, a piece at a time.
    pub fn write_to(&self, writer: &mut dyn std::io::Write) -> std::io::Result<()> {
        super::json_to(writer, self)
    }
}

pub fn sha256(content: &[u8]) -> String {
    hex(&Sha256::digest(content))
}

/// A digest in lower-case hexadecimal.
pub fn hex(digest: &[u8]) -> String {
    digest
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            use std::fmt::Write as _;
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}
