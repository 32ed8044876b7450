//! The TLS side of a probe: the node's identity, the client handshake that verifies a peer
//! against the cluster CA and the dialed name, and the stand-in's server side. rustls with
//! the ring provider; every failure turned into what it means for the cluster.

use std::io::{Read, Write};
use std::net::{IpAddr, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::WebPkiClientVerifier;
use rustls::{
    AlertDescription, CertificateError, ClientConfig, ClientConnection, DigitallySignedStruct,
    RootCertStore, ServerConfig, ServerConnection, SignatureScheme,
};
use topoc::pki;

/// What a node shows and trusts: its certificate and key, and the cluster CA.
#[derive(Debug)]
pub(super) struct Identity {
    pub node: String,
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    roots: Arc<RootCertStore>,
    /// The cluster CA's subject, for messages.
    pub ca_subject: String,
}

impl Identity {
    /// From PEM texts; `Err` says which one is unusable.
    pub fn new(node: &str, cert: &str, key: &str, ca: &str) -> Result<Identity, String> {
        let chain = CertificateDer::pem_slice_iter(cert.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("the certificate of `{node}` is not PEM: {e}"))?;
        if chain.is_empty() {
            return Err(format!(
                "the certificate file of `{node}` holds no certificate"
            ));
        }
        let key = PrivateKeyDer::from_pem_slice(key.as_bytes())
            .map_err(|e| format!("the key of `{node}` is not a PEM private key: {e}"))?;
        let ca_der = CertificateDer::from_pem_slice(ca.as_bytes())
            .map_err(|e| format!("the cluster CA is not a PEM certificate: {e}"))?;
        let ca_subject = pki::summarize_der(&ca_der)
            .map(|summary| summary.subject)
            .map_err(|e| format!("the cluster CA: {e}"))?;
        let mut roots = RootCertStore::empty();
        roots
            .add(ca_der)
            .map_err(|e| format!("the cluster CA cannot be trusted: {e}"))?;
        Ok(Identity {
            node: node.to_owned(),
            chain,
            key,
            roots: Arc::new(roots),
            ca_subject,
        })
    }

    fn provider() -> Arc<CryptoProvider> {
        Arc::new(rustls::crypto::ring::default_provider())
    }

    /// The configuration of the stand-in: this certificate, and a client certificate from
    /// the cluster CA required.
    pub fn server_config(&self) -> Result<Arc<ServerConfig>, String> {
        let provider = Identity::provider();
        let verifier =
            WebPkiClientVerifier::builder_with_provider(self.roots.clone(), provider.clone())
                .build()
                .map_err(|e| e.to_string())?;
        ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_client_cert_verifier(verifier)
            .with_single_cert(self.chain.clone(), self.key.clone_key())
            .map(Arc::new)
            .map_err(|e| format!("the certificate and key of `{}` do not fit: {e}", self.node))
    }

    /// A client configuration that presents this certificate and verifies the server
    /// against the cluster CA, keeping what the server presented.
    fn client_config(&self) -> Result<(ClientConfig, Arc<Keeping>), String> {
        let provider = Identity::provider();
        let inner =
            WebPkiServerVerifier::builder_with_provider(self.roots.clone(), provider.clone())
                .build()
                .map_err(|e| e.to_string())?;
        let keeping = Arc::new(Keeping {
            inner,
            presented: Mutex::new(None),
        });
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .dangerous()
            .with_custom_certificate_verifier(keeping.clone())
            .with_client_auth_cert(self.chain.clone(), self.key.clone_key())
            .map_err(|e| format!("the certificate and key of `{}` do not fit: {e}", self.node))?;
        Ok((config, keeping))
    }
}

/// The standard verifier, keeping the certificate the server presented so that a refusal
/// can say whose it was.
#[derive(Debug)]
struct Keeping {
    inner: Arc<WebPkiServerVerifier>,
    presented: Mutex<Option<Vec<u8>>>,
}

impl ServerCertVerifier for Keeping {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut presented) = self.presented.lock() {
            *presented = Some(end_entity.to_vec());
        }
        self.inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// How a TLS check ended: passed or not, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Verdict {
    pub passed: bool,
    pub reason: String,
}

impl Verdict {
    fn fail(reason: String) -> Verdict {
        Verdict {
            passed: false,
            reason,
        }
    }
}

/// How long to wait after the handshake for the peer to accept or refuse our certificate
/// (TLS 1.3 tells a client only afterwards).
const SETTLE: Duration = Duration::from_secs(1);

/// A handshake over `stream` as `identity`, verifying the peer as `dialed` (a name or an
/// address), within `timeout`.
pub(super) fn handshake(
    identity: &Identity,
    mut stream: TcpStream,
    dialed: &str,
    timeout: Duration,
) -> Verdict {
    let (config, keeping) = match identity.client_config() {
        Ok(made) => made,
        Err(why) => return Verdict::fail(why),
    };
    let name = match dialed.parse::<IpAddr>() {
        Ok(ip) => ServerName::IpAddress(ip.into()),
        Err(_) => match ServerName::try_from(dialed.to_owned()) {
            Ok(name) => name,
            Err(_) => return Verdict::fail(format!("`{dialed}` is not a name TLS can verify")),
        },
    };
    let mut connection = match ClientConnection::new(Arc::new(config), name) {
        Ok(connection) => connection,
        Err(error) => return Verdict::fail(error.to_string()),
    };
    let deadline = Instant::now() + timeout;
    while connection.is_handshaking() {
        if let Err(error) = step(&mut connection, &mut stream, deadline) {
            let presented = keeping.presented.lock().ok().and_then(|p| p.clone());
            return Verdict::fail(explain(
                &error,
                identity,
                dialed,
                presented.as_deref(),
                timeout,
            ));
        }
    }
    let subject = keeping
        .presented
        .lock()
        .ok()
        .and_then(|p| p.clone())
        .and_then(|der| pki::summarize_der(&der).ok())
        .map_or_else(String::new, |summary| summary.subject);
    // The peer refuses our certificate, if it does, with an alert after the handshake.
    let settle = (Instant::now() + SETTLE).min(deadline);
    let mut answer = [0u8; 256];
    loop {
        match connection.reader().read(&mut answer) {
            Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {}
            _ => break,
        }
        match step(&mut connection, &mut stream, settle) {
            Ok(()) => {}
            Err(error)
                if is_timeout(&error) || error.kind() == std::io::ErrorKind::UnexpectedEof =>
            {
                break;
            }
            Err(error) => {
                return Verdict::fail(explain(&error, identity, dialed, None, timeout));
            }
        }
    }
    Verdict {
        passed: true,
        reason: format!(
            "{subject} from the cluster CA, valid for `{dialed}`; it accepted the certificate of `{}`",
            identity.node
        ),
    }
}

