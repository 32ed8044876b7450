//! The fast path for valid files: one streaming pass from TOML events straight into the
//! typed [`Document`], without the span-keeping tree the recoverable path builds.
//!
//! It takes the common shape of a topology (its sections, `[sites.NAME]` and
//! `[nodes.NAME]` tables of plain keys, strings, integers, booleans and arrays of strings)
//! and gives up, returning `None`, at anything else: a syntax error, an unknown key, a
//! value of the wrong type, a repeated key or table, a dotted key, an inline or nested
//! table. [`super::parse::recoverable`] then reads the file again on the recoverable path, which
//! locates every problem. So for any file this path takes, the two paths give the same
//! document (`tests/fast_path.rs` proves it over generated and mutated files).
//!
//! The file is lexed into parser events, its keys decoded, a chunk at a time on threads of
//! their own ([`pieces`]) while this one reads the chunks before, in order, into the
//! document: a few chunks' events are held at a time.

mod fields;
mod lines;
mod pieces;
mod repeats;

use std::borrow::Cow;
use std::ops::Range;
use std::sync::mpsc::{channel, sync_channel};

use serde_spanned::Spanned;
use smallvec::SmallVec;
use toml_parser::decoder::ScalarKind;
use toml_parser::parser::EventKind;

use crate::finding::level::Level;
use crate::syntax::{Document, Entry, Node};
use fields::{Take, ca, cluster, key, nested, node, open, owned, push, set, settings, site, value};
use pieces::Item;
use repeats::Repeats;

/// The document of a file this path takes, its nodes handed to `node` one by one (the
/// document's own `nodes` stay empty) so that they need not all be held at once, each with
/// whether the cluster is known by then to be a web gateway one. `None` sends the file to
/// the recoverable path, whatever `node` was given already.
pub fn parse(text: &str, node: &mut dyn FnMut(Entry<Node>, bool)) -> Option<Document> {
    let mut reader = Reader {
        document: Document::default(),
        table: Table::Root,
        pending: None,
        sink: node,
        repeats: Repeats::with_capacity(tables_at_most(text)),
    };
    let cuts = pieces::chunks(text);
    let lexers = pieces::lexers(cuts.len());
    std::thread::scope(|scope| {
        // Lexer `n` takes chunks `n`, `n + lexers`, and so on; the reader takes them in turn.
        let mut lanes = Vec::with_capacity(lexers);
        for first in 0..lexers {
            let (full, batches) = sync_channel::<pieces::Batch>(1);
            let (done, empty) = channel::<Vec<Item<'_>>>();
            let cuts = &cuts;
            let mine = (first..cuts.len()).step_by(lexers);
            // Without a thread to lex on, the recoverable path reads the file.
            std::thread::Builder::new()
                .name("topoc-lex".into())
                .spawn_scoped(scope, move || {
                    pieces::produce(text, cuts, mine, &full, &empty);
                })
                .ok()?;
            lanes.push((batches, done));
        }
        for at in 0..cuts.len() {
            let (batches, done) = &lanes[at % lexers];
            let batch = batches.recv().ok()??;
            reader.read(&batch)?;
            let _ = done.send(batch);
        }
        reader.flush();
        reader.repeats.nodes_distinct()?;
        Some(reader.document)
    })
}

/// Room for the tables (or nodes) `text` can hold: a table takes some 40 bytes at the least.
/// Past a quarter of a million, what holds them grows as it fills, so that a large file of
/// anything else takes no more address space than it needs.
pub fn tables_at_most(text: &str) -> usize {
    (text.len() / 40).min(1 << 18)
}

/// The table that key/value lines fill.
#[derive(Clone, Copy)]
enum Table {
    /// Before any header: the recoverable path's business.
    Root,
    Cluster,
    Ntp,
    Ca,
    Lints,
    Inventory,
    Secrets,
    Resilience,
    /// The `[[assert]]` table at this index.
    Assert(usize),
    Site(usize),
    Node,
    ClusterSettings,
    NodeSettings,
    NodeUpdates,
}

struct Reader<'s> {
    document: Document,
    table: Table,
    /// The node being read, handed on when a table that is not its own opens.
    pending: Option<Entry<Node>>,
    sink: &'s mut dyn FnMut(Entry<Node>, bool),
    /// The tables and lint keys given so far: a repeat (or a collision) gives up.
    repeats: Repeats,
}

/// A value as the file wrote it.
enum Value<'i> {
    Scalar {
        kind: ScalarKind,
        text: Cow<'i, str>,
        span: Range<usize>,
    },
    Strings {
        items: Vec<Spanned<Cow<'i, str>>>,
        span: Range<usize>,
    },
}

