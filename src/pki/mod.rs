//! The cluster CA and node certificates: creating, checking and reusing them, without touching
//! the file system (`secrets` reads and writes them).
//!
//! "The Cluster CA is used by the Secure Web Gateway to authenticate nodes being added to the
//! Cluster (this uses client certificate authentication)" (seed: Cluster CA). Every node gets
//! a key and a certificate for both ends of a TLS connection (serverAuth and clientAuth),
//! whose subject alternative names are the names and addresses other nodes use for it.
//! Material that still fits is reused, so that the same input and secrets build the same
//! bytes; a node certificate is re-issued only when what it says would change, when another
//! CA signed it, or when it is about to expire.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use rayon::prelude::*;
use rcgen::{KeyPair, SignatureAlgorithm};
use time::OffsetDateTime;
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::model::{Model, NodeId};
use crate::syntax::Algorithm;
use ca::{Ca, load_ca, new_ca};
pub use deployed::{Deployed, DeployedNode, deployed};
pub use inspect::{Inspection, Summary, inspect, published, summarize, summarize_der};
pub use key::generate_key;
use key::{PublicKey, new_key};
use node::{Signer, identity, issue, reusable};

mod ca;
mod deployed;
mod inspect;
mod key;
mod node;

/// A node certificate this close to its end is re-issued; `cert-expiring` warns this early.
pub const RENEWAL_WINDOW_DAYS: i64 = 30;

/// A certificate and its private key, both PEM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub cert_pem: String,
    pub key_pem: String,
}

/// The public half of the material: what goes into the output. Borrowed from the material
/// a build made (no copy of 100,000 certificates), or owned when read from a previous output.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Certificates<'a> {
    pub ca: Cow<'a, str>,
    /// Per node name, its certificate.
    pub nodes: BTreeMap<Cow<'a, str>, Cow<'a, str>>,
}

/// What the secrets directory (or the `[ca]` files) held before this build.
#[derive(Debug, Clone, Default)]
pub struct Existing {
    /// The CA certificate, if present.
    pub ca_cert: Option<String>,
    /// The CA key, if present.
    pub ca_key: Option<String>,
    /// Per node name: key and certificate, each if present.
    pub nodes: BTreeMap<String, (Option<String>, Option<String>)>,
    /// Encrypted secrets that were not opened for want of an identity (paths as shown), so
    /// that their keys count as present but unread.
    pub locked: Vec<String>,
    /// Whether the CA key is one of them.
    pub ca_key_locked: bool,
    /// The recipients the encrypted secrets were written for, as recorded beside them.
    pub sealed_for: Vec<String>,
}

/// The material of a build: the CA, and a key and certificate per node.
#[derive(Debug, Clone)]
pub struct Material {
    pub ca: Pair,
    pub nodes: BTreeMap<String, Pair>,
    /// What this build created or re-issued, for the user to know.
    pub changes: Vec<String>,
}

impl Material {
    /// The certificates, without the keys.
    pub fn certificates(&self) -> Certificates<'_> {
        Certificates {
            ca: Cow::Borrowed(&self.ca.cert_pem),
            nodes: self
                .nodes
                .iter()
                .map(|(name, pair)| {
                    (
                        Cow::Borrowed(name.as_str()),
                        Cow::Borrowed(pair.cert_pem.as_str()),
                    )
                })
                .collect(),
        }
    }
}

impl Existing {
    /// The nodes that have a key or a certificate (which a CA that is missing would orphan).
    fn nodes_with_material(&self) -> Vec<String> {
        self.nodes
            .iter()
            .filter(|(_, (key, cert))| key.is_some() || cert.is_some())
            .map(|(name, _)| name.clone())
            .collect()
    }
}

/// A problem with the CA that stops the build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaProblem {
    Unreadable(String),
    KeyMismatch,
    NotACa,
    Expired(String),
    NotYetValid(String),
    Weak(String),
    /// Only one of certificate and key is there.
    HalfPresent {
        missing: &'static str,
    },
    /// No CA key, but node material exists: a new CA would silently orphan it.
    MissingWithNodes(Vec<String>),
    Generation(String),
    /// A node's existing key cannot be read.
    NodeKey {
        node: String,
        why: String,
    },
}

