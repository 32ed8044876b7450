use std::collections::{BTreeMap, VecDeque};

use petgraph::graph::NodeIndex;

use crate::analysis::{Analysis, Vertex};
use crate::finding::level::Level;
use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;
use crate::model::{GroupId, NodeId};

declare_lint! {
    /// Routes with more hops than `max_route_hops`.
    ///
    /// Messages between nodes that share no network group are relayed by transit nodes; every
    /// relay adds a hop, a delay and a node that must be up. The seed's layouts need at most
    /// three hops (node, its transit node, the other site's transit node, the node), which is
    /// the default limit; deeper chains of groups make configuration take longer to reach
    /// every node. Set the limit with `max_route_hops` in `[cluster]`.
    ///
    /// Off by default. It measures every node's farthest node, once per set of nodes that
    /// share the same groups, so it costs more than the other checks on very large clusters.
    /// Tie distant groups to the transit group directly.
    "long-route",
    Class::Lint(Level::Allow),
    Scope::Swg
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let (model, analysis) = (context.model, context.analysis());
    let limit = model.cluster.max_route_hops;
    // Nodes with the same groups are the same distance from every other node: one search
    // from the first of them serves all.
    let mut classes: BTreeMap<Vec<GroupId>, Vec<NodeId>> = BTreeMap::new();
    for node in model.node_ids() {
        let groups = model
            .node(node)
            .network_groups
            .iter()
            .map(|g| g.value)
            .collect();
        classes.entry(groups).or_default().push(node);
    }
    let mut distance = vec![usize::MAX; analysis.graph.node_count()];
    for members in classes.values() {
        let source = members[0];
        let Some((farthest, vertex_distance)) = farthest_node(analysis, source, &mut distance)
        else {
            continue;
        };
        let hops = vertex_distance / 2;
        if hops <= limit {
            continue;
        }
        let (from, to) = (model.node(source), model.node(farthest));
        let others = members.len() - 1;
        let who = if others == 0 {
            format!("`{}`", from.name)
        } else {
            format!("`{}` and {others} more nodes in the same groups", from.name)
        };
        findings.push(
            Finding::new(
                &LINT,
                from.span,
                format!(
                    "routes from {who} take {hops} hops to reach `{}`; the limit is {limit}",
                    to.name
                ),
            )
            .label(format!("{hops} hops to `{}`", to.name))
            .related(to.span, format!("`{}` is {hops} hops away", to.name))
            .help("tie the groups on this route to the transit group more directly")
            .nodes(model.node_names(members)),
        );
    }
}

/// Breadth-first search from `source` over the node–group graph: the node farthest from it
/// and its distance in graph edges (two per hop). `distance` is scratch space.
fn farthest_node(
    analysis: &Analysis,
    source: NodeId,
    distance: &mut [usize],
) -> Option<(NodeId, usize)> {
    distance.fill(usize::MAX);
    let start = NodeIndex::new(source.index());
    distance[start.index()] = 0;
    let mut queue = VecDeque::from([start]);
    let mut farthest = None;
    while let Some(vertex) = queue.pop_front() {
        let here = distance[vertex.index()];
        if let Vertex::Node(node) = analysis.graph[vertex]
            && node != source && farthest.is_none_or(|(_, d)| here > d) {
                farthest = Some((node, here));
            }
        for next in analysis.graph.neighbors(vertex) {
            if distance[next.index()] == usize::MAX {
                distance[next.index()] = here + 1;
                queue.push_back(next);
            }
        }
    }
    farthest
}
