use std::collections::HashMap;
use std::net::IpAddr;

use crate::finding::level::Level;
use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;

declare_lint! {
    /// An NTP server listed twice.
    ///
    /// Each node takes its time from the servers in `[ntp]`; the same server twice (the same
    /// name in any case, or the same address however it is written) gives no second source,
    /// though the list suggests one. With fewer independent servers than it seems, one
    /// server's fault can move every node's clock.
    ///
    /// Remove the repeat, or list another server in its place.
    "duplicate-ntp-server",
    Class::Lint(Level::Warn),
    Scope::Any
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let servers = &context.model.ntp_servers;
    for (index, server) in servers.iter().enumerate() {
        // One key per server however it is written: an address in its canonical form, a
        // name in lowercase.
        let key = server.value.parse::<IpAddr>().map_or_else(
            |_| server.value.to_ascii_lowercase(),
            |address| address.to_canonical().to_string(),
        );
        let Some(&first) = seen.get(&key) else {
            seen.insert(key, index);
            continue;
        };
        findings.push(
            Finding::new(
                &LINT,
                server.span,
                format!("NTP server {} is listed twice", server.value),
            )
            .label("listed again")
            .related(servers[first].span, "listed first here")
            .help("remove the repeat, or list another server in its place"),
        );
    }
}
