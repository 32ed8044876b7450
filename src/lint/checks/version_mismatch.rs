use std::collections::BTreeMap;

use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;
use crate::model::{Located, Model, NodeId};

declare_lint! {
    /// Nodes that would run different appliance versions or builds.
    ///
    /// "All appliances should be running the same version & build. It is never recommended
    /// to mix versions in a Central Management cluster" (seed: prerequisites); mixed nodes
    /// fail with "404 - version mismatch". A node's `version` must equal the cluster's
    /// `version`; when the cluster states none, every node that states one must agree with
    /// the others.
    ///
    /// Upgrade the odd node, or remove its `version` to take the cluster's.
    "version-mismatch",
    Class::Hard,
    Scope::Any
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    let stated: Vec<(NodeId, &Located<String>)> = model
        .node_ids()
        .filter_map(|id| model.node(id).version.as_ref().map(|version| (id, version)))
        .collect();
    let reference = match &model.cluster.version {
        Some(version) => Some((version, "the cluster's version".to_owned())),
        None => majority(model, &stated),
    };
    let Some((reference, reference_label)) = reference else {
        return;
    };
    for (node, version) in stated {
        if version.value == reference.value {
            continue;
        }
        let name = &model.node(node).name;
        findings.push(
            Finding::new(
                &LINT,
                version.span,
                format!(
                    "node `{name}` runs {} but the cluster runs {}",
                    version.value, reference.value
                ),
            )
            .label("different version")
            .related(reference.span, reference_label.clone())
            .help(if model.cluster.version.is_some() {
                format!(
                    "upgrade `{name}` to {} and state that, or remove its `version` to take the cluster's",
                    reference.value
                )
            } else {
                format!(
                    "upgrade `{name}` to {}, and state the version once in `[cluster]`",
                    reference.value
                )
            })
            .nodes([name.clone()]),
        );
    }
}

/// The version most nodes state (the first node's on a tie), with a label naming a node
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
        .max_by_key(|(count, node, _)| (*count, std::cmp::Reverse(*node)))
        .map(|&(_, node, version)| {
            (
                version,
                format!("`{}` runs this version", model.node(node).name),
            )
        })
}