impl fmt::Display for CaProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaProblem::Unreadable(why) => write!(f, "the cluster CA cannot be read: {why}"),
            CaProblem::KeyMismatch => {
                f.write_str("the CA key does not belong to the CA certificate")
            }
            CaProblem::NotACa => {
                f.write_str("the CA certificate is not a CA (no basicConstraints CA:TRUE)")
            }
            CaProblem::Expired(when) => write!(f, "the cluster CA expired on {when}"),
            CaProblem::NotYetValid(when) => write!(f, "the cluster CA is not valid before {when}"),
            CaProblem::Weak(what) => write!(
                f,
                "the CA key ({what}) is too weak to sign with: use ECDSA P-256, P-384, Ed25519, or RSA of at least 2048 bits"
            ),
            CaProblem::HalfPresent { missing } => {
                write!(f, "the cluster CA's {missing} is missing")
            }
            CaProblem::MissingWithNodes(nodes) => write!(
                f,
                "the CA key is missing but node material exists ({}); a new CA would orphan it",
                nodes.join(", ")
            ),
            CaProblem::Generation(why) => write!(f, "cannot create key material: {why}"),
            CaProblem::NodeKey { node, why } => {
                write!(
                    f,
                    "the key of node `{node}` in the secrets directory cannot be read: {why}"
                )
            }
        }
    }
}

impl CaProblem {
    /// How to get out of it.
    pub fn help(&self) -> &'static str {
        match self {
            CaProblem::MissingWithNodes(_) | CaProblem::HalfPresent { .. } => {
                "restore `ca.pem` and `ca.key` into the secrets directory, or replace the CA on purpose with `topoc ca rotate`"
            }
            CaProblem::NodeKey { .. } => {
                "restore the key, or delete it and its certificate to have new ones issued"
            }
            CaProblem::Expired(_) | CaProblem::NotYetValid(_) | CaProblem::Weak(_) => {
                "replace the CA with `topoc ca rotate`, then import it on every node"
            }
            _ => {
                "give `[ca]` a readable CA certificate and its key, or remove them to let topoc create one"
            }
        }
    }
}

pub(super) fn signature_algorithm(algorithm: Algorithm) -> &'static SignatureAlgorithm {
    match algorithm {
        Algorithm::EcdsaP256 => &rcgen::PKCS_ECDSA_P256_SHA256,
        Algorithm::EcdsaP384 => &rcgen::PKCS_ECDSA_P384_SHA384,
        Algorithm::Ed25519 => &rcgen::PKCS_ED25519,
    }
}

/// The DER of the first certificate in a PEM text.
pub fn cert_der(pem: &str) -> Result<Vec<u8>, String> {
    let parsed = ::pem::parse(pem).map_err(|e| format!("not PEM: {e}"))?;
    if parsed.tag() != "CERTIFICATE" {
        return Err(format!("expected a CERTIFICATE, found {}", parsed.tag()));
    }
    Ok(parsed.into_contents())
}

pub(super) fn parse(der: &[u8]) -> Result<X509Certificate<'_>, String> {
    X509Certificate::from_der(der)
        .map(|(_, cert)| cert)
        .map_err(|e| format!("not an X.509 certificate: {e}"))
}

/// A day as `YYYY-MM-DD`, as every date topoc prints.
pub fn day(time: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        time.year(),
        u8::from(time.month()),
        time.day()
    )
}

/// A moment as `YYYYMMDDThhmmssZ` (UTC), fit for a directory name.
pub fn stamp(time: OffsetDateTime) -> String {
    let time = time.to_offset(time::UtcOffset::UTC);
    format!(
        "{}T{:02}{:02}{:02}Z",
        day(time).replace('-', ""),
        time.hour(),
        time.minute(),
        time.second()
    )
}

/// A node's key and certificate, reused from `existing` wherever they still fit, and what
/// was created or re-issued.
fn node_material(
    model: &Model,
    id: NodeId,
    existing: &Existing,
    signer: &Signer<'_>,
    now: OffsetDateTime,
) -> Result<(Pair, Vec<String>), CaProblem> {
    let mut changes = Vec::new();
    let name = &model.node(id).name;
    let (old_key, old_cert) = existing.nodes.get(name).cloned().unwrap_or_default();
    // An existing key is the user's: unreadable, it stops the build rather than being replaced.
    let (key, key_pem) = if let Some(pem) = old_key {
        let key = KeyPair::from_pem(&pem).map_err(|e| CaProblem::NodeKey {
            node: name.clone(),
            why: e.to_string(),
        })?;
        (PublicKey::of(&key), pem)
    } else {
        changes.push(format!("created a key for `{name}`"));
        new_key(model.ca.algorithm)?
    };
    let wanted = identity(model, id);
    let reuse = old_cert
        .as_deref()
        .map(|cert| reusable(cert, &key, signer.ca, &wanted, now).map(|()| cert.to_owned()));
    let cert_pem = match reuse {
        Some(Ok(cert)) => cert,
        Some(Err(why)) => {
            changes.push(format!("re-issued the certificate of `{name}`: {why}"));
            issue(signer, &key, &wanted, model, now)?
        }
        None => {
            changes.push(format!("issued a certificate for `{name}`"));
            issue(signer, &key, &wanted, model, now)?
        }
    };
    Ok((Pair { cert_pem, key_pem }, changes))
}

