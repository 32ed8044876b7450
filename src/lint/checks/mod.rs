//! The registry: every finding code, one file each, in alphabetical order. Adding a code is
//! adding its file here, one line below, and its fixtures under `tests/fixtures/<code>/`.

/// Declares each module and lists its `LINT` in [`ALL`].
macro_rules! registry {
    ($($module:ident),* $(,)?) => {
        $(pub mod $module;)*

        /// Every code topoc can report, in alphabetical order.
        pub static ALL: &[&crate::lint::Lint] = &[$(&$module::LINT),*];
    };
}

registry! {
    address_outside_subnet,
    cert_expiring,
    cluster_setting_override,
    cross_site_network_group,
    duplicate_address,
    duplicate_fqdn,
    duplicate_name,
    empty_cluster,
    invalid_ca,
    invalid_value,
    lonely_network_group,
    long_route,
    missing_key,
    mixed_priority,
    nat_without_fqdn,
    no_management_node,
    no_ntp,
    runtime_group_spans_sites,
    runtime_group_spans_subnets,
    seg_cross_site,
    seg_shared_key,
    seg_single_node,
    single_point_of_failure,
    swg_only_key,
    toml_syntax,
    transit_fanout,
    unknown_key,
    unknown_reference,
    unreachable_nodes,
    unusable_address,
    update_group_spans_sites,
    update_group_without_source,
    version_mismatch,
}
