//! The values a topology gets for what it leaves out.

/// Default Central Management port of a Secure Web Gateway.
pub const SWG_PORT: u16 = 12346;
/// Default cluster port of a Secure Email Gateway.
pub const SEG_PORT: u16 = 9090;
/// Default name of the backbone network group.
pub const TRANSIT_GROUP: &str = "transit";
/// The seed's rule: at most ten nodes behind one transit node.
pub const TRANSIT_FANOUT_LIMIT: u32 = 10;
/// Longest route `long-route` accepts: leaf, transit, transit, leaf.
pub const MAX_ROUTE_HOPS: u32 = 3;
/// How long the cluster CA is valid, in days, unless `[ca]` says.
pub const CA_VALIDITY_DAYS: u32 = 3650;
/// How long a node certificate is valid, in days, unless `[ca]` says (the limit browsers
/// set for server certificates).
pub const NODE_VALIDITY_DAYS: u32 = 397;

/// The cluster CA's common name unless `[ca]` says: `<cluster name> Cluster CA`.
pub fn ca_common_name(cluster: &str) -> String {
    format!("{cluster} Cluster CA")
}
