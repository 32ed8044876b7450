//! The key material of one build: made or reused for a web gateway cluster (the CA and a
//! key and certificate per node), the shared key of a SEG cluster, or, for a drift check
//! without the CA, the certificates a previous build published. It splits into what goes
//! to the output (certificates) and what goes to the secrets directory (keys, and each SEG
//! node's configuration, which holds the shared key).

use std::borrow::Cow;
use std::collections::VecDeque;
use std::sync::mpsc::Receiver;

use crate::analysis::Analysis;
use crate::emit::layout::secrets as layout;
use crate::emit::{self, Certify, EmitError, Emitted, Sink, Sinks, Tree, seg};
use crate::environment::{Environment, KeyError};
use crate::finding::{Finding, plural};
use crate::lint::Evidence;
use crate::lint::checks::invalid_ca;
use crate::model::{Model, NodeId};
use crate::pki::{self, Certificates, Existing, Issuer, Material, Pair};
use crate::syntax::Kind;

/// The material a build goes on with.
#[derive(Debug)]
pub enum Keys {
    /// A web gateway cluster's material, made whole, and what the secrets held before
    /// (`topoc ca rotate`).
    Made(Box<Existing>, Material),
    /// A build's: the CA, and what the secrets held before; each node's key and
    /// certificate is made as the output is written ([`Keys::emit`]).
    Issuing(Box<Existing>, Box<Issuer>),
    /// A SEG cluster's shared key.
    Shared(String),
    /// Certificates of a previous output, and the nodes a build would issue anew, with why.
    Published(Certificates<'static>, Vec<(String, String)>),
    /// None at all ([`Purpose::Nothing`]).
    None,
}

/// What a build wants of the key material.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Make or reuse every key and certificate.
    Make,
    /// Compare with a previous output: where the CA is not at hand, judge the certificates
    /// that output published instead of making any.
    Compare,
    /// No key material at all.
    Nothing,
}

/// The material for `model`'s build, or the finding that stops it.
pub fn for_build(
    model: &Model,
    evidence: &Evidence,
    environment: &Environment<'_>,
    purpose: Purpose,
) -> Result<Result<Keys, Box<Finding>>, KeyError> {
    if purpose == Purpose::Nothing {
        return Ok(Ok(Keys::None));
    }
    if model.cluster.kind == Kind::Seg {
        // An unreadable or weak key was reported by `seg-shared-key` already.
        let key = evidence.shared_key.clone().and_then(Result::ok);
        return Ok(Ok(Keys::Shared(key.unwrap_or_default().trim().to_owned())));
    }
    let existing = environment.keys.material(model)?.unwrap_or_default();
    // Encrypted keys that no identity opened: a build must read them; a check goes by
    // what was published, which needs no secret.
    if let (Some(first), Purpose::Make) = (existing.locked.first(), purpose) {
        let more = match existing.locked.len() {
            1 => String::new(),
            n => format!(" and {} more", plural((n - 1) as u64, "file")),
        };
        let written_for = if existing.sealed_for.is_empty() {
            String::new()
        } else {
            format!(" (written for {})", existing.sealed_for.join(", "))
        };
        return Err(KeyError(format!(
            "`{first}`{more} {} encrypted{written_for} and no identity was given: pass --identity FILE, or set TOPOC_AGE_IDENTITY (a file) or TOPOC_AGE_KEY",
            if more.is_empty() { "is" } else { "are" }
        )));
    }
    let ca_at_hand = existing.locked.is_empty()
        && (model.ca.external.is_some() || existing.ca_cert.is_some() || existing.ca_key.is_some());
    let judged = if purpose == Purpose::Compare && !ca_at_hand {
        published(model, environment)
    } else {
        pki::issuer(model, &existing, environment.now, false)
            .map(|issuer| Keys::Issuing(Box::new(existing), Box::new(issuer)))
    };
    Ok(judged.map_err(|problem| Box::new(invalid_ca::finding(model, &problem))))
}

/// For a check without the CA: the certificates of the previous output, judged.
fn published(model: &Model, environment: &Environment<'_>) -> Result<Keys, pki::CaProblem> {
    let Some(published) = environment.keys.published(model) else {
        // No published CA: a build would create one and issue every certificate.
        let stale = model
            .nodes
            .iter()
            .map(|node| {
                (
                    node.name.clone(),
                    "no certificate was published yet".to_owned(),
                )
            })
            .collect();
        return Ok(Keys::Published(Certificates::default(), stale));
    };
    let (certificates, stale) =
        pki::published(model, &published.ca, &published.nodes, environment.now)?;
    Ok(Keys::Published(certificates, stale))
}

