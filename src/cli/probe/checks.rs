//! The checks of `probe --from`: a peer's name, TCP connection and TLS handshake, and the
//! clock against an NTP server; each an `Outcome` with its reason.

use std::net::{IpAddr, SocketAddr};

use serde::Serialize;
use topoc::emit::layout::{NodeFile, node_file};
use topoc::model::MAX_CLOCK_DIFFERENCE;
use topoc::probe::{self, NameVerdict, Target};

use super::net::{self, Connection, Lookup};
use super::{ProbeArgs, clock, tls};

/// The result of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Status {
    Ok,
    Fail,
    Skip,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Kind {
    Name,
    Tcp,
    Tls,
    Ntp,
}

/// One check of one peer (or NTP server); fields in name order, as the JSON has them.
#[derive(Debug, Serialize)]
pub(super) struct Outcome {
    pub(super) check: Kind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) millis: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) offset_seconds: Option<f64>,
    /// The peer node, or the NTP server.
    pub(super) peer: String,
    pub(super) reason: String,
    pub(super) status: Status,
    /// What was looked up or dialed.
    pub(super) target: String,
}

/// What every check of one run shares.
pub(super) struct Run<'a> {
    pub(super) args: &'a ProbeArgs,
    /// NODE's certificate, key and CA (web gateway clusters).
    pub(super) identity: Option<&'a tls::Identity>,
    pub(super) from: &'a str,
}

