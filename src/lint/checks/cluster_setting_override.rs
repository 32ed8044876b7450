use std::fmt::Debug;

use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;
use crate::model::{Located, Node, Settings};
use crate::source::Span;

declare_lint! {
    /// A node sets its own port or Central Management setting.
    ///
    /// The CM port may be changed "as long as it is configured the same on all
    /// appliances", and `distributionTimeout`, `distributionTimeoutMultiplier`,
    /// `allowedTimeDifference`, `checkVersionMatch` and `checkVersionMatchLevel` must have
    /// "the same value on all cluster members" (seed: Configuration; Things to check for in
    /// cluster settings). A node's `port` or `settings` that differs from the cluster's
    /// would break exactly that.
    ///
    /// Set the value once, in `[cluster]` or `[cluster.settings]`, and remove it from the node.
    "cluster-setting-override",
    Class::Hard,
    Scope::Swg
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let cluster = &context.model.cluster;
    for node in &context.model.nodes {
        if let Some(port) = &node.port
            && port.value != cluster.port {
                let finding = override_finding(node, "port", port.span, &port.value, &cluster.port);
                findings.push(match cluster.port_span {
                    Some(span) => finding.related(span, "the cluster's port"),
                    None => finding,
                });
            }
        compare(node, &cluster.settings, findings);
    }
}

fn compare(node: &Node, cluster: &Settings, findings: &mut Vec<Finding>) {
    let own = node.settings();
    macro_rules! each_setting {
        ($($field:ident),*) => {$(
            push_if_different(
                node,
                stringify!($field),
                own.$field.as_ref(),
                cluster.$field.as_ref(),
                findings,
            );
        )*};
    }
    each_setting!(
        distribution_timeout,
        distribution_timeout_multiplier,
        allowed_time_difference,
        check_version_match,
        check_version_match_level
    );
}

fn push_if_different<T: PartialEq + Debug>(
    node: &Node,
    key: &str,
    own: Option<&Located<T>>,
    cluster: Option<&Located<T>>,
    findings: &mut Vec<Finding>,
) {
    let Some(own) = own else { return };
    match cluster {
        Some(cluster) if cluster.value == own.value => {}
        Some(cluster) => findings.push(
            override_finding(node, key, own.span, &own.value, &cluster.value)
                .related(cluster.span, "the cluster's setting"),
        ),
        None => findings.push(
            Finding::new(
                &LINT,
                own.span,
                format!("node `{}` sets `{key}`, which is cluster-wide", node.name),
            )
            .label("per-node setting")
            .help(format!("set `{key}` in `[cluster.settings]` instead"))
            .nodes([node.name.clone()]),
        ),
    }
}

fn override_finding<T: Debug>(node: &Node, key: &str, span: Span, own: &T, cluster: &T) -> Finding {
    Finding::new(
        &LINT,
        span,
        format!(
            "node `{}` sets `{key}` to {own:?} but the cluster uses {cluster:?}",
            node.name
        ),
    )
    .label("differs from the cluster")
    .help(format!(
        "remove `{key}` from the node; it must be the same on every node"
    ))
    .nodes([node.name.clone()])
}
