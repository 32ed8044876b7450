use crate::finding::level::Level;
use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;
use crate::lint::spread::spread;
use crate::model::{GroupId, Node, NodeId};

declare_lint! {
    /// A network group, other than the transit group, that joins nodes of several sites.
    ///
    /// "If all nodes are in the same network group, then all nodes will talk to all other
    /// nodes." The vendor recommends "a unique network group for each physical location with
    /// one node in each location in a 'Transit' group", so that the nodes of a location talk
    /// to the rest of the cluster through their transit node (seed: Group Definitions). A
    /// group that spans sites makes its nodes a full mesh over the WAN.
    ///
    /// Transit nodes may sit in a group of another site: that is how groups are tied
    /// together, so only nodes in a single group count. Keep each site's nodes in groups of
    /// their own and join the sites through the transit group.
    "cross-site-network-group",
    Class::Lint(Level::Warn),
    Scope::Swg
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    let transit = model.transit_group();
    for (index, group) in model.network_groups.iter().enumerate() {
        if Some(GroupId(index)) == transit {
            continue;
        }
        let plain: Vec<NodeId> = group
            .members
            .iter()
            .copied()
            .filter(|&member| !model.relays(member))
            .collect();
        let Some(spread) = spread(model, &plain) else {
            continue;
        };
        let (home, away) = (model.node(spread.home), model.node(spread.away));
        let membership = |node: &Node| {
            node.network_groups
                .iter()
                .find(|g| g.value.index() == index)
                .map_or(node.span, |g| g.span)
        };
        findings.push(
            Finding::new(
                &LINT,
                membership(away),
                format!(
                    "network group `{}` joins nodes of {} sites, which then talk to each other directly across the WAN",
                    group.name,
                    spread.sites.len()
                ),
            )
            .label(format!(
                "`{}` of site `{}` joins `{}`",
                away.name,
                model.site(away.site.value).name,
                group.name
            ))
            .related(
                membership(home),
                format!("`{}` of site `{}` is in it too", home.name, model.site(home.site.value).name),
            )
            .help(format!(
                "give site `{}` a network group of its own and join it through a transit node",
                model.site(away.site.value).name
            ))
            .nodes(model.node_names(&group.members))
            .groups([group.name.clone()])
            .sites(spread.sites.iter().map(|&site| model.site(site).name.clone())),
        );
    }
}
