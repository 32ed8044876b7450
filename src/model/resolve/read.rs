//! From the source to the model without holding the file twice: the fast path hands over
//! one node at a time, each resolved on its own into the vector that becomes the model's,
//! and sorted there in place.

use super::nodes::Pending;
use super::{Resolver, cluster};
use crate::finding::Finding;
use crate::finding::codes::{duplicate_name, invalid_value};
use crate::model::{Model, Node, values};
use crate::source::{Source, Span};
use crate::syntax::{self, Document, Entry};

/// Reads `source` and resolves it: the document (its sections and `[lints]`; its nodes are
/// resolved as they are read, and not kept in it), the model when nothing was wrong, and
/// every finding. A valid file takes the fast path, so that the whole file is never held
/// as a tree; any other is read again on the path that locates every problem.
pub fn read(source: &Source) -> (Option<Document>, Option<Model>, Vec<Finding>) {
    if let Some((document, mut resolver, nodes)) = fast(&source.text) {
        let model = resolver.model(&document, nodes);
        let findings = resolver.findings;
        return (
            Some(document),
            model.filter(|_| findings.is_empty()),
            findings,
        );
    }
    let (document, mut findings) = syntax::parse::recoverable(source);
    let Some(mut document) = document else {
        return (None, None, findings);
    };
    let mut resolver = Resolver::default();
    let mut nodes = ReadNodes::default();
    let web_gateway = document.web_gateway();
    for entry in std::mem::take(&mut document.nodes) {
        nodes.add(&mut resolver, entry, web_gateway);
    }
    let model = resolver.model(&document, nodes);
    findings.extend(resolver.findings);
    let model = model.filter(|_| findings.is_empty());
    (Some(document), model, findings)
}

/// The fast path: each node resolved as soon as it is read. `None` when the file is not
/// for the fast path.
fn fast(text: &str) -> Option<(Document, Resolver, ReadNodes)> {
    let mut resolver = Resolver::default();
    let mut nodes = ReadNodes::default();
    // Room for as many nodes as the text could hold, so that the vectors do not move: pages
    // are only taken as nodes fill them.
    let most = syntax::fast::tables_at_most(text);
    nodes.nodes.reserve_exact(most);
    nodes.pending.reserve_exact(most);
    let document = syntax::fast::parse(text, &mut |entry, web_gateway| {
        nodes.add(&mut resolver, entry, web_gateway);
    })?;
    Some((document, resolver, nodes))
}

/// The nodes as they are read, each resolved on its own.
#[derive(Default)]
pub(super) struct ReadNodes {
    /// Every well-named node in the order read, a placeholder where a value was wrong.
    nodes: Vec<Node>,
    /// What each node still needs, at the same index.
    pending: Vec<Pending>,
    /// Keys only web gateway clusters take, with where the nodes give them: reported if the
    /// cluster turns out to be SEG.
    pub(super) swg_only: Vec<(Span, &'static str)>,
    /// Node tables read, well-named or not.
    pub(super) count: usize,
    /// Whether a node's name did not come after the one before: most files give their nodes
    /// in name order, and then there is nothing to sort.
    out_of_order: bool,
}

impl ReadNodes {
    /// Resolves `entry`; `web_gateway` when the cluster is known to be a web gateway one
    /// (no web gateway key is wrong there, so there is nothing to keep for later).
    fn add(&mut self, resolver: &mut Resolver, mut entry: Entry<syntax::Node>, web_gateway: bool) {
        self.count += 1;
        if !web_gateway {
            cluster::swg_only_node_keys(&entry.value, &mut self.swg_only);
        }
        let span = entry.key_span();
        // The name is folded in place; the entry keeps its span (and its rejected keys).
        match values::owned_name(std::mem::take(entry.key.get_mut())) {
            Ok(name) => {
                let (node, pending) = resolver.local_node(name, &entry);
                // Compared while both names are at hand, rather than in a sort.
                self.out_of_order |= self.nodes.last().is_some_and(|last| last.name >= node.name);
                self.nodes.push(node);
                self.pending.push(pending);
            }
            Err(problem) => {
                resolver
                    .findings
                    .push(invalid_value::bad_name(span, "node", problem));
            }
        }
    }

    /// The nodes sorted by name, each name once, with what each still needs: a node whose
    /// name is taken already is reported and dropped, with what was wrong with it; the
    /// problems of the others are reported.
    pub(super) fn sorted(self, resolver: &mut Resolver) -> (Vec<Node>, Vec<Pending>) {
        let Self {
            mut nodes,
            mut pending,
            out_of_order,
            ..
        } = self;
        if !out_of_order {
            for pending in &mut pending {
                resolver
                    .findings
                    .extend(std::mem::take(&mut pending.findings));
            }
            return (nodes, pending);
        }
        let mut order: Vec<usize> = (0..nodes.len()).collect();
        order.sort_by(|&a, &b| {
            let (a, b) = (&nodes[a], &nodes[b]);
            a.name.cmp(&b.name).then(a.span.cmp(&b.span))
        });
        permute(&mut nodes, &order);
        permute(&mut pending, &order);
        drop(order);
        // Of several nodes with one name, the first (by span) keeps it.
        let mut kept = Vec::with_capacity(nodes.len());
        let mut first = 0;
        for (index, node) in nodes.iter().enumerate() {
            let repeated = index > first && nodes[first].name == node.name;
            if repeated {
                let taken = nodes[first].span;
                let finding = duplicate_name::finding(node.span, "node", &node.name, taken);
                resolver.findings.push(finding);
            } else {
                first = index;
                let findings = std::mem::take(&mut pending[index].findings);
                resolver.findings.extend(findings);
            }
            kept.push(!repeated);
        }
        let mut keep = kept.iter();
        nodes.retain(|_| keep.next().copied().unwrap_or(false));
        let mut keep = kept.iter();
        pending.retain(|_| keep.next().copied().unwrap_or(false));
        (nodes, pending)
    }
}

/// Puts `items` in `order` without a second vector: afterwards the item at `k` is the one
/// that was at `order[k]`.
fn permute<T>(items: &mut [T], order: &[usize]) {
    let mut order = order.to_vec();
    for start in 0..items.len() {
        if order[start] == usize::MAX {
            continue;
        }
        let mut at = start;
        loop {
            let from = order[at];
            order[at] = usize::MAX;
            if from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::permute;

    #[test]
    fn permuting_puts_each_item_where_the_order_says() {
        let mut items = vec!['a', 'b', 'c', 'd', 'e'];
        permute(&mut items, &[3, 0, 4, 1, 2]);
        assert_eq!(items, ['d', 'a', 'e', 'b', 'c']);
        let mut items = vec![1, 2, 3];
        permute(&mut items, &[0, 1, 2]);
        assert_eq!(items, [1, 2, 3]);
    }
}
