use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;
use crate::model::SharedKeySource;

declare_lint! {
    /// The SEG cluster's shared key is missing, empty, or the product default.
    ///
    /// SEG servers of one cluster share a key, `sharedKey` in the `clusterConfiguration` of the
    /// EAS Integration Service (seed: How should the SEGs be re-clustered?), and the example
    /// there shows the product default, `AirWatch`. A cluster keyed with a value that every
    /// installation knows is not protected at all. `topoc build` reads the key from the
    /// environment variable `shared_key_env` or the file `shared_key_file` names, never from
    /// the topology, and writes it only into the secrets directory.
    ///
    /// Set the variable, or fill the file, with a long random key of the cluster's own.
    "seg-shared-key",
    Class::Hard,
    Scope::Seg
}

/// The product's default key, which no cluster may keep.
pub const PRODUCT_DEFAULT: &str = "AirWatch";

/// A problem with the key as read (`Err` says why it could not be read), if any.
pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    let Some(key) = &context.evidence.shared_key else {
        return;
    };
    let problem = match key {
        Err(why) => format!("the SEG shared key cannot be read: {why}"),
        Ok(key) if key.trim().is_empty() => "the SEG shared key is empty".to_owned(),
        Ok(key) if key.trim().eq_ignore_ascii_case(PRODUCT_DEFAULT) => format!(
            "the SEG shared key is the product default `{PRODUCT_DEFAULT}`, which every installation knows"
        ),
        Ok(_) => return,
    };
    let span = match &model.cluster.shared_key {
        Some(SharedKeySource::Env(env)) => env.span,
        Some(SharedKeySource::File(file)) => file.span,
        None => model.cluster.span,
    };
    findings.push(
        Finding::new(&LINT, span, problem)
            .label("the shared key comes from here")
            .help("set it to a long random key of this cluster's own, the same on every node"),
    );
}
