use crate::finding::level::Level;
use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;
use crate::suggest;

declare_lint! {
    /// A network group with a single member.
    ///
    /// Network groups are the routes of Central Management: a group carries messages between
    /// its members (seed: Group Definitions). A group the file names for one node only
    /// connects nothing; it is usually a misspelt group name, and the node then misses the
    /// group it was meant to join. The help names a similar group when there is one.
    ///
    /// A site's default network group (the site's name, when a node gives no
    /// `network_groups`) is not reported: a one-node site is a layout, not a typo.
    "lonely-network-group",
    Class::Lint(Level::Warn),
    Scope::Swg
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    let transit = model.transit_group();
    let mut suggestions = suggest::Budget::default();
    for (index, group) in model.network_groups.iter().enumerate() {
        if group.members.len() != 1 || !group.explicit {
            continue;
        }
        let node = model.node(group.members[0]);
        let others = model
            .network_groups
            .iter()
            .filter(|other| other.name != group.name)
            .map(|other| other.name.as_str());
        let is_transit = transit.is_some_and(|t| t.index() == index);
        // The transit group's name is the cluster's: it is never the misspelling.
        let near = (!is_transit)
            .then(|| suggest::closest(&group.name, suggestions.spend(others)))
            .flatten();
        let message = if is_transit {
            format!(
                "only `{}` joins the transit group `{}`, so it ties nothing together",
                node.name, group.name
            )
        } else {
            format!(
                "network group `{}` has a single member, `{}`",
                group.name, node.name
            )
        };
        let help = match near {
            Some(near) => format!("did you mean `{near}`?"),
            None if is_transit => "set `transit = true` on one node of every other site".to_owned(),
            None => "add another node to it, or remove it".to_owned(),
        };
        findings.push(
            Finding::new(&LINT, group.span, message)
                .label("only member")
                .help(help)
                .nodes([node.name.clone()])
                .groups([group.name.clone()]),
        );
    }
}
