//! What several checks share: how a group's members spread over sites.

use crate::finding::Finding;
use crate::lint::Lint;
use crate::model::{Group, GroupId, Located, Model, Node, NodeId, SiteId};

/// Where the members of a group stand when that is more than one site.
#[derive(Debug)]
pub struct Spread {
    /// The first member in the site with the most members (the first such site on a tie).
    pub home: NodeId,
    /// The first member outside that site.
    pub away: NodeId,
    /// Every site with a member, in id order.
    pub sites: Vec<SiteId>,
}

/// How `members` spread over sites; `None` when they all stand in one.
pub fn spread(model: &Model, members: &[NodeId]) -> Option<Spread> {
    // The common case, told without counting: every member in the first one's site.
    let site = |member: &NodeId| model.node(*member).site.value;
    let first = site(members.first()?);
    if members.iter().all(|member| site(member) == first) {
        return None;
    }
    let by_site = model.members_by_site(members);
    let (home_site, home_members) = by_site
        .iter()
        .max_by_key(|(site, members)| (members.len(), std::cmp::Reverse(**site)))?;
    let away = members
        .iter()
        .copied()
        .find(|&member| model.node(member).site.value != *home_site)?;
    Some(Spread {
        home: home_members[0],
        away,
        sites: by_site.keys().copied().collect(),
    })
}

/// One finding per group of `groups` whose members stand in several sites, at the place
/// that puts the first member from outside the main site in the group.
pub(crate) fn group_spans_sites(
    model: &Model,
    lint: &'static Lint,
    what: &str,
    groups: &[Group],
    membership: impl Fn(&Node) -> &Located<GroupId>,
    findings: &mut Vec<Finding>,
) {
    for group in groups {
        let Some(spread) = spread(model, &group.members) else {
            continue;
        };
        let (home, away) = (model.node(spread.home), model.node(spread.away));
        let site_name = |node: &Node| model.site(node.site.value).name.clone();
        findings.push(
            Finding::new(
                lint,
                membership(away).span,
                format!(
                    "{what} `{}` spans {} sites: `{}` stands in `{}`, `{}` in `{}`",
                    group.name,
                    spread.sites.len(),
                    away.name,
                    site_name(away),
                    home.name,
                    site_name(home)
                ),
            )
            .label(format!(
                "puts `{}` of site `{}` in `{}`",
                away.name,
                site_name(away),
                group.name
            ))
            .related(
                membership(home).span,
                format!(
                    "`{}` of site `{}` is in `{}`",
                    home.name,
                    site_name(home),
                    group.name
                ),
            )
            .help(format!(
                "give site `{}` {} {what} of its own",
                site_name(away),
                if what.starts_with(['a', 'e', 'i', 'o', 'u']) {
                    "an"
                } else {
                    "a"
                }
            ))
            .nodes(model.node_names(&group.members))
            .groups([group.name.clone()])
            .sites(
                spread
                    .sites
                    .iter()
                    .map(|&site| model.site(site).name.clone()),
            ),
        );
    }
}
