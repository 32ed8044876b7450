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
use std::net::IpAddr;

use pkcs8::der::{Decode, Encode};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType, SerialNumber, SignatureAlgorithm,
};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};
use x509_parser::prelude::{FromDer, GeneralName, ParsedExtension, X509Certificate};
use x509_parser::public_key::PublicKey;

use crate::model::{Model, NodeId};
use crate::syntax::Algorithm;

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
                "the CA key ({what}) is weaker than ECDSA P-256, P-384, Ed25519 or RSA of 3072 bits"
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

fn signature_algorithm(algorithm: Algorithm) -> &'static SignatureAlgorithm {
    match algorithm {
        Algorithm::EcdsaP256 => &rcgen::PKCS_ECDSA_P256_SHA256,
        Algorithm::EcdsaP384 => &rcgen::PKCS_ECDSA_P384_SHA384,
        Algorithm::Ed25519 => &rcgen::PKCS_ED25519,
    }
}

/// A new key, as PKCS#8 PEM that OpenSSL 3 reads: ring writes Ed25519 keys as PKCS#8 v2,
/// which OpenSSL 3.0 refuses, so those are written as v1 (without the public key).
pub fn generate_key(algorithm: Algorithm) -> Result<(KeyPair, String), CaProblem> {
    let key = KeyPair::generate_for(signature_algorithm(algorithm))
        .map_err(|e| CaProblem::Generation(e.to_string()))?;
    let pem = if algorithm == Algorithm::Ed25519 {
        let der = key.serialize_der();
        let info = pkcs8::PrivateKeyInfo::from_der(&der)
            .map_err(|e| CaProblem::Generation(e.to_string()))?;
        let v1 = pkcs8::PrivateKeyInfo {
            algorithm: info.algorithm,
            private_key: info.private_key,
            public_key: None,
        };
        let v1_der = v1
            .to_der()
            .map_err(|e| CaProblem::Generation(e.to_string()))?;
        pkcs8::der::pem::encode_string("PRIVATE KEY", pkcs8::LineEnding::LF, &v1_der)
            .map_err(|e| CaProblem::Generation(e.to_string()))?
    } else {
        key.serialize_pem()
    };
    Ok((key, pem))
}

/// The DER of the first certificate in a PEM text.
pub fn cert_der(pem: &str) -> Result<Vec<u8>, String> {
    let parsed = ::pem::parse(pem).map_err(|e| format!("not PEM: {e}"))?;
    if parsed.tag() != "CERTIFICATE" {
        return Err(format!("expected a CERTIFICATE, found {}", parsed.tag()));
    }
    Ok(parsed.into_contents())
}

fn parse(der: &[u8]) -> Result<X509Certificate<'_>, String> {
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

/// A loaded, checked CA.
struct Ca {
    pair: Pair,
    key: KeyPair,
    der: Vec<u8>,
    not_after: OffsetDateTime,
}

fn load_ca(cert_pem: &str, key_pem: &str, now: OffsetDateTime) -> Result<Ca, CaProblem> {
    let der = cert_der(cert_pem).map_err(CaProblem::Unreadable)?;
    let cert = parse(&der).map_err(CaProblem::Unreadable)?;
    let key =
        KeyPair::from_pem(key_pem).map_err(|e| CaProblem::Unreadable(format!("the key: {e}")))?;
    if cert.public_key().subject_public_key.data.as_ref() != key.public_key_raw() {
        return Err(CaProblem::KeyMismatch);
    }
    if !cert.is_ca() {
        return Err(CaProblem::NotACa);
    }
    check_strength(&cert)?;
    let not_after = cert.validity().not_after.to_datetime();
    let not_before = cert.validity().not_before.to_datetime();
    if not_after <= now {
        return Err(CaProblem::Expired(day(not_after)));
    }
    if not_before > now {
        return Err(CaProblem::NotYetValid(day(not_before)));
    }
    Ok(Ca {
        pair: Pair {
            cert_pem: cert_pem.to_owned(),
            key_pem: key_pem.to_owned(),
        },
        key,
        der: der.clone(),
        not_after,
    })
}