impl Keys {
    /// The certificates the output carries; none for a SEG cluster.
    pub fn certificates(&self) -> Option<Certificates<'_>> {
        match self {
            Keys::Made(_, material) => Some(material.certificates()),
            Keys::Published(certificates, _) => Some(Certificates {
                ca: Cow::Borrowed(&certificates.ca),
                nodes: certificates
                    .nodes
                    .iter()
                    .map(|(name, cert)| (Cow::Borrowed(&**name), Cow::Borrowed(&**cert)))
                    .collect(),
            }),
            Keys::Issuing(..) | Keys::Shared(_) | Keys::None => None,
        }
    }

    /// What goes to the secrets directory, taken apart from the material (which is freed as
    /// it is taken): the keys and certificates that differ from what was there (the CA only
    /// when it lives there), or each SEG node's configuration; then what the build created
    /// or re-issued, and the nodes a check found to be re-issued. With `write` false (a
    /// check) the tree stays empty.
    pub fn into_secrets(self, model: &Model, write: bool) -> Result<Secrets, EmitError> {
        let mut secrets = Secrets::default();
        match self {
            Keys::Made(existing, material) if write => {
                let Material { ca, nodes, changes } = material;
                secrets.changes = changes;
                let tree = &mut secrets.tree;
                let mut put = |path: String, content: String, before: Option<&String>| {
                    if before == Some(&content) {
                        return Ok(());
                    }
                    tree.insert(path, content)
                };
                if model.ca.external.is_none() {
                    let Pair { cert_pem, key_pem } = ca;
                    put(
                        layout::CA_CERTIFICATE.to_owned(),
                        cert_pem,
                        existing.ca_cert.as_ref(),
                    )?;
                    put(layout::CA_KEY.to_owned(), key_pem, existing.ca_key.as_ref())?;
                }
                for (node, Pair { cert_pem, key_pem }) in nodes {
                    let (old_key, old_cert) = existing
                        .nodes
                        .get(&node)
                        .map_or((None, None), |(key, cert)| (key.as_ref(), cert.as_ref()));
                    put(layout::node_key(&node), key_pem, old_key)?;
                    put(layout::node_certificate(&node), cert_pem, old_cert)?;
                }
            }
            Keys::Made(_, material) => secrets.changes = material.changes,
            Keys::Issuing(_, issuer) => secrets.changes = issuer.changes,
            Keys::Shared(key) if write => {
                for id in model.node_ids() {
                    secrets.tree.insert(
                        layout::seg_node_config(&model.node(id).name),
                        seg::integration_service_config(model, id, &key),
                    )?;
                }
            }
            Keys::Published(_, stale) => secrets.reissued = stale,
            Keys::Shared(_) | Keys::None => {}
        }
        Ok(secrets)
    }
}

/// What [`Keys::emit`] made besides the output.
#[derive(Debug, Default)]
pub struct Made {
    /// What the build created or re-issued among the keys and certificates.
    pub changes: Vec<String>,
    /// In a check against published certificates: each node a build would re-issue, with
    /// why.
    pub reissued: Vec<(String, String)>,
}

/// How many nodes' material is made at once (on every core), written, then let go.
const BATCH: usize = 64;

impl Keys {
    /// Compiles the output into `public` with this material, and, when `write`, hands
    /// `secrets` every secret that differs from what the directory held: the CA's first,
    /// then each node's key and certificate as the node's files are written, so that the
    /// material of a large cluster is never held whole.
    pub fn emit(
        self,
        model: &Model,
        analysis: &Analysis,
        input: (&str, &str),
        options: emit::Options,
        sinks: Sinks<'_>,
        write: bool,
    ) -> Result<(Emitted, Made), EmitError> {
        let Sinks { public, secrets } = sinks;
        public.begin(model).map_err(EmitError::Sink)?;
        secrets.begin(model).map_err(EmitError::Sink)?;
        let mut made = Made::default();
        let emitted = match self {
            Keys::Issuing(existing, issuer) => {
                made.changes.clone_from(&issuer.changes);
                if write && model.ca.external.is_none() {
                    let ca = issuer.ca();
                    put(
                        secrets,
                        layout::CA_CERTIFICATE,
                        &ca.cert_pem,
                        existing.ca_cert.as_ref(),
                    )?;
                    put(
                        secrets,
                        layout::CA_KEY,
                        &ca.key_pem,
                        existing.ca_key.as_ref(),
                    )?;
                }
                // Each batch is made on another thread, and its keys and certificates kept
                // in the secrets there, while the one before is written.
                let ids: Vec<NodeId> = model.node_ids().collect();
                let (existing, issuer) = (&*existing, &*issuer);
                let secrets: Option<&dyn Sink> = write.then_some(&*secrets);
                std::thread::scope(|scope| {
                    let (batches, made_batches) = std::sync::mpsc::sync_channel(1);
                    scope.spawn(move || {
                        let chunks: Vec<&[NodeId]> = ids.chunks(BATCH).collect();
                        let issue = |at: usize| {
                            chunks
                                .get(at)
                                .map(|batch| issuer.nodes(model, existing, batch))
                        };
                        let mut next = issue(0);
                        for (at, batch) in chunks.iter().enumerate() {
                            let Some(made) = next.take() else { return };
                            // A batch's secrets are kept while the next batch is made.
                            let (kept, following) = rayon::join(
                                || {
                                    secrets.map_or(Ok(()), |secrets| {
                                        keep(secrets, model, existing, batch, &made)
                                    })
                                },
                                || issue(at + 1),
                            );
                            let failed = kept.is_err();
                            if batches.send((batch.to_vec(), made, kept)).is_err() || failed {
                                return;
                            }
                            next = following;
                        }
                    });
                    let mut streamed = Streamed {
                        issuer,
                        batches: made_batches,
                        ready: VecDeque::new(),
                        changes: &mut made.changes,
                    };
                    emit::compile(model, analysis, input, Some(&mut streamed), options, public)
                })?
            }
            Keys::Made(..) | Keys::Published(..) => {
                let mut certificates = self.certificates().unwrap_or_default();
                let emitted = emit::compile(
                    model,
                    analysis,
                    input,
                    Some(&mut certificates),
                    options,
                    public,
                )?;
                drop(certificates);
                let handed = self.into_secrets(model, write)?;
                for (path, content) in handed.tree.iter() {
                    secrets
                        .file(path, &mut |writer| writer.write_all(content))
                        .map_err(EmitError::Sink)?;
                }
                made.changes = handed.changes;
                made.reissued = handed.reissued;
                emitted
            }
            Keys::Shared(key) => {
                let emitted = emit::compile(model, analysis, input, None, options, public)?;
                if write {
                    for id in model.node_ids() {
                        let config = seg::integration_service_config(model, id, &key);
                        let path = layout::seg_node_config(&model.node(id).name);
                        put(secrets, &path, &config, None)?;
                    }
                }
                emitted
            }
            Keys::None => emit::compile(model, analysis, input, None, options, public)?,
        };
        Ok((emitted, made))
    }
}

