//! `[nodes.*]`: each node's site, addresses, names, groups, priority, version, port,
//! updates and settings, resolved but for its group ids.

use std::collections::BTreeMap;

use serde_spanned::Spanned;

use super::{Reported, Resolver, located_copy};
use crate::lint::finding::Place;
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
        let fqdn = syntax
            .fqdn
            .as_ref()
            .map(|fqdn| self.value(fqdn, "fqdn", values::fqdn));
        let nat_address = syntax
            .nat_address
            .as_ref()
            .map(|nat| self.value(nat, "nat_address", values::ip));
        let explicit_groups = syntax
            .network_groups
            .as_ref()
            .map(|groups| self.group_names(groups));
        let update_group = syntax
            .update_group
            .as_ref()
            .map(|g| self.value(g, "update_group", values::name));
        let runtime_group = syntax
            .runtime_group
            .as_ref()
            .map(|g| self.value(g, "runtime_group", values::name));
        let priority = syntax
            .priority
            .as_ref()
            .map(|p| self.number(p, "priority", |n| values::at_least(n, 0)));
        let version = syntax
            .version
            .as_ref()
            .map(|v| self.value(v, "version", values::version));
        let port = syntax
            .port
            .as_ref()
            .map(|port| self.number(port, "port", values::port));
        let settings = syntax
            .settings
            .as_ref()
            .map(|settings| self.settings(settings.get_ref()));

        let site = site?.ok()?;
        // A site whose own values are wrong was reported already; its nodes wait for it.
        let site_model = sites[site.value.index()].1.as_ref()?;
        let explicit_groups = explicit_groups.transpose().ok()?;
        let first_explicit_group = usize::from(explicit_groups.is_none());
        let mut network_groups = explicit_groups
            .unwrap_or_else(|| vec![Located::new(site_model.name.clone(), site.span)]);
        let transit = syntax.transit.as_ref().map(located_copy);
        if let Some(Located { value: true, span }) = transit {
            network_groups.push(Located::new(transit_group.to_owned(), span));
        }
        let updates = syntax.updates.as_ref().map(Spanned::get_ref);
        let flag = |flag: Option<&Spanned<bool>>| flag.is_none_or(|flag| *flag.get_ref());
        let node = Node {
            name: name.to_owned(),
            span: entry.key_span(),
            site,
            address: address?.ok()?,
            fqdn: fqdn.transpose().ok()?,
            nat_address: nat_address.transpose().ok()?,
            transit,
            network_groups: Vec::new(),
            update_group: Located::new(GroupId(0), Span::default()),
            runtime_group: Located::new(GroupId(0), Span::default()),
            priority: priority.transpose().ok()?,
            version: version.transpose().ok()?,
            updates: Updates {
                automatic: flag(updates.and_then(|u| u.automatic.as_ref())),
                from_internet: flag(updates.and_then(|u| u.from_internet.as_ref())),
                from_nodes: flag(updates.and_then(|u| u.from_nodes.as_ref())),
            },
            port: port.transpose().ok()?,
            settings: settings.transpose().ok()?.unwrap_or_default(),
        };
        Some(DraftNode {
            node,
            network_groups,
            first_explicit_group,
            update_group: update_group
                .transpose()
                .ok()?
                .unwrap_or_else(|| site_model.update_group.clone()),
            runtime_group: runtime_group
                .transpose()
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
