use crate::finding::level::Level;
use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;

declare_lint! {
    /// The topology names no NTP server.
    ///
    /// "Time must be in sync. Cluster communication is very dependent on this as this is how
    /// it knows which node has the most up-to-date configuration. It is highly recommended
    /// to configure NTP" (seed: prerequisites). Past two minutes of drift "CM communication
    /// will fail" with "405 - time difference too high", and past about 1000 seconds NTP no
    /// longer corrects the clock by itself.
    ///
    /// Add `[ntp]` with `servers = ["…"]`; topoc writes them into every node's settings.
    "no-ntp",
    Class::Lint(Level::Warn),
    Scope::Any
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    if !model.ntp_servers.is_empty() {
        return;
    }
    let span = model.ntp_span.unwrap_or(model.cluster.span);
    findings.push(
        Finding::new(&LINT, span, "no NTP server is configured for the cluster")
            .label("time sync is required")
            .help("add `[ntp]` with `servers = [\"ntp1.example.net\", \"ntp2.example.net\"]`"),
    );
}
