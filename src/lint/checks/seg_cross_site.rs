use crate::finding::level::Level;
use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;
use crate::lint::spread::spread;

declare_lint! {
    /// A Secure Email Gateway cluster whose nodes stand in several sites.
    ///
    /// SEG nodes keep their cluster alive with heartbeats: when a node misses "the maximum
    /// number of heartbeats", the others vote a new master, and a slave that goes down "is
    /// removed from the cluster, and the slave server stops receiving or sending updates"
    /// (seed: What happens if the master SEG goes down?). Across a WAN, lost heartbeats split
    /// the cluster, and clustering issues "are typically seen when communication between the
    /// SEG servers is broken" (seed: How should the SEGs be re-clustered).
    ///
    /// Keep one SEG cluster per site, each in a topology file of its own.
    "seg-cross-site",
    Class::Lint(Level::Warn),
    Scope::Seg
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    let members: Vec<_> = model.node_ids().collect();
    let Some(spread) = spread(model, &members) else {
        return;
    };
    let (home, away) = (model.node(spread.home), model.node(spread.away));
    findings.push(
        Finding::new(
            &LINT,
            away.site.span,
            format!(
                "SEG cluster `{}` spans {} sites; its heartbeats would cross the WAN",
                model.cluster.name.value,
                spread.sites.len()
            ),
        )
        .label(format!(
            "`{}` stands in site `{}`",
            away.name,
            model.site(away.site.value).name
        ))
        .related(
            home.site.span,
            format!(
                "`{}` stands in site `{}`",
                home.name,
                model.site(home.site.value).name
            ),
        )
        .help("keep one SEG cluster per site, each in a topology file of its own")
        .nodes(model.node_names(&members))
        .sites(
            spread
                .sites
                .iter()
                .map(|&site| model.site(site).name.clone()),
        ),
    );
}
