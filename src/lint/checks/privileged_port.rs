use crate::finding::level::Level;
use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;
use crate::source::Span;

declare_lint! {
    /// A Central Management port below 1024.
    ///
    /// Ports below 1024 are the well-known ports of other services (SSH, HTTP, HTTPS, ...),
    /// which the appliance or the firewalls between the nodes may already use or treat
    /// specially. The seed recommends "to stick with the default port of 12346", which may be
    /// changed "as long as it is configured the same on all appliances" (seed:
    /// Configuration).
    ///
    /// Use 12346, or another port above 1023 that nothing else on the appliances uses.
    "privileged-port",
    Class::Lint(Level::Warn),
    Scope::Swg
}

/// The highest port number of the well-known range.
const LAST_WELL_KNOWN: u16 = 1023;

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    let cluster = &model.cluster;
    if let Some(span) = cluster.port_span {
        push(findings, cluster.port, span, "the cluster's", None);
    }
    for node in &model.nodes {
        if let Some(port) = &node.port {
            let whose = format!("node `{}`'s", node.name);
            push(findings, port.value, port.span, &whose, Some(&node.name));
        }
    }
}

fn push(findings: &mut Vec<Finding>, port: u16, span: Span, whose: &str, node: Option<&str>) {
    if port > LAST_WELL_KNOWN {
        return;
    }
    findings.push(
        Finding::new(
            &LINT,
            span,
            format!("{whose} Central Management port {port} is a well-known port (below 1024)"),
        )
        .label("well-known port")
        .help("use the default 12346, or another port above 1023 that nothing else uses")
        .nodes(node.map(str::to_owned)),
    );
}
