//! `[nodes.*]`: each node's site, addresses, names, groups, priority, version, port,
//! updates and settings, resolved but for its group ids.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde_spanned::Spanned;

use super::symbols::Symbol;
use super::{Reported, Resolver, located_copy};

use crate::finding::codes::invalid_value;
use crate::finding::{Finding, Place};
use crate::model::values;
use crate::model::{GroupId, Located, Node, Site, SiteId, Updates};
use crate::source::Span;
use crate::syntax::{self, Entry};

/// What a node read on its own still needs, before the sites and the cluster are known (a
/// file may define them after its nodes): its site and groups as names (symbols), until
/// [`Resolver::link`].
pub(super) struct Pending {
    /// The site as the file names it, if it does.
    pub(super) site: Option<Located<Symbol>>,
    /// `None` when a value of the node was wrong (reported): its node is a placeholder.
    pub(super) groups: Option<Named>,
    /// What was wrong with it (a boxed slice, two words: every node has a `Pending`):
    /// reported unless it turns out to repeat an earlier name.
    pub(super) findings: Box<[Finding]>,
}

/// The groups a node names itself.
pub(super) struct Named {
    /// The network groups the file names, if it does.
    pub(super) network_groups: Option<Vec<Located<Symbol>>>,
    pub(super) update_group: Option<Located<Symbol>>,
    pub(super) runtime_group: Option<Located<Symbol>>,
}

/// The groups of a linked node, by name: their ids exist once every node is read.
pub(super) struct Memberships {
    pub(super) network_groups: Vec<Located<Symbol>>,
    /// 1 when the first network group is the site's, by default; else 0.
    pub(super) first_explicit_group: usize,
    pub(super) update_group: Located<Symbol>,
    pub(super) runtime_group: Located<Symbol>,
}

/// The symbols nodes take by default, interned once rather than at every node.
pub(super) struct Defaults {
    /// By site id: the names of its own network group and its default update and runtime
    /// groups (nothing for a site that is wrong itself: its nodes never link).
    pub(super) sites: Vec<SiteDefaults>,
    /// The transit group's name.
    pub(super) transit: Symbol,
}

#[derive(Clone, Copy, Default)]
pub(super) struct SiteDefaults {
    name: Symbol,
    update_group: Symbol,
    runtime_group: Symbol,
}

impl Resolver {
    /// The symbols of what nodes of `sites` take by default, and of `transit_group`.
    pub(super) fn defaults(
        &mut self,
        sites: &[(String, Option<Site>)],
        transit_group: &str,
    ) -> Defaults {
        let sites = sites
            .iter()
            .map(|(_, site)| {
                site.as_ref()
                    .map_or_else(SiteDefaults::default, |site| SiteDefaults {
                        name: self.symbols.intern(&site.name),
                        update_group: self.symbols.intern(&site.update_group.value),
                        runtime_group: self.symbols.intern(&site.runtime_group.value),
                    })
            })
            .collect();
        Defaults {
            sites,
            transit: self.symbols.intern(transit_group),
        }
    }

    /// Reads the node `name` (folded) on its own: the node, a placeholder where a value was
    /// wrong or its site is missing (reported, in what is pending), and what it still needs.
    pub(super) fn local_node(
        &mut self,
        name: String,
        entry: &Entry<syntax::Node>,
    ) -> (Node, Pending) {
        let outer = std::mem::take(&mut self.findings);
        let syntax = &entry.value;
        let place = Place::Named {
            what: "node",
            name: &name,
        };
        let site = self
            .required(entry, place, "site", "\"SITE\"", syntax.site.as_ref())
            .map(|site| Located::new(self.symbols.intern(site.get_ref()), site.span().into()));
        let address = self
            .required(
                entry,
                place,
                "address",
                "\"10.0.0.1\"",
                syntax.address.as_ref(),
            )
            .map(|address| self.value(address, "address", values::ip));
        let fqdn = self.optional_value(syntax.fqdn.as_ref(), "fqdn", values::fqdn);
        let route_via = self.optional_value(syntax.route_via.as_ref(), "route_via", values::ip);
        let nat_address =
            self.optional_value(syntax.nat_address.as_ref(), "nat_address", values::ip);
        let network_groups = syntax
            .network_groups
            .as_ref()
            .map(|groups| self.group_names(groups));
        let update_group = self.optional_symbol(syntax.update_group.as_ref(), "update_group");
        let runtime_group = self.optional_symbol(syntax.runtime_group.as_ref(), "runtime_group");
        let priority = self.optional_number(syntax.priority.as_ref(), "priority", |n| {
            values::at_least(n, 0)
        });
        let version = self.optional_value(syntax.version.as_ref(), "version", values::version);
        let port = self.optional_number(syntax.port.as_ref(), "port", values::port);
        let settings = syntax
            .settings
            .as_ref()
            .map(|settings| self.settings(settings.get_ref()));

        let span = entry.key_span();
        let node = (|| {
            Some(Node {
                span,
                // Given below, once the messages no longer need it.
                name: String::new(),
                site: Located::new(SiteId(0), site.as_ref()?.span),
                address: address?.ok()?,
                fqdn: fqdn.ok()?.map(Box::new),
                nat_address: nat_address.ok()?,
                route_via: route_via.ok()?,
                transit: syntax.transit.as_ref().map(located_copy),
                network_groups: Vec::new(),
                update_group: Located::new(GroupId(0), Span::default()),
                runtime_group: Located::new(GroupId(0), Span::default()),
                priority: priority.ok()?,
                version: version.ok()?.map(Box::new),
                updates: updates(syntax.updates.as_ref().map(Spanned::get_ref)),
                port: port.ok()?,
                settings: settings.transpose().ok()?.map(Box::new),
            })
        })();
        let groups = (|| {
            Some(Named {
                network_groups: network_groups.transpose().ok()?,
                update_group: update_group.ok()?,
                runtime_group: runtime_group.ok()?,
            })
        })();
        let (node, groups) = match (node, groups) {
            (Some(node), Some(groups)) => (Node { name, ..node }, Some(groups)),
            _ => (placeholder(name, span), None),
        };
        let findings = std::mem::replace(&mut self.findings, outer);
        let findings = findings.into_boxed_slice();
        let pending = Pending {
            site,
            groups,
            findings,
        };
        (node, pending)
    }

