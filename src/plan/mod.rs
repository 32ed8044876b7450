//! What to do about a change: the semantic diff of two topologies and its re-apply order.

pub mod consequences;
pub mod diff;
mod render;
