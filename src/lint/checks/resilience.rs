use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::analysis::resilience::{Cut, Failure, FailingSet, cuts};
use crate::analysis::what_if::degrade;
use crate::finding::{Class, Finding, Scope, declare_lint, plural, quoted};
use crate::lint::Context;
use crate::model::{Located, Model, NodeId};

declare_lint! {
    /// A failure `[resilience]` promises the cluster survives cuts surviving nodes apart.
    ///
    /// `[resilience]` declares what may fail while every surviving node still reaches
    /// every other: `nodes = 1` (any one node), `nodes = 2` (any two), `sites = 1` (any
    /// whole site), `groups = 1` (any one network group stops carrying traffic, its members
    /// alive). `check` proves each exhaustively: one node and one group from the
    /// articulation points of the node–group graph (linear), two nodes with one such
    /// search per node, a site by removing its nodes. The finding names the smallest
    /// failing set (the first, in name order), how many pairs of surviving nodes it cuts
    /// apart with one of them, and how many failing sets there are.
    ///
    /// Add a second path where the failing set is the only one: a second transit node in
    /// the site, or a network group that ties its parts together. `topoc what-if --down`
    /// shows what a failure leaves.
    "resilience",
    Class::Hard,
    Scope::Swg
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let (model, analysis) = (context.model, context.analysis());
    // A cluster already split is `unreachable-nodes`' to report.
    if analysis.parts.len() > 1 {
        return;
    }
    let declared = &model.resilience;
    let promises = [
        (declared.nodes.as_ref(), "nodes"),
        (declared.sites.as_ref(), "sites"),
        (declared.groups.as_ref(), "groups"),
    ];
    for (promise, key) in promises {
        let Some(promise) = promise else {
            continue;
        };
        let failure = match key {
            "nodes" => Failure::Nodes(promise.value),
            "sites" => Failure::Site,
            _ => Failure::Group,
        };
        let (found, total) = cuts(model, analysis, failure, 1);
        if let Some(cut) = found.first() {
            findings.push(finding(context, promise, key, cut, total));
        }
    }
}

fn finding(context: &Context<'_>, promise: &Located<u32>, key: &str, cut: &Cut, total: u64) -> Finding {
    let model = context.model;
    let (gone_nodes, gone_groups, what, related): (BTreeSet<NodeId>, BTreeSet<_>, String, _) =
        match &cut.set {
            FailingSet::Nodes(nodes) => {
                let names: Vec<&str> = nodes.iter().map(|&n| model.node(n).name.as_str()).collect();
                let what = match names.as_slice() {
                    [one] => format!("losing node `{one}`"),
                    _ => format!("losing nodes {} together", quoted(&names)),
                };
                let related: Vec<_> = nodes.iter().map(|&n| model.node(n).span).collect();
                (nodes.iter().copied().collect(), BTreeSet::new(), what, related)
            }
            FailingSet::Site(site) => {
                let nodes = model
                    .node_ids()
                    .filter(|&n| model.node(n).site.value == *site)
                    .collect();
                let site = model.site(*site);
                (nodes, BTreeSet::new(), format!("losing site `{}`", site.name), vec![site.span])
            }
            FailingSet::Group(group) => {
                let name = &model.network_group(*group).name;
                let span = model
                    .node_ids()
                    .flat_map(|n| model.node(n).network_groups.iter())
                    .find(|g| g.value == *group)
                    .map(|g| g.span);
                (
                    BTreeSet::new(),
                    BTreeSet::from([*group]),
                    format!("network group `{name}` stopping"),
                    span.into_iter().collect(),
                )
            }
        };
    let example = example_pair(model, context, &gone_nodes, &gone_groups);
    let promised = match (key, promise.value) {
        ("nodes", 1) => "any 1 node may fail",
        ("nodes", _) => "any 2 nodes may fail",
        ("sites", _) => "any 1 site may fail",
        _ => "any 1 network group may fail",
    };
    let mut message = format!(
        "{what} cuts {} of surviving nodes apart{example}, though `[resilience]` promises {promised}",
        plural(cut.pairs, "pair")
    );
    if total > 1 {
        let _ = write!(message, " ({total} failing sets in all)");
    }
    let mut finding = Finding::new(&LINT, promise.span, message)
        .label("not kept")
        .help("give the failing set's parts a second way to each other: a second transit node, or a network group that ties them")
        .nodes(model.node_names(&gone_nodes.iter().copied().collect::<Vec<_>>()));
    for span in related {
        finding = finding.related(span, "fails here");
    }
    finding
}

/// `: `a` from `b`, for one` — two surviving nodes the failure parts.
fn example_pair(
    model: &Model,
    context: &Context<'_>,
    nodes: &BTreeSet<NodeId>,
    groups: &BTreeSet<crate::model::GroupId>,
) -> String {
    let degraded = degrade(model, context.analysis(), nodes, groups);
    match degraded.parts.as_slice() {
        [first, second, ..] => format!(
            " (`{}` from `{}`, for one)",
            model.node(first[0]).name,
            model.node(second[0]).name
        ),
        _ => String::new(),
    }
}
