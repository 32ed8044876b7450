//! The cluster CA and node certificates: accepted by real TLS stacks, and managed safely.

mod common;

use common::{dir_contents, example, topoc};

use std::io::Cursor;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, ClientConnection, RootCertStore, ServerConfig, ServerConnection};
use time::{Duration, OffsetDateTime};
use topoc::model::Model;
use topoc::pki::{self, Existing, Material};
use topoc::source::Source;

/// What a first build writes into the secrets directory for `material`.
fn secret_tree(model: &Model, material: &pki::Material) -> topoc::emit::Tree {
    topoc::keys::Keys::Made(Box::default(), material.clone())
        .into_secrets(model, true)
        .expect("plain paths")
        .tree
}

fn nat_example(algorithm: &str) -> Model {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/nat.toml");
    let text = std::fs::read_to_string(path).expect("example")
        + &format!("\n[ca]\nalgorithm = \"{algorithm}\"\n");
    common::check(&Source::new("nat.toml", text))
        .model
        .expect("resolves")
}

fn fresh(model: &Model) -> Material {
    pki::ensure(
        model,
        &Existing::default(),
        OffsetDateTime::now_utc(),
        false,
    )
    .expect("material")
}

/// Runs a TLS 1.3 handshake in memory: `server` presents its certificate, `client` its own,
/// each trusting `server_trusts` / `client_trusts`; the client asks for `name`.
fn handshake(
    server: &pki::Pair,
    client: &pki::Pair,
    server_trusts: &str,
    client_trusts: &str,
    name: &str,
) -> Result<(), rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = |pem: &str| {
        let mut roots = RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_slice(pem.as_bytes()).expect("CA PEM"))
            .expect("a root");
        Arc::new(roots)
    };
    let chain = |pair: &pki::Pair| {
        vec![CertificateDer::from_pem_slice(pair.cert_pem.as_bytes()).expect("cert PEM")]
    };
    let key =
        |pair: &pki::Pair| PrivateKeyDer::from_pem_slice(pair.key_pem.as_bytes()).expect("key PEM");

    let verifier =
        WebPkiClientVerifier::builder_with_provider(roots(server_trusts), provider.clone())
            .build()
            .expect("client verifier");
    let server_config = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain(server), key(server))?;
    let client_config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots(client_trusts))
        .with_client_auth_cert(chain(client), key(client))?;
    let name = ServerName::try_from(name.to_owned()).expect("a server name");
    let mut client_side = ClientConnection::new(Arc::new(client_config), name)?;
    let mut server_side = ServerConnection::new(Arc::new(server_config))?;
    for _ in 0..10 {
        let mut to_server = Vec::new();
        while client_side.wants_write() {
            client_side.write_tls(&mut to_server).expect("in memory");
        }
        server_side
            .read_tls(&mut Cursor::new(to_server))
            .expect("in memory");
        server_side.process_new_packets()?;
        let mut to_client = Vec::new();
        while server_side.wants_write() {
            server_side.write_tls(&mut to_client).expect("in memory");
        }
        client_side
            .read_tls(&mut Cursor::new(to_client))
            .expect("in memory");
        client_side.process_new_packets()?;
        if !client_side.is_handshaking() && !server_side.is_handshaking() {
            assert!(
                server_side
                    .peer_certificates()
                    .is_some_and(|c| !c.is_empty()),
                "the client was authenticated"
            );
            return Ok(());
        }
    }
    panic!("the handshake did not finish");
}

#[test]
fn nodes_authenticate_each_other_by_name_and_address_with_every_algorithm() {
    for algorithm in ["ecdsa-p256", "ecdsa-p384", "ed25519"] {
        let material = fresh(&nat_example(algorithm));
        let (a, b) = (&material.nodes["proxy1a"], &material.nodes["proxy2b"]);
        let ca = &material.ca.cert_pem;
        for name in [
            "proxy1a-mgmt.example1.local",
            "192.168.1.10",
            "203.0.113.10",
        ] {
            handshake(a, b, ca, ca, name).unwrap_or_else(|e| panic!("{algorithm}, {name}: {e}"));
        }
        handshake(b, a, ca, ca, "proxy2b-mgmt.example2.local")
            .unwrap_or_else(|e| panic!("{algorithm}: {e}"));
        let wrong = handshake(a, b, ca, ca, "proxy2b-mgmt.example2.local");
        assert!(
            wrong.is_err(),
            "{algorithm}: a certificate must not pass for another node's name"
        );
    }
}

