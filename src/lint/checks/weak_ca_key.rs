use crate::finding::level::Level;
use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;

declare_lint! {
    /// A cluster CA whose key is weaker than topoc recommends (RSA below 3072 bits).
    ///
    /// Appliances often come with an RSA-2048 CA of their own, and such a CA still works:
    /// the nodes accept the certificates it signs. But every node certificate and so every
    /// connection of the cluster rests on that key for the CA's whole validity, often ten
    /// years, and RSA-2048 is expected to fall short of that: current guidance (NIST SP
    /// 800-57) gives it security only until 2030. topoc's own CAs are ECDSA P-256 by default.
    ///
    /// It is reported when `check` can see the CA (`--secrets`, `secrets` beside the
    /// command, or the `[ca]` files). Plan a `topoc ca rotate` to a stronger key (remove
    /// `[ca] cert` and `key` to let topoc create one), and import the new CA on every node.
    "weak-ca-key",
    Class::Lint(Level::Warn),
    Scope::Swg
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let Some(inspection) = &context.evidence.inspection else {
        return;
    };
    // A CA that cannot be used at all is `invalid-ca`'s to report.
    let (Some(key), None) = (&inspection.ca_modest_key, &inspection.ca_problem) else {
        return;
    };
    findings.push(
        Finding::new(
            &LINT,
            context.model.ca_span(),
            format!("the cluster CA's key is {key}, weaker than topoc recommends"),
        )
        .label("this cluster CA")
        .help(
            "it works, but every connection of the cluster rests on it for years: plan `topoc ca rotate` to ECDSA P-256 or RSA of 3072 bits or more",
        ),
    );
}
