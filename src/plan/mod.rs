//! What to do: the semantic diff of two topologies and its consequences, the order in which
//! nodes join a cluster, and the upgrade procedure.

pub mod consequences;
pub mod diff;
pub mod join;
mod render;
pub mod upgrade;
