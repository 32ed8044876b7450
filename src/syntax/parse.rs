//! TOML text to [`syntax::Document`], reporting every syntax, key and type error at once.
//!
//! The file is parsed once into a spanned tree. Each section and each named entry is then
//! read on its own, so that a bad node never hides a bad site: unknown keys are reported
//! and dropped, and a value serde rejects is reported and dropped before the entry is read
//! again, until it reads.

use std::borrow::Cow;

use serde::Deserialize as _;
use serde::de::DeserializeOwned;
use serde_aux::serde_introspection::serde_introspect;
use serde_spanned::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use crate::finding::codes::{invalid_value, toml_syntax, unknown_key};
use crate::finding::level::Level;
use crate::finding::{Finding, Place};
use crate::source::{Source, Span};
use crate::syntax::{self, Document, Entry};

type Key<'i> = Spanned<Cow<'i, str>>;
type Value<'i> = Spanned<DeValue<'i>>;

/// Reads the file into its sections, `None` when the TOML itself is broken: the path that
/// locates every problem, a span-keeping tree of the whole file read section by section.
/// `model::resolve::read` takes the [fast path](super::fast) first, and this one for a file
/// the fast path gives up on.
pub fn recoverable(source: &Source) -> (Option<Document>, Vec<Finding>) {
    let mut findings = Vec::new();
    let (root, errors) = DeTable::parse_recoverable(&source.text);
    if !errors.is_empty() {
        for error in errors {
            let span = error.span().map_or_else(|| Span::new(0, 0), Span::from);
            findings.push(toml_syntax::finding(span, error.message()));
        }
        return (None, findings);
    }

    let mut document = Document::default();
    let top_level = serde_introspect::<syntax::Topology>();
    for (key, value) in root.into_inner() {
        let known = top_level.contains(&key.get_ref().as_ref());
        if key.get_ref() == "assert" {
            document.asserts = read_asserts(&key, value, &mut findings);
            continue;
        }
        if known && !matches!(value.get_ref(), DeValue::Table(_)) {
            expect_table(key.get_ref(), value, &mut findings);
            document.rejected.push(key.get_ref().to_string());
            continue;
        }
        match key.get_ref().as_ref() {
            "cluster" => {
                document.cluster = read_entry(
                    owned_key(&key),
                    Place::Section("cluster"),
                    value,
                    &[settings_keys()],
                    &mut findings,
                );
            }
            "ntp" => {
                document.ntp = read_entry(
                    owned_key(&key),
                    Place::Section("ntp"),
                    value,
                    &[],
                    &mut findings,
                );
            }
            "ca" => {
                document.ca = read_entry(
                    owned_key(&key),
                    Place::Section("ca"),
                    value,
                    &[],
                    &mut findings,
                );
            }
            "sites" => {
                document.sites = read_named(&key, value, "site", &[], &mut findings);
            }
            "nodes" => {
                let nested = [
                    settings_keys(),
                    ("updates", serde_introspect::<syntax::Updates>()),
                ];
                document.nodes = read_named(&key, value, "node", &nested, &mut findings);
            }
            "lints" => document.lints = read_lints(&key, value, &mut findings),
            "inventory" => {
                document.inventory = read_entry(
                    owned_key(&key),
                    Place::Section("inventory"),
                    value,
                    &[],
                    &mut findings,
                );
            }
            "secrets" => {
                document.secrets = read_entry(
                    owned_key(&key),
                    Place::Section("secrets"),
                    value,
                    &[],
                    &mut findings,
                );
            }
            "resilience" => {
                document.resilience = read_entry(
                    owned_key(&key),
                    Place::Section("resilience"),
                    value,
                    &[],
                    &mut findings,
                );
            }
            other => findings.push(unknown_key::finding(
                span_of(&key),
                other,
                Place::TopLevel,
                top_level,
            )),
        }
    }
    (Some(document), findings)
}

/// The `[[assert]]` tables, each read on its own, its key spanning the table.
fn read_asserts(
    key: &Key<'_>,
    value: Value<'_>,
    findings: &mut Vec<Finding>,
) -> Vec<Entry<syntax::Assert>> {
    let span = span_of(&value);
    match value.into_inner() {
        DeValue::Array(items) => items
            .into_iter()
            .filter_map(|item| {
                let at = span_of(&item);
                let key = Spanned::new(at.start()..at.end(), key.get_ref().to_string());
                read_entry(key, Place::Section("[assert]"), item, &[], findings)
            })
            .collect(),
        other => {
            findings.push(
                invalid_value::finding(
                    span,
                    "assert",
                    format!("expected `[[assert]]` tables, found {}", type_name(&other)),
                )
                .label("not an array of tables"),
            );
            Vec::new()
        }
    }
}

