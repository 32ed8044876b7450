//! The SNTP exchange of RFC 4330 (section 4 and 5): a 48-byte client request and the
//! server's reply, from which the clock offset follows. Times are durations since the Unix
//! epoch, read by the caller.

use std::time::Duration;

/// The size of an SNTP packet without extensions.
pub const PACKET: usize = 48;

/// Seconds from the NTP era's start (1900-01-01) to the Unix epoch.
const UNIX_OFFSET: u64 = 2_208_988_800;

/// The NTP timestamp of `unix` (seconds since 1900 in the high 32 bits, the fraction in the
/// low 32), era 0 wrapping as RFC 4330 section 3 describes.
fn timestamp(unix: Duration) -> u64 {
    let seconds = (unix.as_secs() + UNIX_OFFSET) & 0xFFFF_FFFF;
    let fraction = (u64::from(unix.subsec_nanos()) << 32) / 1_000_000_000;
    (seconds << 32) | fraction
}

/// The time an NTP timestamp stands for, in seconds after the whole second of `near`
/// (negative: before it), taking the era that puts it nearest to `near`. Timestamps more
/// than 68 years from `near` have no meaning here.
fn seconds_after(stamp: u64, near: Duration) -> f64 {
    let whole = i64::from((stamp >> 32) as u32);
    let fraction = f64::from((stamp & 0xFFFF_FFFF) as u32) / 4_294_967_296.0;
    // Seconds since the NTP era 0 of `near`, modulo an era: the difference wraps.
    let near_ntp = i64::try_from(near.as_secs() + UNIX_OFFSET).unwrap_or(i64::MAX);
    let mut delta = (whole - near_ntp).rem_euclid(1 << 32);
    if delta >= 1 << 31 {
        delta -= 1 << 32;
    }
    f64::from(i32::try_from(delta).unwrap_or_default()) + fraction
}

/// A client request sent at `sent` (version 4, mode 3, the transmit timestamp set so the
/// reply can be matched to it).
pub fn request(sent: Duration) -> [u8; PACKET] {
    let mut packet = [0u8; PACKET];
    packet[0] = (4 << 3) | 3;
    packet[40..48].copy_from_slice(&timestamp(sent).to_be_bytes());
    packet
}

/// Why a reply cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Shorter than an SNTP packet.
    Short(usize),
    /// Not a server's answer (mode 4).
    NotAServer(u8),
    /// A kiss-o'-death packet (stratum 0), with its ASCII code such as `RATE` or `DENY`.
    Kiss(String),
    /// The server says its clock is not synchronised (leap indicator 3).
    Unsynchronised,
    /// The reply does not answer our request (its originate timestamp differs).
    Unmatched,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Short(size) => write!(f, "the reply has {size} bytes, not {PACKET}"),
            Refusal::NotAServer(mode) => write!(f, "the reply is not a server's (mode {mode})"),
            Refusal::Kiss(code) => write!(f, "the server refused to answer (kiss code {code})"),
            Refusal::Unsynchronised => write!(f, "the server's own clock is not synchronised"),
            Refusal::Unmatched => write!(f, "the reply does not answer the request"),
        }
    }
}

/// What a usable reply says.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measurement {
    /// How far the server's clock is ahead of ours, in seconds (negative: behind).
    pub offset: f64,
    /// The round trip, in seconds, without the server's own processing time.
    pub delay: f64,
    pub stratum: u8,
}

