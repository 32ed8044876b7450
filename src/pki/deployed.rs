//! The certificates a build published (`out/nodes/<node>/node.pem` and `ca.pem`), judged
//! against the topology as the nodes will use them: each must name everything its peers
//! dial, chain to the cluster CA, and every node must hold the same CA.

use std::collections::BTreeMap;

use crate::model::Model;

use super::inspect::{Summary, summarize_der};
use super::node::{identity, subject_alt_names};
use super::{cert_der, parse};

/// What the published certificates say against the topology.
#[derive(Debug, Clone, Default)]
pub struct Deployed {
    /// The cluster CA they are judged against: the secrets' (or `[ca]`'s) when at hand, else
    /// the `ca.pem` of the first node (by name) that has one.
    pub ca: Option<Summary>,
    /// Whether `ca` is the secrets' CA (else a published copy).
    pub ca_from_secrets: bool,
    /// By node name, for the nodes of the topology that have published files.
    pub nodes: BTreeMap<String, DeployedNode>,
}

/// One node's published certificate and CA, judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployedNode {
    /// The certificate's summary (`Err`: why it cannot be read); `None` when there is none.
    pub cert: Option<Result<Summary, String>>,
    /// Its `ca.pem` is not the cluster CA (or cannot be read).
    pub ca_differs: bool,
    /// Its certificate was signed by another CA than the cluster CA.
    pub foreign: bool,
    /// The names and addresses the certificate must carry and does not.
    pub missing: Vec<String>,
}

/// Judges `certs` and `cas` (by node name, PEM) against `model` and the cluster CA
/// `cluster_ca` (PEM), if at hand.
pub fn deployed(
    model: &Model,
    cluster_ca: Option<&str>,
    cas: &BTreeMap<String, String>,
    certs: &BTreeMap<String, String>,
) -> Deployed {
    let reference = cluster_ca
        .or_else(|| {
            model
                .nodes
                .iter()
                .find_map(|node| cas.get(&node.name).map(String::as_str))
        })
        .and_then(|pem| cert_der(pem).ok());
    let ca_summary = reference.as_deref().and_then(|der| summarize_der(der).ok());
    let mut nodes = BTreeMap::new();
    for id in model.node_ids() {
        let name = &model.node(id).name;
        let (ca, cert) = (cas.get(name), certs.get(name));
        if ca.is_none() && cert.is_none() {
            continue;
        }
        let ca_differs = ca.is_some_and(|pem| cert_der(pem).ok() != reference);
        let mut judged = DeployedNode {
            cert: None,
            ca_differs,
            foreign: false,
            missing: Vec::new(),
        };
        if let Some(pem) = cert {
            let der = cert_der(pem);
            judged.cert = Some(der.as_deref().map_err(Clone::clone).and_then(summarize_der));
            if let Ok(cert) = der.as_deref().map_err(Clone::clone).and_then(parse) {
                judged.foreign = reference.as_deref().is_some_and(|ca_der| {
                    parse(ca_der).is_ok_and(|ca| {
                        cert.issuer() != ca.subject()
                            || cert.verify_signature(Some(ca.public_key())).is_err()
                    })
                });
                let (dns, ips) = subject_alt_names(&cert);
                let wanted = identity(model, id);
                judged.missing = wanted
                    .dns
                    .iter()
                    .filter(|name| !dns.iter().any(|found| found.eq_ignore_ascii_case(name)))
                    .cloned()
                    .chain(
                        wanted
                            .ips
                            .iter()
                            .filter(|ip| !ips.contains(ip))
                            .map(ToString::to_string),
                    )
                    .collect();
            }
        }
        nodes.insert(name.clone(), judged);
    }
    Deployed {
        ca: ca_summary,
        ca_from_secrets: cluster_ca.is_some(),
        nodes,
    }
}
