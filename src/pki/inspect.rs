//! What existing certificates say, without issuing anything: for `check`, `certs` and
//! `build --check` without the secrets.

use std::borrow::Cow;
use std::collections::BTreeMap;

use time::OffsetDateTime;

use crate::model::Model;

use super::ca::{load_ca, modest_key};
use super::node::{identity, still_valid, subject_alt_names};
use super::{CaProblem, Certificates, Existing, cert_der, parse};

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
    summarize_der(&cert_der(pem)?)
}

/// What a DER certificate says, as [`summarize`].
pub fn summarize_der(der: &[u8]) -> Result<Summary, String> {
    let cert = parse(der)?;
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
    /// The CA's key, where it is usable but weaker than topoc recommends.
    pub ca_modest_key: Option<String>,
    pub ca: Option<Summary>,
    /// Node certificates that parse, by node name.
    pub nodes: BTreeMap<String, Summary>,
}

/// Checks the CA in `existing` as a build would, and reads every certificate's dates.
pub fn inspect(existing: &Existing, now: OffsetDateTime) -> Inspection {
    let ca_problem = match (&existing.ca_cert, &existing.ca_key) {
        (Some(cert), Some(key)) => load_ca(cert, key, now).err(),
        // A key kept encrypted and not opened here is present, only unread.
        (Some(_), None) if existing.ca_key_locked => None,
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
        ca_modest_key: existing.ca_cert.as_deref().and_then(modest_key),
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
