//! What an architect declares beside the layout: the failures the cluster must survive
//! (`[resilience]`) and statements about nodes (`[[assert]]`), each proved by `check`.

use crate::model::{Located, NodeId};
use crate::source::Span;

/// `[resilience]`, where declared: each the size of the failure the cluster must survive
/// connected; `None` where nothing is promised (left out, or 0).
#[derive(Debug, Clone, Default)]
pub struct Resilience {
    /// Any 1 or 2 nodes.
    pub nodes: Option<Located<u32>>,
    /// Any 1 whole site.
    pub sites: Option<Located<u32>>,
    /// Any 1 network group, its members alive.
    pub groups: Option<Located<u32>>,
}

/// One `[[assert]]` table: where it is, and what it claims.
#[derive(Debug, Clone)]
pub struct Assertion {
    pub span: Span,
    pub claim: Claim,
}

/// What an `[[assert]]` claims about two nodes (never the same one twice).
#[derive(Debug, Clone)]
pub enum Claim {
    /// They reach each other; in at most `max_hops`; every route between them through `via`.
    Reach {
        between: [Located<NodeId>; 2],
        max_hops: Option<Located<u32>>,
        via: Option<Located<NodeId>>,
    },
    /// They share no network group.
    NotDirect([Located<NodeId>; 2]),
    /// They are in one update group.
    SameUpdateGroup([Located<NodeId>; 2]),
    /// They are in different runtime groups.
    DifferentRuntimeGroup([Located<NodeId>; 2]),
}

impl Claim {
    /// The key that states it, as the file writes it.
    pub fn key(&self) -> &'static str {
        match self {
            Claim::Reach { .. } => "reach",
            Claim::NotDirect(_) => "not_direct",
            Claim::SameUpdateGroup(_) => "same_update_group",
            Claim::DifferentRuntimeGroup(_) => "different_runtime_group",
        }
    }

    /// The two nodes it is about.
    pub fn nodes(&self) -> &[Located<NodeId>; 2] {
        match self {
            Claim::Reach { between, .. } => between,
            Claim::NotDirect(pair)
            | Claim::SameUpdateGroup(pair)
            | Claim::DifferentRuntimeGroup(pair) => pair,
        }
    }
}
