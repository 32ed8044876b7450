//! `topoc probe`: whether the real network matches the topology, from where it runs.
//! `--from NODE` checks every peer NODE dials (the name it looks up, the TCP connection, the
//! TLS handshake with NODE's certificate, with `--ntp` the clock); `--listen NODE` is a
//! stand-in for NODE that answers those handshakes. What to check comes from
//! `topoc::probe`; `net`, `tls` and `clock` do the I/O.

mod checks;
mod clock;
mod net;
mod tls;

use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use topoc::environment::KeySource;
use topoc::finding::plural;
use topoc::model::{Model, NodeId};
use topoc::probe;
use topoc::secrets::{Secrets, Store};
use topoc::syntax::Kind as TopologyKind;

use super::common::{
    IdentityArgs, ListFormat, Needs, SecretsDir, allowed_paths, identities, node_named, resolved,
    write_json, write_stdout,
};
use super::error::{Error, Exit, ProbeFailure};
use checks::{Outcome, Run, Status, Task};
use net::{ConnectTo, Resolve};
use topoc::report::printable::printable;

#[derive(Debug, clap::Args)]
#[command(
    group = clap::ArgGroup::new("role").required(true).args(["from", "listen"]),
    after_long_help = "Exit status: 0 when every check passes, 1 when any fails, 2 on a usage \
        or input error.\n\nExamples:\n  topoc probe cluster.toml --from proxy1a --ntp\n  \
        topoc probe cluster.toml --from proxy1a --resolve proxy2b.example.com:10.0.0.2\n  \
        topoc probe cluster.toml --listen proxy2b --bind 127.0.0.2\n  \
        topoc probe cluster.toml --from proxy1a --connect-to proxy2b.example.com:12346:127.0.0.2:12346"
)]
pub(super) struct ProbeArgs {
    /// The topology file
    file: PathBuf,
    /// Check every peer NODE must reach, as NODE would, from this machine
    #[arg(long, value_name = "NODE")]
    from: Option<String>,
    /// Stand in for NODE: answer TLS handshakes on its port with its certificate, requiring
    /// a client certificate from the cluster CA (until interrupted)
    #[arg(long, value_name = "NODE")]
    listen: Option<String>,
    /// With --listen: the address to listen on, ADDRESS or ADDRESS:PORT (IPv6 in brackets;
    /// port 0 picks a free one) [default: NODE's address and the cluster's port]
    #[arg(long, value_name = "ADDRESS", requires = "listen")]
    bind: Option<String>,
    /// How long each lookup, connection, handshake and NTP query may take
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = timeout)]
    timeout: Duration,
    /// Also query each NTP server over SNTP and compare this machine's clock with it
    #[arg(long, requires = "from")]
    ntp: bool,
    /// Take ADDRESS as the answer for NAME instead of looking it up (repeatable)
    #[arg(long, value_name = "NAME:ADDRESS", requires = "from")]
    resolve: Vec<Resolve>,
    /// Connect to HOST2:PORT2 wherever HOST1:PORT1 would be dialed, TCP and UDP alike;
    /// an empty field matches any (repeatable)
    #[arg(long, value_name = "HOST1:PORT1:HOST2:PORT2", requires = "from")]
    connect_to: Vec<ConnectTo>,
    #[command(flatten)]
    secrets: SecretsDir,
    /// NODE's certificate (PEM), instead of the one in the secrets directory
    #[arg(long, value_name = "FILE", requires = "key")]
    cert: Option<PathBuf>,
    /// NODE's private key (PEM), instead of the one in the secrets directory
    #[arg(long, value_name = "FILE", requires = "cert")]
    key: Option<PathBuf>,
    /// The cluster CA certificate (PEM), instead of the one in the secrets directory
    #[arg(long, value_name = "FILE")]
    ca: Option<PathBuf>,
    /// How to print the results
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    format: ListFormat,
    #[command(flatten)]
    identity: IdentityArgs,
}

/// `--timeout`: a duration such as `5s` or `500ms`, at most an hour.
fn timeout(text: &str) -> Result<Duration, String> {
    let duration = humantime::parse_duration(text)
        .map_err(|e| format!("`{text}` is not a duration such as `5s` or `500ms` ({e})"))?;
    if duration.is_zero() || duration > Duration::from_secs(3600) {
        return Err("a timeout must be longer than zero and at most an hour".to_owned());
    }
    Ok(duration)
}

