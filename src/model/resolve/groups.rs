//! Network, update and runtime groups: made from what every node names, sorted by name,
//! and each node's memberships turned into group ids.

use super::nodes::Memberships;
use super::symbols::{Symbol, Symbols};
use crate::model::{Group, GroupId, Located, Node, NodeId};

/// The groups named by `memberships` of every draft, sorted by name, members in node order,
/// and the id of each symbol's group. `memberships` gives a draft's groups and the index of
/// the first one the file names itself (those before it are defaults).
pub(super) fn groups<'d>(
    drafts: &'d [Memberships],
    symbols: &Symbols,
    memberships: impl Fn(&'d Memberships) -> (&'d [Located<Symbol>], usize),
) -> (Vec<Group>, Vec<GroupId>) {
    let mut by_symbol: Vec<Option<Group>> = std::iter::repeat_with(|| None)
        .take(symbols.len())
        .collect();
    for (index, draft) in drafts.iter().enumerate() {
        let (names, first_explicit) = memberships(draft);
        for (position, membership) in names.iter().enumerate() {
            let group = by_symbol[membership.value as usize].get_or_insert_with(|| Group {
                name: symbols.name(membership.value).to_owned(),
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
    let mut named: Vec<(Symbol, Group)> = by_symbol
        .into_iter()
        .zip(0..)
        .filter_map(|(group, symbol)| Some((symbol, group?)))
        .collect();
    named.sort_unstable_by(|(_, a), (_, b)| a.name.cmp(&b.name));
    let mut ids = vec![GroupId(0); symbols.len()];
    for (index, (symbol, _)) in named.iter().enumerate() {
        ids[*symbol as usize] = GroupId(index);
    }
    (named.into_iter().map(|(_, group)| group).collect(), ids)
}

/// Group ids for `names`, sorted and without repeats, each with the span that named it first.
fn ids_of(ids: &[GroupId], names: &[Located<Symbol>]) -> Vec<Located<GroupId>> {
    let mut ids: Vec<Located<GroupId>> = names
        .iter()
        .map(|name| Located::new(ids[name.value as usize], name.span))
        .collect();
    ids.sort_unstable_by_key(|id| (id.value, id.span));
    ids.dedup_by_key(|id| id.value);
    ids
}

/// Gives every node its group ids (`memberships` in node order); the three kinds of group.
pub(super) fn assemble(
    nodes: &mut [Node],
    memberships: &[Memberships],
    symbols: &Symbols,
) -> (Vec<Group>, Vec<Group>, Vec<Group>) {
    let (network_groups, network_ids) = groups(memberships, symbols, |draft| {
        (&draft.network_groups, draft.first_explicit_group)
    });
    let (update_groups, update_ids) = groups(memberships, symbols, |draft| {
        (std::slice::from_ref(&draft.update_group), 0)
    });
    let (runtime_groups, runtime_ids) = groups(memberships, symbols, |draft| {
        (std::slice::from_ref(&draft.runtime_group), 0)
    });
    for (node, draft) in nodes.iter_mut().zip(memberships) {
        node.network_groups = ids_of(&network_ids, &draft.network_groups);
        let id = |ids: &[GroupId], group: &Located<Symbol>| {
            Located::new(ids[group.value as usize], group.span)
        };
        node.update_group = id(&update_ids, &draft.update_group);
        node.runtime_group = id(&runtime_ids, &draft.runtime_group);
    }
    (network_groups, update_groups, runtime_groups)
}
