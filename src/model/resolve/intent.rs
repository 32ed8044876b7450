//! `[resilience]` and `[[assert]]`: what the file promises, checked for form here and
//! proved by the lints.

use serde_spanned::Spanned;

use super::{Reported, Resolver};
use crate::finding::codes::invalid_value;
use crate::model::intent::{Assertion, Claim, Resilience};
use crate::model::{Located, NodeId, values};
use crate::syntax::{self, Entry};

/// A pair of node names as a claim writes it.
type Pair = Spanned<Vec<Spanned<String>>>;

impl Resolver {
    pub(super) fn resilience(
        &mut self,
        entry: Option<&Entry<syntax::Resilience>>,
    ) -> Option<Resilience> {
        let Some(entry) = entry else {
            return Some(Resilience::default());
        };
        let syntax = &entry.value;
        let mut bound = |value: Option<&Spanned<i64>>, key: &str, most: u32, what: &str| {
            self.optional_number(value, key, |n| {
                values::between(n, 0, most)
                    .map_err(|message| format!("{message}: topoc proves the loss of {what}"))
            })
            .map(|declared| declared.filter(|count| count.value > 0))
        };
        let nodes = bound(syntax.nodes.as_ref(), "nodes", 2, "any 1 or 2 nodes");
        let sites = bound(syntax.sites.as_ref(), "sites", 1, "any 1 site");
        let groups = bound(syntax.groups.as_ref(), "groups", 1, "any 1 network group");
        Some(Resilience {
            nodes: nodes.ok()?,
            sites: sites.ok()?,
            groups: groups.ok()?,
        })
    }

    /// Every `[[assert]]`, each problem reported; `None` when any has one.
    pub(super) fn assertions(
        &mut self,
        entries: &[Entry<syntax::Assert>],
        nodes: &[&str],
    ) -> Option<Vec<Assertion>> {
        let resolved: Vec<Option<Assertion>> = entries
            .iter()
            .map(|entry| {
                self.assertion(entry, nodes).ok().map(|claim| Assertion {
                    span: entry.key_span(),
                    claim,
                })
            })
            .collect();
        resolved.into_iter().collect()
    }

    fn assertion(
        &mut self,
        entry: &Entry<syntax::Assert>,
        nodes: &[&str],
    ) -> Result<Claim, Reported> {
        let syntax = &entry.value;
        let claims: Vec<(&str, &Pair)> = [
            ("reach", syntax.reach.as_ref()),
            ("not_direct", syntax.not_direct.as_ref()),
            ("same_update_group", syntax.same_update_group.as_ref()),
            (
                "different_runtime_group",
                syntax.different_runtime_group.as_ref(),
            ),
        ]
        .into_iter()
        .filter_map(|(key, pair)| Some((key, pair?)))
        .collect();
        let (key, pair) = match claims.as_slice() {
            [] => {
                return Err(self.report(
                    invalid_value::finding(
                        entry.key_span(),
                        "assert",
                        "an `[[assert]]` claims nothing",
                    )
                    .help(
                        "give one of `reach`, `not_direct`, `same_update_group` or `different_runtime_group`, each with two node names",
                    ),
                ));
            }
            [one] => *one,
            [first, second, ..] => {
                return Err(self.report(
                    invalid_value::finding(
                        second.1.span().into(),
                        second.0,
                        format!(
                            "one claim per `[[assert]]`, and this one has `{}` already",
                            first.0
                        ),
                    )
                    .help("write each claim in an `[[assert]]` table of its own"),
                ));
            }
        };
        let only_with_reach = [
            ("max_hops", syntax.max_hops.as_ref().map(Spanned::span)),
            ("via", syntax.via.as_ref().map(Spanned::span)),
        ];
        if key != "reach"
            && let Some((extra, Some(span))) =
                only_with_reach.iter().find(|(_, span)| span.is_some())
        {
            return Err(self.report(invalid_value::finding(
                span.clone().into(),
                extra,
                format!("`{extra}` goes with `reach`, not `{key}`"),
            )));
        }
        let between = self.pair(pair, key, nodes)?;
        Ok(match key {
            "reach" => {
                let max_hops = self.optional_number(syntax.max_hops.as_ref(), "max_hops", |n| {
                    values::at_least(n, 1)
                });
                let via = syntax
                    .via
                    .as_ref()
                    .map(|via| self.node_reference(via, nodes))
                    .transpose();
                let (max_hops, via) = (max_hops?, via?);
                if let Some(via) = &via
                    && between.iter().any(|end| end.value == via.value)
                {
                    return Err(self.report(invalid_value::finding(
                        via.span,
                        "via",
                        "`via` names one of the two nodes, which every route between them passes",
                    )));
                }
                Claim::Reach {
                    between,
                    max_hops,
                    via,
                }
            }
            "not_direct" => Claim::NotDirect(between),
            "same_update_group" => Claim::SameUpdateGroup(between),
            _ => Claim::DifferentRuntimeGroup(between),
        })
    }

    /// The two different nodes a claim names.
    fn pair(
        &mut self,
        pair: &Pair,
        key: &str,
        nodes: &[&str],
    ) -> Result<[Located<NodeId>; 2], Reported> {
        let [first, second] = pair.get_ref().as_slice() else {
            return Err(self.report(invalid_value::finding(
                pair.span().into(),
                key,
                format!("name two nodes, not {}", pair.get_ref().len()),
            )));
        };
        let first = self.node_reference(first, nodes);
        let second = self.node_reference(second, nodes);
        let (first, second) = (first?, second?);
        if first.value == second.value {
            return Err(self.report(invalid_value::finding(
                pair.span().into(),
                key,
                "a claim is about two different nodes",
            )));
        }
        Ok([first, second])
    }
}