    /// A node's site and what it takes from it: the default groups and `route_via`, and the
    /// transit group. `None` when the site is unknown (reported) or wrong itself (reported
    /// already: its nodes wait for it).
    pub(super) fn link(
        &mut self,
        node: &mut Node,
        site: Option<Located<Symbol>>,
        groups: Option<Named>,
        sites: &[(String, Option<Site>)],
        site_index: &BTreeMap<&str, SiteId>,
        defaults: &Defaults,
    ) -> Option<Memberships> {
        let site = site?;
        let site_id = if let Some(id) = self.site_named(site.value, site_index) {
            Ok(Located::new(id, site.span))
        } else {
            let written = self.symbols.name(site.value).to_owned();
            self.site_reference(&written, site.span, site_index)
        };
        let Named {
            network_groups,
            update_group,
            runtime_group,
        } = groups?;
        let site_id = site_id.ok()?;
        let site_model = sites[site_id.value.index()].1.as_ref()?;
        let own = defaults.sites[site_id.value.index()];
        node.site = site_id;
        if node.route_via.is_none() {
            node.route_via.clone_from(&site_model.route_via);
        }
        let first_explicit_group = usize::from(network_groups.is_none());
        let mut network_groups =
            network_groups.unwrap_or_else(|| vec![Located::new(own.name, site.span)]);
        if let Some(&Located { value: true, span }) = node.transit.as_ref() {
            network_groups.push(Located::new(defaults.transit, span));
        }
        let update_group = update_group
            .unwrap_or_else(|| Located::new(own.update_group, site_model.update_group.span));
        let runtime_group = runtime_group
            .unwrap_or_else(|| Located::new(own.runtime_group, site_model.runtime_group.span));
        let memberships = Memberships {
            network_groups,
            first_explicit_group,
            update_group,
            runtime_group,
        };
        Some(memberships)
    }

    /// A group name that may be absent, folded and interned.
    fn optional_symbol(
        &mut self,
        spanned: Option<&Spanned<impl AsRef<str>>>,
        key: &str,
    ) -> Result<Option<Located<Symbol>>, Reported> {
        spanned.map(|name| self.name_symbol(name, key)).transpose()
    }

    /// A group's name under `key`, checked, folded and interned; reported if wrong.
    fn name_symbol(
        &mut self,
        spanned: &Spanned<impl AsRef<str>>,
        key: &str,
    ) -> Result<Located<Symbol>, Reported> {
        let span = spanned.span().into();
        match self.symbols.checked_name(spanned.get_ref().as_ref()) {
            Ok(symbol) => Ok(Located::new(symbol, span)),
            Err(problem) => Err(self.report(invalid_value::finding(span, key, problem))),
        }
    }

    /// Every name of a `network_groups` list, folded and interned, each reported if wrong.
    pub(super) fn group_names(
        &mut self,
        groups: &Spanned<Vec<Spanned<impl AsRef<str>>>>,
    ) -> Result<Vec<Located<Symbol>>, Reported> {
        let mut names = Vec::with_capacity(groups.get_ref().len());
        let mut wrong = None;
        for group in groups.get_ref() {
            match self.name_symbol(group, "network_groups") {
                Ok(name) => names.push(name),
                Err(reported) => wrong = Some(reported),
            }
        }
        wrong.map_or(Ok(names), Err)
    }
}

/// Stands for a node with a wrong value: it keeps the node's place while the nodes are
/// sorted, and never reaches a model (a wrong value is an error).
fn placeholder(name: String, span: Span) -> Node {
    let nowhere = Located::new(IpAddr::from([0, 0, 0, 0]), span);
    Node {
        name,
        span,
        site: Located::new(SiteId(0), span),
        address: nowhere,
        fqdn: None,
        nat_address: None,
        route_via: None,
        transit: None,
        network_groups: Vec::new(),
        update_group: Located::new(GroupId(0), span),
        runtime_group: Located::new(GroupId(0), span),
        priority: None,
        version: None,
        updates: updates(None),
        port: None,
        settings: None,
    }
}

/// Update options: each allowed unless the file says otherwise.
fn updates(given: Option<&syntax::Updates>) -> Updates {
    let flag = |flag: Option<&Spanned<bool>>| flag.is_none_or(|flag| *flag.get_ref());
    Updates {
        automatic: flag(given.and_then(|u| u.automatic.as_ref())),
        from_internet: flag(given.and_then(|u| u.from_internet.as_ref())),
        from_nodes: flag(given.and_then(|u| u.from_nodes.as_ref())),
    }
}
