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
    /// Written as 64 hexadecimal digits; held as the 32 bytes (a build of 100,000 nodes
    /// holds 400,000 of them until the manifest is written).
    #[serde(with = "hex_digest")]
    pub sha256: [u8; 32],
    pub bytes: usize,
}

/// A SHA-256 digest as lower-case hexadecimal in the manifest.
mod hex_digest {
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    pub fn serialize<S: Serializer>(digest: &[u8; 32], serializer: S) -> Result<S::Ok, S::Error> {
        let mut text = [0; 64];
        ::hex::encode_to_slice(digest, &mut text).map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(std::str::from_utf8(&text).map_err(serde::ser::Error::custom)?)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<[u8; 32], D::Error> {
        let text = String::deserialize(deserializer)?;
        let mut digest = [0; 32];
        if text.len() != 64 {
            return Err(D::Error::custom(
                "a SHA-256 digest has 64 hexadecimal digits",
            ));
        }
        ::hex::decode_to_slice(&text, &mut digest).map_err(D::Error::custom)?;
        Ok(digest)
    }
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

    /// The manifest as the file holds it, into `writer` a piece at a time.
    pub fn write_to(&self, writer: &mut dyn std::io::Write) -> std::io::Result<()> {
        super::json_to(writer, self)
    }
}

pub fn sha256(content: &[u8]) -> String {
    hex(&Sha256::digest(content))
}

/// A digest in lower-case hexadecimal.
pub fn hex(digest: &[u8]) -> String {
    ::hex::encode(digest)
}