/// The CA of a build, made or loaded (and checked), ready to issue node certificates.
pub struct Issuer {
    ca: Ca,
    now: OffsetDateTime,
    /// What was done to the CA (created, rotated), for the user to know.
    pub changes: Vec<String>,
}

/// The CA for `model`: the one `existing` holds when it still fits, else a new one (when no
/// node material would be orphaned). `rotate` replaces the CA on purpose.
pub fn issuer(
    model: &Model,
    existing: &Existing,
    now: OffsetDateTime,
    rotate: bool,
) -> Result<Issuer, CaProblem> {
    let now = now.replace_nanosecond(0).unwrap_or(now);
    let mut changes = Vec::new();
    let ca = match (&existing.ca_cert, &existing.ca_key, rotate) {
        (_, _, true) => {
            changes.push("created a new cluster CA (rotation)".to_owned());
            new_ca(model, now)?
        }
        (Some(cert), Some(key), false) => load_ca(cert, key, now)?,
        (Some(_), None, false) => return Err(CaProblem::HalfPresent { missing: "key" }),
        (None, Some(_), false) => {
            return Err(CaProblem::HalfPresent {
                missing: "certificate",
            });
        }
        (None, None, false) => {
            let orphans = existing.nodes_with_material();
            if !orphans.is_empty() {
                return Err(CaProblem::MissingWithNodes(orphans));
            }
            changes.push("created the cluster CA".to_owned());
            new_ca(model, now)?
        }
    };
    Ok(Issuer { ca, now, changes })
}

impl std::fmt::Debug for Issuer {
    /// The CA's certificate only: its key never reaches a debug print.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issuer")
            .field("ca", &self.ca.pair.cert_pem)
            .field("changes", &self.changes)
            .finish_non_exhaustive()
    }
}

impl Issuer {
    /// The CA's certificate and key.
    pub fn ca(&self) -> &Pair {
        &self.ca.pair
    }

    /// The key and certificate of each node of `ids`, reused from `existing` wherever they
    /// still fit, with what was created or re-issued: each node on its own, on the
    /// machine's cores, the results in the order of `ids`.
    pub fn nodes(
        &self,
        model: &Model,
        existing: &Existing,
        ids: &[NodeId],
    ) -> Vec<Result<(Pair, Vec<String>), CaProblem>> {
        let signer = match Signer::new(&self.ca) {
            Ok(signer) => signer,
            Err(problem) => return ids.iter().map(|_| Err(problem.clone())).collect(),
        };
        ids.par_iter()
            .map(|&id| node_material(model, id, existing, &signer, self.now))
            .collect()
    }
}

/// The CA and every node's key and certificate for `model`, reusing what `existing` holds
/// wherever it still fits. `rotate` replaces the CA (and so every node certificate) on purpose.
pub fn ensure(
    model: &Model,
    existing: &Existing,
    now: OffsetDateTime,
    rotate: bool,
) -> Result<Material, CaProblem> {
    let Issuer {
        ca,
        now,
        mut changes,
    } = issuer(model, existing, now, rotate)?;
    let issuer = Issuer {
        ca,
        now,
        changes: Vec::new(),
    };
    // The first problem by node order is reported.
    let ids: Vec<NodeId> = model.node_ids().collect();
    let mut nodes = BTreeMap::new();
    for (id, made) in ids.iter().zip(issuer.nodes(model, existing, &ids)) {
        let (pair, done) = made?;
        changes.extend(done);
        nodes.insert(model.node(*id).name.clone(), pair);
    }
    Ok(Material {
        ca: issuer.ca.pair,
        nodes,
        changes,
    })
}
