//! Every finding code, one file each. A file declares its code with [`declare_check!`]; its
//! doc comment is what `topoc explain CODE` prints. Front-end codes (syntax, keys, values,
//! references) are raised by `parse` and `resolve` through the constructors in their files;
//! the others run here, on a resolved model.
//!
//! [`declare_check!`]: crate::declare_check

pub mod cluster_setting_override;
pub mod duplicate_address;
pub mod duplicate_fqdn;
pub mod duplicate_name;
pub mod empty_cluster;
pub mod invalid_value;
pub mod missing_key;
pub mod nat_without_fqdn;
pub mod single_point_of_failure;
pub mod toml_syntax;
pub mod transit_fanout;
pub mod unknown_key;
pub mod unknown_reference;
pub mod unreachable_nodes;
pub mod unusable_address;
pub mod version_mismatch;

use crate::analysis::Analysis;
use crate::check::Check;
use crate::finding::Finding;
use crate::level::{Level, LintLevels};
use crate::model::Model;

/// Every code topoc can report, in alphabetical order.
pub static ALL: &[&Check] = &[
    &cluster_setting_override::CLUSTER_SETTING_OVERRIDE,
    &duplicate_address::DUPLICATE_ADDRESS,
    &duplicate_fqdn::DUPLICATE_FQDN,
    &duplicate_name::DUPLICATE_NAME,
    &empty_cluster::EMPTY_CLUSTER,
    &invalid_value::INVALID_VALUE,
    &missing_key::MISSING_KEY,
    &nat_without_fqdn::NAT_WITHOUT_FQDN,
    &single_point_of_failure::SINGLE_POINT_OF_FAILURE,
    &toml_syntax::TOML_SYNTAX,
    &transit_fanout::TRANSIT_FANOUT,
    &unknown_key::UNKNOWN_KEY,
    &unknown_reference::UNKNOWN_REFERENCE,
    &unreachable_nodes::UNREACHABLE_NODES,
    &unusable_address::UNUSABLE_ADDRESS,
    &version_mismatch::VERSION_MISMATCH,
];

/// What a check on the model sees.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub model: &'a Model,
    pub analysis: &'a Analysis,
}

/// A check that runs on a resolved model.
type ModelCheck = fn(&Context<'_>, &mut Vec<Finding>);

/// Runs every check on the model whose level in `levels` is not `allow`.
pub fn run(context: &Context<'_>, levels: &LintLevels) -> Vec<Finding> {
    let checks: [(&Check, ModelCheck); 9] = [
        (
            &cluster_setting_override::CLUSTER_SETTING_OVERRIDE,
            cluster_setting_override::check,
        ),
        (
            &duplicate_address::DUPLICATE_ADDRESS,
            duplicate_address::check,
        ),
        (&duplicate_fqdn::DUPLICATE_FQDN, duplicate_fqdn::check),
        (&nat_without_fqdn::NAT_WITHOUT_FQDN, nat_without_fqdn::check),
        (
            &single_point_of_failure::SINGLE_POINT_OF_FAILURE,
            single_point_of_failure::check,
        ),
        (&transit_fanout::TRANSIT_FANOUT, transit_fanout::check),
        (
            &unreachable_nodes::UNREACHABLE_NODES,
            unreachable_nodes::check,
        ),
        (&unusable_address::UNUSABLE_ADDRESS, unusable_address::check),
        (&version_mismatch::VERSION_MISMATCH, version_mismatch::check),
    ];
    let mut findings = Vec::new();
    for (check, run) in checks {
        if levels.level_of(check) != Level::Allow {
            run(context, &mut findings);
        }
    }
    findings
}

/// The check with this code.
pub fn find(code: &str) -> Option<&'static Check> {
    ALL.iter().copied().find(|check| check.code == code)
}

/// The codes whose level can be set.
pub fn lint_codes() -> Vec<&'static str> {
    ALL.iter()
        .filter(|check| !check.is_hard())
        .map(|check| check.code)
        .collect()
}
