//! [`syntax::Document`](crate::syntax::Document) to [`Model`]: defaults applied, values checked, references resolved.
//!
//! Every problem is reported; a model is returned only when there was none, so that the
//! checks never see a half-resolved topology.
//!
//! One file per part of the file: `cluster`, `ca`, `sites`, `nodes`, `groups`; `defaults`
//! holds what a topology gets for what it leaves out.

mod ca;
mod cluster;
pub mod defaults;
mod groups;
mod intent;
mod nodes;
mod read;
mod secrets;
mod sites;
mod symbols;

use std::collections::BTreeMap;

use serde_spanned::Spanned;

use crate::finding::codes::{duplicate_name, empty_cluster, invalid_value, missing_key};
use crate::finding::{Finding, Place};
use crate::model::values;
use crate::model::{Located, Model, Site, SiteId};
use crate::source::Span;
use crate::syntax::{Document, Entry};

pub use defaults::*;
use nodes::Memberships;
use read::ReadNodes;
pub use read::read;
use symbols::Symbols;

#[derive(Default)]
struct Resolver {
    findings: Vec<Finding>,
    symbols: Symbols,
    /// By the symbol of a site's name as a node writes it: the site, once looked up.
    site_of: Vec<sites::SiteLookup>,
    /// "Did you mean" for unknown references, while it lasts.
    suggestions: crate::suggest::Budget,
}

impl Resolver {
    fn model(&mut self, document: &Document, nodes: ReadNodes) -> Option<Model> {
        self.refuse_swg_only(document, &nodes.swg_only);
        let sites = self.sites(&document.sites);
        let node_count = nodes.count;
        let (mut nodes, pending) = nodes.sorted(self);
        let node_names: Vec<&str> = nodes.iter().map(|node| node.name.as_str()).collect();
        let rejected_cluster = document.rejected.iter().any(|key| key == "cluster");
        let cluster = self.cluster(document.cluster.as_ref(), rejected_cluster, &node_names);
        let ntp_servers = document
            .ntp
            .as_ref()
            .and_then(|ntp| ntp.value.servers.as_ref())
            .map(|servers| {
                servers
                    .get_ref()
                    .iter()
                    .filter_map(|server| self.value(server, "servers", cluster::ntp_server).ok())
                    .collect()
            })
            .unwrap_or_default();
        let ca = self.ca(document.ca.as_ref(), cluster.as_ref());
        let sealing = self.sealing(document.secrets.as_ref());
        let resilience = self.resilience(document.resilience.as_ref());
        let assertions = self.assertions(&document.asserts, &node_names);

        // References resolve against every well-named site, even one whose body is wrong, so
        // that one bad value is reported once and not again at every node of the site.
        let site_index: BTreeMap<&str, SiteId> = sites
            .iter()
            .enumerate()
            .map(|(index, (name, _))| (name.as_str(), SiteId(index)))
            .collect();
        let reach = self.inventory_reach(document.inventory.as_ref(), &site_index);
        let transit_group = cluster
            .as_ref()
            .map_or(TRANSIT_GROUP, |c| c.transit_group.as_str());
        let defaults = self.defaults(&sites, transit_group);
        // Every node is linked (each problem reported) before one missing stops the model.
        let linked: Vec<Option<Memberships>> = nodes
            .iter_mut()
            .zip(pending)
            .map(|(node, pending)| {
                let (site, groups) = (pending.site, pending.groups);
                self.link(node, site, groups, &sites, &site_index, &defaults)
            })
            .collect();
        let memberships: Vec<Memberships> = linked.into_iter().collect::<Option<_>>()?;
        let cluster = cluster?;
        let sites: Vec<Site> = sites
            .into_iter()
            .map(|(_, site)| site)
            .collect::<Option<_>>()?;
        // Only a file without node tables is empty; nodes with bad names were reported already.
        if node_count == 0 && !document.rejected.iter().any(|key| key == "nodes") {
            self.findings.push(empty_cluster::finding(cluster.span));
            return None;
        }
        let (network_groups, update_groups, runtime_groups) =
            groups::assemble(&mut nodes, &memberships, &self.symbols);
        drop(memberships);
        let realms = sites::realm_names(&document.sites);
        Some(Model {
            cluster,
            ntp_servers,
            ntp_span: document.ntp.as_ref().map(Entry::key_span),
            ca: ca?,
            sites,
            nodes,
            network_groups,
            update_groups,
            runtime_groups,
            realms,
            reach,
            sealing,
            resilience: resilience?,
            assertions: assertions?,
        })
    }

