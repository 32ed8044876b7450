//! What the scalar values of a topology mean, and whether they are well formed.
//!
//! Each function takes the text as written and returns the typed value or a sentence,
//! lowercase and without a trailing period, that says what is wrong.

use std::net::IpAddr;
use std::time::Duration;

use ipnet::IpNet;

/// Longest name of a node, site or group: one DNS label.
const MAX_LABEL: usize = 63;
/// Longest FQDN, in characters, without a trailing dot.
const MAX_FQDN: usize = 253;

/// How a value is quoted in a message: escaped, and cut after 40 characters, so that a
/// multi-megabyte value does not become a multi-megabyte message.
pub fn shown(text: &str) -> String {
    const LONGEST: usize = 40;
    let mut quoted: String = text
        .chars()
        .take(LONGEST)
        .collect::<String>()
        .escape_default()
        .to_string();
    if text.chars().nth(LONGEST).is_some() {
        quoted.push('…');
    }
    quoted
}

/// A node, site or group name: one DNS label, folded to lowercase.
pub fn name(text: &str) -> Result<String, String> {
    label(text).map(|()| text.to_ascii_lowercase())
}

/// [`name`], folding `text` in place.
pub fn owned_name(mut text: String) -> Result<String, String> {
    label(&text)?;
    text.make_ascii_lowercase();
    Ok(text)
}

fn label(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Err("a name cannot be empty".into());
    }
    if text.len() > MAX_LABEL {
        return Err(format!(
            "`{}` is {} bytes long; a name is at most {MAX_LABEL} characters",
            shown(text),
            text.len()
        ));
    }
    if let Some(bad) = text
        .chars()
        .find(|c| !c.is_ascii_alphanumeric() && *c != '-')
    {
        return Err(format!(
            "`{}` contains {}; a name has only letters, digits and hyphens",
            shown(text),
            describe_char(bad)
        ));
    }
    if text.starts_with('-') || text.ends_with('-') {
        return Err(format!("`{}` starts or ends with a hyphen", shown(text)));
    }
    Ok(())
}

fn describe_char(c: char) -> String {
    // Anything but visible ASCII by its code point: a right-to-left mark or a zero-width
    // space, printed as itself, would hide or reorder the message around it.
    if c.is_ascii_graphic() {
        format!("`{c}`")
    } else {
        format!("the character U+{:04X}", u32::from(c))
    }
}

/// A fully qualified domain name, folded to lowercase.
pub fn fqdn(text: &str) -> Result<String, String> {
    if text.len() > MAX_FQDN {
        return Err(format!(
            "`{}` is longer than an FQDN's {MAX_FQDN} characters",
            shown(text)
        ));
    }
    if text.ends_with('.') {
        return Err(format!(
            "`{}` ends with a dot; write it without",
            shown(text)
        ));
    }
    for part in text.split('.') {
        label(part).map_err(|problem| format!("`{}`: {problem}", shown(text)))?;
    }
    if text.parse::<IpAddr>().is_ok()
        || text
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(format!(
            "`{}` looks like an address, not a name",
            shown(text)
        ));
    }
    Ok(text.to_ascii_lowercase())
}