#[test]
fn certificates_of_a_foreign_ca_are_rejected() {
    let ours = fresh(&nat_example("ecdsa-p256"));
    let theirs = fresh(&nat_example("ecdsa-p256"));
    let ca = &ours.ca.cert_pem;
    let foreign_server = handshake(
        &theirs.nodes["proxy1a"],
        &ours.nodes["proxy2b"],
        ca,
        ca,
        "192.168.1.10",
    );
    assert!(
        foreign_server.is_err(),
        "the client must refuse a server from another CA"
    );
    let foreign_client = handshake(
        &ours.nodes["proxy1a"],
        &theirs.nodes["proxy2b"],
        ca,
        ca,
        "192.168.1.10",
    );
    assert!(
        foreign_client.is_err(),
        "the server must refuse a client from another CA"
    );
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .expect("exists")
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn openssl_verifies_every_node_certificate_and_reads_every_key() {
    if !common::client("openssl") {
        return;
    }
    for algorithm in ["ecdsa-p256", "ecdsa-p384", "ed25519"] {
        let dir = tempfile::tempdir().expect("temp");
        let text = std::fs::read_to_string(example("nat.toml")).expect("example")
            + &format!("\n[ca]\nalgorithm = \"{algorithm}\"\n");
        std::fs::write(dir.path().join("nat.toml"), text).expect("write");
        assert!(topoc(dir.path(), &["build", "nat.toml"]).status.success());
        for node in ["proxy1a", "proxy2b", "proxy3c"] {
            let out = dir.path().join("out/nodes").join(node);
            for purpose in ["sslserver", "sslclient"] {
                let verified = Command::new("openssl")
                    .args(["verify", "-purpose", purpose, "-CAfile"])
                    .arg(out.join("ca.pem"))
                    .arg(out.join("node.pem"))
                    .output()
                    .expect("openssl runs");
                assert!(
                    verified.status.success(),
                    "{algorithm} {node} {purpose}: {}",
                    String::from_utf8_lossy(&verified.stderr)
                );
            }
            let key = dir.path().join("secrets/nodes").join(format!("{node}.key"));
            let read = Command::new("openssl")
                .args(["pkey", "-noout", "-in"])
                .arg(&key)
                .output()
                .expect("openssl runs");
            assert!(
                read.status.success(),
                "{algorithm} {node} key: {}",
                String::from_utf8_lossy(&read.stderr)
            );
        }
        let ca_key = Command::new("openssl")
            .args(["pkey", "-noout", "-in"])
            .arg(dir.path().join("secrets/ca.key"))
            .output()
            .expect("runs");
        assert!(ca_key.status.success(), "{algorithm} CA key");
    }
}

#[test]
fn secrets_are_private_and_never_in_the_output() {
    let dir = tempfile::tempdir().expect("temp");
    assert!(
        topoc(dir.path(), &["build", &example("nat.toml")])
            .status
            .success()
    );
    let secrets = dir.path().join("secrets");
    assert_eq!(mode(&secrets), 0o700);
    assert_eq!(mode(&secrets.join("nodes")), 0o700);
    for file in topoc::write::list_files(&secrets).expect("listable") {
        assert_eq!(mode(&secrets.join(&file)), 0o600, "{file}");
    }
    for file in topoc::write::list_files(&dir.path().join("out")).expect("listable") {
        let content = std::fs::read_to_string(dir.path().join("out").join(&file)).expect("text");
        assert!(
            !content.contains("PRIVATE KEY"),
            "{file} holds a private key"
        );
    }
    let inside = topoc(
        dir.path(),
        &["build", "--secrets", "out/keys", &example("nat.toml")],
    );
    assert_eq!(inside.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&inside.stderr).contains("inside the output directory"));
}