/// Reads the `reply` to the request sent at `sent`, received at `received` (RFC 4330
/// section 5: offset `((T2 - T1) + (T3 - T4)) / 2`).
pub fn measure(reply: &[u8], sent: Duration, received: Duration) -> Result<Measurement, Refusal> {
    if reply.len() < PACKET {
        return Err(Refusal::Short(reply.len()));
    }
    let leap = reply[0] >> 6;
    let mode = reply[0] & 0x7;
    let stratum = reply[1];
    let stamp = |at: usize| {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&reply[at..at + 8]);
        u64::from_be_bytes(bytes)
    };
    if mode != 4 {
        return Err(Refusal::NotAServer(mode));
    }
    if stratum == 0 {
        let code: String = reply[12..16]
            .iter()
            .map(|&byte| {
                if byte.is_ascii_graphic() {
                    char::from(byte)
                } else {
                    '?'
                }
            })
            .collect();
        return Err(Refusal::Kiss(code));
    }
    if leap == 3 {
        return Err(Refusal::Unsynchronised);
    }
    if stamp(24) != timestamp(sent) {
        return Err(Refusal::Unmatched);
    }
    // Every time in seconds after the whole second the request was sent in.
    let base = Duration::from_secs(sent.as_secs());
    let t1 = f64::from(sent.subsec_nanos()) / 1e9;
    let t4 = received.saturating_sub(base).as_secs_f64();
    let t2 = seconds_after(stamp(32), sent);
    let t3 = seconds_after(stamp(40), sent);
    Ok(Measurement {
        offset: f64::midpoint(t2 - t1, t3 - t4),
        delay: (t4 - t1) - (t3 - t2),
        stratum,
    })
}

/// A server's reply to `request` with its clock at `clock` when the request came and when
/// the reply leaves: for tests of the client.
#[cfg(test)]
fn reply(request: &[u8], clock: Duration) -> [u8; PACKET] {
    let mut packet = [0u8; PACKET];
    packet[0] = (4 << 3) | 4;
    packet[1] = 2;
    if request.len() >= PACKET {
        packet[24..32].copy_from_slice(&request[40..48]);
    }
    let now = timestamp(clock).to_be_bytes();
    packet[32..40].copy_from_slice(&now);
    packet[40..48].copy_from_slice(&now);
    packet
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_three_minutes_ahead_measures_three_minutes() {
        let sent = Duration::from_secs(1_790_000_000) + Duration::from_millis(250);
        let server = sent + Duration::from_secs(180) + Duration::from_millis(5);
        let received = sent + Duration::from_millis(10);
        let measured = measure(&reply(&request(sent), server), sent, received).expect("usable");
        assert!((measured.offset - 180.0).abs() < 0.001, "{measured:?}");
        assert!((measured.delay - 0.010).abs() < 0.001, "{measured:?}");
    }

    #[test]
    fn replies_that_do_not_answer_are_refused() {
        let sent = Duration::from_secs(1_790_000_000);
        let mut kiss = reply(&request(sent), sent);
        kiss[1] = 0;
        kiss[12..16].copy_from_slice(b"RATE");
        assert_eq!(
            measure(&kiss, sent, sent),
            Err(Refusal::Kiss("RATE".into()))
        );
        let other = reply(&request(sent + Duration::from_secs(1)), sent);
        assert_eq!(measure(&other, sent, sent), Err(Refusal::Unmatched));
        assert_eq!(
            measure(&request(sent), sent, sent),
            Err(Refusal::NotAServer(3))
        );
        assert_eq!(measure(&[0; 12], sent, sent), Err(Refusal::Short(12)));
    }

    #[test]
    fn timestamps_round_trip_across_the_2036_era_change() {
        for unix in [
            0,
            1_790_000_000,
            2_085_978_495,
            2_085_978_497,
            2_500_000_000,
        ] {
            let at = Duration::from_secs(unix) + Duration::from_millis(500);
            let later = at + Duration::from_secs(180);
            assert!(
                (seconds_after(timestamp(at), at) - 0.5).abs() < 1e-6,
                "{unix}"
            );
            assert!(
                (seconds_after(timestamp(later), at) - 180.5).abs() < 1e-6,
                "{unix}"
            );
            if let Some(earlier) = at.checked_sub(Duration::from_secs(3)) {
                assert!(
                    (seconds_after(timestamp(earlier), at) + 2.5).abs() < 1e-6,
                    "{unix}"
                );
            }
        }
    }
}