fn check_strength(cert: &X509Certificate<'_>) -> Result<(), CaProblem> {
    let (kind, bits, minimum) = match cert.public_key().parsed() {
        Ok(PublicKey::EC(point)) => ("EC", point.key_size(), 256),
        Ok(PublicKey::RSA(rsa)) => ("RSA", rsa.key_size(), 3072),
        Ok(PublicKey::Unknown(_)) if is_ed25519(cert) => return Ok(()),
        Ok(_) | Err(_) => {
            return Err(CaProblem::Weak("an unsupported algorithm".to_owned()));
        }
    };
    if bits >= minimum {
        Ok(())
    } else {
        Err(CaProblem::Weak(format!("{kind} {bits} bits")))
    }
}

fn is_ed25519(cert: &X509Certificate<'_>) -> bool {
    cert.public_key().algorithm.algorithm.to_id_string() == "1.3.101.112"
}

fn new_ca(model: &Model, now: OffsetDateTime) -> Result<Ca, CaProblem> {
    let settings = &model.ca;
    let (key, key_pem) = generate_key(settings.algorithm)?;
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, settings.common_name.as_str());
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.not_before = now;
    params.not_after = now + Duration::days(i64::from(settings.validity_days));
    params.serial_number = Some(serial(&key, now));
    let cert = params
        .self_signed(&key)
        .map_err(|e| CaProblem::Generation(e.to_string()))?;
    Ok(Ca {
        pair: Pair {
            cert_pem: cert.pem(),
            key_pem,
        },
        key,
        der: cert.der().to_vec(),
        not_after: params.not_after,
    })
}

/// A positive 16-byte serial from the key and the time: unique per issuance.
fn serial(key: &KeyPair, now: OffsetDateTime) -> SerialNumber {
    let mut hasher = Sha256::new();
    hasher.update(key.public_key_raw());
    hasher.update(now.unix_timestamp_nanos().to_be_bytes());
    let mut bytes: Vec<u8> = hasher.finalize()[..16].to_vec();
    bytes[0] &= 0x7f;
    bytes[0] |= 0x01;
    SerialNumber::from_slice(&bytes)
}

/// What a node's certificate must say: its name, and how the others reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Identity {
    common_name: String,
    dns: Vec<String>,
    ips: Vec<IpAddr>,
}

fn identity(model: &Model, id: NodeId) -> Identity {
    let node = model.node(id);
    let mut ips = vec![node.address.value];
    if let Some(nat) = &node.nat_address {
        ips.push(nat.value);
    }
    ips.sort_unstable();
    ips.dedup();
    Identity {
        common_name: node.name.clone(),
        dns: node.fqdn.iter().map(|fqdn| fqdn.value.clone()).collect(),
        ips,
    }
}

/// Whether `cert_pem` can stay: issued by `ca`, for `key`, saying `identity`, and not yet
/// inside the renewal window. `Err` says why not.
fn reusable(
    cert_pem: &str,
    key: &KeyPair,
    ca: &Ca,
    identity: &Identity,
    now: OffsetDateTime,
) -> Result<(), String> {
    let der = cert_der(cert_pem)?;
    let cert = parse(&der)?;
    if cert.public_key().subject_public_key.data.as_ref() != key.public_key_raw() {
        return Err("it is for another key".to_owned());
    }
    still_valid(&cert, &ca.der, identity, now)
}