#[test]
fn rebuilds_reuse_every_key_and_certificate() {
    let dir = tempfile::tempdir().expect("temp");
    assert!(
        topoc(dir.path(), &["build", &example("nat.toml")])
            .status
            .success()
    );
    let (out, secrets) = (
        dir_contents(&dir.path().join("out")),
        dir_contents(&dir.path().join("secrets")),
    );
    let again = topoc(dir.path(), &["build", &example("nat.toml")]);
    assert!(again.status.success());
    assert_eq!(
        String::from_utf8_lossy(&again.stdout),
        format!(
            "`out` is up to date ({} files): nothing written\n",
            out.len()
        ),
        "nothing created or re-issued, nothing written"
    );
    assert_eq!(dir_contents(&dir.path().join("out")), out);
    assert_eq!(dir_contents(&dir.path().join("secrets")), secrets);
    // From scratch: the output is gone, the secrets remain; the same bytes come back.
    std::fs::remove_dir_all(dir.path().join("out")).expect("removed");
    assert!(
        topoc(dir.path(), &["build", &example("nat.toml")])
            .status
            .success()
    );
    assert_eq!(dir_contents(&dir.path().join("out")), out);
}

#[test]
fn node_certificates_are_reissued_only_when_needed() {
    let model = nat_example("ecdsa-p256");
    let start = OffsetDateTime::now_utc() - Duration::days(400);
    let first = pki::ensure(&model, &Existing::default(), start, false).expect("material");
    let existing = Existing {
        ca_cert: Some(first.ca.cert_pem.clone()),
        ca_key: Some(first.ca.key_pem.clone()),
        nodes: first
            .nodes
            .iter()
            .map(|(name, pair)| {
                (
                    name.clone(),
                    (Some(pair.key_pem.clone()), Some(pair.cert_pem.clone())),
                )
            })
            .collect(),
        ..Existing::default()
    };
    // A week later nothing changes.
    let week = pki::ensure(&model, &existing, start + Duration::days(7), false).expect("material");
    assert!(week.changes.is_empty(), "{:?}", week.changes);
    assert_eq!(week.nodes, first.nodes);
    // 380 days on, inside the 30-day window of the 397-day certificates: every one is renewed,
    // with the same key and the same CA.
    let later =
        pki::ensure(&model, &existing, start + Duration::days(380), false).expect("material");
    assert_eq!(later.changes.len(), 3, "{:?}", later.changes);
    assert_eq!(later.ca, first.ca);
    for (name, pair) in &later.nodes {
        assert_eq!(
            pair.key_pem, first.nodes[name].key_pem,
            "{name} keeps its key"
        );
        assert_ne!(
            pair.cert_pem, first.nodes[name].cert_pem,
            "{name} gets a new certificate"
        );
    }
    // A changed address changes that node's certificate only.
    let moved = std::fs::read_to_string(example("nat.toml"))
        .expect("example")
        .replace(
            "nat_address = \"198.51.100.20\"",
            "nat_address = \"198.51.100.21\"",
        );
    let moved = common::check(&Source::new("nat.toml", moved))
        .model
        .expect("resolves");
    let reissued =
        pki::ensure(&moved, &existing, start + Duration::days(7), false).expect("material");
    assert_eq!(reissued.changes.len(), 1, "{:?}", reissued.changes);
    assert!(
        reissued.changes[0].contains("proxy2b")
            && reissued.changes[0].contains("names or addresses changed")
    );
}

#[test]
fn a_missing_ca_key_stops_the_build_instead_of_creating_a_new_ca() {
    let dir = tempfile::tempdir().expect("temp");
    assert!(
        topoc(dir.path(), &["build", &example("nat.toml")])
            .status
            .success()
    );
    let out_before = dir_contents(&dir.path().join("out"));
    std::fs::remove_file(dir.path().join("secrets/ca.key")).expect("removed");
    let refused = topoc(dir.path(), &["build", &example("nat.toml")]);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("invalid-ca") && stderr.contains("key is missing"),
        "{stderr}"
    );
    assert!(stderr.contains("topoc ca rotate"), "{stderr}");
    assert_eq!(
        dir_contents(&dir.path().join("out")),
        out_before,
        "the output is untouched"
    );
    assert!(
        !dir.path().join("secrets/ca.key").exists(),
        "no CA was created silently"
    );

    std::fs::remove_file(dir.path().join("secrets/ca.pem")).expect("removed");
    let refused = topoc(dir.path(), &["build", &example("nat.toml")]);
    assert_eq!(
        refused.status.code(),
        Some(1),
        "node keys without a CA are refused too"
    );
    assert!(String::from_utf8_lossy(&refused.stderr).contains("node material exists"));
}

