//! `[nodes.*]`: each node's site, addresses, names, groups, priority, version, port,
//! updates and settings, resolved but for its group ids.

use std::collections::BTreeMap;

use serde_spanned::Spanned;

use super::{Reported, Resolver, located_copy};
use crate::finding::Place;
use crate::model::values;
use crate::model::{GroupId, Located, Node, Site, SiteId, Updates};
use crate::source::Span;
use crate::syntax::{self, Entry};

/// A node resolved but for its group ids, which exist once every node is read.
pub(super) struct DraftNode {
    pub(super) node: Node,
    pub(super) network_groups: Vec<Located<String>>,
    /// 1 when the first network group is the site's, by default; else 0.
    pub(super) first_explicit_group: usize,
    pub(super) update_group: Located<String>,
    pub(super) runtime_group: Located<String>,
}

impl Resolver {
    pub(super) fn node(
        &mut self,
        name: &str,
        entry: &Entry<syntax::Node>,
        sites: &[(String, Option<Site>)],
        site_index: &BTreeMap<&str, SiteId>,
        transit_group: &str,
    ) -> Option<DraftNode> {
        let syntax = &entry.value;
        let place = Place::Named { what: "node", name };
        let site = self
            .required(entry, place, "site", "\"SITE\"", syntax.site.as_ref())
            .map(|site| self.site_reference(site, site_index));
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
        let explicit_groups = syntax
            .network_groups
            .as_ref()
            .map(|groups| self.group_names(groups));
        let update_group =
            self.optional_value(syntax.update_group.as_ref(), "update_group", values::name);
        let runtime_group =
            self.optional_value(syntax.runtime_group.as_ref(), "runtime_group", values::name);
        let priority = self.optional_number(syntax.priority.as_ref(), "priority", |n| {
            values::at_least(n, 0)
        });
        let version = self.optional_value(syntax.version.as_ref(), "version", values::version);
        let port = self.optional_number(syntax.port.as_ref(), "port", values::port);
        let settings = syntax
            .settings
            .as_ref()
            .map(|settings| self.settings(settings.get_ref()));

        let site = site?.ok()?;
        // A site whose own values are wrong was reported already; its nodes wait for it.
        let site_model = sites[site.value.index()].1.as_ref()?;
        let explicit_groups = explicit_groups.transpose().ok()?;
        let first_explicit_group = usize::from(explicit_groups.is_none());
        let transit = syntax.transit.as_ref().map(located_copy);
        let site_group = || vec![Located::new(site_model.name.clone(), site.span)];
        let mut network_groups = explicit_groups.unwrap_or_else(site_group);
        join_transit(&mut network_groups, transit.as_ref(), transit_group);
        let node = Node {
            name: name.to_owned(),
            span: entry.key_span(),
            site,
            address: address?.ok()?,
            fqdn: fqdn.ok()?,
            nat_address: nat_address.ok()?,
            route_via: route_via.ok()?.or_else(|| site_model.route_via.clone()),
            transit,
            network_groups: Vec::new(),
            update_group: Located::new(GroupId(0), Span::default()),
            runtime_group: Located::new(GroupId(0), Span::default()),
            priority: priority.ok()?,
            version: version.ok()?,
            updates: updates(syntax.updates.as_ref().map(Spanned::get_ref)),
            port: port.ok()?,
            settings: settings.transpose().ok()?.unwrap_or_default(),
        };
        Some(DraftNode {
            node,
            network_groups,
            first_explicit_group,
            update_group: update_group
                .ok()?
                .unwrap_or_else(|| site_model.update_group.clone()),
            runtime_group: runtime_group
                .ok()?
                .unwrap_or_else(|| site_model.runtime_group.clone()),
        })
    }

    /// Every name of a `network_groups` list, each reported if wrong.
    pub(super) fn group_names(
        &mut self,
        groups: &Spanned<Vec<Spanned<String>>>,
    ) -> Result<Vec<Located<String>>, Reported> {
        let checked: Vec<_> = groups
            .get_ref()
            .iter()
            .map(|group| self.value(group, "network_groups", values::name))
            .collect();
        checked.into_iter().collect()
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

/// Adds the transit group to a transit node's network groups.
fn join_transit(
    groups: &mut Vec<Located<String>>,
    transit: Option<&Located<bool>>,
    transit_group: &str,
) {
    if let Some(&Located { value: true, span }) = transit {
        groups.push(Located::new(transit_group.to_owned(), span));
    }
}
