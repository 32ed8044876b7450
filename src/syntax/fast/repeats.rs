//! Tables given twice, which TOML forbids: the fast path gives such a file up, so that the
//! recoverable path reports it.
//!
//! Node tables are most of a file and mostly come in name order: while each node's name
//! comes after the one before, no two can be the same, which costs one comparison a node. A
//! hash of each is kept besides, and only where the order breaks are they sorted to find a
//! repeat (a set looked up at every node would be a cache miss a node in a large file).

use std::hash::{BuildHasher as _, Hash, Hasher};

use foldhash::{HashSet, HashSetExt as _};

#[derive(Default)]
pub(super) struct Repeats {
    /// Sections, other named tables and lint keys given so far, by the hash of their path.
    opened: HashSet<u64>,
    /// The name of the last node table.
    last_node: String,
    /// Whether every node table's name so far came after the one before.
    in_order: bool,
    /// The hash of every node table's name, in the order given.
    nodes: Vec<u64>,
}

impl Repeats {
    /// Room for `tables` node tables.
    pub(super) fn with_capacity(tables: usize) -> Self {
        Self {
            opened: HashSet::new(),
            last_node: String::new(),
            in_order: true,
            nodes: Vec::with_capacity(tables),
        }
    }

    /// `Some` when `path` (not a node table's) was not given before (nor collides with a
    /// path that was).
    pub(super) fn first_time<'k>(&mut self, path: impl Iterator<Item = &'k str>) -> Option<()> {
        let mut hasher = hashing();
        for key in path {
            key.hash(&mut hasher);
        }
        self.opened.insert(hasher.finish()).then_some(())
    }

    /// Notes the node table `name`.
    pub(super) fn node(&mut self, name: &str) {
        if self.in_order && !self.nodes.is_empty() && name <= self.last_node.as_str() {
            self.in_order = false;
        }
        if self.in_order {
            self.last_node.clear();
            self.last_node.push_str(name);
        }
        let mut hasher = hashing();
        name.hash(&mut hasher);
        self.nodes.push(hasher.finish());
    }

    /// `Some` when no two node tables had the same name (nor names whose hashes collide).
    pub(super) fn nodes_distinct(&mut self) -> Option<()> {
        if self.in_order {
            return Some(());
        }
        self.nodes.sort_unstable();
        self.nodes
            .windows(2)
            .all(|pair| pair[0] != pair[1])
            .then_some(())
    }
}

fn hashing() -> impl Hasher {
    foldhash::quality::FixedState::default().build_hasher()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distinct(names: &[&str]) -> bool {
        let mut repeats = Repeats::with_capacity(names.len());
        for name in names {
            repeats.node(name);
        }
        repeats.nodes_distinct().is_some()
    }

    #[test]
    fn a_node_table_given_twice_is_found_in_order_or_not() {
        assert!(distinct(&[]));
        assert!(distinct(&["a", "b", "c"]));
        assert!(distinct(&["c", "a", "b"]));
        assert!(distinct(&["a", "c", "b", "d"]));
        assert!(!distinct(&["a", "b", "a"]));
        assert!(!distinct(&["a", "a"]));
        assert!(!distinct(&["b", "a", "c", "a"]));
        assert!(!distinct(&["a", "b", "c", "b"]));
    }

    #[test]
    fn other_paths_are_each_taken_once() {
        let mut repeats = Repeats::with_capacity(0);
        assert!(repeats.first_time(["cluster"].into_iter()).is_some());
        assert!(repeats.first_time(["sites", "a"].into_iter()).is_some());
        assert!(repeats.first_time(["cluster"].into_iter()).is_none());
        assert!(repeats.first_time(["sites", "a"].into_iter()).is_none());
    }
}
