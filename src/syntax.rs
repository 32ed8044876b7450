//! The topology file as written: a serde mirror of the TOML with a span on every value.
//!
//! These types hold no logic. Every field is optional here, so that one bad or missing value
//! never hides the others: `resolve` says what is required and checks what each value means.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_spanned::Spanned;

use crate::level::Level;
use crate::source::Span;

/// The whole file. `parse` reads it one entry at a time; this type names the sections.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topology {
    pub cluster: Option<Cluster>,
    pub ntp: Option<Ntp>,
    pub ca: Option<Ca>,
    pub sites: Option<BTreeMap<String, Site>>,
    pub nodes: Option<BTreeMap<String, Node>>,
    pub lints: Option<BTreeMap<String, Level>>,
}

/// `[cluster]`: what the whole cluster shares.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cluster {
    pub name: Option<Spanned<String>>,
    pub kind: Option<Spanned<Kind>>,
    pub port: Option<Spanned<i64>>,
    pub version: Option<Spanned<String>>,
    pub management_node: Option<Spanned<String>>,
    pub transit_group: Option<Spanned<String>>,
    pub transit_fanout_limit: Option<Spanned<i64>>,
    pub max_route_hops: Option<Spanned<i64>>,
    pub shared_key_env: Option<Spanned<String>>,
    pub shared_key_file: Option<Spanned<String>>,
    pub settings: Option<Spanned<Settings>>,
}

/// `swg` (Secure Web Gateway Central Management) or `seg` (Secure Email Gateway).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    #[default]
    Swg,
    Seg,
}

/// `[cluster.settings]`: Central Management settings that must be equal on every member.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub distribution_timeout: Option<Spanned<String>>,
    pub distribution_timeout_multiplier: Option<Spanned<i64>>,
    pub allowed_time_difference: Option<Spanned<String>>,
    pub check_version_match: Option<Spanned<bool>>,
    pub check_version_match_level: Option<Spanned<VersionMatchLevel>>,
}

/// How much of the version `check_version_match` compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VersionMatchLevel {
    Version,
    Build,
}

/// `[ntp]`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ntp {
    pub servers: Option<Spanned<Vec<Spanned<String>>>>,
}

/// `[ca]`: the cluster CA.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ca {
    pub common_name: Option<Spanned<String>>,
    pub algorithm: Option<Spanned<Algorithm>>,
    pub validity_days: Option<Spanned<i64>>,
    pub node_validity_days: Option<Spanned<i64>>,
    /// An existing CA certificate (PEM), relative to the topology file.
    pub cert: Option<Spanned<String>>,
    /// Its private key (PEM), relative to the topology file.
    pub key: Option<Spanned<String>>,
}

/// Key algorithm of the cluster CA and node certificates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Algorithm {
    #[default]
    EcdsaP256,
    EcdsaP384,
    Ed25519,
}

/// `[sites.NAME]`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    pub location: Option<Spanned<String>>,
    pub subnet: Option<Spanned<String>>,
    pub nat_realm: Option<Spanned<String>>,
    pub update_group: Option<Spanned<String>>,
    pub runtime_group: Option<Spanned<String>>,
}

/// `[nodes.NAME]`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    pub site: Option<Spanned<String>>,
    pub address: Option<Spanned<String>>,
    pub fqdn: Option<Spanned<String>>,
    pub nat_address: Option<Spanned<String>>,
    pub transit: Option<Spanned<bool>>,
    pub network_groups: Option<Spanned<Vec<Spanned<String>>>>,
    pub update_group: Option<Spanned<String>>,
    pub runtime_group: Option<Spanned<String>>,
    pub priority: Option<Spanned<i64>>,
    pub version: Option<Spanned<String>>,
    pub updates: Option<Spanned<Updates>>,
    /// Only to be refused: the port is cluster-wide.
    pub port: Option<Spanned<i64>>,
    /// Only to be refused: settings are cluster-wide.
    pub settings: Option<Spanned<Settings>>,
}

/// `updates = { … }`: how a node takes part in engine updates.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Updates {
    pub automatic: Option<Spanned<bool>>,
    pub from_internet: Option<Spanned<bool>>,
    pub from_nodes: Option<Spanned<bool>>,
}

/// The file after `parse`: each section and each named entry read on its own.
#[derive(Debug, Default)]
pub struct Document {
    pub cluster: Option<Entry<Cluster>>,
    pub ntp: Option<Entry<Ntp>>,
    pub ca: Option<Entry<Ca>>,
    pub sites: Vec<Entry<Site>>,
    pub nodes: Vec<Entry<Node>>,
    pub lints: Vec<Entry<Level>>,
    /// Top-level keys that were present but unreadable, already reported.
    pub rejected: Vec<String>,
}

/// One table of the file: its key, its value, and the keys whose values were rejected.
#[derive(Debug)]
pub struct Entry<T> {
    pub key: Spanned<String>,
    pub value: T,
    /// Keys that were present but unreadable, already reported; not to be called missing.
    pub rejected: Vec<String>,
}

impl<T> Entry<T> {
    pub fn name(&self) -> &str {
        self.key.get_ref()
    }

    pub fn key_span(&self) -> Span {
        self.key.span().into()
    }

    /// Whether `key` was given but rejected, so that its absence is no news.
    pub fn was_rejected(&self, key: &str) -> bool {
        self.rejected.iter().any(|rejected| rejected == key)
    }
}
