//! The network side of a probe: curl's `--resolve` and `--connect-to`, name lookups with a
//! timeout, TCP connections, and running the checks of many peers at once.

use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// `--resolve NAME:ADDRESS`: the answer for NAME, instead of a lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Resolve {
    pub name: String,
    pub address: IpAddr,
}

impl FromStr for Resolve {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let (name, address) = text
            .split_once(':')
            .ok_or_else(|| format!("`{text}` is not NAME:ADDRESS"))?;
        let address = address.trim_start_matches('[').trim_end_matches(']');
        if name.is_empty() {
            return Err(format!("`{text}` names no host"));
        }
        let address = address
            .parse()
            .map_err(|_| format!("`{address}` is not an IP address"))?;
        Ok(Resolve {
            name: name.to_ascii_lowercase(),
            address,
        })
    }
}

/// `--connect-to HOST1:PORT1:HOST2:PORT2`, as curl reads it: wherever HOST1:PORT1 would be
/// dialed, HOST2:PORT2 is; an empty HOST1 or PORT1 matches any, an empty HOST2 or PORT2
/// keeps the original. IPv6 addresses in brackets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ConnectTo {
    from_host: Option<String>,
    from_port: Option<u16>,
    to_host: Option<String>,
    to_port: Option<u16>,
}

/// The fields of a colon-separated list, where a field in brackets may hold colons.
fn fields(text: &str) -> Result<Vec<&str>, String> {
    let mut fields = Vec::new();
    let mut rest = text;
    loop {
        let end = if rest.starts_with('[') {
            let close = rest
                .find(']')
                .ok_or_else(|| format!("`{text}`: a `[` without its `]`"))?;
            match rest[close + 1..].chars().next() {
                None | Some(':') => close + 1,
                Some(_) => return Err(format!("`{text}`: `]` must end a field")),
            }
        } else {
            rest.find(':').unwrap_or(rest.len())
        };
        fields.push(rest[..end].trim_start_matches('[').trim_end_matches(']'));
        if end == rest.len() {
            return Ok(fields);
        }
        rest = &rest[end + 1..];
    }
}

impl FromStr for ConnectTo {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let parts = fields(text)?;
        let [from_host, from_port, to_host, to_port] = parts[..] else {
            return Err(format!("`{text}` is not HOST1:PORT1:HOST2:PORT2"));
        };
        let port = |field: &str| -> Result<Option<u16>, String> {
            if field.is_empty() {
                return Ok(None);
            }
            field
                .parse::<u16>()
                .ok()
                .filter(|&port| port != 0)
                .map(Some)
                .ok_or_else(|| format!("`{field}` is not a port (1 to 65535)"))
        };
        let host = |field: &str| (!field.is_empty()).then(|| field.to_ascii_lowercase());
        Ok(ConnectTo {
            from_host: host(from_host),
            from_port: port(from_port)?,
            to_host: host(to_host),
            to_port: port(to_port)?,
        })
    }
}

/// Where a connection meant for `host:port` goes: the first `--connect-to` that matches
/// (`host` is tried as each of `names`), else `address:port`. `Err` when a HOST2 name
/// does not resolve.
pub(super) fn destination(
    rules: &[ConnectTo],
    names: &[&str],
    address: IpAddr,
    port: u16,
) -> Result<SocketAddr, String> {
    let rule = rules.iter().find(|rule| {
        rule.from_port.is_none_or(|wanted| wanted == port)
            && rule
                .from_host
                .as_ref()
                .is_none_or(|wanted| names.iter().any(|name| name.eq_ignore_ascii_case(wanted)))
    });
    let Some(rule) = rule else {
        return Ok(SocketAddr::new(address, port));
    };
    let port = rule.to_port.unwrap_or(port);
    match &rule.to_host {
        None => Ok(SocketAddr::new(address, port)),
        Some(host) => match host.parse::<IpAddr>() {
            Ok(ip) => Ok(SocketAddr::new(ip, port)),
            Err(_) => (host.as_str(), port)
                .to_socket_addrs()
                .ok()
                .and_then(|mut found| found.next())
                .ok_or_else(|| format!("--connect-to: `{host}` does not resolve")),
        },
    }
}

/// How a name lookup ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Lookup {
    /// The answers (none: the name does not exist); `given` when `--resolve` gave them.
    Answers { addresses: Vec<IpAddr>, given: bool },
    /// The resolver did not answer in time.
    TimedOut,
}

