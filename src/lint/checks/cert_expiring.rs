use time::{Duration, OffsetDateTime};

use crate::finding::level::Level;
use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;
use crate::pki::{RENEWAL_WINDOW_DAYS, day};
use crate::source::Span;

declare_lint! {
    /// A certificate that ends within 30 days, or has ended.
    ///
    /// Cluster communication uses client certificate authentication (seed: Cluster CA); a node
    /// whose certificate has expired can no longer join or talk to the others. `topoc build`
    /// re-issues node certificates inside the 30-day window by itself, so this warning means
    /// the deployed material is older than the next build will be, or the CA itself is ending.
    ///
    /// It is reported when `check` can see the secrets directory (`--secrets`, or `secrets`
    /// beside the command). Rebuild and deploy; for the CA, plan a `topoc ca rotate`.
    "cert-expiring",
    Class::Lint(Level::Warn),
    Scope::Any
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    let Some(inspection) = &context.evidence.inspection else {
        return;
    };
    let now = inspection.now;
    let ca_span = model.ca_span();
    // An unusable CA is `invalid-ca`'s to report.
    if let (Some(ca), None) = (&inspection.ca, &inspection.ca_problem) {
        push(findings, "the cluster CA", ca.not_after, now, ca_span, None);
    }
    for id in model.node_ids() {
        let node = model.node(id);
        if let Some(summary) = inspection.nodes.get(&node.name) {
            let what = format!("the certificate of node `{}`", node.name);
            push(
                findings,
                &what,
                summary.not_after,
                now,
                node.span,
                Some(&node.name),
            );
        }
    }
}

fn push(
    findings: &mut Vec<Finding>,
    what: &str,
    not_after: OffsetDateTime,
    now: OffsetDateTime,
    span: Span,
    node: Option<&String>,
) {
    let left = not_after - now;
    if left > Duration::days(RENEWAL_WINDOW_DAYS) {
        return;
    }
    let when = day(not_after);
    let message = if left <= Duration::ZERO {
        format!("{what} expired on {when}")
    } else {
        format!("{what} ends on {when}, in {} days", left.whole_days())
    };
    let mut finding = Finding::new(&LINT, span, message)
        .label("certificate ending")
        .help(
            "run `topoc build` and deploy the new certificates; for the CA, plan `topoc ca rotate`",
        );
    if let Some(node) = node {
        finding = finding.nodes([node.clone()]);
    }
    findings.push(finding);
}
