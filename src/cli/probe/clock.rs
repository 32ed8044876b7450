//! The clock check of a probe: one SNTP query (`topoc::probe::sntp`) over UDP, timed with
//! this machine's clock.

use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use topoc::probe::sntp::{self, Measurement};

/// Asks the SNTP server at `server` for the time, within `timeout`.
pub(super) fn query(server: SocketAddr, timeout: Duration) -> Result<Measurement, String> {
    let local: SocketAddr = if server.is_ipv4() {
        "0.0.0.0:0"
            .parse()
            .map_err(|_| "no local address".to_owned())?
    } else {
        "[::]:0"
            .parse()
            .map_err(|_| "no local address".to_owned())?
    };
    let socket = UdpSocket::bind(local).map_err(|e| format!("cannot open a UDP socket: {e}"))?;
    socket
        .connect(server)
        .map_err(|e| format!("cannot reach {server}: {e}"))?;
    socket
        .set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    let sent = since_epoch()?;
    socket
        .send(&sntp::request(sent))
        .map_err(|e| format!("cannot send to {server}: {e}"))?;
    let mut reply = [0u8; 512];
    let size = socket.recv(&mut reply).map_err(|error| match error.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => format!(
            "no answer from {server} within {}: UDP 123 is blocked, or no NTP server runs there",
            humantime::format_duration(timeout)
        ),
        std::io::ErrorKind::ConnectionRefused => {
            format!("{server} refused: no NTP server runs there")
        }
        _ => format!("{server}: {error}"),
    })?;
    let received = since_epoch()?;
    sntp::measure(&reply[..size], sent, received).map_err(|refusal| refusal.to_string())
}

fn since_epoch() -> Result<Duration, String> {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|_| "this machine's clock is before 1970".to_owned())
}