    /// Checks and folds the names of `entries`, sorted, reporting bad and duplicate ones.
    fn names<'d, T>(&mut self, entries: &'d [Entry<T>], what: &str) -> Vec<(String, &'d Entry<T>)> {
        let mut named: Vec<(String, &Entry<T>)> = entries
            .iter()
            .filter_map(|entry| match values::name(entry.name()) {
                Ok(name) => Some((name, entry)),
                Err(problem) => {
                    self.findings
                        .push(invalid_value::bad_name(entry.key_span(), what, problem));
                    None
                }
            })
            .collect();
        named.sort_by(|(a, a_entry), (b, b_entry)| {
            a.cmp(b).then(a_entry.key_span().cmp(&b_entry.key_span()))
        });
        let mut unique: Vec<(String, &Entry<T>)> = Vec::with_capacity(named.len());
        for (name, entry) in named {
            match unique.last() {
                Some((previous, first)) if *previous == name => self.findings.push(
                    duplicate_name::finding(entry.key_span(), what, &name, first.key_span()),
                ),
                _ => unique.push((name, entry)),
            }
        }
        unique
    }

    /// Reads a spanned string with `parse`, reporting a bad value under `key`. Every string
    /// of the file comes through here, and text with a control character goes no further.
    fn value<T>(
        &mut self,
        spanned: &Spanned<impl AsRef<str>>,
        key: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Located<T>, Reported> {
        let span = spanned.span().into();
        let text = spanned.get_ref().as_ref();
        values::plain_text(text)
            .and_then(|()| parse(text))
            .map(|value| Located::new(value, span))
            .map_err(|problem| self.report(invalid_value::finding(span, key, problem)))
    }

    fn number<T>(
        &mut self,
        spanned: &Spanned<i64>,
        key: &str,
        parse: impl FnOnce(i64) -> Result<T, String>,
    ) -> Result<Located<T>, Reported> {
        let span = spanned.span().into();
        parse(*spanned.get_ref())
            .map(|value| Located::new(value, span))
            .map_err(|problem| self.report(invalid_value::finding(span, key, problem)))
    }

    /// [`Self::value`] of a key that may be absent.
    fn optional_value<T>(
        &mut self,
        spanned: Option<&Spanned<impl AsRef<str>>>,
        key: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Option<Located<T>>, Reported> {
        spanned
            .map(|spanned| self.value(spanned, key, parse))
            .transpose()
    }

    /// [`Self::number`] of a key that may be absent.
    fn optional_number<T>(
        &mut self,
        spanned: Option<&Spanned<i64>>,
        key: &str,
        parse: impl FnOnce(i64) -> Result<T, String>,
    ) -> Result<Option<Located<T>>, Reported> {
        spanned
            .map(|spanned| self.number(spanned, key, parse))
            .transpose()
    }

    fn report(&mut self, finding: Finding) -> Reported {
        self.findings.push(finding);
        Reported
    }

    /// A key that must be present: reports it missing unless it was given and rejected.
    fn required<'v, E, V>(
        &mut self,
        entry: &Entry<E>,
        place: Place<'_>,
        key: &str,
        example: &str,
        value: Option<&'v V>,
    ) -> Option<&'v V> {
        if value.is_none() && !entry.was_rejected(key) {
            self.findings
                .push(missing_key::finding(entry.key_span(), key, place, example));
        }
        value
    }
}

fn span_of<T>(spanned: Option<&Spanned<T>>) -> Option<Span> {
    spanned.map(|spanned| spanned.span().into())
}

fn located_copy<T: Copy>(spanned: &Spanned<T>) -> Located<T> {
    Located::new(*spanned.get_ref(), spanned.span().into())
}

fn non_empty(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        Err("it cannot be empty".into())
    } else {
        Ok(text.to_owned())
    }
}

/// A problem already pushed to the findings: the caller only needs to stop.
pub(super) struct Reported;
