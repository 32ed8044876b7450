use std::collections::BTreeSet;

use crate::analysis::routes::Router;
use crate::finding::{Class, Finding, Scope, declare_lint, quoted};
use crate::lint::Context;
use crate::model::intent::{Assertion, Claim};
use crate::model::{Model, NodeId};

declare_lint! {
    /// An `[[assert]]` of the topology is false.
    ///
    /// `[[assert]]` tables state what an architect intends, so that a later change that
    /// breaks it fails the check instead of the review. Each names two nodes and claims
    /// one thing about them:
    ///
    /// - `reach = ["a", "b"]`: they reach each other through shared network groups; with
    ///   `max_hops = N`, in at most N hops; with `via = "t"`, every route between them
    ///   passes `t` (with `t` down they cannot reach each other);
    /// - `not_direct = ["a", "b"]`: they share no network group, so they talk only through
    ///   others (a DMZ gateway and the core, say, only through a transit node);
    /// - `same_update_group = ["a", "b"]`: one update group;
    /// - `different_runtime_group = ["a", "b"]`: different runtime groups.
    ///
    /// The finding is at the `[[assert]]` table and says what holds instead. Change the
    /// layout, or the assertion if the intent changed.
    "assert",
    Class::Hard,
    Scope::Swg
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    let mut router = Router::new(model);
    for assertion in &model.assertions {
        if let Some(why) = refuted(model, &mut router, assertion) {
            let [a, b] = assertion.claim.nodes();
            let names = [&model.node(a.value).name, &model.node(b.value).name];
            findings.push(
                Finding::new(&LINT, assertion.span, why)
                    .label(format!("`{}` is false", assertion.claim.key()))
                    .nodes(names.map(Clone::clone)),
            );
        }
    }
}

/// Why `assertion` is false, if it is.
fn refuted(model: &Model, router: &mut Router<'_>, assertion: &Assertion) -> Option<String> {
    let [a, b] = assertion.claim.nodes();
    let (a, b) = (a.value, b.value);
    let name = |node: NodeId| &model.node(node).name;
    match &assertion.claim {
        Claim::Reach { max_hops, via, .. } => {
            let table = router.from(a);
            let Some(hops) = table.hops(b) else {
                return Some(format!("`{}` cannot reach `{}`", name(a), name(b)));
            };
            if let Some(most) = max_hops
                && hops > most.value
            {
                return Some(format!(
                    "`{}` reaches `{}` in {hops} hops, more than `max_hops = {}` ({})",
                    name(a),
                    name(b),
                    most.value,
                    route(model, a, &table.route(b))
                ));
            }
            let via = via.as_ref()?.value;
            let around = Router::new(model)
                .avoiding(&BTreeSet::from([via]))
                .from(a);
            around.hops(b).map(|_| {
                format!(
                    "`{}` reaches `{}` without passing `{}` ({})",
                    name(a),
                    name(b),
                    name(via),
                    route(model, a, &around.route(b))
                )
            })
        }
        Claim::NotDirect(_) => {
            let theirs: BTreeSet<_> = model.node(b).network_groups.iter().map(|g| g.value).collect();
            let shared: Vec<&str> = model
                .node(a)
                .network_groups
                .iter()
                .filter(|g| theirs.contains(&g.value))
                .map(|g| model.network_group(g.value).name.as_str())
                .collect();
            (!shared.is_empty()).then(|| {
                format!(
                    "`{}` and `{}` share the network group{} {}, so they talk directly",
                    name(a),
                    name(b),
                    if shared.len() == 1 { "" } else { "s" },
                    quoted(&shared)
                )
            })
        }
        Claim::SameUpdateGroup(_) => {
            let (x, y) = (model.update_group_name(a), model.update_group_name(b));
            (x != y).then(|| {
                format!(
                    "`{}` is in update group `{x}`, `{}` in `{y}`",
                    name(a),
                    name(b)
                )
            })
        }
        Claim::DifferentRuntimeGroup(_) => {
            let group = model.runtime_group_name(a);
            (group == model.runtime_group_name(b)).then(|| {
                format!(
                    "`{}` and `{}` are both in runtime group `{group}`",
                    name(a),
                    name(b)
                )
            })
        }
    }
}

/// `a → x → b`.
fn route(model: &Model, from: NodeId, hops: &[crate::analysis::routes::Hop]) -> String {
    std::iter::once(from)
        .chain(hops.iter().map(|hop| hop.node))
        .map(|node| model.node(node).name.as_str())
        .collect::<Vec<_>>()
        .join(" → ")
}