#[test]
fn rotation_replaces_the_ca_and_every_node_certificate() {
    let dir = tempfile::tempdir().expect("temp");
    assert!(
        topoc(dir.path(), &["build", &example("nat.toml")])
            .status
            .success()
    );
    let old_ca = std::fs::read_to_string(dir.path().join("secrets/ca.pem")).expect("CA");
    let old_key =
        std::fs::read_to_string(dir.path().join("secrets/nodes/proxy1a.key")).expect("key");
    let rotated = topoc(dir.path(), &["ca", "rotate", &example("nat.toml")]);
    assert!(
        rotated.status.success(),
        "{}",
        String::from_utf8_lossy(&rotated.stderr)
    );
    let new_ca = std::fs::read_to_string(dir.path().join("secrets/ca.pem")).expect("CA");
    assert_ne!(new_ca, old_ca);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("secrets/nodes/proxy1a.key")).expect("key"),
        old_key
    );
    let retired = std::fs::read_dir(dir.path().join("secrets/retired"))
        .expect("retired")
        .next()
        .expect("one")
        .expect("entry")
        .path();
    assert_eq!(
        std::fs::read_to_string(retired.join("ca.pem")).expect("old CA kept"),
        old_ca
    );
    assert!(
        topoc(dir.path(), &["build", &example("nat.toml")])
            .status
            .success()
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out/nodes/proxy3c/ca.pem")).expect("CA"),
        new_ca
    );
    let material = Existing {
        ca_cert: Some(new_ca.clone()),
        ca_key: Some(std::fs::read_to_string(dir.path().join("secrets/ca.key")).expect("key")),
        nodes: ["proxy1a", "proxy2b", "proxy3c"]
            .iter()
            .map(|n| {
                let read = |ext: &str| {
                    std::fs::read_to_string(dir.path().join(format!("secrets/nodes/{n}.{ext}")))
                        .ok()
                };
                ((*n).to_owned(), (read("key"), read("pem")))
            })
            .collect(),
        ..Existing::default()
    };
    let check = pki::ensure(
        &nat_example("ecdsa-p256"),
        &material,
        OffsetDateTime::now_utc(),
        false,
    )
    .expect("material");
    assert!(
        check.changes.is_empty(),
        "every node certificate was signed by the new CA: {:?}",
        check.changes
    );
}

#[test]
fn check_and_certs_read_the_secrets_directory() {
    let dir = tempfile::tempdir().expect("temp");
    let model = nat_example("ecdsa-p256");
    // Material made 390 days ago: its 397-day node certificates end within a week.
    let material = pki::ensure(
        &model,
        &Existing::default(),
        OffsetDateTime::now_utc() - Duration::days(390),
        false,
    )
    .expect("material");
    let secrets =
        topoc::secrets::Secrets::new(&dir.path().join("secrets"), &dir.path().join("out"))
            .expect("secrets");
    secrets
        .store(&secret_tree(&model, &material))
        .expect("stored");
    let output = topoc(
        dir.path(),
        &["check", "--format", "json", &example("nat.toml")],
    );
    assert_eq!(output.status.code(), Some(0), "warnings only");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let expiring = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "cert-expiring")
        .count();
    assert_eq!(expiring, 3, "{report:#}");

    let listed = topoc(
        dir.path(),
        &["certs", "--format", "json", &example("nat.toml")],
    );
    assert!(listed.status.success());
    let certs: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("JSON");
    let list = certs["certificates"].as_array().expect("list");
    assert_eq!(list.len(), 4, "the CA and three nodes");
    assert_eq!(list[1]["name"], "proxy1a");
    assert_eq!(list[1]["dns"][0], "proxy1a-mgmt.example1.local");
    assert_eq!(
        list[1]["ips"],
        serde_json::json!(["192.168.1.10", "203.0.113.10"])
    );
    assert!(
        list[1]["days_left"]
            .as_i64()
            .is_some_and(|d| (0..=7).contains(&d)),
        "{}",
        list[1]
    );
}

