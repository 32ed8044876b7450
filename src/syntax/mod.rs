//! The topology file as written: a serde mirror of the TOML with a span on every value.
//!
//! These types hold no logic. Every field is optional here, so that one bad or missing value
//! never hides the others: `resolve` says what is required and checks what each value means.

pub mod fast;
pub mod parse;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_spanned::Spanned;

use crate::finding::level::Level;
use crate::source::Span;

/// The whole file. `parse` reads it one entry at a time; this type names the sections.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("required" = ["cluster"]))]
pub struct Topology {
    /// What the whole cluster shares.
    pub cluster: Option<Cluster>,
    /// Time sync, which Central Management depends on.
    pub ntp: Option<Ntp>,
    /// The cluster CA that authenticates nodes (swg).
    pub ca: Option<Ca>,
    /// Physical locations, by name (a DNS label).
    pub sites: Option<BTreeMap<String, Site>>,
    /// Appliances, by name (a DNS label).
    pub nodes: Option<BTreeMap<String, Node>>,
    /// Lint levels by code (`topoc explain --list`): `allow`, `warn` or `deny`.
    pub lints: Option<BTreeMap<String, Level>>,
    /// How the Ansible control node reaches the nodes (`inventory.yaml`).
    pub inventory: Option<Inventory>,
    /// Encrypting the keys topoc writes with age, so that they can live in git.
    pub secrets: Option<SecretsTable>,
    /// What may fail while every surviving node still reaches every other: `check` proves
    /// it for every such failure, or names the smallest that cuts.
    pub resilience: Option<Resilience>,
    /// Statements of intent about nodes, each an error when it is false.
    pub assert: Option<Vec<Assert>>,
}

/// `[resilience]`: the failures the cluster must survive connected.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Resilience {
    /// Any 1 or 2 nodes may fail (0: none is promised).
    #[schemars(with = "Option<i64>")]
    pub nodes: Option<Spanned<i64>>,
    /// Any 1 whole site may fail (0: none is promised).
    #[schemars(with = "Option<i64>")]
    pub sites: Option<Spanned<i64>>,
    /// Any 1 network group may stop carrying traffic, its members alive (0: none).
    #[schemars(with = "Option<i64>")]
    pub groups: Option<Spanned<i64>>,
}

/// `[[assert]]`: one statement about two nodes, exactly one of `reach`, `not_direct`,
/// `same_update_group` and `different_runtime_group`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Assert {
    /// Two nodes that reach each other, through shared network groups.
    #[schemars(with = "Option<Vec<String>>")]
    pub reach: Option<Spanned<Vec<Spanned<String>>>>,
    /// With `reach`: in at most this many hops.
    #[schemars(with = "Option<i64>")]
    pub max_hops: Option<Spanned<i64>>,
    /// With `reach`: every route between them passes this node.
    #[schemars(with = "Option<String>")]
    pub via: Option<Spanned<String>>,
    /// Two nodes that share no network group: they talk only through others.
    #[schemars(with = "Option<Vec<String>>")]
    pub not_direct: Option<Spanned<Vec<Spanned<String>>>>,
    /// Two nodes in one update group.
    #[schemars(with = "Option<Vec<String>>")]
    pub same_update_group: Option<Spanned<Vec<Spanned<String>>>>,
    /// Two nodes in different runtime groups.
    #[schemars(with = "Option<Vec<String>>")]
    pub different_runtime_group: Option<Spanned<Vec<Spanned<String>>>>,
}

/// `[cluster]`: what the whole cluster shares.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("required" = ["name"]))]
pub struct Cluster {
    /// The cluster's name (free text). For SEG clusters, the `name` of `applicationClusterDirectory`.
    #[schemars(with = "Option<String>")]
    pub name: Option<Spanned<String>>,
    /// `swg` (Secure Web Gateway Central Management, the default) or `seg` (Secure Email Gateway).
    #[schemars(with = "Option<Kind>")]
    pub kind: Option<Spanned<Kind>>,
    /// The cluster port, the same on every node. Default 12346 (swg) or 9090 (seg).
    #[schemars(with = "Option<i64>")]
    pub port: Option<Spanned<i64>>,
    /// Appliance version and build every node must run, such as `12.2.4-46412`.
    #[schemars(with = "Option<String>")]
    pub version: Option<Spanned<String>>,
    /// swg: the node administrators attach the GUI to. seg: the master, first in the directory (required).
    #[schemars(with = "Option<String>")]
    pub management_node: Option<Spanned<String>>,
    /// Name of the backbone network group that `transit = true` joins. Default `transit`.
    #[schemars(with = "Option<String>")]
    pub transit_group: Option<Spanned<String>>,
    /// Most nodes behind one transit node before `transit-fanout` reports it. Default 10.
    #[schemars(with = "Option<i64>")]
    pub transit_fanout_limit: Option<Spanned<i64>>,
    /// Longest route `long-route` accepts. Default 3.
    #[schemars(with = "Option<i64>")]
    pub max_route_hops: Option<Spanned<i64>>,
    /// seg: the environment variable `topoc build` reads the shared key from.
    #[schemars(with = "Option<String>")]
    pub shared_key_env: Option<Spanned<String>>,
    /// seg: the file `topoc build` reads the shared key from, relative to this file.
    #[schemars(with = "Option<String>")]
    pub shared_key_file: Option<Spanned<String>>,
    /// Central Management settings, identical on every member.
    #[schemars(with = "Option<Settings>")]
    pub settings: Option<Spanned<Settings>>,
}

