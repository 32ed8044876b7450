//! `[sites.*]`: each site's subnet, location, NAT realm and default groups, and the sites
//! that nodes name.

use std::collections::{BTreeMap, BTreeSet};

use serde_spanned::Spanned;

use super::symbols::Symbol;
use super::{Reported, Resolver};
use crate::finding::codes::unknown_reference;
use crate::model::values;
use crate::model::{Located, RealmId, Site, SiteId};
use crate::source::Span;
use crate::syntax::{self, Entry, Reach};

/// What a site name, as nodes write it, was found to be.
#[derive(Clone, Copy)]
pub(super) enum SiteLookup {
    NotYet,
    Found(SiteId),
    Unknown,
}

impl Resolver {
    /// How the Ansible control node reaches each site's nodes (`[inventory]`), by site id.
    pub(super) fn inventory_reach(
        &mut self,
        entry: Option<&Entry<syntax::Inventory>>,
        site_index: &BTreeMap<&str, SiteId>,
    ) -> Vec<Reach> {
        let inventory = entry.map(|entry| &entry.value);
        let default = inventory
            .and_then(|inventory| inventory.reach.as_ref())
            .map_or_else(Reach::default, |reach| *reach.get_ref());
        let mut reach = vec![default; site_index.len()];
        let per_site = inventory.and_then(|inventory| inventory.sites.as_ref());
        for (site, site_reach) in per_site.into_iter().flatten() {
            if let Ok(id) = self.site_reference(site.get_ref(), site.span().into(), site_index) {
                reach[id.value.index()] = *site_reach.get_ref();
            }
        }
        reach
    }

    /// Every well-named site, with its body if that resolved.
    pub(super) fn sites(&mut self, entries: &[Entry<syntax::Site>]) -> Vec<(String, Option<Site>)> {
        let named = self.names(entries, "site");
        let realms = realm_names(entries);
        named
            .into_iter()
            .map(|(name, entry)| {
                let syntax = &entry.value;
                let default =
                    |key: Option<&Spanned<String>>, resolver: &mut Self, what: &str| match key {
                        Some(group) => resolver.value(group, what, values::name),
                        None => Ok(Located::new(name.clone(), entry.key_span())),
                    };
                let update_group = default(syntax.update_group.as_ref(), self, "update_group");
                let runtime_group = default(syntax.runtime_group.as_ref(), self, "runtime_group");
                let realm = default(syntax.nat_realm.as_ref(), self, "nat_realm");
                let subnet = self.optional_value(syntax.subnet.as_ref(), "subnet", values::subnet);
                let route_via =
                    self.optional_value(syntax.route_via.as_ref(), "route_via", values::ip);
                let location = self.optional_value(syntax.location.as_ref(), "location", |text| {
                    Ok(text.to_owned())
                });
                let site = (|| {
                    Some(Site {
                        realm: RealmId(realms.binary_search(&realm.ok()?.value).ok()?),
                        name: name.clone(),
                        span: entry.key_span(),
                        location: location.ok()?.map(|location| location.value),
                        subnet: subnet.ok()?,
                        route_via: route_via.ok()?,
                        update_group: update_group.ok()?,
                        runtime_group: runtime_group.ok()?,
                    })
                })();
                (name, site)
            })
            .collect()
    }

    /// The site a node names (as written, interned), if there is one: each text is looked
    /// up once however many nodes name it.
    pub(super) fn site_named(
        &mut self,
        written: Symbol,
        site_index: &BTreeMap<&str, SiteId>,
    ) -> Option<SiteId> {
        let at = written as usize;
        match self.site_of.get(at) {
            Some(SiteLookup::Found(id)) => return Some(*id),
            Some(SiteLookup::Unknown) => return None,
            Some(SiteLookup::NotYet) | None => {}
        }
        let wanted = self.symbols.name(written).to_ascii_lowercase();
        let known = site_index.get(wanted.as_str()).copied();
        if self.site_of.len() <= at {
            self.site_of.resize(at + 1, SiteLookup::NotYet);
        }
        self.site_of[at] = known.map_or(SiteLookup::Unknown, SiteLookup::Found);
        known
    }

    pub(super) fn site_reference(
        &mut self,
        written: &str,
        span: Span,
        site_index: &BTreeMap<&str, SiteId>,
    ) -> Result<Located<SiteId>, Reported> {
        let wanted = written.to_ascii_lowercase();
        if let Some(&id) = site_index.get(wanted.as_str()) {
            return Ok(Located::new(id, span));
        }
        let finding = unknown_reference::finding(
            span,
            "site",
            written,
            self.suggestions.spend(site_index.keys().copied()),
        );
        Err(self.report(finding))
    }
}

/// The NAT realms named by the sites (a site's own name by default), sorted.
pub(super) fn realm_names(entries: &[Entry<syntax::Site>]) -> Vec<String> {
    entries
        .iter()
        .map(|entry| {
            entry
                .value
                .nat_realm
                .as_ref()
                .map_or_else(|| entry.name(), |realm| realm.get_ref().as_str())
                .to_ascii_lowercase()
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}
