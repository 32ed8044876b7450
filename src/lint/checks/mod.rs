//! Every finding code, one file each. A file declares its code with [`declare_check!`]; its
//! doc comment is what `topoc explain CODE` prints. Front-end codes (syntax, keys, values,
//! references) are raised by `parse` and `resolve` through the constructors in their files;
//! the others run here, on a resolved model.
//!
//! [`declare_check!`]: crate::declare_check

pub mod address_outside_subnet;
pub mod cert_expiring;
pub mod cluster_setting_override;
pub mod cross_site_network_group;
pub mod duplicate_address;
pub mod duplicate_fqdn;
pub mod duplicate_name;
pub mod empty_cluster;
pub mod invalid_ca;
pub mod invalid_value;
pub mod lonely_network_group;
pub mod long_route;
pub mod missing_key;
pub mod mixed_priority;
pub mod nat_without_fqdn;
pub mod no_management_node;
pub mod no_ntp;
pub mod runtime_group_spans_sites;
pub mod runtime_group_spans_subnets;
pub mod seg_cross_site;
pub mod seg_shared_key;
pub mod seg_single_node;
pub mod single_point_of_failure;
pub mod swg_only_key;
pub mod toml_syntax;
pub mod transit_fanout;
pub mod unknown_key;
pub mod unknown_reference;
pub mod unreachable_nodes;
pub mod unusable_address;
pub mod update_group_spans_sites;
pub mod update_group_without_source;
pub mod version_mismatch;

use crate::analysis::Analysis;
use crate::lint::Check;
use crate::lint::finding::Finding;
use crate::lint::level::{Level, LintLevels};
use crate::model::{Group, GroupId, Located, Model, Node, NodeId, SiteId};
use crate::syntax::Kind;

/// Every code topoc can report, in alphabetical order.
pub static ALL: &[&Check] = &[
    &address_outside_subnet::ADDRESS_OUTSIDE_SUBNET,
    &cert_expiring::CERT_EXPIRING,
    &cluster_setting_override::CLUSTER_SETTING_OVERRIDE,
    &cross_site_network_group::CROSS_SITE_NETWORK_GROUP,
    &duplicate_address::DUPLICATE_ADDRESS,
    &duplicate_fqdn::DUPLICATE_FQDN,
    &duplicate_name::DUPLICATE_NAME,
    &empty_cluster::EMPTY_CLUSTER,
    &invalid_ca::INVALID_CA,
    &invalid_value::INVALID_VALUE,
    &lonely_network_group::LONELY_NETWORK_GROUP,
    &long_route::LONG_ROUTE,
    &missing_key::MISSING_KEY,
    &mixed_priority::MIXED_PRIORITY,
    &nat_without_fqdn::NAT_WITHOUT_FQDN,
    &no_management_node::NO_MANAGEMENT_NODE,
    &no_ntp::NO_NTP,
    &runtime_group_spans_sites::RUNTIME_GROUP_SPANS_SITES,
    &runtime_group_spans_subnets::RUNTIME_GROUP_SPANS_SUBNETS,
    &seg_cross_site::SEG_CROSS_SITE,
    &seg_shared_key::SEG_SHARED_KEY,
    &seg_single_node::SEG_SINGLE_NODE,
    &single_point_of_failure::SINGLE_POINT_OF_FAILURE,
    &swg_only_key::SWG_ONLY_KEY,
    &toml_syntax::TOML_SYNTAX,
    &transit_fanout::TRANSIT_FANOUT,
    &unknown_key::UNKNOWN_KEY,
    &unknown_reference::UNKNOWN_REFERENCE,
    &unreachable_nodes::UNREACHABLE_NODES,
    &unusable_address::UNUSABLE_ADDRESS,
    &update_group_spans_sites::UPDATE_GROUP_SPANS_SITES,
    &update_group_without_source::UPDATE_GROUP_WITHOUT_SOURCE,
    &version_mismatch::VERSION_MISMATCH,
];

/// What a check on the model sees.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub model: &'a Model,
    pub analysis: &'a Analysis,
}

/// A check that runs on a resolved model.
type ModelCheck = fn(&Context<'_>, &mut Vec<Finding>);

/// The kinds of cluster a check applies to. Network, update and runtime groups, priorities
/// and CM settings exist only in Secure Web Gateway Central Management.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Any,
    Swg,
    Seg,
}

