//! `topoc import-seg`: an existing `AppClusterDirectory.xml` as a topology, so that a running
//! SEG cluster can be brought under topoc. The first node of the directory is the master.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};
use std::net::IpAddr;

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use serde::Serialize;

/// Why a directory file cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    /// Not well-formed XML, at a line and column (from 1).
    Xml {
        line: usize,
        column: usize,
        why: String,
    },
    Malformed(String),
    /// Host names without an address: pass `--address HOST=IP` for each.
    Unresolved(Vec<String>),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::Xml { line, column, why } => {
                write!(
                    f,
                    "not well-formed XML at line {line}, column {column}: {why}"
                )
            }
            ImportError::Malformed(why) => write!(f, "not an application cluster directory: {why}"),
            ImportError::Unresolved(hosts) => write!(
                f,
                "cannot find the address of {}; give each with `--address HOST=IP`",
                hosts
                    .iter()
                    .map(|h| format!("`{h}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

impl std::error::Error for ImportError {}

/// What the directory says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directory {
    pub name: String,
    pub port: u16,
    /// Node hosts in file order, as written; the first is the master.
    pub hosts: Vec<String>,
    /// Nodes whose `name` is not `seg@` and their host, as written: (host, name).
    pub renamed: Vec<(String, String)>,
}

/// The line and column (from 1) of byte `offset` of `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line = before.split(|&b| b == b'\n').count();
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
    (line, column)
}

pub fn parse(xml: &str) -> Result<Directory, ImportError> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let xml_error = |offset: u64, why: String| {
        let (line, column) = line_column(xml, usize::try_from(offset).unwrap_or(usize::MAX));
        ImportError::Xml { line, column, why }
    };
    let mut directory: Option<(String, u16)> = None;
    let mut hosts = Vec::new();
    let mut renamed = Vec::new();
    // Elements opened and not yet closed, with where each opened: a file cut short leaves
    // some open at its end.
    let mut open: Vec<(String, u64)> = Vec::new();
    loop {
        let position = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| xml_error(reader.error_position(), e.to_string()))?;
        match &event {
            Event::Start(element) => open.push((
                String::from_utf8_lossy(element.name().as_ref()).into_owned(),
                position,
            )),
            Event::End(_) => {
                open.pop();
            }
            _ => {}
        }
        match event {
            Event::Start(element) | Event::Empty(element) if directory.is_none() => {
                directory = Some(root(&element)?);
            }
            Event::Start(element) | Event::Empty(element) if element.name().as_ref() == b"node" => {
                let address = attribute(&element, "address")?;
                let name = attribute(&element, "name")?;
                if name != format!("seg@{address}") {
                    renamed.push((address.clone(), name));
                }
                hosts.push(address);
            }
            Event::Start(element) => {
                return Err(ImportError::Malformed(format!(
                    "unexpected element `{}`",
                    String::from_utf8_lossy(element.name().as_ref())
                )));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some((element, at)) = open.last() {
        return Err(xml_error(
            *at,
            format!("`<{element}>` is never closed: the file ends first (is it cut short?)"),
        ));
    }
    let (name, port) = directory.ok_or_else(|| {
        ImportError::Malformed("no `applicationClusterDirectory` element".to_owned())
    })?;
    if hosts.is_empty() {
        return Err(ImportError::Malformed(
            "the directory lists no node".to_owned(),
        ));
    }
    // Host names compare in any case (DNS does); they are kept as written.
    let mut seen = BTreeSet::new();
    if let Some(twice) = hosts
        .iter()
        .find(|host| !seen.insert(host.to_ascii_lowercase()))
    {
        return Err(ImportError::Malformed(format!("`{twice}` is listed twice")));
    }
    Ok(Directory {
        name,
        port,
        hosts,
        renamed,
    })
}

/// The cluster's name and port from the root element.
fn root(element: &BytesStart<'_>) -> Result<(String, u16), ImportError> {
    if element.name().as_ref() != b"applicationClusterDirectory" {
        return Err(ImportError::Malformed(format!(
            "the root element is `{}`, not `applicationClusterDirectory`",
            String::from_utf8_lossy(element.name().as_ref())
        )));
    }
    let name = attribute(element, "name")?;
    let port = attribute(element, "port")?;
    let port = port
        .parse::<u16>()
        .ok()
        .filter(|&p| p != 0)
        .ok_or_else(|| ImportError::Malformed(format!("port `{port}` is not a port")))?;
    Ok((name, port))
}

fn attribute(element: &BytesStart<'_>, name: &str) -> Result<String, ImportError> {
    let element_name = String::from_utf8_lossy(element.name().as_ref()).into_owned();
    let found = element
        .try_get_attribute(name)
        .map_err(|e| ImportError::Malformed(format!("`{element_name}`: {e}")))?
        .ok_or_else(|| ImportError::Malformed(format!("`{element_name}` has no `{name}`")))?;
    found
        .normalized_value(XmlVersion::Implicit1_0)
        .map(|value| value.trim().to_owned())
        .map_err(|e| ImportError::Malformed(format!("`{element_name}`'s `{name}`: {e}")))
}

#[derive(Serialize)]
struct Topology {
    cluster: Cluster,
    /// One empty site: nothing about it is known.
    sites: BTreeMap<String, toml::Table>,
    nodes: BTreeMap<String, Node>,
}

#[derive(Serialize)]
struct Cluster {
    name: String,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    port: Option<u16>,
    management_node: String,
    shared_key_env: &'static str,
}

#[derive(Serialize)]
struct Node {
    site: &'static str,
    address: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fqdn: Option<String>,
}

/// The topology TOML for `directory`. Host names take their address from `addresses`, else
/// from `resolve` (the system's resolver, at the command line).
pub fn topology(
    directory: &Directory,
    addresses: &BTreeMap<String, IpAddr>,
    resolve: impl Fn(&str) -> Option<IpAddr>,
) -> Result<String, ImportError> {
    let mut nodes = BTreeMap::new();
    let mut unresolved = Vec::new();
    let mut master = String::new();
    for (index, host) in directory.hosts.iter().enumerate() {
        let (address, fqdn) = match host.parse::<IpAddr>() {
            Ok(ip) => (Some(ip), None),
            Err(_) => (
                addresses.get(host).copied().or_else(|| resolve(host)),
                Some(host.clone()),
            ),
        };
        let Some(address) = address else {
            unresolved.push(host.clone());
            continue;
        };
        let name = node_name(host, index, &nodes);
        if index == 0 {
            master.clone_from(&name);
        }
        nodes.insert(
            name,
            Node {
                site: "main",
                address: address.to_string(),
                fqdn,
            },
        );
    }
    if !unresolved.is_empty() {
        return Err(ImportError::Unresolved(unresolved));
    }
    let topology = Topology {
        cluster: Cluster {
            name: directory.name.clone(),
            kind: "seg",
            port: (directory.port != crate::model::resolve::defaults::SEG_PORT)
                .then_some(directory.port),
            management_node: master,
            shared_key_env: "SEG_SHARED_KEY",
        },
        sites: BTreeMap::from([("main".to_owned(), toml::Table::new())]),
        nodes,
    };
    let text = toml::to_string(&topology).map_err(|e| ImportError::Malformed(e.to_string()))?;
    let mut renamed = String::new();
    for (host, name) in &directory.renamed {
        let _ = writeln!(
            renamed,
            "# The directory named `{host}` `{name}`; topoc names every node `seg@` and its host: `seg@{host}`."
        );
    }
    Ok(format!(
        "# Imported by topoc {} from an AppClusterDirectory.xml; the first node listed is the master.\n\
         # All nodes stand in one site, `main`; rename it or split it as the servers stand.\n\
         # The shared key is read from $SEG_SHARED_KEY at build time; it never belongs in this file.\n\
         {renamed}\n{text}",
        env!("CARGO_PKG_VERSION")
    ))
}

/// A DNS-label node name for `host`: its first label, or `seg-N` for an address, made unique.
fn node_name<T>(host: &str, index: usize, taken: &BTreeMap<String, T>) -> String {
    let base = if host.parse::<IpAddr>().is_ok() {
        format!("seg-{}", index + 1)
    } else {
        let label: String = host
            .split('.')
            .next()
            .unwrap_or_default()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .take(50)
            .collect();
        let label = label.trim_matches('-').to_owned();
        if label.is_empty() {
            format!("seg-{}", index + 1)
        } else {
            label
        }
    };
    // Node names compare in any case, as topoc folds them.
    if taken.keys().any(|name| name.eq_ignore_ascii_case(&base)) {
        format!("{base}-{}", index + 1)
    } else {
        base
    }
}
