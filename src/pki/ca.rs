//! The cluster CA: made, or loaded and checked (key match, CA flag, dates, strength).

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, KeyPair, KeyUsagePurpose,
    SerialNumber,
};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};
use x509_parser::prelude::X509Certificate;
use x509_parser::public_key::PublicKey;

use crate::model::Model;

use super::{CaProblem, Pair, cert_der, day, generate_key, parse};

/// A loaded, checked CA.
pub(super) struct Ca {
    pub(super) pair: Pair,
    pub(super) key: KeyPair,
    pub(super) der: Vec<u8>,
    pub(super) not_after: OffsetDateTime,
}

pub(super) fn load_ca(cert_pem: &str, key_pem: &str, now: OffsetDateTime) -> Result<Ca, CaProblem> {
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

/// The key of a CA certificate: an error when too weak to sign with at all (RSA below 2048
/// bits, EC below 256, an algorithm topoc cannot sign with); otherwise, where it is below
/// what topoc recommends (RSA below 3072 bits), what it is.
pub(super) fn check_strength(cert: &X509Certificate<'_>) -> Result<Option<String>, CaProblem> {
    let (kind, bits, minimum, recommended) = match cert.public_key().parsed() {
        Ok(PublicKey::EC(point)) => ("EC", point.key_size(), 256, 256),
        Ok(PublicKey::RSA(rsa)) => ("RSA", rsa.key_size(), 2048, RECOMMENDED_RSA_BITS),
        Ok(PublicKey::Unknown(_)) if is_ed25519(cert) => return Ok(None),
        Ok(_) | Err(_) => {
            return Err(CaProblem::Weak("an unsupported algorithm".to_owned()));
        }
    };
    let what = format!("{kind} {bits} bits");
    if bits < minimum {
        Err(CaProblem::Weak(what))
    } else if bits < recommended {
        Ok(Some(what))
    } else {
        Ok(None)
    }
}

/// RSA keys shorter than this are accepted for a CA of one's own, with a warning.
pub const RECOMMENDED_RSA_BITS: usize = 3072;

/// The key of the CA certificate `cert_pem`, where it is weaker than topoc recommends.
pub fn modest_key(cert_pem: &str) -> Option<String> {
    let der = cert_der(cert_pem).ok()?;
    let cert = parse(&der).ok()?;
    check_strength(&cert).ok().flatten()
}

pub(super) fn is_ed25519(cert: &X509Certificate<'_>) -> bool {
    cert.public_key().algorithm.algorithm.to_id_string() == "1.3.101.112"
}

pub(super) fn new_ca(model: &Model, now: OffsetDateTime) -> Result<Ca, CaProblem> {
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
    params.not_after = now
        .checked_add(Duration::days(i64::from(settings.validity_days)))
        .ok_or_else(|| {
            CaProblem::Generation(format!(
                "a validity of {} days from now is past the last date a certificate can hold",
                settings.validity_days
            ))
        })?;
    params.serial_number = Some(serial(key.public_key_raw(), now));
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
pub(super) fn serial(public_key: &[u8], now: OffsetDateTime) -> SerialNumber {
    let mut hasher = Sha256::new();
    hasher.update(public_key);
    hasher.update(now.unix_timestamp_nanos().to_be_bytes());
    let mut bytes: Vec<u8> = hasher.finalize()[..16].to_vec();
    bytes[0] &= 0x7f;
    bytes[0] |= 0x01;
    SerialNumber::from_slice(&bytes)
}
