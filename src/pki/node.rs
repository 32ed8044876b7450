//! Node certificates: what each must say, whether one still fits, and issuing one.

use std::net::IpAddr;

use rcgen::{
    CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use time::{Duration, OffsetDateTime};
use x509_parser::prelude::{GeneralName, ParsedExtension, X509Certificate};

use crate::model::{Model, NodeId};

use super::ca::{Ca, serial};
use super::{CaProblem, PublicKey, RENEWAL_WINDOW_DAYS, cert_der, day, parse};

/// What a node's certificate must say: its name, and how the others reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Identity {
    pub(super) common_name: String,
    pub(super) dns: Vec<String>,
    pub(super) ips: Vec<IpAddr>,
}

pub(super) fn identity(model: &Model, id: NodeId) -> Identity {
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
pub(super) fn reusable(
    cert_pem: &str,
    key: &PublicKey,
    ca: &Ca,
    identity: &Identity,
    now: OffsetDateTime,
) -> Result<(), String> {
    let der = cert_der(cert_pem)?;
    let cert = parse(&der)?;
    if cert.public_key().subject_public_key.data.as_ref() != key.public {
        return Err("it is for another key".to_owned());
    }
    still_valid(&cert, &ca.der, identity, now)
}

/// Whether a certificate still says `identity`, was signed by the CA `ca_der`, and is not yet
/// inside the renewal window: everything a build checks but the key.
pub(super) fn still_valid(
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
pub(super) fn subject_alt_names(cert: &X509Certificate<'_>) -> (Vec<String>, Vec<IpAddr>) {
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

pub(super) fn ip_from(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(bytes).ok().map(IpAddr::from),
        _ => None,
    }
}

pub(super) fn issue(
    signer: &Signer<'_>,
    key: &PublicKey,
    identity: &Identity,
    model: &Model,
    now: OffsetDateTime,
) -> Result<String, CaProblem> {
    let ca = signer.ca;
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
    // Never past the CA's end, which a certificate could hold.
    params.not_after = now
        .checked_add(Duration::days(i64::from(model.ca.node_validity_days)))
        .map_or(ca.not_after, |end| end.min(ca.not_after));
    params.serial_number = Some(serial(&key.public, now));
    params
        .signed_by(key, &signer.issuer)
        .map(|cert| cert.pem())
        .map_err(|e| CaProblem::Generation(e.to_string()))
}

/// The CA as it signs node certificates: read from its certificate once, for every node
/// of a batch.
pub(super) struct Signer<'a> {
    pub(super) ca: &'a Ca,
    issuer: Issuer<'static, &'a KeyPair>,
}

impl<'a> Signer<'a> {
    pub(super) fn new(ca: &'a Ca) -> Result<Self, CaProblem> {
        let issuer = Issuer::from_ca_cert_der(&ca.der.as_slice().into(), &ca.key)
            .map_err(|e| CaProblem::Generation(e.to_string()))?;
        Ok(Signer { ca, issuer })
    }
}
