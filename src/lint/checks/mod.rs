//! The registry: every finding code, in alphabetical order, one line each. A code a check
//! raises on the model has its file here (`check`); a code the front end raises has its
//! file in `finding::codes` (`raised`). Adding a check is adding its file here, one line
//! below, and its fixtures under `tests/fixtures/<code>/`.

use crate::lint::Registered;

/// Declares each checked module and lists every code in [`ALL`].
macro_rules! registry {
    ($($module:ident: $how:ident),* $(,)?) => {
        $(registry!(@module $how $module);)*

        /// Every code topoc can report, in alphabetical order.
        pub static ALL: &[Registered] = &[$(registry!(@entry $how $module)),*];
    };
    (@module check $module:ident) => { pub mod $module; };
    (@module raised $module:ident) => {};
    (@entry check $module:ident) => {
        Registered { lint: &$module::LINT, check: Some($module::check) }
    };
    (@entry raised $module:ident) => {
        Registered { lint: &crate::finding::codes::$module::LINT, check: None }
    };
}

registry! {
    address_outside_subnet: check,
    assert: check,
    ca_mismatch: check,
    cert_expiring: check,
    cert_foreign_ca: check,
    cert_names: check,
    cluster_setting_override: check,
    cross_site_network_group: check,
    duplicate_address: check,
    duplicate_fqdn: check,
    duplicate_name: raised,
    duplicate_ntp_server: check,
    empty_cluster: raised,
    flat_network_group: check,
    invalid_ca: check,
    invalid_value: raised,
    lenient_time_difference: check,
    lonely_network_group: check,
    long_route: check,
    missing_key: raised,
    mixed_priority: check,
    nat_without_fqdn: check,
    no_management_node: check,
    no_ntp: check,
    privileged_port: check,
    resilience: check,
    runtime_group_spans_sites: check,
    runtime_group_spans_subnets: check,
    secret_permissions: check,
    seg_cross_site: check,
    seg_shared_key: check,
    seg_single_node: check,
    single_point_of_failure: check,
    swg_only_key: raised,
    toml_syntax: raised,
    transit_fanout: check,
    undeclared_transit: check,
    unknown_key: raised,
    unknown_reference: raised,
    unreachable_nodes: check,
    unusable_address: check,
    unusable_ntp_server: check,
    update_group_spans_sites: check,
    update_group_without_source: check,
    version_mismatch: check,
    weak_ca_key: check,
}