impl Reader<'_> {
    /// Hands the node being read over.
    fn flush(&mut self) {
        if let Some(node) = self.pending.take() {
            (self.sink)(node, self.document.web_gateway());
        }
    }

    /// Reads a batch of items (whole pieces, trivia left out) into the document.
    fn read(&mut self, items: &[Item<'_>]) -> Option<()> {
        let mut at = 0;
        while let Some(event) = items.get(at) {
            at = match event.kind() {
                EventKind::StdTableOpen => self.header(items, at + 1)?,
                EventKind::ArrayTableOpen => self.array_header(items, at + 1)?,
                EventKind::SimpleKey => self.key_value(items, at)?,
                _ => return None,
            };
        }
        Some(())
    }

    /// Opens the table of the header whose keys start at `at`; the index after it.
    fn header(&mut self, items: &[Item<'_>], at: usize) -> Option<usize> {
        let (path, span, at) = header_path(items, at, EventKind::StdTableClose)?;
        match path.as_slice() {
            [section, name] if section.get_ref() == "nodes" => self.repeats.node(name.get_ref()),
            _ => self
                .repeats
                .first_time(path.iter().map(|key| key.get_ref().as_ref()))?,
        }
        let own_nested = match (path.as_slice(), &self.pending) {
            ([section, name, _], Some(node)) => {
                section.get_ref() == "nodes" && node.key.get_ref() == name.get_ref()
            }
            _ => false,
        };
        if !own_nested {
            self.flush();
        }
        let document = &mut self.document;
        self.table = match path.as_slice() {
            [section] => {
                let key = owned(section);
                match section.get_ref().as_ref() {
                    "cluster" => open(&mut document.cluster, key, Table::Cluster),
                    "ntp" => open(&mut document.ntp, key, Table::Ntp),
                    "ca" => open(&mut document.ca, key, Table::Ca),
                    "inventory" => open(&mut document.inventory, key, Table::Inventory),
                    "secrets" => open(&mut document.secrets, key, Table::Secrets),
                    "resilience" => open(&mut document.resilience, key, Table::Resilience),
                    "lints" => Table::Lints,
                    _ => return None,
                }
            }
            [section, name] => match section.get_ref().as_ref() {
                "sites" => Table::Site(push(&mut document.sites, owned(name))),
                "nodes" => {
                    self.pending = Some(Entry {
                        key: owned(name),
                        value: Node::default(),
                        rejected: Vec::new(),
                    });
                    Table::Node
                }
                "cluster" if name.get_ref() == "settings" => {
                    // Only right under `[cluster]`, which it then belongs to.
                    let Table::Cluster = self.table else {
                        return None;
                    };
                    let cluster = &mut document.cluster.as_mut()?.value;
                    nested(&mut cluster.settings, span, Table::ClusterSettings)?
                }
                _ => return None,
            },
            [section, name, inner] if section.get_ref() == "nodes" => {
                // Only right under its node's own table (or its other nested one).
                let (Table::Node | Table::NodeSettings | Table::NodeUpdates) = self.table else {
                    return None;
                };
                let node = self.pending.as_mut().filter(|_| own_nested)?;
                match inner.get_ref().as_ref() {
                    "settings" => nested(&mut node.value.settings, span, Table::NodeSettings)?,
                    "updates" => nested(&mut node.value.updates, span, Table::NodeUpdates)?,
                    _ => return None,
                }
            }
            _ => return None,
        };
        Some(at)
    }

    /// Opens the `[[assert]]` table whose header's keys start at `at`; the index after it.
    /// No other array of tables is taken here.
    fn array_header(&mut self, items: &[Item<'_>], at: usize) -> Option<usize> {
        let (path, span, at) = header_path(items, at, EventKind::ArrayTableClose)?;
        let [section] = path.as_slice() else {
            return None;
        };
        if section.get_ref() != "assert" {
            return None;
        }
        self.flush();
        let key = Spanned::new(span, section.get_ref().to_string());
        self.table = Table::Assert(push(&mut self.document.asserts, key));
        Some(at)
    }

    /// Reads the `key = value` line that starts at `at`; the index after it.
    fn key_value(&mut self, items: &[Item<'_>], at: usize) -> Option<usize> {
        let name = key(&items[at])?;
        // A dotted key, or anything else: the recoverable path's business.
        (items.get(at + 1)?.kind() == EventKind::KeyValSep).then_some(())?;
        let (value, at) = value(items, at + 2)?;
        let key = name.get_ref().as_ref();
        let document = &mut self.document;
        match self.table {
            Table::Root => return None,
            Table::Cluster => cluster(&mut document.cluster.as_mut()?.value, key, value)?,
            Table::Ntp => set!(document.ntp.as_mut()?.value, key, value; servers)?,
            Table::Ca => ca(&mut document.ca.as_mut()?.value, key, value)?,
            Table::Inventory => set!(document.inventory.as_mut()?.value, key, value; reach)?,
            Table::Secrets => set!(
                document.secrets.as_mut()?.value, key, value; recipients recipients_file
            )?,
            Table::Resilience => {
                set!(document.resilience.as_mut()?.value, key, value; nodes sites groups)?;
            }
            Table::Assert(index) => set!(
                document.asserts[index].value, key, value;
                reach max_hops via not_direct same_update_group different_runtime_group
            )?,
            Table::Site(index) => site(&mut document.sites[index].value, key, value)?,
            Table::Node => node(&mut self.pending.as_mut()?.value, key, value)?,
            Table::ClusterSettings => {
                let cluster = &mut document.cluster.as_mut()?.value;
                settings(cluster.settings.as_mut()?.get_mut(), key, value)?;
            }
            Table::NodeSettings => {
                let node = &mut self.pending.as_mut()?.value;
                settings(node.settings.as_mut()?.get_mut(), key, value)?;
            }
            Table::NodeUpdates => {
                let node = &mut self.pending.as_mut()?.value;
                set!(node.updates.as_mut()?.get_mut(), key, value; automatic from_internet from_nodes)?;
            }
            Table::Lints => {
                self.repeats.first_time(["lints", key].into_iter())?;
                let level = Spanned::<Level>::take(value)?.into_inner();
                self.document.lints.push(Entry {
                    key: owned(&name),
                    value: level,
                    rejected: Vec::new(),
                });
            }
        }
        Some(at)
    }
}

/// A header's keys, as written: three at most for the tables this path takes, so held in
/// place rather than allocated for every table.
type HeaderPath<'i> = SmallVec<[Spanned<Cow<'i, str>>; 3]>;

/// The keys of the header whose keys start at `at` (its opening bracket just before), up to
/// `close`: the keys, the header's span, and the index after it.
fn header_path<'i>(
    items: &[Item<'i>],
    mut at: usize,
    close: EventKind,
) -> Option<(HeaderPath<'i>, std::ops::Range<usize>, usize)> {
    let start = items[at - 1].span().start();
    let mut path = HeaderPath::new();
    let end = loop {
        let event = items.get(at)?;
        at += 1;
        match event.kind() {
            EventKind::SimpleKey => path.push(key(event)?),
            EventKind::KeySep => {}
            kind if kind == close => break event.span().end(),
            _ => return None,
        }
    };
    Some((path, start..end, at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    #[test]
    fn gives_up_at_what_it_does_not_take() {
        let base = "[cluster]\nname = \"c\"\n";
        assert!(parse(base, &mut |_, _| {}).is_some());
        for tail in [
            "name = \"again\"\n",
            "[cluster]\n",
            "[nodes.a.settings]\n",
            "[cluster.settings]\n[cluster.settings]\n",
            "x.y = 1\n",
            "[[nodes]]\n",
            "port = \"not a number\"\n",
            "unknown = 1\n",
            "kind = \"neither\"\n",
            "settings = { distribution_timeout = \"1m\" }\n",
            "port = 99999999999999999999\n",
            "= broken\n",
        ] {
            assert!(
                parse(&format!("{base}{tail}"), &mut |_, _| {}).is_none(),
                "{tail}"
            );
        }
    }

    #[test]
    fn gives_up_at_a_node_table_given_twice_in_order_or_not() {
        let take = |names: &[&str]| {
            let text: String = names
                .iter()
                .map(|name| ["[nodes.", name, "]\n"].concat())
                .collect();
            parse(&text, &mut |_, _| {}).is_some()
        };
        assert!(take(&["a", "b"]));
        assert!(take(&["b", "a", "c"]));
        assert!(!take(&["a", "b", "a"]));
        assert!(!take(&["b", "a", "b"]));
        assert!(!take(&["a", "\"a\""]));
    }

    #[test]
    fn gives_up_where_a_chunk_ends_inside_a_string() {
        for quotes in ["\"\"\"", "'''"] {
            let mut text = String::new();
            for n in 0..2000 {
                let _ = write!(
                    text,
                    "[nodes.n{n}]\nfqdn = {quotes}\n[nodes.inside]\n{quotes}\n"
                );
            }
            let cuts = pieces::chunks(&text);
            assert!(cuts.len() > 1);
            let inside = |cut: &Range<usize>| text[..cut.start].ends_with(&format!("{quotes}\n"));
            assert!(cuts.iter().any(inside), "a chunk starts inside a string");
            assert!(parse(&text, &mut |_, _| {}).is_none());
            // With no line inside a string that looks like a header, it takes the same file.
            let plain = text.replace("\n[nodes.inside]", "\n(nodes.inside)");
            assert!(pieces::chunks(&plain).len() > 1);
            assert!(parse(&plain, &mut |_, _| {}).is_some());
        }
    }
}
