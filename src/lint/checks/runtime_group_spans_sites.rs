use crate::finding::level::Level;
use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;
use crate::lint::spread::group_spans_sites;

declare_lint! {
    /// A runtime group whose nodes stand in more than one site.
    ///
    /// Runtime groups share runtime data (coaching, quota, authorized override, pdstorage).
    /// "Runtime groups should only be used for systems on the same subnet in same
    /// datacenter", and nodes that serve different users belong in different runtime groups
    /// "to reduce the overhead of information sharing" (seed: Group Definitions; Review your
    /// Runtime group configuration). Across sites, the sharing causes intermittent "Shared
    /// Data not synchronized" errors.
    ///
    /// By default each site is its own runtime group; remove the `runtime_group` that joins
    /// the sites, or give each site its own.
    "runtime-group-spans-sites",
    Class::Lint(Level::Warn),
    Scope::Swg
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    group_spans_sites(
        model,
        &LINT,
        "runtime group",
        &model.runtime_groups,
        |node| &node.runtime_group,
        findings,
    );
}
