use foldhash::{HashMap, HashMapExt as _};

use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;

declare_lint! {
    /// Two nodes with one FQDN.
    ///
    /// Nodes with an FQDN are entered in Central Management by name, and every node's hosts
    /// file maps each name to one address (seed: Configure Central Management in a NAT'D
    /// environment). A name given to two nodes would send one node's traffic to the other.
    /// Names compare without regard to case.
    ///
    /// Give each node its own FQDN.
    "duplicate-fqdn",
    Class::Hard,
    Scope::Any
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    let mut first_with: HashMap<&str, usize> = HashMap::new();
    for (index, node) in model.nodes.iter().enumerate() {
        let Some(fqdn) = &node.fqdn else { continue };
        let first = *first_with.entry(fqdn.value.as_str()).or_insert(index);
        if first == index {
            continue;
        }
        let first = &model.nodes[first];
        let first_fqdn = first.fqdn.as_ref().map_or(first.span, |f| f.span);
        findings.push(
            Finding::new(
                &LINT,
                fqdn.span,
                format!(
                    "nodes `{}` and `{}` have the same FQDN `{}`",
                    first.name, node.name, fqdn.value
                ),
            )
            .label("second use")
            .related(first_fqdn, "first used here")
            .help("give each node its own FQDN")
            .nodes([first.name.clone(), node.name.clone()]),
        );
    }
}
