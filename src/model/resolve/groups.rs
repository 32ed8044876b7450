//! Network, update and runtime groups: made from what every node names, sorted by name,
//! and each node's memberships turned into group ids.

use std::collections::BTreeMap;

use super::nodes::DraftNode;
use crate::model::{Group, GroupId, Located, Node, NodeId};

/// The groups named by `memberships` of every draft, sorted by name, members in node order.
/// `memberships` gives a draft's group names and the index of the first one the file names
/// itself (those before it are defaults).
pub(super) fn groups<'d>(
    drafts: &'d [DraftNode],
    memberships: impl Fn(&'d DraftNode) -> (&'d [Located<String>], usize),
) -> Vec<Group> {
    let mut by_name: BTreeMap<&str, Group> = BTreeMap::new();
    for (index, draft) in drafts.iter().enumerate() {
        let (names, first_explicit) = memberships(draft);
        for (position, membership) in names.iter().enumerate() {
            let group = by_name
                .entry(membership.value.as_str())
                .or_insert_with(|| Group {
                    name: membership.value.clone(),
                    members: Vec::new(),
                    span: membership.span,
                    explicit: false,
                });
            if group.members.last() != Some(&NodeId(index)) {
                group.members.push(NodeId(index));
            }
            group.span = group.span.min(membership.span);
            group.explicit |= position >= first_explicit;
        }
    }
    by_name.into_values().collect()
}

/// Group ids for `names`, sorted and without repeats, each with the span that named it first.
pub(super) fn ids_of(groups: &[Group], names: &[Located<String>]) -> Vec<Located<GroupId>> {
    let mut ids: Vec<Located<GroupId>> = names
        .iter()
        .filter_map(|name| {
            let index = groups
                .binary_search_by(|group| group.name.as_str().cmp(&name.value))
                .ok()?;
            Some(Located::new(GroupId(index), name.span))
        })
        .collect();
    ids.sort_unstable_by_key(|id| (id.value, id.span));
    ids.dedup_by_key(|id| id.value);
    ids
}

/// Every node with its group ids, and the three kinds of group.
pub(super) fn assemble(drafts: Vec<DraftNode>) -> (Vec<Node>, Vec<Group>, Vec<Group>, Vec<Group>) {
    let network_groups = groups(&drafts, |draft| {
        (&draft.network_groups, draft.first_explicit_group)
    });
    let update_groups = groups(&drafts, |draft| {
        (std::slice::from_ref(&draft.update_group), 0)
    });
    let runtime_groups = groups(&drafts, |draft| {
        (std::slice::from_ref(&draft.runtime_group), 0)
    });
    let nodes = drafts
        .into_iter()
        .map(|draft| {
            let mut node = draft.node;
            node.network_groups = ids_of(&network_groups, &draft.network_groups);
            node.update_group =
                ids_of(&update_groups, std::slice::from_ref(&draft.update_group)).remove(0);
            node.runtime_group =
                ids_of(&runtime_groups, std::slice::from_ref(&draft.runtime_group)).remove(0);
            node
        })
        .collect();
    (nodes, network_groups, update_groups, runtime_groups)
}
