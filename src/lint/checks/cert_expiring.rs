use time::{Duration, OffsetDateTime};

use crate::finding::level::Level;
use crate::finding::{Class, Finding, Scope, declare_lint, plural};
use crate::lint::Context;
use crate::pki::day;
use crate::source::Span;

declare_lint! {
    /// A certificate that ends within 30 days (`--valid-for`), or has ended.
    ///
    /// Cluster communication uses client certificate authentication (seed: Cluster CA); a node
    /// whose certificate has expired can no longer join or talk to the others. `topoc build`
    /// re-issues node certificates inside the 30-day window by itself, so this warning means
    /// the deployed material is older than the next build will be, or the CA itself is ending.
    ///
    /// It is reported when `check` can see the certificates: those of the previous output
    /// (`--out`, default `out`), which are what the nodes run, else those of the secrets
    /// directory (`--secrets`, or `secrets` beside the command). `--valid-for` sets how long
    /// they must still be valid (default 30 days). Rebuild and deploy; for the CA, plan a
    /// `topoc ca rotate`.
    "cert-expiring",
    Class::Lint(Level::Warn),
    Scope::Any
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    let evidence = context.evidence;
    let (inspection, deployed) = (&evidence.inspection, &evidence.deployed);
    let Some((now, window)) = evidence.validity else {
        return;
    };
    let ca_span = model.ca_span();
    // The secrets' CA when at hand (an unusable one is `invalid-ca`'s to report), else the
    // published one.
    let ca = match inspection {
        Some(inspection) if inspection.ca_problem.is_some() => None,
        Some(inspection) if inspection.ca.is_some() => inspection.ca.as_ref(),
        _ => deployed.as_ref().and_then(|deployed| deployed.ca.as_ref()),
    };
    let judged = Judged { now, window };
    if let Some(ca) = ca {
        judged.push(findings, "the cluster CA", ca.not_after, ca_span, None);
    }
    for id in model.node_ids() {
        let node = model.node(id);
        // What is deployed counts, where there is an output; else what the next build
        // publishes.
        let published = deployed
            .as_ref()
            .and_then(|deployed| deployed.nodes.get(&node.name))
            .and_then(|judged| judged.cert.as_ref())
            .and_then(|cert| cert.as_ref().ok());
        let summary = published.or_else(|| {
            inspection
                .as_ref()
                .and_then(|inspection| inspection.nodes.get(&node.name))
        });
        if let Some(summary) = summary {
            let what = format!("the certificate of node `{}`", node.name);
            judged.push(findings, &what, summary.not_after, node.span, Some(&node.name));
        }
    }
}

/// When certificates are judged, and how long they must stay valid from then.
struct Judged {
    now: OffsetDateTime,
    window: Duration,
}

impl Judged {
    fn push(
        &self,
        findings: &mut Vec<Finding>,
        what: &str,
        not_after: OffsetDateTime,
        span: Span,
        node: Option<&String>,
    ) {
        let left = not_after - self.now;
        if left > self.window {
            return;
        }
        let when = day(not_after);
        let message = if left <= Duration::ZERO {
            format!("{what} expired on {when}")
        } else {
            format!(
                "{what} ends on {when}, in {}, sooner than the {} it must stay valid",
                plural(left.whole_days().unsigned_abs(), "day"),
                plural(self.window.whole_days().unsigned_abs(), "day")
            )
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
}
