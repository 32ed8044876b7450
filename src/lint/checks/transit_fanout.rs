use crate::finding::level::Level;
use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;

declare_lint! {
    /// A transit node carries more nodes than the limit.
    ///
    /// A node in two or more network groups is a transit node: messages for the nodes of
    /// its groups pass through it. A node in only one group sits behind every transit node
    /// of that group. The vendor recommends "only putting up to 10 nodes behind a single
    /// transit node" and, for larger sites, "more than one transit node and smaller network
    /// groups that are tied to the transit node" (seed: Example with a larger cluster).
    ///
    /// Split the site's network group (for example `toknet1` and `toknet2`), each with its
    /// own transit node. The limit is `transit_fanout_limit` in `[cluster]` (default 10).
    "transit-fanout",
    Class::Lint(Level::Deny),
    Scope::Swg
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    let limit = model.cluster.transit_fanout_limit;
    let plain = model.plain_members();
    let behind_per_group: Vec<usize> = plain.iter().map(Vec::len).collect();
    for transit in model.node_ids().filter(|&node| model.relays(node)) {
        let node = model.node(transit);
        let count: usize = node
            .network_groups
            .iter()
            .map(|group| behind_per_group[group.value.index()])
            .sum();
        if count <= limit {
            continue;
        }
        let behind = model.nodes_behind(transit, &plain);
        let busiest = node
            .network_groups
            .iter()
            .max_by_key(|group| behind_per_group[group.value.index()])
            .map(|group| model.network_group(group.value));
        let mut finding = Finding::new(
            &LINT,
            node.span,
            format!(
                "transit node `{}` has {count} nodes behind it; the limit is {limit}",
                node.name
            ),
        )
        .label(format!("{count} nodes behind this transit node"))
        .help(format!(
            "split its network groups into groups of at most {limit} nodes, each with a transit node of its own"
        ))
        .nodes(std::iter::once(node.name.clone()).chain(model.node_names(&behind)))
        .groups(model.network_group_names(&node.network_groups));
        if let Some(group) = busiest {
            finding = finding.related(
                group.span,
                format!("`{}` has {} members", group.name, group.members.len()),
            );
        }
        findings.push(finding);
    }
}