#[test]
fn a_batch_of_secrets_that_cannot_be_written_whole_is_not_written_at_all() {
    let dir = tempfile::tempdir().expect("temp");
    let model = nat_example("ecdsa-p256");
    let material = fresh(&model);
    let root = dir.path().join("secrets");
    let secrets = topoc::secrets::Secrets::new(&root, &dir.path().join("out")).expect("secrets");
    // The temporary file of the last node's key cannot be created: a directory holds its name.
    let last = material.nodes.keys().last().expect("nodes");
    let blocker = root
        .join("nodes")
        .join(format!("{last}.key.tmp-{}", std::process::id()));
    std::fs::create_dir_all(&blocker).expect("blocker");
    let error = secrets
        .store(&secret_tree(&model, &material))
        .expect_err("the batch fails");
    assert!(error.to_string().contains(last.as_str()), "{error}");
    std::fs::remove_dir(&blocker).expect("blocker removed");
    assert_eq!(
        dir_contents(&root),
        Vec::new(),
        "no key, no certificate and no temporary file: the batch left nothing"
    );

    // A rename that fails (a directory holds the last certificate's name) leaves no
    // temporary file behind either.
    let in_the_way = root.join("nodes").join(format!("{last}.pem")).join("x");
    std::fs::create_dir_all(&in_the_way).expect("in the way");
    secrets
        .store(&secret_tree(&model, &material))
        .expect_err("the rename fails");
    let names: Vec<String> = dir_contents(&root)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert!(
        names.iter().all(|name| !name.contains(".tmp-")),
        "{names:?}"
    );
    std::fs::remove_dir_all(in_the_way.parent().expect("dir")).expect("cleared");

    // The retry writes what the failed batch did not put in place; then every file is
    // there, whole and 0600.
    let tree = secret_tree(&model, &material);
    let written = secrets.store(&tree).expect("stored");
    assert!(
        written
            .iter()
            .any(|path| path.ends_with(format!("{last}.pem")))
    );
    assert_eq!(tree.len(), 2 + 2 * material.nodes.len());
    for (relative, content) in tree.iter() {
        let path = root.join(relative);
        assert_eq!(std::fs::read(&path).expect("written"), content);
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
    assert!(
        dir_contents(&root)
            .iter()
            .all(|(name, _)| !name.contains(".tmp-"))
    );
}

#[test]
fn an_imported_rsa_2048_ca_builds_with_a_warning() {
    // Appliances' own CAs are often RSA-2048: usable, and so a warning, not an error.
    let fixture = common::root().join("tests/fixtures/weak-ca-key");
    let dir = tempfile::tempdir().expect("temp");
    let files = dir.path().join("err_rsa_2048.files");
    std::fs::create_dir(&files).expect("dir");
    for name in ["weak.pem", "weak.key"] {
        std::fs::copy(
            fixture.join("err_rsa_2048.files").join(name),
            files.join(name),
        )
        .expect("copied");
    }
    std::fs::copy(
        fixture.join("err_rsa_2048.toml"),
        dir.path().join("topology.toml"),
    )
    .expect("copied");
    let check = topoc(dir.path(), &["check", "topology.toml"]);
    assert_eq!(check.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&check.stdout).contains("weak-ca-key"));
    let build = topoc(dir.path(), &["build", "topology.toml"]);
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    let found = common::client("openssl");
    if found {
        let verified = Command::new("openssl")
            .args(["verify", "-CAfile", "err_rsa_2048.files/weak.pem"])
            .arg("out/nodes/a-1/node.pem")
            .current_dir(dir.path())
            .output()
            .expect("openssl runs");
        assert!(
            verified.status.success(),
            "{}",
            String::from_utf8_lossy(&verified.stderr)
        );
    }
}
