//! `Store`: the key material of one topology, read from its secrets directory and the files
//! it names, as the pipeline's `KeySource`.

use std::path::{Path, PathBuf};

use crate::emit::layout::{NodeFile, node_file};
use crate::emit::manifest::Manifest;
use crate::environment::{KeyError, KeySource, Published};
use crate::model::{Model, SharedKeySource};
use crate::pki::Existing;

use super::Secrets;

/// The key material of one topology: its secrets directory, and the files the topology
/// names (`[ca] cert`/`key`, `shared_key_file`), relative to the topology's directory.
#[derive(Debug, Clone)]
pub struct Store {
    secrets: Secrets,
    topology_dir: PathBuf,
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
            topology_dir: topology.parent().unwrap_or(Path::new(".")).to_owned(),
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

    /// Certificates published in `out` stand in for a CA that is not at hand.
    #[must_use]
    pub fn with_output(mut self, out: &Path) -> Self {
        self.out = Some(out.to_owned());
        self
    }
}

impl KeySource for Store {
    fn material(&self, model: &Model) -> Result<Option<Existing>, KeyError> {
        let external = model.ca.external.as_ref().map(|(cert, key)| {
            (
                self.topology_dir.join(&cert.value),
                self.topology_dir.join(&key.value),
            )
        });
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
                let path = self.topology_dir.join(&file.value);
                std::fs::read_to_string(&path).map_err(|e| format!("`{}`: {e}", path.display()))
            }
            None => Err("the topology names no `shared_key_env` or `shared_key_file`".to_owned()),
        }
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
