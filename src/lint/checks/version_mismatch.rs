use std::collections::BTreeMap;

use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;
use crate::model::{Located, Model, NodeId, values};

declare_lint! {
    /// Nodes that would run different appliance versions or builds.
    ///
    /// "All appliances should be running the same version & build. It is never recommended
    /// to mix versions in a Central Management cluster" (seed: prerequisites); mixed nodes
    /// fail with "404 - version mismatch". A node's `version` must equal the cluster's
    /// `version`. When the cluster states none, the reference is the version most nodes
    /// state (the highest on a tie), and a node that states none is reported too: nothing
    /// says what it runs.
    ///
    /// Upgrade whichever node is behind (topoc never advises a downgrade), and state the
    /// version once in `[cluster]` so that every node takes it.
    "version-mismatch",
    Class::Hard,
    Scope::Any
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    let stated: Vec<(NodeId, &Located<String>)> = model
        .node_ids()
        .filter_map(|id| model.node(id).version.as_deref().map(|version| (id, version)))
        .collect();
    let reference = match &model.cluster.version {
        Some(version) => Some((version, "the cluster's version".to_owned())),
        None => majority(model, &stated),
    };
    let Some((reference, reference_label)) = reference else {
        return;
    };
    let declared = model.cluster.version.is_some();
    for id in model.node_ids() {
        let name = &model.node(id).name;
        let finding = match &model.node(id).version {
            Some(version) if version.value == reference.value => continue,
            Some(version) => differs(name, version, &reference.value, declared),
            // A node without a version takes the cluster's, where the cluster states one.
            None if declared => continue,
            None => Finding::new(
                &LINT,
                model.node(id).span,
                format!(
                    "node `{name}` states no version, but {} {}",
                    running(stated.len()),
                    reference.value
                ),
            )
            .label("no version")
            .help(format!(
                "state the version once in `[cluster]` (`version = \"{}\"`), so that every node takes it",
                reference.value
            )),
        };
        findings.push(
            finding
                .related(reference.span, reference_label.clone())
                .nodes([name.clone()]),
        );
    }
}

/// `name` runs `version`, not `reference`: upgrade whichever is behind, never downgrade.
fn differs(name: &str, version: &Located<String>, reference: &str, declared: bool) -> Finding {
    let ahead = values::compare_versions(&version.value, reference).is_gt();
    let help = match (ahead, declared) {
        (false, true) => format!(
            "upgrade `{name}` to {reference} and state that, or remove its `version` to take the cluster's"
        ),
        (false, false) => {
            format!("upgrade `{name}` to {reference}, and state the version once in `[cluster]`")
        }
        (true, true) => format!(
            "`{name}` is ahead of the cluster: upgrade the other nodes to {} and set it as the cluster's `version` (or correct `{name}`'s `version` if it is wrong)",
            version.value
        ),
        (true, false) => format!(
            "`{name}` is ahead of the others: upgrade them to {} and state the version once in `[cluster]` (or correct `{name}`'s `version` if it is wrong)",
            version.value
        ),
    };
    Finding::new(
        &LINT,
        version.span,
        format!(
            "node `{name}` runs {} but the cluster runs {reference}",
            version.value
        ),
    )
    .label("different version")
    .help(help)
}

/// "1 node runs" or "N nodes run".
fn running(count: usize) -> String {
    if count == 1 {
        "1 node runs".to_owned()
    } else {
        format!("{count} nodes run")
    }
}

/// The version most nodes state (the highest on a tie), with a label naming the first node
/// that runs it.
fn majority<'m>(
    model: &'m Model,
    stated: &[(NodeId, &'m Located<String>)],
) -> Option<(&'m Located<String>, String)> {
    let mut counts: BTreeMap<&str, (usize, NodeId, &Located<String>)> = BTreeMap::new();
    for &(node, version) in stated {
        counts
            .entry(version.value.as_str())
            .or_insert((0, node, version))
            .0 += 1;
    }
    counts
        .values()
        .max_by(|(a_count, _, a), (b_count, _, b)| {
            a_count
                .cmp(b_count)
                .then_with(|| values::compare_versions(&a.value, &b.value))
        })
        .map(|&(_, node, version)| {
            (
                version,
                format!("`{}` runs this version", model.node(node).name),
            )
        })
}
