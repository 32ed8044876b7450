//! Keys: a new one made (its public half read from what the generator wrote), and the
//! public half of a key as a certificate names it.

use pkcs8::der::{Decode, Encode};
use rcgen::{KeyPair, SignatureAlgorithm};

use super::{CaProblem, signature_algorithm};
use crate::syntax::Algorithm;

/// A new key, as PKCS#8 PEM that OpenSSL 3 reads (ring writes Ed25519 keys as PKCS#8 v2,
/// which OpenSSL 3.0 refuses, so those are written as v1, without the public key), and its
/// public half as a certificate names it, taken from what the generator wrote instead of
/// worked out again from the private key: a node's key signs nothing here.
pub(super) fn new_key(algorithm: Algorithm) -> Result<(PublicKey, String), CaProblem> {
    use ring::signature::{
        ECDSA_P256_SHA256_ASN1_SIGNING, ECDSA_P384_SHA384_ASN1_SIGNING, EcdsaKeyPair,
        Ed25519KeyPair,
    };
    let failed = |why: String| CaProblem::Generation(why);
    let random = ring::rand::SystemRandom::new();
    let document = match algorithm {
        Algorithm::EcdsaP256 => {
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &random)
        }
        Algorithm::EcdsaP384 => {
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P384_SHA384_ASN1_SIGNING, &random)
        }
        Algorithm::Ed25519 => Ed25519KeyPair::generate_pkcs8(&random),
    }
    .map_err(|_| failed("the system's random source failed".to_owned()))?;
    let info =
        pkcs8::PrivateKeyInfo::from_der(document.as_ref()).map_err(|e| failed(e.to_string()))?;
    let (public, written) = if let Some(public) = info.public_key {
        // Ed25519: the public key beside the private one (v2); v1 leaves it out.
        let v1 = pkcs8::PrivateKeyInfo {
            public_key: None,
            ..info
        };
        let v1 = v1.to_der().map_err(|e| failed(e.to_string()))?;
        (public.to_vec(), v1)
    } else {
        // ECDSA: the public point inside the SEC1 private key.
        let inner =
            sec1::EcPrivateKey::try_from(info.private_key).map_err(|e| failed(e.to_string()))?;
        let public = inner
            .public_key
            .ok_or_else(|| failed("the generated key holds no public key".to_owned()))?;
        (public.to_vec(), document.as_ref().to_vec())
    };
    let pem = pkcs8::der::pem::encode_string("PRIVATE KEY", pkcs8::LineEnding::LF, &written)
        .map_err(|e| failed(e.to_string()))?;
    let key = PublicKey {
        public,
        algorithm: signature_algorithm(algorithm),
    };
    Ok((key, pem))
}

/// The public half of a key, as a certificate names it.
#[derive(Debug)]
pub(super) struct PublicKey {
    pub(super) public: Vec<u8>,
    algorithm: &'static SignatureAlgorithm,
}

impl PublicKey {
    pub(super) fn of(key: &KeyPair) -> Self {
        PublicKey {
            public: key.public_key_raw().to_vec(),
            algorithm: key.algorithm(),
        }
    }
}

impl rcgen::PublicKeyData for PublicKey {
    fn der_bytes(&self) -> &[u8] {
        &self.public
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        self.algorithm
    }
}

/// A new key that signs (a CA's), as PKCS#8 PEM: see [`new_key`].
pub fn generate_key(algorithm: Algorithm) -> Result<(KeyPair, String), CaProblem> {
    let (_, pem) = new_key(algorithm)?;
    let key = KeyPair::from_pem(&pem).map_err(|e| CaProblem::Generation(e.to_string()))?;
    Ok((key, pem))
}