/// The work of one parallel task.
pub(super) enum Task<'a> {
    Peer(&'a Target),
    Ntp(&'a str),
}

/// The three checks of one peer: its name, a TCP connection, a TLS handshake.
pub(super) fn peer(run: &Run<'_>, target: &Target) -> Vec<Outcome> {
    let timeout = run.args.timeout;
    let outcome = |check: Kind, status: Status, target_text: String, reason: String| Outcome {
        check,
        millis: None,
        offset_seconds: None,
        peer: target.peer.clone(),
        reason,
        status,
        target: target_text,
    };
    let mut outcomes = vec![name_check(run, target)];
    let address = target.address.to_string();
    let dialed_at = SocketAddr::new(target.address, target.port);
    let destination = match net::destination(
        &run.args.connect_to,
        &[&target.dialed, &address],
        target.address,
        target.port,
    ) {
        Ok(destination) => destination,
        Err(why) => {
            outcomes.push(outcome(Kind::Tcp, Status::Fail, dialed_at.to_string(), why));
            return outcomes;
        }
    };
    let via = if destination == dialed_at {
        String::new()
    } else {
        format!(" (--connect-to {destination})")
    };
    let tcp_target = dialed_at.to_string();
    let stream = match net::connect(destination, timeout) {
        Connection::Open { stream, took } => {
            let mut ok = outcome(
                Kind::Tcp,
                Status::Ok,
                tcp_target.clone(),
                format!("connected in {} ms{via}", took.as_millis()),
            );
            ok.millis = Some(u64::try_from(took.as_millis()).unwrap_or(u64::MAX));
            outcomes.push(ok);
            stream
        }
        failed => {
            let reason = match failed {
                Connection::Refused => format!(
                    "refused{via}: nothing listens on port {} there, or a firewall rejects the connection",
                    target.port
                ),
                Connection::TimedOut => format!(
                    "no answer within {}{via}: a firewall drops the connection, or nothing has this address",
                    humantime::format_duration(timeout)
                ),
                Connection::Failed(error) => format!("{error}{via}"),
                Connection::Open { .. } => unreachable!("handled above"),
            };
            outcomes.push(outcome(Kind::Tcp, Status::Fail, tcp_target.clone(), reason));
            outcomes.push(outcome(
                Kind::Tls,
                Status::Skip,
                tcp_target,
                "no connection".to_owned(),
            ));
            return outcomes;
        }
    };
    let Some(identity) = run.identity else {
        outcomes.push(outcome(
            Kind::Tls,
            Status::Skip,
            target.dialed.clone(),
            "the cluster authenticates with its shared key, not certificates".to_owned(),
        ));
        return outcomes;
    };
    let verdict = tls::handshake(identity, stream, &target.dialed, timeout);
    let status = if verdict.passed {
        Status::Ok
    } else {
        Status::Fail
    };
    outcomes.push(outcome(
        Kind::Tls,
        status,
        target.dialed.clone(),
        verdict.reason,
    ));
    outcomes
}

/// Whether the name the node dials leads where the topology says.
pub(super) fn name_check(run: &Run<'_>, target: &Target) -> Outcome {
    let mut outcome = Outcome {
        check: Kind::Name,
        millis: None,
        offset_seconds: None,
        peer: target.peer.clone(),
        reason: String::new(),
        status: Status::Ok,
        target: target.dialed.clone(),
    };
    let (answers, given) = if target.by_name() {
        match net::lookup(&target.dialed, &run.args.resolve, run.args.timeout) {
            Lookup::Answers { addresses, given } => (addresses, given),
            Lookup::TimedOut => {
                outcome.status = Status::Fail;
                outcome.reason = format!(
                    "the lookup did not answer within {}",
                    humantime::format_duration(run.args.timeout)
                );
                return outcome;
            }
        }
    } else {
        (Vec::new(), false)
    };
    let fix = format!(
        "add `{} {}` to /etc/hosts on `{}` (`{}` of the build output has it)",
        target.address,
        target.dialed,
        run.from,
        node_file(run.from, NodeFile::Hosts)
    );
    let source = if given { " (--resolve)" } else { "" };
    let listed = |addresses: &[IpAddr]| {
        addresses
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    match probe::judge_name(target, &answers) {
        NameVerdict::Literal => {
            outcome.status = Status::Skip;
            outcome.reason = "dialed by address: nothing to look up".into();
        }
        NameVerdict::Leads(addresses) => {
            outcome.reason = format!("resolves to {}{source}", listed(&addresses));
        }
        NameVerdict::Elsewhere(addresses) => {
            outcome.status = Status::Fail;
            outcome.reason = format!(
                "resolves to {}{source}, but `{}` reaches `{}` at {}: {fix}",
                listed(&addresses),
                run.from,
                target.peer,
                target.address
            );
        }
        NameVerdict::Unresolved => {
            outcome.status = Status::Fail;
            outcome.reason = format!("does not resolve here: {fix}");
        }
    }
    outcome
}

/// This machine's clock against one NTP server.
pub(super) fn ntp(run: &Run<'_>, server: &str) -> Outcome {
    const NTP_PORT: u16 = 123;
    let timeout = run.args.timeout;
    let mut outcome = Outcome {
        check: Kind::Ntp,
        millis: None,
        offset_seconds: None,
        peer: server.to_owned(),
        reason: String::new(),
        status: Status::Fail,
        target: format!("{server}:{NTP_PORT}"),
    };
    let address = match server.parse::<IpAddr>() {
        Ok(address) => address,
        Err(_) => match net::lookup(server, &run.args.resolve, timeout) {
            Lookup::Answers { addresses, .. } if !addresses.is_empty() => addresses[0],
            Lookup::Answers { .. } => {
                outcome.reason = "the server's name does not resolve here".into();
                return outcome;
            }
            Lookup::TimedOut => {
                outcome.reason = "the lookup of the server's name did not answer in time".into();
                return outcome;
            }
        },
    };
    let destination = match net::destination(
        &run.args.connect_to,
        &[server, &address.to_string()],
        address,
        NTP_PORT,
    ) {
        Ok(destination) => destination,
        Err(why) => {
            outcome.reason = why;
            return outcome;
        }
    };
    match clock::query(destination, timeout) {
        Ok(measured) => {
            let offset = (measured.offset * 1000.0).round() / 1000.0;
            outcome.offset_seconds = Some(offset);
            let ahead = if offset >= 0.0 { "ahead of" } else { "behind" };
            let limit = MAX_CLOCK_DIFFERENCE.as_secs_f64();
            if measured.offset.abs() > limit {
                outcome.reason = format!(
                    "the server's clock is {:.3} s {ahead} this machine's, more than the two minutes the cluster allows: set this machine's time from it",
                    offset.abs()
                );
            } else {
                outcome.status = Status::Ok;
                outcome.reason = format!(
                    "offset {offset:+.3} s (stratum {}, round trip {} ms)",
                    measured.stratum,
                    (measured.delay.max(0.0) * 1000.0).round()
                );
            }
        }
        Err(why) => outcome.reason = why,
    }
    outcome
}
