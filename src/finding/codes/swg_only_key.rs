use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::source::Span;

declare_lint! {
    /// A Secure Web Gateway setting in a Secure Email Gateway topology.
    ///
    /// Network, update and runtime groups, transit nodes, priorities, engine updates, the
    /// Central Management settings, the cluster CA, and `[resilience]` and `[[assert]]`
    /// (which judge network groups) belong to Secure Web Gateway Central Management. A SEG cluster has none of them: its nodes all talk to each other on one
    /// port, its master stands first in `AppClusterDirectory.xml`, and its members share a key
    /// (seed: What is the app cluster directory XML?). Such a key in a `kind = "seg"` file
    /// would be silently ignored, so it is an error.
    ///
    /// Remove the key, or set `kind = "swg"` if the cluster is a web gateway cluster.
    "swg-only-key",
    Class::Hard,
    Scope::Seg
}

pub fn finding(span: Span, key: &str) -> Finding {
    Finding::new(
        &LINT,
        span,
        format!("`{key}` applies to Secure Web Gateway clusters, not to `kind = \"seg\"`"),
    )
    .label("not a SEG setting")
    .help(format!("remove `{key}`, or set `kind = \"swg\"`"))
}
