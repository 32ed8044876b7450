//! Every path of the two trees a build makes, named once: the public output (`out/`) and
//! the secrets directory. Emitters, the manifest, `build --check`, `certs`, `diff` and the
//! secrets store ask here; no other module spells a path of either tree.
//!
//! ```text
//! out/                                  secrets/
//!   cluster.json  inventory.yaml          ca.pem  ca.key
//!   firewall.csv  firewall-sets.csv  runbook.md  playbook.yml
//!   graph.dot  graph.mmd  manifest.json   nodes/<node>.key  nodes/<node>.pem
//!   nodes/<node>/node.json hosts          nodes/<node>/integration-service.config.xml (SEG)
//!   nodes/<node>/ca.pem node.pem          retired/<time>/ (`topoc ca rotate`)
//!   nodes/<node>/runbook.md routes probe.sh
//!   seg/AppClusterDirectory.xml  seg/recovery/AppClusterDirectory.xml  seg/RUNBOOK.md
//! ```

/// `out/cluster.json`.
pub const CLUSTER_JSON: &str = "cluster.json";
/// `out/inventory.yaml`.
pub const INVENTORY: &str = "inventory.yaml";
/// `out/firewall.csv`: the rules.
pub const FIREWALL: &str = "firewall.csv";
/// `out/firewall-sets.csv`: the address sets the rules name.
pub const FIREWALL_SETS: &str = "firewall-sets.csv";
/// `out/playbook.yml`: the Ansible playbook (web gateway clusters).
pub const PLAYBOOK: &str = "playbook.yml";
/// `out/runbook.md`: the join plan (web gateway clusters).
pub const RUNBOOK: &str = "runbook.md";
/// `out/graph.dot`.
pub const GRAPH_DOT: &str = "graph.dot";
/// `out/graph.mmd`.
pub const GRAPH_MERMAID: &str = "graph.mmd";
/// `out/manifest.json`, which lists every other file.
pub const MANIFEST: &str = "manifest.json";
/// The SEG cluster directory file's name.
pub const SEG_DIRECTORY_FILE: &str = "AppClusterDirectory.xml";
/// `out/seg/AppClusterDirectory.xml`.
pub const SEG_DIRECTORY: &str = "seg/AppClusterDirectory.xml";
/// `out/seg/recovery/AppClusterDirectory.xml`.
pub const SEG_RECOVERY_DIRECTORY: &str = "seg/recovery/AppClusterDirectory.xml";
/// `out/seg/RUNBOOK.md`.
pub const SEG_RUNBOOK: &str = "seg/RUNBOOK.md";

/// The files of one node in `out/nodes/<node>/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeFile {
    /// `node.json`: the node's Central Management settings.
    Settings,
    /// `hosts`: names to addresses, for clusters with FQDNs.
    Hosts,
    /// `ca.pem`: the cluster CA certificate.
    CaCertificate,
    /// `node.pem`: the node's certificate.
    Certificate,
    /// `runbook.md`: what to set where on the node.
    Runbook,
    /// `routes`: static routes to the NAT addresses it dials, where it has a gateway.
    Routes,
    /// `probe.sh`: the checks of `topoc probe --from <node>`, for the node itself.
    Probe,
}

impl NodeFile {
    pub fn name(self) -> &'static str {
        match self {
            NodeFile::Settings => "node.json",
            NodeFile::Hosts => "hosts",
            NodeFile::CaCertificate => "ca.pem",
            NodeFile::Certificate => "node.pem",
            NodeFile::Runbook => "runbook.md",
            NodeFile::Routes => "routes",
            NodeFile::Probe => "probe.sh",
        }
    }
}

/// `nodes/<node>/<file>` in `out/`.
pub fn node_file(node: &str, file: NodeFile) -> String {
    format!("nodes/{node}/{}", file.name())
}

/// Whether the file at `path` of `out/` is a program, written executable.
pub fn executable(path: &str) -> bool {
    std::path::Path::new(path)
        .extension()
        .is_some_and(|extension| extension == "sh")
}

/// The node whose directory holds `path` of `out/`, if a node's does.
pub fn node_of(path: &str) -> Option<&str> {
    path.strip_prefix("nodes/")?.split('/').next()
}

/// The secrets directory's paths.
pub mod secrets {
    /// The cluster CA certificate (unless `[ca]` names files of its own).
    pub const CA_CERTIFICATE: &str = "ca.pem";
    /// The cluster CA key.
    pub const CA_KEY: &str = "ca.key";
    /// Where node keys and certificates live.
    pub const NODES: &str = "nodes";
    /// Where `topoc ca rotate` keeps what it replaced.
    pub const RETIRED: &str = "retired";
    /// A node key's extension in [`NODES`].
    pub const KEY_EXTENSION: &str = "key";
    /// A node certificate's extension in [`NODES`].
    pub const CERTIFICATE_EXTENSION: &str = "pem";

    /// `nodes/<node>.key`.
    pub fn node_key(node: &str) -> String {
        format!("{NODES}/{node}.{KEY_EXTENSION}")
    }

    /// `nodes/<node>.pem`.
    pub fn node_certificate(node: &str) -> String {
        format!("{NODES}/{node}.{CERTIFICATE_EXTENSION}")
    }

    /// `nodes/<node>/integration-service.config.xml`: a SEG node's configuration, which
    /// holds the shared key.
    pub fn seg_node_config(node: &str) -> String {
        format!("{NODES}/{node}/integration-service.config.xml")
    }

    /// `retired/<label>`.
    pub fn retired(label: &str) -> String {
        format!("{RETIRED}/{label}")
    }

    /// The extension of a secret encrypted with age: `ca.key.age`.
    pub const SEALED_EXTENSION: &str = "age";
    /// `recipients.txt`: the age recipients the encrypted secrets were written for (public
    /// keys only, one a line).
    pub const RECIPIENTS: &str = "recipients.txt";

    /// Whether the file at `path` (plaintext name) holds a secret, which `[secrets]
    /// recipients` encrypt: a private key, or a SEG node's configuration.
    pub fn is_secret(path: &str) -> bool {
        let path = std::path::Path::new(path);
        path.extension()
            .is_some_and(|extension| extension == KEY_EXTENSION)
            || path
                .file_name()
                .is_some_and(|name| name == "integration-service.config.xml")
    }

    /// `path` encrypted: `path.age`.
    pub fn sealed(path: &str) -> String {
        format!("{path}.{SEALED_EXTENSION}")
    }
}