/// Whether `c` would steer a terminal or the reading order rather than show: C0 and C1
/// controls but newline and tab, DEL, and the bidirectional marks and embeddings.
pub fn steers(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text a value may hold: nothing that steers a terminal (see [`steers`]) and no line
/// break; a tab is allowed. Every string of a topology is checked so before it means
/// anything, so nothing of the kind reaches an output or a message.
pub fn plain_text(text: &str) -> Result<(), String> {
    let ascii_plain = |b: &u8| (b' '..=b'~').contains(b) || *b == b'\t';
    if text.bytes().all(|b| ascii_plain(&b)) {
        return Ok(());
    }
    match text
        .chars()
        .enumerate()
        .find(|&(_, c)| steers(c) || c == '\n')
    {
        Some((at, c)) => Err(format!(
            "character {} is U+{:04X}, {}, which no value may hold",
            at + 1,
            u32::from(c),
            if c.is_control() {
                "a control character"
            } else {
                "a bidirectional mark"
            }
        )),
        None => Ok(()),
    }
}

/// An IPv4 or IPv6 address.
pub fn ip(text: &str) -> Result<IpAddr, String> {
    text.parse()
        .map_err(|_| format!("`{}` is not an IPv4 or IPv6 address", shown(text)))
}

/// A CIDR block such as `10.1.0.0/24`. Host bits must be zero, so that a typo in the
/// prefix length is not silently read as a different network.
pub fn subnet(text: &str) -> Result<IpNet, String> {
    let net: IpNet = text.parse().map_err(|_| {
        format!(
            "`{}` is not a CIDR block such as `10.1.0.0/24`",
            shown(text)
        )
    })?;
    if net.trunc() != net {
        return Err(format!(
            "`{}` has host bits set; the network is `{}`",
            shown(text),
            net.trunc()
        ));
    }
    Ok(net)
}

/// A positive duration such as `10s`, `2m` or `1m 30s`.
pub fn duration(text: &str) -> Result<Duration, String> {
    let duration = humantime::parse_duration(text).map_err(|error| {
        format!(
            "`{}` is not a duration such as `10s` or `2m` ({error})",
            shown(text)
        )
    })?;
    if duration.is_zero() {
        return Err("a duration must be longer than zero".into());
    }
    if duration.subsec_nanos() != 0 {
        return Err(format!(
            "`{}` is not a whole number of seconds, which the appliances take",
            shown(text)
        ));
    }
    Ok(duration)
}

/// An appliance version such as `12.2.4`, with its build after a hyphen where given
/// (`12.2.4-46412`): three dotted numbers, never fewer, so that every node's version can be
/// compared with every other's.
pub fn version(text: &str) -> Result<String, String> {
    let (release, build) = match text.split_once('-') {
        Some((release, build)) => (release, Some(build)),
        None => (text, None),
    };
    let numeric = |part: &str| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit());
    let parts: Vec<&str> = release.split('.').collect();
    if parts.len() == 3 && parts.iter().all(|part| numeric(part)) && build.is_none_or(numeric) {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "`{}` is not a complete version: write it as `12.2.4` or `12.2.4-46412`",
            shown(text)
        ))
    }
}

/// How two versions that [`version`] accepted compare: release numbers in turn, then the
/// build (a version without one comes first).
pub fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    // Numbers of any length: fewer digits (leading zeros aside) is smaller, then by text.
    let key = |text: &str| {
        let (release, build) = text.split_once('-').unwrap_or((text, ""));
        release
            .split('.')
            .chain(std::iter::once(build))
            .map(|part| {
                let digits = part.trim_start_matches('0');
                (digits.len(), digits.to_owned())
            })
            .collect::<Vec<_>>()
    };
    key(a).cmp(&key(b))
}

/// A TCP port.
pub fn port(value: i64) -> Result<u16, String> {
    u16::try_from(value)
        .ok()
        .filter(|&port| port != 0)
        .ok_or_else(|| format!("{value} is not a port from 1 to 65535"))
}

/// A whole number of at least `min`.
pub fn at_least(value: i64, min: u32) -> Result<u32, String> {
    between(value, min, u32::MAX)
}

/// A whole number from `min` to `max`, both included.
pub fn between(value: i64, min: u32, max: u32) -> Result<u32, String> {
    u32::try_from(value)
        .ok()
        .filter(|value| (min..=max).contains(value))
        .ok_or_else(|| format!("{value} is not a whole number from {min} to {max}"))
}

/// The longest validity a certificate of the cluster may be given, in days: a hundred
/// years. Any date it gives from now fits an X.509 validity (which ends at year 9999).
pub const MAX_VALIDITY_DAYS: u32 = 36_500;

/// A certificate's validity in days: from 1 to [`MAX_VALIDITY_DAYS`].
pub fn validity_days(value: i64) -> Result<u32, String> {
    between(value, 1, MAX_VALIDITY_DAYS).map_err(|message| format!("{message} (a hundred years)"))
}

