use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::source::Span;

declare_lint! {
    /// The topology defines no node.
    ///
    /// A cluster needs at least one node to compile anything; a topology without
    /// `[nodes.NAME]` tables is almost always a file cut short or the wrong file.
    ///
    /// Add the cluster's nodes, each with its `site` and `address`.
    "empty-cluster",
    Class::Hard,
    Scope::Any
}

pub fn finding(cluster: Span) -> Finding {
    Finding::new(&LINT, cluster, "the cluster has no nodes")
        .label("this cluster")
        .help("add a node: `[nodes.NAME]` with `site = \"SITE\"` and `address = \"10.0.0.1\"`")
}
