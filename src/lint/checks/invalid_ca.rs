use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;
use crate::model::Model;
use crate::pki::CaProblem;

declare_lint! {
    /// The cluster CA cannot be used.
    ///
    /// Nodes authenticate each other with certificates from the cluster CA, and "each cluster
    /// node must have the Cluster CA and key imported to be added to the cluster" (seed:
    /// prerequisites; Cluster CA). A CA that cannot be read, whose key does not match its
    /// certificate, that is not a CA, that has expired, or whose key is weaker than ECDSA
    /// P-256 cannot sign node certificates the others accept; adding a node then fails with
    /// "ssl failure … certificate verification". Without its key, topoc will not create a new
    /// CA while node material exists: that would silently cut every node off from the others.
    ///
    /// Restore the CA's files into the secrets directory (or the `[ca]` paths), or replace it
    /// on purpose with `topoc ca rotate` and import the new CA on every node.
    "invalid-ca",
    Class::Hard,
    Scope::Swg
}

/// The finding for `problem`, at `[ca]`'s `cert` when the CA is kept outside, else at `[ca]`
/// or `[cluster]`.
pub fn finding(model: &Model, problem: &CaProblem) -> Finding {
    let span = model.ca_span();
    Finding::new(&LINT, span, problem.to_string())
        .label("this cluster CA")
        .help(problem.help())
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let inspection = context.evidence.inspection.as_ref();
    if let Some(problem) = inspection.and_then(|inspection| inspection.ca_problem.as_ref()) {
        findings.push(finding(context.model, problem));
    }
}