pub(super) fn run_probe(args: &ProbeArgs) -> Result<Exit, Error> {
    let resolved = match resolved(&args.file, Needs::Model)? {
        Ok(resolved) => resolved,
        Err(exit) => return Ok(exit),
    };
    let model = &resolved.model;
    let node = node_named(
        model,
        args.from
            .as_ref()
            .or(args.listen.as_ref())
            .map_or("", String::as_str),
    )?;
    // SEG servers authenticate each other with the shared key, not certificates.
    let identity = match model.cluster.kind {
        TopologyKind::Swg => Some(identity(args, model, node)?),
        TopologyKind::Seg => None,
    };
    if args.from.is_some() {
        probe_from(args, model, node, identity.as_ref())
    } else {
        stand_in(args, model, node, identity.as_ref())
    }
}

/// NODE's certificate and key and the cluster CA: from the flags, else the secrets.
fn identity(args: &ProbeArgs, model: &Model, node: NodeId) -> Result<tls::Identity, Error> {
    let name = &model.node(node).name;
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|error| Error::Read {
            path: path.display().to_string(),
            error,
        })
    };
    let secrets = Secrets::reader(&args.secrets.dir).opened_by(identities(&args.identity)?);
    let existing = Store::new(secrets, &args.file)
        .allowing(allowed_paths())
        .material(model)?
        .unwrap_or_default();
    let missing = |what: &'static str| {
        Error::Probe(ProbeFailure::NoMaterial {
            node: name.clone(),
            what,
            secrets: args.secrets.dir.clone(),
        })
    };
    let (cert, key) = if let (Some(cert), Some(key)) = (&args.cert, &args.key) {
        (read(cert)?, read(key)?)
    } else {
        let (key, cert) = existing.nodes.get(name).cloned().unwrap_or_default();
        let cert = cert.ok_or_else(|| missing("certificate"))?;
        let key = match key {
            Some(key) => key,
            // Encrypted and no identity given: say so rather than "no key".
            None if !existing.locked.is_empty() => {
                return Err(Error::Keys(topoc::environment::KeyError(format!(
                    "the key of `{name}` is encrypted and no identity was given: pass --identity FILE, or set TOPOC_AGE_IDENTITY or TOPOC_AGE_KEY"
                ))));
            }
            None => return Err(missing("key")),
        };
        (cert, key)
    };
    let ca = match &args.ca {
        Some(path) => read(path)?,
        None => existing.ca_cert.ok_or_else(|| missing("cluster CA"))?,
    };
    Ok(tls::Identity::new(name, &cert, &key, &ca).map_err(ProbeFailure::Material)?)
}

/// `topoc probe --format json`.
#[derive(Debug, Serialize)]
struct ProbeJson<'a> {
    checks: &'a [Outcome],
    failed: usize,
    from: &'a str,
    passed: usize,
    port: u16,
    skipped: usize,
    timeout_ms: u128,
}