/// The addresses `name` resolves to on this machine (the system resolver, so `/etc/hosts`
/// counts), or those `--resolve` gives for it.
pub(super) fn lookup(name: &str, overrides: &[Resolve], timeout: Duration) -> Lookup {
    let given: Vec<IpAddr> = overrides
        .iter()
        .filter(|rule| rule.name.eq_ignore_ascii_case(name))
        .map(|rule| rule.address)
        .collect();
    if !given.is_empty() {
        return Lookup::Answers {
            addresses: given,
            given: true,
        };
    }
    // The system resolver cannot be cancelled: it runs on a thread of its own, which is
    // left behind when it does not answer in time.
    let (sender, receiver) = mpsc::channel();
    let owned = name.to_owned();
    std::thread::spawn(move || {
        let mut addresses: Vec<IpAddr> = (owned.as_str(), 0)
            .to_socket_addrs()
            .map(|found| found.map(|address| address.ip()).collect())
            .unwrap_or_default();
        let mut seen = std::collections::HashSet::new();
        addresses.retain(|address| seen.insert(*address));
        let _ = sender.send(addresses);
    });
    match receiver.recv_timeout(timeout) {
        Ok(addresses) => Lookup::Answers {
            addresses,
            given: false,
        },
        Err(_) => Lookup::TimedOut,
    }
}

/// How a TCP connection attempt ended.
#[derive(Debug)]
pub(super) enum Connection {
    Open { stream: TcpStream, took: Duration },
    Refused,
    TimedOut,
    Failed(std::io::Error),
}

pub(super) fn connect(address: SocketAddr, timeout: Duration) -> Connection {
    let started = Instant::now();
    match TcpStream::connect_timeout(&address, timeout) {
        Ok(stream) => Connection::Open {
            stream,
            took: started.elapsed(),
        },
        Err(error) => match error.kind() {
            std::io::ErrorKind::ConnectionRefused => Connection::Refused,
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => Connection::TimedOut,
            _ => Connection::Failed(error),
        },
    }
}

/// At most this many checks run at once.
const WORKERS: usize = 64;

/// `work` applied to every item, on up to [`WORKERS`] threads; results in item order.
pub(super) fn in_parallel<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let (sender, receiver) = mpsc::channel();
    std::thread::scope(|scope| {
        for _ in 0..items.len().min(WORKERS) {
            let sender = sender.clone();
            let (next, work) = (&next, &work);
            scope.spawn(move || {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(index) else { break };
                    if sender.send((index, work(item))).is_err() {
                        break;
                    }
                }
            });
        }
    });
    drop(sender);
    let mut results: Vec<(usize, R)> = receiver.into_iter().collect();
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_to_reads_curls_form_with_brackets_and_empty_fields() {
        let rule: ConnectTo = "b.example:12346:127.0.0.2:40000".parse().expect("valid");
        let address: IpAddr = "10.0.0.2".parse().expect("ip");
        assert_eq!(
            destination(std::slice::from_ref(&rule), &["b.example"], address, 12346),
            Ok("127.0.0.2:40000".parse().expect("addr"))
        );
        assert_eq!(
            destination(&[rule], &["c.example"], address, 12346),
            Ok("10.0.0.2:12346".parse().expect("addr"))
        );
        let v6: ConnectTo = "[2001:db8::1]::[::1]:9".parse().expect("valid");
        assert_eq!(
            destination(
                &[v6],
                &["2001:db8::1"],
                "2001:db8::1".parse().expect("ip"),
                123
            ),
            Ok("[::1]:9".parse().expect("addr"))
        );
        let any: ConnectTo = "::127.0.0.5:".parse().expect("valid");
        assert_eq!(
            destination(&[any], &["x"], address, 77),
            Ok("127.0.0.5:77".parse().expect("addr"))
        );
        assert!("a:1:b".parse::<ConnectTo>().is_err());
        assert!("a:99999:b:1".parse::<ConnectTo>().is_err());
        assert!("[::1:1:b:2".parse::<ConnectTo>().is_err());
    }

    #[test]
    fn resolve_reads_name_and_address() {
        let rule: Resolve = "B.example:[2001:db8::2]".parse().expect("valid");
        assert_eq!(rule.name, "b.example");
        assert_eq!(rule.address, "2001:db8::2".parse::<IpAddr>().expect("ip"));
        assert!("b.example:nope".parse::<Resolve>().is_err());
        assert!("b.example".parse::<Resolve>().is_err());
    }
}
