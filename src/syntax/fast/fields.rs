//! From TOML values to the typed fields of the document: each section's keys, and the
//! conversions the recoverable path makes with serde, made here without it.

use std::borrow::Cow;
use std::ops::Range;

use serde::Deserialize;
use serde::de::value::{Error as ValueError, StrDeserializer};
use serde_spanned::Spanned;
use toml_parser::decoder::ScalarKind;
use toml_parser::parser::EventKind;

use super::pieces::Item;
use super::{Table, Value};
use crate::finding::level::Level;
use crate::syntax::{
    Algorithm, Ca, Cluster, Entry, Kind, Node, Reach, Settings, Site, Text, VersionMatchLevel,
};

/// Sets the field named `key` of `target` from `value`: `None` for an unknown key or one
/// given twice.
macro_rules! set {
    ($target:expr, $key:expr, $value:expr; $($field:ident)*) => {
        match $key {
            $(stringify!($field) => $crate::syntax::fast::fields::put(&mut $target.$field, $value),)*
            _ => None,
        }
    };
}
pub(super) use set;

pub(super) fn cluster(cluster: &mut Cluster, key: &str, value: Value<'_>) -> Option<()> {
    set!(cluster, key, value;
        name kind port version management_node transit_group transit_fanout_limit
        max_route_hops shared_key_env shared_key_file)
}

pub(super) fn ca(ca: &mut Ca, key: &str, value: Value<'_>) -> Option<()> {
    set!(ca, key, value; common_name algorithm validity_days node_validity_days cert key)
}

pub(super) fn site(site: &mut Site, key: &str, value: Value<'_>) -> Option<()> {
    set!(site, key, value; location subnet nat_realm update_group runtime_group route_via)
}

pub(super) fn node(node: &mut Node, key: &str, value: Value<'_>) -> Option<()> {
    set!(node, key, value;
        site address fqdn nat_address route_via transit network_groups update_group
        runtime_group priority version port)
}

pub(super) fn settings(settings: &mut Settings, key: &str, value: Value<'_>) -> Option<()> {
    set!(settings, key, value;
        distribution_timeout distribution_timeout_multiplier allowed_time_difference
        check_version_match check_version_match_level)
}

/// A nested table opened by its header: `None` when its key was given already.
pub(super) fn nested<T: Default>(
    slot: &mut Option<Spanned<T>>,
    span: Range<usize>,
    table: Table,
) -> Option<Table> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(Spanned::new(span, T::default()));
    Some(table)
}

pub(super) fn put<T: Take>(slot: &mut Option<T>, value: Value<'_>) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(T::take(value)?);
    Some(())
}

/// A section opened for the first time; a second `[cluster]` never reaches here.
pub(super) fn open<T: Default>(
    slot: &mut Option<Entry<T>>,
    key: Spanned<String>,
    table: Table,
) -> Table {
    *slot = Some(Entry {
        key,
        value: T::default(),
        rejected: Vec::new(),
    });
    table
}

pub(super) fn push<T: Default>(entries: &mut Vec<Entry<T>>, key: Spanned<String>) -> usize {
    entries.push(Entry {
        key,
        value: T::default(),
        rejected: Vec::new(),
    });
    entries.len() - 1
}

/// The key of a key item, as written (decoded where it was lexed).
pub(super) fn key<'i>(item: &Item<'i>) -> Option<Spanned<Cow<'i, str>>> {
    let span = item.span();
    let name = item.key()?;
    Some(Spanned::new(span.start()..span.end(), name))
}

pub(super) fn owned(key: &Spanned<Cow<'_, str>>) -> Spanned<String> {
    Spanned::new(key.span(), key.get_ref().to_string())
}

/// The value that starts at `at`, and the index after it.
pub(super) fn value<'i>(items: &[Item<'i>], at: usize) -> Option<(Value<'i>, usize)> {
    let event = items.get(at)?;
    match event.kind() {
        EventKind::Scalar => {
            let (kind, text) = event.scalar()?;
            let span = event.span();
            let span = span.start()..span.end();
            Some((Value::Scalar { kind, text, span }, at + 1))
        }
        EventKind::ArrayOpen => {
            let start = event.span().start();
            let mut strings = Vec::new();
            let mut at = at + 1;
            loop {
                let event = items.get(at)?;
                at += 1;
                match event.kind() {
                    EventKind::Scalar => {
                        let (kind, text) = event.scalar()?;
                        if kind != ScalarKind::String {
                            return None;
                        }
                        let span = event.span();
                        strings.push(Spanned::new(span.start()..span.end(), text));
                    }
                    EventKind::ValueSep => {}
                    EventKind::ArrayClose => {
                        let span = start..event.span().end();
                        return Some((
                            Value::Strings {
                                items: strings,
                                span,
                            },
                            at,
                        ));
                    }
                    _ => return None,
                }
            }
        }
        _ => None,
    }
}

/// A typed field read from a value; `None` when the value is of another type.
pub(super) trait Take: Sized {
    fn take(value: Value<'_>) -> Option<Self>;
}

/// Text the file wrote, as a field's string type: `String`, or `Text` for a node's values.
trait FromText: Sized {
    fn from_text(text: Cow<'_, str>) -> Self;
}

impl FromText for String {
    fn from_text(text: Cow<'_, str>) -> Self {
        text.into_owned()
    }
}

impl FromText for Text {
    fn from_text(text: Cow<'_, str>) -> Self {
        Text::from(text)
    }
}

impl<S: FromText> Take for Spanned<S> {
    fn take(value: Value<'_>) -> Option<Self> {
        match value {
            Value::Scalar {
                kind: ScalarKind::String,
                text,
                span,
            } => Some(Spanned::new(span, S::from_text(text))),
            _ => None,
        }
    }
}

impl Take for Spanned<i64> {
    fn take(value: Value<'_>) -> Option<Self> {
        match value {
            Value::Scalar {
                kind: ScalarKind::Integer(radix),
                text,
                span,
            } => {
                let number = i64::from_str_radix(&text, radix.value()).ok()?;
                Some(Spanned::new(span, number))
            }
            _ => None,
        }
    }
}

impl Take for Spanned<bool> {
    fn take(value: Value<'_>) -> Option<Self> {
        match value {
            Value::Scalar {
                kind: ScalarKind::Boolean(flag),
                span,
                ..
            } => Some(Spanned::new(span, flag)),
            _ => None,
        }
    }
}

impl<S: FromText> Take for Spanned<Vec<Spanned<S>>> {
    fn take(value: Value<'_>) -> Option<Self> {
        match value {
            Value::Strings { items, span } => {
                let items = items
                    .into_iter()
                    .map(|item| {
                        let span = item.span();
                        Spanned::new(span, S::from_text(item.into_inner()))
                    })
                    .collect();
                Some(Spanned::new(span, items))
            }
            Value::Scalar { .. } => None,
        }
    }
}

/// Keywords: a string serde reads into the enum, as the recoverable path does.
macro_rules! keyword {
    ($($enum:ty),*) => {$(
        impl Take for Spanned<$enum> {
            fn take(value: Value<'_>) -> Option<Self> {
                let text = Spanned::<String>::take(value)?;
                let span = text.span();
                let deserializer = StrDeserializer::<ValueError>::new(text.get_ref());
                <$enum>::deserialize(deserializer).ok().map(|keyword| Spanned::new(span, keyword))
            }
        }
    )*};
}

keyword!(Kind, Algorithm, Reach, Level, VersionMatchLevel);