/// Why an address cannot be a Central Management listen address (or an NTP server's), if it
/// cannot. An IPv4-mapped IPv6 address is judged as its IPv4 form.
pub fn unusable_reason(address: IpAddr) -> Option<&'static str> {
    let address = address.to_canonical();
    let link_local = match address {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => v6.is_unicast_link_local(),
    };
    if address.is_loopback() {
        Some("a loopback address")
    } else if address.is_unspecified() {
        Some("the unspecified address")
    } else if address.is_multicast() {
        Some("a multicast address")
    } else if matches!(address, IpAddr::V4(v4) if v4.is_broadcast()) {
        Some("the broadcast address")
    } else if link_local {
        Some("a link-local address")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_dns_labels_folded_to_lowercase() {
        assert_eq!(name("Tok-1").unwrap(), "tok-1");
        assert!(name("-tok").is_err());
        assert!(name("tok_1").is_err());
        assert!(name("../etc").is_err());
        assert!(name("").is_err());
        assert!(name(&"a".repeat(64)).is_err());
        let rtl = name("tok\u{202e}1").unwrap_err();
        assert!(rtl.contains("U+202E") && !rtl.contains('\u{202e}'), "{rtl}");
    }

    #[test]
    fn fqdns_are_dotted_labels() {
        assert_eq!(
            fqdn("Proxy1A-mgmt.example1.local").unwrap(),
            "proxy1a-mgmt.example1.local"
        );
        assert_eq!(fqdn("servername1").unwrap(), "servername1");
        assert!(fqdn("a..b").is_err());
        assert!(fqdn("host.example.").is_err());
        assert!(fqdn("10.0.0.1").is_err());
    }

    #[test]
    fn subnets_refuse_host_bits() {
        assert!(subnet("10.1.0.0/24").is_ok());
        assert!(subnet("10.1.0.1/24").is_err());
        assert!(subnet("10.1.0.0").is_err());
    }

    #[test]
    fn durations_versions_and_ports() {
        assert_eq!(duration("2m").unwrap(), Duration::from_secs(120));
        assert!(duration("0s").is_err());
        assert!(duration("1500ms").is_err());
        assert!(duration("soon").is_err());
        assert!(version("12.2.4-46412").is_ok());
        assert!(version("12.2.4").is_ok());
        assert!(version("12.2").is_err());
        assert!(
            version("12")
                .unwrap_err()
                .contains("`12.2.4` or `12.2.4-46412`")
        );
        assert!(version("12.2.4.1").is_err());
        assert!(compare_versions("12.2.10", "12.2.9").is_gt());
        assert!(compare_versions("12.2.4-46412", "12.2.4").is_gt());
        assert!(compare_versions("12.2.4-46400", "12.2.4-46412").is_lt());
        assert!(compare_versions("012.2.4", "12.2.4").is_eq());
        assert!(version("12.x").is_err());
        assert!(version("12.2-").is_err());
        assert_eq!(port(12346).unwrap(), 12346);
        assert!(port(0).is_err());
        assert!(port(70000).is_err());
        assert!(at_least(-1, 0).is_err());
        assert_eq!(validity_days(36_500), Ok(36_500));
        assert_eq!(plain_text("Tokyo,\tJP — 東京"), Ok(()));
        for bad in [
            "To\u{1b}[31m",
            "bell\u{7}",
            "rtl\u{202e}",
            "two\nlines",
            "nul\0",
            "c1\u{85}",
        ] {
            assert!(plain_text(bad).is_err(), "{bad:?}");
        }
        assert!(
            plain_text("ab\u{1b}")
                .unwrap_err()
                .starts_with("character 3 is")
        );
        assert!(validity_days(36_501).is_err());
        assert!(validity_days(2_932_897).is_err());
        assert!(validity_days(0).is_err());
    }

    #[test]
    fn messages_quote_at_most_forty_characters() {
        let huge = "x".repeat(5_000_000);
        let message = ip(&huge).unwrap_err();
        assert!(message.len() < 120, "{} bytes", message.len());
        assert!(fqdn(&huge).unwrap_err().len() < 120);
        assert!(name(&huge).unwrap_err().len() < 160);
        assert_eq!(shown("ab\ncd"), "ab\\ncd");
    }

    #[test]
    fn unusable_addresses() {
        for bad in [
            "127.0.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "169.254.10.1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(unusable_reason(bad.parse().unwrap()).is_some(), "{bad}");
        }
        assert!(unusable_reason("10.0.0.1".parse().unwrap()).is_none());
    }
}
