use time::{Duration, OffsetDateTime};

use crate::declare_check;
use crate::lint::CheckKind;
use crate::lint::finding::Finding;
use crate::lint::level::Level;
use crate::model::Model;
use crate::pki::{Inspection, RENEWAL_WINDOW_DAYS};
use crate::source::Span;

declare_check! {
    /// A certificate that ends within 30 days, or has ended.
    ///
    /// Cluster communication uses client certificate authentication (seed: Cluster CA); a node
    /// whose certificate has expired can no longer join or talk to the others. `topoc build`
    /// re-issues node certificates inside the 30-day window by itself, so this warning means
    /// the deployed material is older than the next build will be, or the CA itself is ending.
    ///
    /// It is reported when `check` can see the secrets directory (`--secrets`, or `secrets`
    /// beside the command). Rebuild and deploy; for the CA, plan a `topoc ca rotate`.
    CERT_EXPIRING, "cert-expiring", CheckKind::Lint(Level::Warn)
}

pub fn check(model: &Model, inspection: &Inspection, findings: &mut Vec<Finding>) {
    let Some(now) = inspection.now else { return };
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
    let when = format!(
        "{:04}-{:02}-{:02}",
        not_after.year(),
        u8::from(not_after.month()),
        not_after.day()
    );
    let message = if left <= Duration::ZERO {
        format!("{what} expired on {when}")
    } else {
        format!("{what} ends on {when}, in {} days", left.whole_days())
    };
    let mut finding = Finding::new(&CERT_EXPIRING, span, message)
        .label("certificate ending")
        .help(
            "run `topoc build` and deploy the new certificates; for the CA, plan `topoc ca rotate`",
        );
    if let Some(node) = node {
        finding = finding.nodes([node.clone()]);
    }
    findings.push(finding);
}
