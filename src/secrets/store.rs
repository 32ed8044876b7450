//! `Store`: the key material of one topology, read from its secrets directory and the files
//! it names, as the pipeline's `KeySource`.

use std::path::{Path, PathBuf};

use crate::emit::layout::{NodeFile, node_file};
use crate::emit::manifest::Manifest;
use crate::environment::{KeyError, KeySource, LooseSecrets, Published};
use crate::input::{self, KEY_FILE_LIMIT, Paths};
use crate::model::{Model, SharedKeySource};
use crate::pki::Existing;

use super::Secrets;

/// The key material of one topology: its secrets directory, and the files the topology
/// names (`[ca] cert`/`key`, `shared_key_file`), relative to the topology's directory and
/// kept inside it (or the roots [`Store::allowing`] adds).
#[derive(Debug, Clone)]
pub struct Store {
    secrets: Secrets,
    paths: Paths,
    /// Read the directory even where it does not exist yet (a build makes it); otherwise
    /// only material that is there is judged.
    always: bool,
    /// The previous output, whose certificates a drift check may judge.
    out: Option<PathBuf>,
}

impl Store {
    /// The material in `secrets` for the topology at `topology`.
    pub fn new(secrets: Secrets, topology: &Path) -> Self {
        Store {
            secrets,
            paths: Paths::of(topology),
            always: true,
            out: None,
        }
    }

    /// Only what is there: no material when the directory does not exist and `[ca]` names
    /// no files.
    #[must_use]
    pub fn if_present(mut self) -> Self {
        self.always = false;
        self
    }

    /// The files the topology names may also lie in each of `roots` (`--allow-path`).
    #[must_use]
    pub fn allowing(mut self, roots: &[PathBuf]) -> Self {
        self.paths = self.paths.allowing(roots);
        self
    }

    /// The file the topology names as `written`, if it may be read.
    fn named(&self, written: &str) -> Result<PathBuf, String> {
        self.paths
            .resolve(written)
            .map_err(|error| format!("`{}`: {error}", crate::model::values::shown(written)))
    }

    /// Certificates published in `out` stand in for a CA that is not at hand.
    #[must_use]
    pub fn with_output(mut self, out: &Path) -> Self {
        self.out = Some(out.to_owned());
        self
    }
}

impl KeySource for Store {
    fn material(&self, model: &Model) -> Result<Option<Existing>, KeyError> {
        let external = model
            .ca
            .external
            .as_ref()
            .map(|(cert, key)| Ok((self.named(&cert.value)?, self.named(&key.value)?)))
            .transpose()
            .map_err(KeyError)?;
        if !self.always && external.is_none() && !self.secrets.root().is_dir() {
            return Ok(None);
        }
        self.secrets
            .load(
                external
                    .as_ref()
                    .map(|(cert, key)| (cert.as_path(), key.as_path())),
            )
            .map(Some)
            .map_err(|error| KeyError(error.to_string()))
    }

    fn shared_key(&self, model: &Model) -> Result<String, String> {
        match &model.cluster.shared_key {
            Some(SharedKeySource::Env(name)) => std::env::var(&name.value)
                .map_err(|_| format!("the environment variable `{}` is not set", name.value)),
            Some(SharedKeySource::File(file)) => {
                let path = self.named(&file.value)?;
                input::read_text(&path, KEY_FILE_LIMIT)
                    .map_err(|e| format!("`{}`: {e}", path.display()))
            }
            None => Err("the topology names no `shared_key_env` or `shared_key_file`".to_owned()),
        }
    }

    fn loose(&self) -> Option<LooseSecrets> {
        let entries = self.secrets.loose().ok()?;
        (!entries.is_empty()).then(|| LooseSecrets {
            root: self.secrets.root().to_owned(),
            entries,
        })
    }

    fn published(&self, model: &Model) -> Option<Published> {
        let out = self.out.as_ref()?;
        // Only an output of this cluster: another's certificates say nothing about it.
        let manifest = std::fs::read_to_string(out.join(crate::emit::layout::MANIFEST)).ok()?;
        if Manifest::parse(&manifest)?.cluster != model.cluster.name.value {
            return None;
        }
        let read = |node: &str, file: NodeFile| {
            std::fs::read_to_string(out.join(node_file(node, file))).ok()
        };
        let read_all = |file: NodeFile| -> std::collections::BTreeMap<String, String> {
            model
                .nodes
                .iter()
                .filter_map(|node| Some((node.name.clone(), read(&node.name, file)?)))
                .collect()
        };
        let cas = read_all(NodeFile::CaCertificate);
        let ca = model
            .nodes
            .iter()
            .find_map(|node| cas.get(&node.name).cloned())?;
        let nodes = read_all(NodeFile::Certificate);
        Some(Published { ca, nodes, cas })
    }
}