impl Scope {
    fn includes(self, kind: Kind) -> bool {
        match self {
            Scope::Any => true,
            Scope::Swg => kind == Kind::Swg,
            Scope::Seg => kind == Kind::Seg,
        }
    }
}

/// Every check that runs on a resolved model, with the kinds of cluster it applies to.
static MODEL_CHECKS: &[(Scope, &Check, ModelCheck)] = &[
    (
        Scope::Any,
        &address_outside_subnet::ADDRESS_OUTSIDE_SUBNET,
        address_outside_subnet::check,
    ),
    (
        Scope::Swg,
        &cluster_setting_override::CLUSTER_SETTING_OVERRIDE,
        cluster_setting_override::check,
    ),
    (
        Scope::Swg,
        &cross_site_network_group::CROSS_SITE_NETWORK_GROUP,
        cross_site_network_group::check,
    ),
    (
        Scope::Any,
        &duplicate_address::DUPLICATE_ADDRESS,
        duplicate_address::check,
    ),
    (
        Scope::Any,
        &duplicate_fqdn::DUPLICATE_FQDN,
        duplicate_fqdn::check,
    ),
    (
        Scope::Swg,
        &lonely_network_group::LONELY_NETWORK_GROUP,
        lonely_network_group::check,
    ),
    (Scope::Swg, &long_route::LONG_ROUTE, long_route::check),
    (
        Scope::Swg,
        &mixed_priority::MIXED_PRIORITY,
        mixed_priority::check,
    ),
    (
        Scope::Any,
        &nat_without_fqdn::NAT_WITHOUT_FQDN,
        nat_without_fqdn::check,
    ),
    (
        Scope::Swg,
        &no_management_node::NO_MANAGEMENT_NODE,
        no_management_node::check,
    ),
    (Scope::Any, &no_ntp::NO_NTP, no_ntp::check),
    (
        Scope::Swg,
        &runtime_group_spans_sites::RUNTIME_GROUP_SPANS_SITES,
        runtime_group_spans_sites::check,
    ),
    (
        Scope::Swg,
        &runtime_group_spans_subnets::RUNTIME_GROUP_SPANS_SUBNETS,
        runtime_group_spans_subnets::check,
    ),
    (
        Scope::Seg,
        &seg_cross_site::SEG_CROSS_SITE,
        seg_cross_site::check,
    ),
    (
        Scope::Seg,
        &seg_single_node::SEG_SINGLE_NODE,
        seg_single_node::check,
    ),
    (
        Scope::Swg,
        &single_point_of_failure::SINGLE_POINT_OF_FAILURE,
        single_point_of_failure::check,
    ),
    (
        Scope::Swg,
        &transit_fanout::TRANSIT_FANOUT,
        transit_fanout::check,
    ),
    (
        Scope::Swg,
        &unreachable_nodes::UNREACHABLE_NODES,
        unreachable_nodes::check,
    ),
    (
        Scope::Any,
        &unusable_address::UNUSABLE_ADDRESS,
        unusable_address::check,
    ),
    (
        Scope::Swg,
        &update_group_spans_sites::UPDATE_GROUP_SPANS_SITES,
        update_group_spans_sites::check,
    ),
    (
        Scope::Swg,
        &update_group_without_source::UPDATE_GROUP_WITHOUT_SOURCE,
        update_group_without_source::check,
    ),
    (
        Scope::Any,
        &version_mismatch::VERSION_MISMATCH,
        version_mismatch::check,
    ),
];

/// Runs every check on the model that applies to its kind and whose level is not `allow`.
pub fn run(context: &Context<'_>, levels: &LintLevels) -> Vec<Finding> {
    let kind = context.model.cluster.kind;
    let mut findings = Vec::new();
    for &(scope, check, run) in MODEL_CHECKS {
        if scope.includes(kind) && levels.level_of(check) != Level::Allow {
            run(context, &mut findings);
        }
    }
    findings
}

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
    let by_site = model.members_by_site(members);
    if by_site.len() < 2 {
        return None;
    }
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
fn group_spans_sites(
    model: &Model,
    check: &'static Check,
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
                check,
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

/// The check with this code.
pub fn find(code: &str) -> Option<&'static Check> {
    ALL.iter().copied().find(|check| check.code == code)
}

/// The codes whose level can be set.
pub fn lint_codes() -> Vec<&'static str> {
    ALL.iter()
        .filter(|check| !check.is_hard())
        .map(|check| check.code)
        .collect()
}
