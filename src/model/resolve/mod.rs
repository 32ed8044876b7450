//! [`syntax::Document`] to [`Model`]: defaults applied, values checked, references resolved.
//!
//! Every problem is reported; a model is returned only when there was none, so that the
//! checks never see a half-resolved topology.

use std::collections::{BTreeMap, BTreeSet};

use serde_spanned::Spanned;

use crate::lint::checks::{
    self, duplicate_name, invalid_value, missing_key, unknown_key, unknown_reference,
};
use crate::lint::finding::{Finding, Place};
use crate::lint::level::LintLevels;
use crate::lint::{self, LevelError};
use crate::model::values;
use crate::model::{
    CaSettings, Cluster, Group, GroupId, Located, Model, Node, NodeId, RealmId, Settings,
    SharedKeySource, Site, SiteId, Updates,
};
use crate::source::Span;
use crate::syntax::{self, Document, Entry, Kind};

/// Default Central Management port of a Secure Web Gateway.
pub const SWG_PORT: u16 = 12346;
/// Default cluster port of a Secure Email Gateway.
pub const SEG_PORT: u16 = 9090;
/// Default name of the backbone network group.
pub const TRANSIT_GROUP: &str = "transit";
/// The seed's rule: at most ten nodes behind one transit node.
pub const TRANSIT_FANOUT_LIMIT: u32 = 10;
/// Longest route `long-route` accepts: leaf, transit, transit, leaf.
pub const MAX_ROUTE_HOPS: u32 = 3;

pub fn resolve(document: &Document) -> (Option<Model>, Vec<Finding>) {
    let mut resolver = Resolver::default();
    let model = resolver.model(document);
    let findings = resolver.findings;
    (model.filter(|_| findings.is_empty()), findings)
}

#[derive(Default)]
struct Resolver {
    findings: Vec<Finding>,
}

/// A node resolved but for its group ids, which exist once every node is read.
struct DraftNode {
    node: Node,
    network_groups: Vec<Located<String>>,
    /// 1 when the first network group is the site's, by default; else 0.
    first_explicit_group: usize,
    update_group: Located<String>,
    runtime_group: Located<String>,
}