/// Hands `secrets` the file `path` unless `before` is exactly `content`.
fn put(
    secrets: &dyn Sink,
    path: &str,
    content: &str,
    before: Option<&String>,
) -> Result<(), EmitError> {
    if before.is_some_and(|before| before == content) {
        return Ok(());
    }
    secrets
        .file(path, &mut |writer| writer.write_all(content.as_bytes()))
        .map_err(EmitError::Sink)
}

/// Hands `secrets` the key and certificate of each node of a batch made whole (one that
/// was not stops the build when it is reached), unless the directory holds them already.
fn keep(
    secrets: &dyn Sink,
    model: &Model,
    existing: &Existing,
    batch: &[NodeId],
    made: &[NodeMade],
) -> Result<(), EmitError> {
    for (&id, made) in batch.iter().zip(made) {
        let Ok((Pair { cert_pem, key_pem }, _)) = made else {
            return Ok(());
        };
        let name = &model.node(id).name;
        let (old_key, old_cert) = existing
            .nodes
            .get(name)
            .map_or((None, None), |(key, cert)| (key.as_ref(), cert.as_ref()));
        put(secrets, &layout::node_key(name), key_pem, old_key)?;
        put(secrets, &layout::node_certificate(name), cert_pem, old_cert)?;
    }
    Ok(())
}

/// One node's material and what making it changed, or the problem that stops it.
type NodeMade = Result<(Pair, Vec<String>), pki::CaProblem>;

/// Node material made a batch of nodes at a time as `compile` asks for each node's
/// certificate (its key and certificate already handed to the secrets).
struct Streamed<'a> {
    issuer: &'a Issuer,
    /// The batches as they are made, in node order: the nodes, each one's material, and
    /// whether the secrets took them.
    batches: Receiver<MadeBatch>,
    /// Made and not yet asked for, in node order: each node's certificate.
    ready: VecDeque<(NodeId, String)>,
    changes: &'a mut Vec<String>,
}

/// The nodes of a batch, each one's material or the problem that stops it, and whether
/// their secrets were kept.
type MadeBatch = (Vec<NodeId>, Vec<NodeMade>, Result<(), EmitError>);

impl Certify for Streamed<'_> {
    fn ca(&self) -> &str {
        &self.issuer.ca().cert_pem
    }

    fn node(&mut self, id: NodeId, name: &str) -> Result<Option<String>, EmitError> {
        if self.ready.is_empty() {
            // The next batch: the first problem in node order stops it, then one keeping
            // its secrets.
            let Ok((ids, made, kept)) = self.batches.recv() else {
                return Err(EmitError::Sink(
                    format!("no key material was made for `{name}`").into(),
                ));
            };
            for (next, made) in ids.into_iter().zip(made) {
                let (pair, done) = made.map_err(EmitError::Key)?;
                self.changes.extend(done);
                self.ready.push_back((next, pair.cert_pem));
            }
            kept?;
        }
        if self.ready.front().is_none_or(|(next, _)| *next != id) {
            // Asked out of node order, which compile never does.
            return Err(EmitError::Sink(
                format!("the key material of `{name}` was asked for out of node order").into(),
            ));
        }
        Ok(self.ready.pop_front().map(|(_, cert_pem)| cert_pem))
    }
}

/// What a build hands the secrets directory, and what it tells the user about it.
#[derive(Debug, Default)]
pub struct Secrets {
    /// The files to write, relative to the secrets directory.
    pub tree: Tree,
    /// What the build created or re-issued.
    pub changes: Vec<String>,
    /// In a check against published certificates: each node a build would re-issue, with
    /// why.
    pub reissued: Vec<(String, String)>,
}