/// `swg` (Secure Web Gateway Central Management) or `seg` (Secure Email Gateway).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    #[default]
    Swg,
    Seg,
}

/// `[cluster.settings]`: Central Management settings that must be equal on every member.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// distributionTimeout, a duration in whole seconds such as `10s`.
    #[schemars(with = "Option<String>")]
    pub distribution_timeout: Option<Spanned<String>>,
    /// distributionTimeoutMultiplier, at least 1.
    #[schemars(with = "Option<i64>")]
    pub distribution_timeout_multiplier: Option<Spanned<i64>>,
    /// allowedTimeDifference, a duration such as `120s`; CM fails past 2 minutes of drift.
    #[schemars(with = "Option<String>")]
    pub allowed_time_difference: Option<Spanned<String>>,
    /// checkVersionMatch.
    #[schemars(with = "Option<bool>")]
    pub check_version_match: Option<Spanned<bool>>,
    /// checkVersionMatchLevel: `version` or `build`.
    #[schemars(with = "Option<VersionMatchLevel>")]
    pub check_version_match_level: Option<Spanned<VersionMatchLevel>>,
}

/// How much of the version `check_version_match` compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum VersionMatchLevel {
    Version,
    Build,
}

/// `[inventory]`: the address `inventory.yaml` gives Ansible for each node.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Inventory {
    /// `physical` (the default) or `nat`: the address the control node reaches nodes at; a
    /// node without a NAT address is reached at its physical one.
    #[schemars(with = "Option<Reach>")]
    pub reach: Option<Spanned<Reach>>,
    /// Per site name, `physical` or `nat`, over `reach`.
    #[schemars(with = "Option<BTreeMap<String, Reach>>")]
    pub sites: Option<BTreeMap<Spanned<String>, Spanned<Reach>>>,
}

/// Which address of a node another machine dials.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Reach {
    /// The node's own address.
    #[default]
    Physical,
    /// Its NAT address, where it has one.
    Nat,
}

/// `[secrets]`: the age recipients every secret topoc writes is encrypted to.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretsTable {
    /// age recipients: `age1…` public keys (from `age-keygen`) or SSH public keys
    /// (`ssh-ed25519 …`, `ssh-rsa …`).
    #[schemars(with = "Option<Vec<String>>")]
    pub recipients: Option<Spanned<Vec<Spanned<String>>>>,
    /// A file of recipients, one a line with `#` comments (`age -R`'s format), relative to
    /// the topology's directory.
    #[schemars(with = "Option<String>")]
    pub recipients_file: Option<Spanned<String>>,
}

/// `[ntp]`
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ntp {
    /// NTP servers (addresses or host names) every node uses.
    #[schemars(with = "Option<Vec<String>>")]
    pub servers: Option<Spanned<Vec<Spanned<String>>>>,
}

/// `[ca]`: the cluster CA.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ca {
    /// Common name of the cluster CA. Default "<cluster name> Cluster CA".
    #[schemars(with = "Option<String>")]
    pub common_name: Option<Spanned<String>>,
    /// Key algorithm of the CA and node keys: `ecdsa-p256` (default), `ecdsa-p384` or `ed25519`.
    #[schemars(with = "Option<Algorithm>")]
    pub algorithm: Option<Spanned<Algorithm>>,
    /// Validity of a new CA, in days, at most 36500. Default 3650.
    #[schemars(with = "Option<i64>")]
    pub validity_days: Option<Spanned<i64>>,
    /// Validity of node certificates, in days, at most 36500. Default 397.
    #[schemars(with = "Option<i64>")]
    pub node_validity_days: Option<Spanned<i64>>,
    /// An existing CA certificate (PEM), relative to this file; with `key`.
    #[schemars(with = "Option<String>")]
    pub cert: Option<Spanned<String>>,
    /// The existing CA's private key (PEM), relative to this file; with `cert`.
    #[schemars(with = "Option<String>")]
    pub key: Option<Spanned<String>>,
}

/// Key algorithm of the cluster CA and node certificates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Algorithm {
    #[default]
    EcdsaP256,
    EcdsaP384,
    Ed25519,
}