impl Resolver {
    fn model(&mut self, document: &Document) -> Option<Model> {
        self.refuse_swg_only(document);
        let sites = self.sites(&document.sites);
        let node_names = self.names(&document.nodes, "node");
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
                    .filter_map(|server| self.value(server, "servers", ntp_server).ok())
                    .collect()
            })
            .unwrap_or_default();
        let ca = self.ca(document.ca.as_ref(), cluster.as_ref());
        let lints = self.lints(&document.lints);

        // References resolve against every well-named site, even one whose body is wrong, so
        // that one bad value is reported once and not again at every node of the site.
        let site_index: BTreeMap<&str, SiteId> = sites
            .iter()
            .enumerate()
            .map(|(index, (name, _))| (name.as_str(), SiteId(index)))
            .collect();
        let transit_group = cluster
            .as_ref()
            .map_or(TRANSIT_GROUP, |c| c.transit_group.as_str());
        let drafts: Vec<Option<DraftNode>> = node_names
            .iter()
            .map(|(name, entry)| self.node(name, entry, &sites, &site_index, transit_group))
            .collect();

        let drafts: Vec<DraftNode> = drafts.into_iter().collect::<Option<_>>()?;
        let cluster = cluster?;
        let sites: Vec<Site> = sites
            .into_iter()
            .map(|(_, site)| site)
            .collect::<Option<_>>()?;
        // Only a file without node tables is empty; nodes with bad names were reported already.
        if document.nodes.is_empty() && !document.rejected.iter().any(|key| key == "nodes") {
            self.findings
                .push(checks::empty_cluster::finding(cluster.span));
            return None;
        }
        let network_groups = groups(&drafts, |draft| {
            (&draft.network_groups, draft.first_explicit_group)
        });
        let update_groups = groups(&drafts, |draft| {
            (std::slice::from_ref(&draft.update_group), 0)
        });
        let runtime_groups = groups(&drafts, |draft| {
            (std::slice::from_ref(&draft.runtime_group), 0)
        });
        let nodes = drafts
            .into_iter()
            .map(|draft| {
                let mut node = draft.node;
                node.network_groups = ids_of(&network_groups, &draft.network_groups);
                node.update_group =
                    ids_of(&update_groups, std::slice::from_ref(&draft.update_group)).remove(0);
                node.runtime_group =
                    ids_of(&runtime_groups, std::slice::from_ref(&draft.runtime_group)).remove(0);
                node
            })
            .collect();
        let realms = realm_names(&document.sites);
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
            lints,
        })
    }

    /// In a SEG topology, every key that only a Secure Web Gateway cluster has is an error.
    fn refuse_swg_only(&mut self, document: &Document) {
        let Some(cluster) = &document.cluster else {
            return;
        };
        if cluster.value.kind.as_ref().map(|k| *k.get_ref()) != Some(Kind::Seg) {
            return;
        }
        let c = &cluster.value;
        let mut given: Vec<(Span, &str)> = [
            (span_of(c.transit_group.as_ref()), "transit_group"),
            (
                span_of(c.transit_fanout_limit.as_ref()),
                "transit_fanout_limit",
            ),
            (span_of(c.max_route_hops.as_ref()), "max_route_hops"),
            (span_of(c.settings.as_ref()), "settings"),
        ]
        .into_iter()
        .filter_map(|(span, key)| Some((span?, key)))
        .collect();
        for site in &document.sites {
            let v = &site.value;
            for (span, key) in [
                (span_of(v.update_group.as_ref()), "update_group"),
                (span_of(v.runtime_group.as_ref()), "runtime_group"),
            ] {
                given.extend(span.map(|span| (span, key)));
            }
        }
        for node in &document.nodes {
            let v = &node.value;
            for (span, key) in [
                (span_of(v.transit.as_ref()), "transit"),
                (span_of(v.network_groups.as_ref()), "network_groups"),
                (span_of(v.update_group.as_ref()), "update_group"),
                (span_of(v.runtime_group.as_ref()), "runtime_group"),
                (span_of(v.priority.as_ref()), "priority"),
                (span_of(v.updates.as_ref()), "updates"),
                (span_of(v.settings.as_ref()), "settings"),
            ] {
                given.extend(span.map(|span| (span, key)));
            }
        }
        if let Some(ca) = &document.ca {
            given.push((ca.key_span(), "[ca]"));
        }
        for (span, key) in given {
            self.findings.push(checks::swg_only_key::finding(span, key));
        }
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

    /// Reads a spanned string with `parse`, reporting a bad value under `key`.
    fn value<T>(
        &mut self,
        spanned: &Spanned<String>,
        key: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Located<T>, Reported> {
        let span = spanned.span().into();
        parse(spanned.get_ref())
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

    fn cluster(
        &mut self,
        entry: Option<&Entry<syntax::Cluster>>,
        rejected_cluster: bool,
        nodes: &[(String, &Entry<syntax::Node>)],
    ) -> Option<Cluster> {
        let Some(entry) = entry else {
            if rejected_cluster {
                return None;
            }
            self.findings.push(missing_key::missing_table(
                Span::new(0, 0),
                "[cluster]",
                "name = \"my-cluster\"",
            ));
            return None;
        };
        let syntax = &entry.value;
        let name = self
            .required(
                entry,
                Place::Section("cluster"),
                "name",
                "\"my-cluster\"",
                syntax.name.as_ref(),
            )
            .map(|name| self.value(name, "name", cluster_name));
        let kind = syntax
            .kind
            .as_ref()
            .map_or(Kind::Swg, |kind| *kind.get_ref());
        let default_port = match kind {
            Kind::Swg => SWG_PORT,
            Kind::Seg => SEG_PORT,
        };
        let port = syntax
            .port
            .as_ref()
            .map(|port| self.number(port, "port", values::port));
        let version = syntax
            .version
            .as_ref()
            .map(|v| self.value(v, "version", values::version));
        let management_node = syntax.management_node.as_ref().map(|reference| {
            let span: Span = reference.span().into();
            let wanted = reference.get_ref().to_ascii_lowercase();
            nodes
                .binary_search_by(|(name, _)| name.as_str().cmp(&wanted))
                .map(|index| Located::new(NodeId(index), span))
                .map_err(|_| {
                    self.report(unknown_reference::finding(
                        span,
                        "node",
                        reference.get_ref(),
                        nodes.iter().map(|(name, _)| name.as_str()),
                    ))
                })
        });
        let transit_group = syntax
            .transit_group
            .as_ref()
            .map(|group| self.value(group, "transit_group", values::name));
        let fanout = syntax
            .transit_fanout_limit
            .as_ref()
            .map(|limit| self.number(limit, "transit_fanout_limit", |n| values::at_least(n, 1)));
        let max_route_hops = syntax
            .max_route_hops
            .as_ref()
            .map(|hops| self.number(hops, "max_route_hops", |n| values::at_least(n, 1)));
        let shared_key = self.shared_key(syntax, kind);
        let settings = syntax
            .settings
            .as_ref()
            .map(|settings| self.settings(settings.get_ref()));

        Some(Cluster {
            name: name?.ok()?,
            kind,
            span: entry.key_span(),
            port: port
                .transpose()
                .ok()?
                .map_or(default_port, |port| port.value),
            port_span: syntax.port.as_ref().map(|port| port.span().into()),
            version: version.transpose().ok()?,
            management_node: management_node.transpose().ok()?,
            transit_group: transit_group
                .transpose()
                .ok()?
                .map_or_else(|| TRANSIT_GROUP.to_owned(), |group| group.value),
            transit_fanout_limit: fanout
                .transpose()
                .ok()?
                .map_or(TRANSIT_FANOUT_LIMIT, |limit| limit.value)
                as usize,
            max_route_hops: max_route_hops
                .transpose()
                .ok()?
                .map_or(MAX_ROUTE_HOPS, |hops| hops.value) as usize,
            settings: settings.transpose().ok()?.unwrap_or_default(),
            shared_key: shared_key.ok()?,
        })
    }

    /// Where the shared key comes from, if the file says.
    fn shared_key(
        &mut self,
        syntax: &syntax::Cluster,
        kind: Kind,
    ) -> Result<Option<SharedKeySource>, Reported> {
        let env = syntax.shared_key_env.as_ref();
        let file = syntax.shared_key_file.as_ref();
        if kind == Kind::Swg {
            for (key, spanned) in [("shared_key_env", env), ("shared_key_file", file)] {
                if let Some(spanned) = spanned {
                    self.findings.push(
                        invalid_value::finding(
                            spanned.span().into(),
                            key,
                            "a shared key belongs to `kind = \"seg\"` clusters only",
                        )
                        .help("remove it, or set `kind = \"seg\"`"),
                    );
                }
            }
            return if env.is_none() && file.is_none() {
                Ok(None)
            } else {
                Err(Reported)
            };
        }
        match (env, file) {
            (Some(env), Some(file)) => Err(self.report(
                invalid_value::finding(
                    file.span().into(),
                    "shared_key_file",
                    "give `shared_key_env` or `shared_key_file`, not both",
                )
                .related(env.span().into(), "`shared_key_env` is given here"),
            )),
            (Some(env), None) => self
                .value(env, "shared_key_env", env_var_name)
                .map(|env| Some(SharedKeySource::Env(env))),
            (None, Some(file)) => self
                .value(file, "shared_key_file", non_empty)
                .map(|file| Some(SharedKeySource::File(file))),
            (None, None) => Err(self.report(
                missing_key::finding(
                    syntax.kind.as_ref().map_or(Span::default(), |k| k.span().into()),
                    "shared_key_env",
                    "a SEG cluster",
                    "\"SEG_SHARED_KEY\"",
                )
                .help("name where `topoc build` reads the cluster's shared key: `shared_key_env = \"SEG_SHARED_KEY\"` or `shared_key_file = \"…\"`; the key itself never goes in the topology"),
            )),
        }
    }

    /// Settings from a `settings` table.
    fn settings(&mut self, syntax: &syntax::Settings) -> Result<Settings, Reported> {
        let timeout = syntax
            .distribution_timeout
            .as_ref()
            .map(|d| self.value(d, "distribution_timeout", values::duration));
        let multiplier = syntax.distribution_timeout_multiplier.as_ref().map(|m| {
            self.number(m, "distribution_timeout_multiplier", |n| {
                values::at_least(n, 1)
            })
        });
        let allowed = syntax
            .allowed_time_difference
            .as_ref()
            .map(|d| self.value(d, "allowed_time_difference", values::duration));
        Ok(Settings {
            distribution_timeout: timeout.transpose()?,
            distribution_timeout_multiplier: multiplier.transpose()?,
            allowed_time_difference: allowed.transpose()?,
            check_version_match: syntax.check_version_match.as_ref().map(located_copy),
            check_version_match_level: syntax.check_version_match_level.as_ref().map(located_copy),
        })
    }

    fn ca(
        &mut self,
        entry: Option<&Entry<syntax::Ca>>,
        cluster: Option<&Cluster>,
    ) -> Option<CaSettings> {
        let default_name =
            cluster.map_or_else(String::new, |c| format!("{} Cluster CA", c.name.value));
        let Some(entry) = entry else {
            return Some(CaSettings {
                common_name: default_name,
                algorithm: syntax::Algorithm::default(),
                validity_days: 3650,
                node_validity_days: 397,
                span: None,
                external: None,
            });
        };
        let syntax = &entry.value;
        let common_name = syntax
            .common_name
            .as_ref()
            .map(|cn| self.value(cn, "common_name", non_empty));
        let days = |resolver: &mut Self, value: Option<&Spanned<i64>>, key: &str, default: u32| {
            value.map_or(Ok(Located::new(default, entry.key_span())), |days| {
                resolver.number(days, key, |n| values::at_least(n, 1))
            })
        };
        let validity = days(self, syntax.validity_days.as_ref(), "validity_days", 3650);
        let node_validity = days(
            self,
            syntax.node_validity_days.as_ref(),
            "node_validity_days",
            397,
        );
        if let (Ok(ca), Ok(node)) = (&validity, &node_validity) {
            if node.value > ca.value {
                self.findings.push(
                    invalid_value::finding(
                        node.span,
                        "node_validity_days",
                        format!(
                            "node certificates cannot outlive the CA ({} > {} days)",
                            node.value, ca.value
                        ),
                    )
                    .related(ca.span, "the CA's validity"),
                );
                return None;
            }
        }
        let external = match (&syntax.cert, &syntax.key) {
            (Some(cert), Some(key)) => Some((
                self.value(cert, "cert", non_empty).ok()?,
                self.value(key, "key", non_empty).ok()?,
            )),
            (None, None) => None,
            (Some(given), None) | (None, Some(given)) => {
                let missing = if syntax.cert.is_some() { "key" } else { "cert" };
                self.report(
                    invalid_value::finding(
                        given.span().into(),
                        if missing == "key" { "cert" } else { "key" },
                        format!(
                            "an existing CA needs both `cert` and `key`; `{missing}` is missing"
                        ),
                    )
                    .help(format!("add `{missing} = \"…\"` to `[ca]`")),
                );
                return None;
            }
        };
        Some(CaSettings {
            span: Some(entry.key_span()),
            external,
            common_name: common_name
                .transpose()
                .ok()?
                .map_or(default_name, |cn| cn.value),
            algorithm: syntax
                .algorithm
                .as_ref()
                .map_or_else(Default::default, |a| *a.get_ref()),
            validity_days: validity.ok()?.value,
            node_validity_days: node_validity.ok()?.value,
        })
    }

    fn lints(&mut self, entries: &[Entry<crate::lint::level::Level>]) -> LintLevels {
        let mut levels = LintLevels::default();
        for entry in entries {
            match lint::configurable(entry.name()) {
                Ok(lint) => levels.set_from_file(lint, entry.value),
                Err(LevelError::Hard) => self.findings.push(
                    invalid_value::finding(
                        entry.key_span(),
                        entry.name(),
                        "a hard error's level cannot be changed",
                    )
                    .label("hard error"),
                ),
                Err(LevelError::Unknown(_)) => self.findings.push(unknown_key::finding(
                    entry.key_span(),
                    entry.name(),
                    Place::Section("lints"),
                    &lint::configurable_codes(),
                )),
            }
        }
        levels
    }

    /// Every well-named site, with its body if that resolved.
    fn sites(&mut self, entries: &[Entry<syntax::Site>]) -> Vec<(String, Option<Site>)> {
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
                let subnet = syntax
                    .subnet
                    .as_ref()
                    .map(|subnet| self.value(subnet, "subnet", values::subnet));
                let location = syntax.location.as_ref().map(|l| l.get_ref().clone());
                let site = (|| {
                    Some(Site {
                        realm: RealmId(realms.binary_search(&realm.ok()?.value).ok()?),
                        name: name.clone(),
                        span: entry.key_span(),
                        location,
                        subnet: subnet.transpose().ok()?,
                        update_group: update_group.ok()?,
                        runtime_group: runtime_group.ok()?,
                    })
                })();
                (name, site)
            })
            .collect()
    }

    fn node(
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

    fn site_reference(
        &mut self,
        site: &Spanned<String>,
        site_index: &BTreeMap<&str, SiteId>,
    ) -> Result<Located<SiteId>, Reported> {
        let span: Span = site.span().into();
        let wanted = site.get_ref().to_ascii_lowercase();
        match site_index.get(wanted.as_str()) {
            Some(&id) => Ok(Located::new(id, span)),
            None => Err(self.report(unknown_reference::finding(
                span,
                "site",
                site.get_ref(),
                site_index.keys().copied(),
            ))),
        }
    }

    /// Every name of a `network_groups` list, each reported if wrong.
    fn group_names(
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

/// The groups named by `memberships` of every draft, sorted by name, members in node order.
/// `memberships` gives a draft's group names and the index of the first one the file names
/// itself (those before it are defaults).
fn groups<'d>(
    drafts: &'d [DraftNode],
    memberships: impl Fn(&'d DraftNode) -> (&'d [Located<String>], usize),
) -> Vec<Group> {
    let mut by_name: BTreeMap<&str, Group> = BTreeMap::new();
    for (index, draft) in drafts.iter().enumerate() {
        let (names, first_explicit) = memberships(draft);
        for (position, membership) in names.iter().enumerate() {
            let group = by_name
                .entry(membership.value.as_str())
                .or_insert_with(|| Group {
                    name: membership.value.clone(),
                    members: Vec::new(),
                    span: membership.span,
                    explicit: false,
                });
            if group.members.last() != Some(&NodeId(index)) {
                group.members.push(NodeId(index));
            }
            group.span = group.span.min(membership.span);
            group.explicit |= position >= first_explicit;
        }
    }
    by_name.into_values().collect()
}

/// Group ids for `names`, sorted and without repeats, each with the span that named it first.
fn ids_of(groups: &[Group], names: &[Located<String>]) -> Vec<Located<GroupId>> {
    let mut ids: Vec<Located<GroupId>> = names
        .iter()
        .filter_map(|name| {
            let index = groups
                .binary_search_by(|group| group.name.as_str().cmp(&name.value))
                .ok()?;
            Some(Located::new(GroupId(index), name.span))
        })
        .collect();
    ids.sort_unstable_by_key(|id| (id.value, id.span));
    ids.dedup_by_key(|id| id.value);
    ids
}

/// The NAT realms named by the sites (a site's own name by default), sorted.
fn realm_names(entries: &[Entry<syntax::Site>]) -> Vec<String> {
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

fn cluster_name(text: &str) -> Result<String, String> {
    if text.chars().any(char::is_control) {
        return Err("a cluster name cannot contain control characters".into());
    }
    non_empty(text)
}

fn ntp_server(text: &str) -> Result<String, String> {
    values::ip(text)
        .map(|address| address.to_string())
        .or_else(|_| values::fqdn(text))
        .map_err(|_| {
            format!(
                "`{}` is neither an IP address nor a host name",
                values::shown(text)
            )
        })
}

fn env_var_name(text: &str) -> Result<String, String> {
    let mut chars = text.chars();
    let valid_start = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if valid_start && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "`{}` is not an environment variable name",
            values::shown(text)
        ))
    }
}

/// A problem already pushed to the findings: the caller only needs to stop.
struct Reported;