fn probe_from(
    args: &ProbeArgs,
    model: &Model,
    node: NodeId,
    identity: Option<&tls::Identity>,
) -> Result<Exit, Error> {
    let from = model.node(node).name.as_str();
    let targets = probe::targets(model, node);
    let servers = if args.ntp {
        probe::ntp_servers(model)
    } else {
        Vec::new()
    };
    let tasks: Vec<Task<'_>> = targets
        .iter()
        .map(Task::Peer)
        .chain(servers.iter().map(|server| Task::Ntp(server)))
        .collect();
    let run = Run {
        args,
        identity,
        from,
    };
    let outcomes: Vec<Outcome> = net::in_parallel(&tasks, |task| match task {
        Task::Peer(target) => checks::peer(&run, target),
        Task::Ntp(server) => vec![checks::ntp(&run, server)],
    })
    .into_iter()
    .flatten()
    .collect();
    let count = |status: Status| outcomes.iter().filter(|o| o.status == status).count();
    let (passed, failed, skipped) = (count(Status::Ok), count(Status::Fail), count(Status::Skip));
    match args.format {
        ListFormat::Json => write_json(&ProbeJson {
            checks: &outcomes,
            failed,
            from,
            passed,
            port: model.cluster.port,
            skipped,
            timeout_ms: args.timeout.as_millis(),
        })?,
        ListFormat::Human => {
            let mut text = format!(
                "probing the {} `{from}` dials on port {}, timeout {}{}\n\n",
                plural(targets.len() as u64, "peer"),
                model.cluster.port,
                humantime::format_duration(args.timeout),
                if servers.is_empty() {
                    String::new()
                } else {
                    format!(", and {}", plural(servers.len() as u64, "NTP server"))
                }
            );
            text.push_str(&table(&outcomes));
            let _ = writeln!(
                text,
                "\n{}: {passed} ok, {failed} failed, {skipped} skipped",
                plural(outcomes.len() as u64, "check")
            );
            write_stdout(&text)?;
        }
    }
    Ok(if failed > 0 {
        Exit::Findings
    } else {
        Exit::Clean
    })
}

/// The outcomes as aligned columns.
fn table(outcomes: &[Outcome]) -> String {
    let rows: Vec<[String; 5]> = outcomes
        .iter()
        .map(|o| {
            [
                printable(&o.peer),
                format!("{:?}", o.check).to_lowercase(),
                format!("{:?}", o.status).to_lowercase(),
                printable(&o.target),
                printable(&o.reason),
            ]
        })
        .collect();
    let header = ["PEER", "CHECK", "RESULT", "TARGET", "DETAIL"].map(str::to_owned);
    let mut widths = [0usize; 4];
    for row in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter().zip(row) {
            let _ = write!(text, "{cell:<width$}  ");
        }
        let _ = writeln!(text, "{}", row[4]);
    }
    text
}

/// `--listen`: answers handshakes as `node` until interrupted, one line a connection.
fn stand_in(
    args: &ProbeArgs,
    model: &Model,
    node: NodeId,
    identity: Option<&tls::Identity>,
) -> Result<Exit, Error> {
    let name = model.node(node).name.clone();
    let port = model.cluster.port;
    let address = match &args.bind {
        None => SocketAddr::new(model.node(node).address.value, port),
        Some(given) => bind_address(given, port)
            .ok_or_else(|| Error::Probe(ProbeFailure::BindForm(given.clone())))?,
    };
    let config = identity
        .map(tls::Identity::server_config)
        .transpose()
        .map_err(ProbeFailure::Material)?;
    let listener = TcpListener::bind(address)
        .map_err(|error| Error::Probe(ProbeFailure::Listen { address, error }))?;
    let bound = listener
        .local_addr()
        .map_err(|error| Error::Probe(ProbeFailure::Listen { address, error }))?;
    let requiring = identity.map_or_else(
        || " (TCP only: the cluster authenticates with its shared key)".to_owned(),
        |identity| {
            format!(
                ", requiring a client certificate from the cluster CA ({})",
                printable(&identity.ca_subject)
            )
        },
    );
    write_stdout(&format!("listening on {bound} as `{name}`{requiring}\n"))?;
    let timeout = args.timeout;
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let config = config.clone();
        let name = name.clone();
        std::thread::spawn(move || {
            let peer = stream
                .peer_addr()
                .map_or_else(|_| "?".to_owned(), |a| a.to_string());
            let line = match config {
                None => format!("{peer}: connected\n"),
                Some(config) => match tls::answer(config, stream, &name, timeout) {
                    Ok(client) => format!("{peer}: handshake ok, client {}\n", printable(&client)),
                    Err(why) => format!("{peer}: handshake failed: {}\n", printable(&why)),
                },
            };
            let _ = write_stdout(&line);
        });
    }
    Ok(Exit::Clean)
}

/// `--bind`: ADDRESS or ADDRESS:PORT, IPv6 in brackets when a port follows.
fn bind_address(given: &str, port: u16) -> Option<SocketAddr> {
    if let Ok(address) = given.parse::<SocketAddr>() {
        return Some(address);
    }
    let bare = given.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>()
        .ok()
        .map(|ip| SocketAddr::new(ip, port))
}
