//! `[cluster]`: name, kind, port, version, management node, routing limits, settings and
//! where a SEG cluster's shared key comes from; and the keys a SEG cluster may not have.

use serde_spanned::Spanned;

use super::defaults::{MAX_ROUTE_HOPS, SEG_PORT, SWG_PORT, TRANSIT_FANOUT_LIMIT, TRANSIT_GROUP};
use super::{Reported, Resolver, located_copy, non_empty, span_of};
use crate::finding::Place;
use crate::finding::codes::{invalid_value, missing_key, swg_only_key, unknown_reference};
use crate::model::values;
use crate::model::{Cluster, Located, NodeId, Settings, SharedKeySource};
use crate::source::Span;
use crate::syntax::{self, Document, Entry, Kind};

impl Resolver {
    /// In a SEG topology, every key that only a Secure Web Gateway cluster has is an error:
    /// those of the document and `node_keys`, the nodes' (read apart from the document).
    pub(super) fn refuse_swg_only(
        &mut self,
        document: &Document,
        node_keys: &[(Span, &'static str)],
    ) {
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
        given.extend_from_slice(node_keys);
        if let Some(ca) = &document.ca {
            given.push((ca.key_span(), "[ca]"));
        }
        // Resilience and assertions are about network groups, which a SEG cluster has not.
        if let Some(resilience) = &document.resilience {
            given.push((resilience.key_span(), "[resilience]"));
        }
        given.extend(
            document
                .asserts
                .iter()
                .map(|a| (a.key_span(), "[[assert]]")),
        );
        for (span, key) in given {
            self.findings.push(swg_only_key::finding(span, key));
        }
    }

    pub(super) fn cluster(
        &mut self,
        entry: Option<&Entry<syntax::Cluster>>,
        rejected_cluster: bool,
        nodes: &[&str],
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
        let port = self.optional_number(syntax.port.as_ref(), "port", values::port);
        let version = self.optional_value(syntax.version.as_ref(), "version", values::version);
        let management_node = syntax
            .management_node
            .as_ref()
            .map(|reference| self.node_reference(reference, nodes));
        let transit_group =
            self.optional_value(syntax.transit_group.as_ref(), "transit_group", values::name);
        let fanout = self.optional_number(
            syntax.transit_fanout_limit.as_ref(),
            "transit_fanout_limit",
            |n| values::at_least(n, 1),
        );
        let max_route_hops =
            self.optional_number(syntax.max_route_hops.as_ref(), "max_route_hops", |n| {
                values::at_least(n, 1)
            });
        if kind == Kind::Seg
            && syntax.management_node.is_none()
            && !entry.was_rejected("management_node")
        {
            self.findings.push(
                missing_key::finding(
                    entry.key_span(),
                    "management_node",
                    Place::Section("cluster"),
                    "\"NODE\"",
                )
                .help("name the SEG master with `management_node = \"NODE\"`: it is the first entry of `AppClusterDirectory.xml`, the node the others join, and the one to start first after an upgrade"),
            );
        }
        let shared_key = self.shared_key(syntax, kind);
        let settings = syntax
            .settings
            .as_ref()
            .map(|settings| self.settings(settings.get_ref()));

        Some(Cluster {
            name: name?.ok()?,
            kind,
            span: entry.key_span(),
            port: port.ok()?.map_or(default_port, |port| port.value),
            port_span: syntax.port.as_ref().map(|port| port.span().into()),
            version: version.ok()?,
            management_node: management_node.transpose().ok()?,
            transit_group: transit_group
                .ok()?
                .map_or_else(|| TRANSIT_GROUP.to_owned(), |group| group.value),
            transit_fanout_limit: fanout
                .ok()?
                .map_or(TRANSIT_FANOUT_LIMIT, |limit| limit.value)
                as usize,
            max_route_hops: max_route_hops
                .ok()?
                .map_or(MAX_ROUTE_HOPS, |hops| hops.value) as usize,
            settings: settings.transpose().ok()?.unwrap_or_default(),
            shared_key: shared_key.ok()?,
        })
    }

    /// The node `reference` names, among the well-named `nodes` (sorted).
    pub(super) fn node_reference(
        &mut self,
        reference: &Spanned<String>,
        nodes: &[&str],
    ) -> Result<Located<NodeId>, Reported> {
        let span: Span = reference.span().into();
        let wanted = reference.get_ref().to_ascii_lowercase();
        nodes
            .binary_search_by(|name| (*name).cmp(wanted.as_str()))
            .map(|index| Located::new(NodeId(index), span))
            .map_err(|_| {
                let finding = unknown_reference::finding(
                    span,
                    "node",
                    reference.get_ref(),
                    self.suggestions.spend(nodes.iter().copied()),
                );
                self.report(finding)
            })
    }

    /// Where the shared key comes from, if the file says.
    pub(super) fn shared_key(
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
    pub(super) fn settings(&mut self, syntax: &syntax::Settings) -> Result<Settings, Reported> {
        let timeout = self.optional_value(
            syntax.distribution_timeout.as_ref(),
            "distribution_timeout",
            values::duration,
        );
        let multiplier = syntax.distribution_timeout_multiplier.as_ref().map(|m| {
            self.number(m, "distribution_timeout_multiplier", |n| {
                values::at_least(n, 1)
            })
        });
        let allowed = self.optional_value(
            syntax.allowed_time_difference.as_ref(),
            "allowed_time_difference",
            values::duration,
        );
        Ok(Settings {
            distribution_timeout: timeout?,
            distribution_timeout_multiplier: multiplier.transpose()?,
            allowed_time_difference: allowed?,
            check_version_match: syntax.check_version_match.as_ref().map(located_copy),
            check_version_match_level: syntax.check_version_match_level.as_ref().map(located_copy),
        })
    }
}

fn cluster_name(text: &str) -> Result<String, String> {
    if text.chars().any(char::is_control) {
        return Err("a cluster name cannot contain control characters".into());
    }
    non_empty(text)
}

pub(super) fn ntp_server(text: &str) -> Result<String, String> {
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

/// The keys only web gateway clusters take that a node gives, with where: reported if the
/// cluster turns out to be SEG.
pub(super) fn swg_only_node_keys(node: &syntax::Node, into: &mut Vec<(Span, &'static str)>) {
    for (span, key) in [
        (span_of(node.transit.as_ref()), "transit"),
        (span_of(node.network_groups.as_ref()), "network_groups"),
        (span_of(node.update_group.as_ref()), "update_group"),
        (span_of(node.runtime_group.as_ref()), "runtime_group"),
        (span_of(node.priority.as_ref()), "priority"),
        (span_of(node.updates.as_ref()), "updates"),
        (span_of(node.settings.as_ref()), "settings"),
    ] {
        into.extend(span.map(|span| (span, key)));
    }
}