/// Whether a certificate still says `identity`, was signed by the CA `ca_der`, and is not yet
/// inside the renewal window: everything a build checks but the key.
fn still_valid(
    cert: &X509Certificate<'_>,
    ca_der: &[u8],
    identity: &Identity,
    now: OffsetDateTime,
) -> Result<(), String> {
    let ca_cert = parse(ca_der)?;
    if cert.issuer() != ca_cert.subject()
        || cert.verify_signature(Some(ca_cert.public_key())).is_err()
    {
        return Err("it was not signed by the current CA".to_owned());
    }
    let common_name = cert
        .subject()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .unwrap_or_default();
    let (dns, mut ips) = subject_alt_names(cert);
    ips.sort_unstable();
    let found = Identity {
        common_name: common_name.to_owned(),
        dns,
        ips,
    };
    if &found != identity {
        return Err("its names or addresses changed".to_owned());
    }
    let not_after = cert.validity().not_after.to_datetime();
    if not_after - now <= Duration::days(RENEWAL_WINDOW_DAYS) {
        return Err(format!("it ends on {}", day(not_after)));
    }
    Ok(())
}

/// The DNS names and IP addresses a certificate's subject alternative names list.
fn subject_alt_names(cert: &X509Certificate<'_>) -> (Vec<String>, Vec<IpAddr>) {
    let (mut dns, mut ips) = (Vec::new(), Vec::new());
    for extension in cert.extensions() {
        if let ParsedExtension::SubjectAlternativeName(san) = extension.parsed_extension() {
            for name in &san.general_names {
                match name {
                    GeneralName::DNSName(name) => dns.push((*name).to_owned()),
                    GeneralName::IPAddress(bytes) => ips.extend(ip_from(bytes)),
                    _ => {}
                }
            }
        }
    }
    (dns, ips)
}

fn ip_from(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(bytes).ok().map(IpAddr::from),
        _ => None,
    }
}

fn issue(
    ca: &Ca,
    key: &KeyPair,
    identity: &Identity,
    model: &Model,
    now: OffsetDateTime,
) -> Result<String, CaProblem> {
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, identity.common_name.as_str());
    params.subject_alt_names = identity
        .dns
        .iter()
        .map(|dns| {
            dns.clone()
                .try_into()
                .map(SanType::DnsName)
                .map_err(|e: rcgen::Error| CaProblem::Generation(e.to_string()))
        })
        .chain(identity.ips.iter().map(|&ip| Ok(SanType::IpAddress(ip))))
        .collect::<Result<_, _>>()?;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    params.use_authority_key_identifier_extension = true;
    params.not_before = now;
    params.not_after =
        (now + Duration::days(i64::from(model.ca.node_validity_days))).min(ca.not_after);
    params.serial_number = Some(serial(key, now));
    let issuer = Issuer::from_ca_cert_der(&ca.der.clone().into(), &ca.key)
        .map_err(|e| CaProblem::Generation(e.to_string()))?;
    params
        .signed_by(key, &issuer)
        .map(|cert| cert.pem())
        .map_err(|e| CaProblem::Generation(e.to_string()))
}

/// The CA and every node's key and certificate for `model`, reusing what `existing` holds
/// wherever it still fits. `rotate` replaces the CA (and so every node certificate) on purpose.
pub fn ensure(
    model: &Model,
    existing: &Existing,
    now: OffsetDateTime,
    rotate: bool,
) -> Result<Material, CaProblem> {
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
    let mut nodes = BTreeMap::new();
    for id in model.node_ids() {
        let name = &model.node(id).name;
        let (old_key, old_cert) = existing.nodes.get(name).cloned().unwrap_or_default();
        // An existing key is the user's: unreadable, it stops the build rather than being replaced.
        let (key, key_pem) = if let Some(pem) = old_key {
            let key = KeyPair::from_pem(&pem).map_err(|e| CaProblem::NodeKey {
                node: name.clone(),
                why: e.to_string(),
            })?;
            (key, pem)
        } else {
            changes.push(format!("created a key for `{name}`"));
            generate_key(model.ca.algorithm)?
        };
        let wanted = identity(model, id);
        let reuse = old_cert
            .as_deref()
            .map(|cert| reusable(cert, &key, &ca, &wanted, now).map(|()| cert.to_owned()));
        let cert_pem = match reuse {
            Some(Ok(cert)) => cert,
            Some(Err(why)) => {
                changes.push(format!("re-issued the certificate of `{name}`: {why}"));
                issue(&ca, &key, &wanted, model, now)?
            }
            None => {
                changes.push(format!("issued a certificate for `{name}`"));
                issue(&ca, &key, &wanted, model, now)?
            }
        };
        nodes.insert(name.clone(), Pair { cert_pem, key_pem });
    }
    Ok(Material {
        ca: ca.pair,
        nodes,
        changes,
    })
}