/// One round of reading and writing, with the socket's timeouts set to what is left until
/// `deadline`.
fn step<S: rustls::SideData>(
    connection: &mut rustls::ConnectionCommon<S>,
    stream: &mut TcpStream,
    deadline: Instant,
) -> std::io::Result<()> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(std::io::ErrorKind::TimedOut.into());
    }
    stream.set_read_timeout(Some(left))?;
    stream.set_write_timeout(Some(left))?;
    connection.complete_io(stream).map(|_| ())
}

fn is_timeout(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
    )
}

/// What a failed handshake means, in the cluster's words.
fn explain(
    error: &std::io::Error,
    identity: &Identity,
    dialed: &str,
    presented: Option<&[u8]>,
    timeout: Duration,
) -> String {
    let whose = presented
        .and_then(|der| pki::summarize_der(der).ok())
        .map(|summary| (summary.subject, summary.issuer, summary.dns, summary.ips));
    let Some(tls) = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    else {
        return if is_timeout(error) {
            format!(
                "no TLS answer within {}: the peer accepts connections but does not speak TLS, or hangs",
                humantime::format_duration(timeout)
            )
        } else if error.kind() == std::io::ErrorKind::UnexpectedEof
            || error.kind() == std::io::ErrorKind::ConnectionReset
        {
            "the peer closed the connection during the handshake: it does not speak TLS here, or refused us".to_owned()
        } else {
            format!("the handshake failed: {error}")
        };
    };
    match tls {
        rustls::Error::InvalidCertificate(certificate) => match certificate {
            CertificateError::UnknownIssuer | CertificateError::BadSignature => match whose {
                Some((subject, issuer, _, _)) => format!(
                    "its certificate ({subject}) was signed by {issuer}, not by the cluster CA ({}): the cluster CA was changed on one side; import the cluster CA there and re-issue its certificate",
                    identity.ca_subject
                ),
                None => format!(
                    "its certificate was not signed by the cluster CA ({})",
                    identity.ca_subject
                ),
            },
            CertificateError::NotValidForName
            | CertificateError::NotValidForNameContext { .. } => {
                let names = whose.map_or_else(String::new, |(_, _, dns, ips)| {
                    let all: Vec<String> = dns.into_iter().chain(ips).collect();
                    format!(" (it names {})", all.join(", "))
                });
                format!(
                    "its certificate does not name `{dialed}`{names}: run `topoc build` and deploy the peer's new certificate"
                )
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                "its certificate has expired: run `topoc build` and deploy the peer's new certificate".to_owned()
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                "its certificate is not valid yet: compare the clocks of both machines".to_owned()
            }
            other => format!("its certificate is refused: {other:?}"),
        },
        rustls::Error::AlertReceived(alert) => match alert {
            AlertDescription::UnknownCA
            | AlertDescription::BadCertificate
            | AlertDescription::CertificateRequired
            | AlertDescription::CertificateUnknown
            | AlertDescription::AccessDenied => format!(
                "it refused the certificate of `{}` (TLS alert {alert:?}): the peer trusts another cluster CA",
                identity.node
            ),
            other => format!("it ended the handshake (TLS alert {other:?})"),
        },
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
            "it does not speak TLS on this port".to_owned()
        }
        other => format!("the handshake failed: {other}"),
    }
}

/// What one connection to the stand-in came to: the client's certificate subject, or why
/// the handshake failed.
pub(super) fn answer(
    config: Arc<ServerConfig>,
    mut stream: TcpStream,
    node: &str,
    timeout: Duration,
) -> Result<String, String> {
    let mut connection = ServerConnection::new(config).map_err(|e| e.to_string())?;
    let deadline = Instant::now() + timeout;
    while connection.is_handshaking() {
        step(&mut connection, &mut stream, deadline).map_err(|error| {
            match error
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            {
                Some(rustls::Error::InvalidCertificate(why)) => {
                    format!("refused the client's certificate: {why:?}")
                }
                Some(rustls::Error::NoCertificatesPresented) => {
                    "the client presented no certificate".to_owned()
                }
                Some(other) => other.to_string(),
                None if error.kind() == std::io::ErrorKind::UnexpectedEof => {
                    "the client closed the connection before the handshake ended".to_owned()
                }
                None => error.to_string(),
            }
        })?;
    }
    let client = connection
        .peer_certificates()
        .and_then(|chain| chain.first())
        .and_then(|der| pki::summarize_der(der).ok())
        .map_or_else(|| "a client".to_owned(), |summary| summary.subject);
    let greeting = format!("topoc stand-in for {node}: hello, {client}\n");
    let _ = connection.writer().write_all(greeting.as_bytes());
    connection.send_close_notify();
    let _ = step(&mut connection, &mut stream, deadline);
    Ok(client)
}