/// Known keys of a nested table, by the key that holds it.
type Nested = (&'static str, &'static [&'static str]);

fn settings_keys() -> Nested {
    ("settings", serde_introspect::<syntax::Settings>())
}

fn span_of<T>(spanned: &Spanned<T>) -> Span {
    spanned.span().into()
}

fn owned_key(key: &Key<'_>) -> Spanned<String> {
    Spanned::new(key.span(), key.get_ref().to_string())
}

/// A table of named entries, such as `[sites]` or `[nodes]`.
fn read_named<T: DeserializeOwned + Default>(
    key: &Key<'_>,
    value: Value<'_>,
    what: &str,
    nested: &[Nested],
    findings: &mut Vec<Finding>,
) -> Vec<Entry<T>> {
    let Some(table) = expect_table(key.get_ref(), value, findings) else {
        return Vec::new();
    };
    table
        .into_iter()
        .filter_map(|(name, body)| {
            let place = Place::Named {
                what,
                name: name.get_ref(),
            };
            read_entry::<T>(owned_key(&name), place, body, nested, findings)
        })
        .collect()
}

/// `[lints]`: finding codes to levels. Which codes exist is for `resolve` to say.
fn read_lints(key: &Key<'_>, value: Value<'_>, findings: &mut Vec<Finding>) -> Vec<Entry<Level>> {
    let Some(table) = expect_table(key.get_ref(), value, findings) else {
        return Vec::new();
    };
    table
        .into_iter()
        .filter_map(|(code, level)| {
            let span = span_of(&level);
            match Level::deserialize(ValueDeserializer::from(level)) {
                Ok(level) => Some(Entry {
                    key: owned_key(&code),
                    value: level,
                    rejected: Vec::new(),
                }),
                Err(error) => {
                    findings.push(invalid_value::finding(
                        span,
                        code.get_ref(),
                        error.message(),
                    ));
                    None
                }
            }
        })
        .collect()
}

/// The table under `key`, or a finding that it is not one.
fn expect_table<'i>(
    key: &str,
    value: Value<'i>,
    findings: &mut Vec<Finding>,
) -> Option<DeTable<'i>> {
    let span = span_of(&value);
    match value.into_inner() {
        DeValue::Table(table) => Some(table),
        other => {
            findings.push(
                invalid_value::finding(
                    span,
                    key,
                    format!("expected a table, found {}", type_name(&other)),
                )
                .label("not a table"),
            );
            None
        }
    }
}

/// Reads one table into `T`; `place` names it in messages.
fn read_entry<T: DeserializeOwned + Default>(
    key: Spanned<String>,
    place: Place<'_>,
    value: Value<'_>,
    nested: &[Nested],
    findings: &mut Vec<Finding>,
) -> Option<Entry<T>> {
    let table_span = span_of(&value);
    let mut table = expect_table(key.get_ref(), value, findings)?;

    drop_unknown_keys(&mut table, place, serde_introspect::<T>(), findings);
    for (name, known) in nested {
        if let Some(inner) = table.get_mut(*name)
            && let DeValue::Table(inner) = inner.get_mut()
        {
            let inner_place = Place::Nested {
                key: name,
                within: &place,
            };
            drop_unknown_keys(inner, inner_place, known, findings);
        }
    }

    let mut rejected = Vec::new();
    loop {
        let attempt = Spanned::new(
            table_span.start()..table_span.end(),
            DeValue::Table(table.clone()),
        );
        match T::deserialize(ValueDeserializer::from(attempt)) {
            Ok(value) => {
                return Some(Entry {
                    key,
                    value,
                    rejected,
                });
            }
            Err(error) => {
                let span = error.span().map(Span::from);
                let culprit = span.and_then(|span| culprit_path(&table, span));
                let Some(culprit) = culprit else {
                    // Nothing to drop and try again without: report at the table and give up on it.
                    findings.push(invalid_value::in_place(
                        span.unwrap_or(table_span),
                        place,
                        error.message(),
                    ));
                    let rejected = table.keys().map(|k| k.get_ref().to_string()).collect();
                    return Some(Entry {
                        key,
                        value: T::default(),
                        rejected,
                    });
                };
                let value_span = remove_path(&mut table, &culprit);
                let at = span
                    .filter(|s| !s.is_empty())
                    .or(value_span)
                    .unwrap_or(table_span);
                let name = culprit.last().map_or("", String::as_str);
                findings.push(invalid_value::finding(at, name, error.message()));
                rejected.push(culprit.join("."));
            }
        }
    }
}

/// The path of keys to the innermost key of `table` whose key or value holds `span`: for a
/// value in a nested table (a node's `settings`), the nested key, not the whole table.
fn culprit_path(table: &DeTable<'_>, span: Span) -> Option<Vec<String>> {
    for (key, value) in table {
        if let DeValue::Table(inner) = value.get_ref()
            && let Some(mut path) = culprit_path(inner, span)
        {
            path.insert(0, key.get_ref().to_string());
            return Some(path);
        }
        if span_of(key).contains(span) || span_of(value).contains(span) {
            return Some(vec![key.get_ref().to_string()]);
        }
    }
    None
}

/// Removes the key at `path` from `table`, returning the span of its value.
fn remove_path(table: &mut DeTable<'_>, path: &[String]) -> Option<Span> {
    let (last, parents) = path.split_last()?;
    let mut table = table;
    for parent in parents {
        match table.get_mut(parent.as_str())?.get_mut() {
            DeValue::Table(inner) => table = inner,
            _ => return None,
        }
    }
    table.remove(last.as_str()).map(|value| span_of(&value))
}

fn drop_unknown_keys(
    table: &mut DeTable<'_>,
    place: Place<'_>,
    known: &[&str],
    findings: &mut Vec<Finding>,
) {
    // One pass: removing keys one at a time shifts the rest of the table each time.
    if table
        .keys()
        .all(|key| known.contains(&key.get_ref().as_ref()))
    {
        return;
    }
    for (key, value) in std::mem::take(table) {
        if known.contains(&key.get_ref().as_ref()) {
            table.insert(key, value);
        } else {
            findings.push(unknown_key::finding(
                span_of(&key),
                key.get_ref(),
                place,
                known,
            ));
        }
    }
}

fn type_name(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}