/// What a certificate says, for `topoc certs` and `cert-expiring`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub subject: String,
    pub issuer: String,
    pub dns: Vec<String>,
    pub ips: Vec<String>,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub serial: String,
}

pub fn summarize(pem: &str) -> Result<Summary, String> {
    let der = cert_der(pem)?;
    let cert = parse(&der)?;
    let (dns, ips) = subject_alt_names(&cert);
    let ips = ips.iter().map(ToString::to_string).collect();
    Ok(Summary {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        dns,
        ips,
        not_before: cert.validity().not_before.to_datetime(),
        not_after: cert.validity().not_after.to_datetime(),
        serial: cert.raw_serial_as_string(),
    })
}

/// What `check` learns from existing material without issuing anything.
#[derive(Debug, Clone)]
pub struct Inspection {
    /// The moment the material was judged at.
    pub now: OffsetDateTime,
    /// Why the CA cannot be used, if it cannot.
    pub ca_problem: Option<CaProblem>,
    pub ca: Option<Summary>,
    /// Node certificates that parse, by node name.
    pub nodes: BTreeMap<String, Summary>,
}

/// Checks the CA in `existing` as a build would, and reads every certificate's dates.
pub fn inspect(existing: &Existing, now: OffsetDateTime) -> Inspection {
    let ca_problem = match (&existing.ca_cert, &existing.ca_key) {
        (Some(cert), Some(key)) => load_ca(cert, key, now).err(),
        (Some(_), None) => Some(CaProblem::HalfPresent { missing: "key" }),
        (None, Some(_)) => Some(CaProblem::HalfPresent {
            missing: "certificate",
        }),
        (None, None) => {
            let orphans = existing.nodes_with_material();
            (!orphans.is_empty()).then_some(CaProblem::MissingWithNodes(orphans))
        }
    };
    Inspection {
        now,
        ca_problem,
        ca: existing
            .ca_cert
            .as_deref()
            .and_then(|pem| summarize(pem).ok()),
        nodes: existing
            .nodes
            .iter()
            .filter_map(|(name, (_, cert))| Some((name.clone(), summarize(cert.as_deref()?).ok()?)))
            .collect(),
    }
}

/// For `build --check` without the secrets: the certificates a build would publish, taken
/// from the previous output, and the nodes whose certificate a build would re-issue (or
/// issue), with why. Keys are not needed: certificates are public.
pub fn published(
    model: &Model,
    ca_pem: &str,
    nodes: &BTreeMap<String, String>,
    now: OffsetDateTime,
) -> Result<(Certificates<'static>, Vec<(String, String)>), CaProblem> {
    let ca_der = cert_der(ca_pem).map_err(CaProblem::Unreadable)?;
    let mut stale = Vec::new();
    let mut certificates = Certificates {
        ca: Cow::Owned(ca_pem.to_owned()),
        nodes: BTreeMap::new(),
    };
    for id in model.node_ids() {
        let name = &model.node(id).name;
        let Some(cert_pem) = nodes.get(name) else {
            stale.push((name.clone(), "it has no certificate yet".to_owned()));
            continue;
        };
        let verdict = cert_der(cert_pem).and_then(|der| {
            let cert = parse(&der)?;
            still_valid(&cert, &ca_der, &identity(model, id), now)
        });
        if let Err(why) = verdict {
            stale.push((name.clone(), why));
        }
        certificates
            .nodes
            .insert(Cow::Owned(name.clone()), Cow::Owned(cert_pem.clone()));
    }
    Ok((certificates, stale))
}
