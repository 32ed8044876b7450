use crate::finding::level::Level;
use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;
use crate::lint::spread::group_spans_sites;

declare_lint! {
    /// An update group whose nodes stand in more than one site.
    ///
    /// Update groups let nodes share engine updates (URL filter, anti-virus, CRL, DLP) so that
    /// they are downloaded once. "It is best practice to have one Update group for each
    /// geographic location", so that nodes on fast LAN links share updates "while these
    /// updates are not shared between the different locations (slower connections, WAN
    /// links)" (seed: Group Definitions). A group across sites sends these large files over
    /// the WAN.
    ///
    /// By default each site is its own update group; remove the `update_group` that joins
    /// the sites, or give each site its own.
    "update-group-spans-sites",
    Class::Lint(Level::Warn),
    Scope::Swg
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    group_spans_sites(
        model,
        &LINT,
        "update group",
        &model.update_groups,
        |node| &node.update_group,
        findings,
    );
}