/// `[sites.NAME]`
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// Where the site is, in words.
    #[schemars(with = "Option<String>")]
    pub location: Option<Spanned<String>>,
    /// The site's subnet, such as `10.1.0.0/24`; enables the subnet checks.
    #[schemars(with = "Option<String>")]
    pub subnet: Option<Spanned<String>>,
    /// Sites in one NAT realm see each other's physical addresses. Default: the site's name.
    #[schemars(with = "Option<String>")]
    pub nat_realm: Option<Spanned<String>>,
    /// Update group of the site's nodes. Default: the site's name.
    #[schemars(with = "Option<String>")]
    pub update_group: Option<Spanned<String>>,
    /// Runtime group of the site's nodes. Default: the site's name.
    #[schemars(with = "Option<String>")]
    pub runtime_group: Option<Spanned<String>>,
    /// The gateway through which the site's nodes reach other realms' NAT addresses (a
    /// separate management interface behind NAT): each node gets a `routes` file.
    #[schemars(with = "Option<String>")]
    pub route_via: Option<Spanned<String>>,
}

/// `[nodes.NAME]`
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("required" = ["site", "address"]))]
pub struct Node {
    /// The site the node stands in.
    #[schemars(with = "Option<String>")]
    pub site: Option<Spanned<Text>>,
    /// Physical IP address of the node's Central Management interface.
    #[schemars(with = "Option<String>")]
    pub address: Option<Spanned<Text>>,
    /// The name other nodes reach it by; required with `nat_address`.
    #[schemars(with = "Option<String>")]
    pub fqdn: Option<Spanned<Text>>,
    /// The address other NAT realms reach the node at.
    #[schemars(with = "Option<String>")]
    pub nat_address: Option<Spanned<Text>>,
    /// The gateway through which this node reaches other realms' NAT addresses, over the
    /// site's `route_via`: the node gets a `routes` file.
    #[schemars(with = "Option<String>")]
    pub route_via: Option<Spanned<Text>>,
    /// Adds the node to the transit group.
    #[schemars(with = "Option<bool>")]
    pub transit: Option<Spanned<bool>>,
    /// Network groups of the node. Default: the site's name.
    #[schemars(with = "Option<Vec<String>>")]
    pub network_groups: Option<Spanned<Vec<Spanned<Text>>>>,
    /// Overrides the site's update group.
    #[schemars(with = "Option<String>")]
    pub update_group: Option<Spanned<Text>>,
    /// Overrides the site's runtime group.
    #[schemars(with = "Option<String>")]
    pub runtime_group: Option<Spanned<Text>>,
    /// Policy conflict priority (lower wins); keep it equal on every node.
    #[schemars(with = "Option<i64>")]
    pub priority: Option<Spanned<i64>>,
    /// Appliance version of this node; must equal the cluster's.
    #[schemars(with = "Option<String>")]
    pub version: Option<Spanned<Text>>,
    /// Automatic engine updates of this node.
    #[schemars(with = "Option<Updates>")]
    pub updates: Option<Spanned<Updates>>,
    /// Refused unless equal to the cluster's port: the port is cluster-wide.
    #[schemars(with = "Option<i64>")]
    pub port: Option<Spanned<i64>>,
    /// Refused unless equal to the cluster's: settings are cluster-wide.
    #[schemars(with = "Option<Settings>")]
    pub settings: Option<Spanned<Settings>>,
}

/// `updates = { … }`: how a node takes part in engine updates.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Updates {
    /// Enable automatic updates (default true).
    #[schemars(with = "Option<bool>")]
    pub automatic: Option<Spanned<bool>>,
    /// Allow to download updates from the internet (default true).
    #[schemars(with = "Option<bool>")]
    pub from_internet: Option<Spanned<bool>>,
    /// Allow to download updates from other nodes (default true).
    #[schemars(with = "Option<bool>")]
    pub from_nodes: Option<Spanned<bool>>,
}

/// A node's text values: most are short (names, addresses) and held in place, so that
/// reading ten thousand nodes does not allocate each value.
pub type Text = compact_str::CompactString;

/// The file after `parse`: each section and each named entry read on its own.
#[derive(Debug, Default)]
pub struct Document {
    pub cluster: Option<Entry<Cluster>>,
    pub ntp: Option<Entry<Ntp>>,
    pub ca: Option<Entry<Ca>>,
    pub sites: Vec<Entry<Site>>,
    pub nodes: Vec<Entry<Node>>,
    pub lints: Vec<Entry<Level>>,
    pub inventory: Option<Entry<Inventory>>,
    pub secrets: Option<Entry<SecretsTable>>,
    pub resilience: Option<Entry<Resilience>>,
    /// Each `[[assert]]` table, its key spanning the table.
    pub asserts: Vec<Entry<Assert>>,
    /// Top-level keys that were present but unreadable, already reported.
    pub rejected: Vec<String>,
}

impl Document {
    /// Whether the cluster is known, from what was read so far, to be a web gateway
    /// cluster: once `[cluster]` is read, its kind is known.
    pub fn web_gateway(&self) -> bool {
        self.cluster.as_ref().is_some_and(|cluster| {
            cluster.value.kind.as_ref().map(|kind| *kind.get_ref()) != Some(Kind::Seg)
        })
    }
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
