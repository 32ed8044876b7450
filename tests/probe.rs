//! `topoc probe` against stand-ins (`probe --listen`) and fake peers on loopback, reached
//! through `--connect-to`; and `probe.sh` beside it, in a network namespace of its own where
//! the topology's addresses are real, judging the same scenarios the same way.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::{client, command, topoc};
use serde_json::Value;

/// Eight nodes in one network group: `a` probes the others; the NTP server has a name.
const LAB: &str = r#"
[cluster]
name = "probe-lab"
kind = "swg"
version = "12.2.4-46412"
management_node = "a"

[ntp]
servers = ["ntp.probe.test"]

[sites.lab]
subnet = "10.77.0.0/24"

[nodes.a]
site = "lab"
address = "10.77.0.1"
fqdn = "a.probe.test"

[nodes.b]
site = "lab"
address = "10.77.0.2"
fqdn = "b.probe.test"

[nodes.c]
site = "lab"
address = "10.77.0.3"
fqdn = "c.probe.test"

[nodes.d]
site = "lab"
address = "10.77.0.4"
fqdn = "d.probe.test"

[nodes.e]
site = "lab"
address = "10.77.0.5"
fqdn = "e.probe.test"

[nodes.f]
site = "lab"
address = "10.77.0.6"
fqdn = "f.probe.test"

[nodes.g]
site = "lab"
address = "10.77.0.7"

[nodes.h]
site = "lab"
address = "10.77.0.8"
fqdn = "h.probe.test"
"#;

/// The lab, built, with a second cluster of the same nodes under another CA in `other/`.
fn lab() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("lab.toml"), LAB).expect("write");
    let built = topoc(dir.path(), &["build", "lab.toml"]);
    assert!(built.status.success(), "{built:?}");
    let other = dir.path().join("other");
    std::fs::create_dir(&other).expect("mkdir");
    std::fs::write(
        other.join("lab.toml"),
        LAB.replace("probe-lab", "another-lab"),
    )
    .expect("write");
    let built = topoc(&other, &["build", "lab.toml"]);
    assert!(built.status.success(), "{built:?}");
    dir
}

/// A `topoc probe --listen` stand-in, killed when dropped; what it printed is kept.
struct StandIn {
    child: Child,
    address: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
}

impl StandIn {
    fn start(dir: &Path, node: &str, bind: &str, extra: &[&str]) -> StandIn {
        let mut args = vec!["probe", "lab.toml", "--listen", node, "--bind", bind];
        args.extend_from_slice(extra);
        let mut child = command(dir, &args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the stand-in starts");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let first = lines.next().expect("a first line").expect("text");
        let address = first
            .strip_prefix("listening on ")
            .and_then(|rest| rest.split(' ').next())
            .and_then(|address| address.parse().ok())
            .unwrap_or_else(|| panic!("not a listening line: {first}"));
        let log = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                kept.lock().expect("log").push(line);
            }
        });
        StandIn {
            child,
            address,
            log,
        }
    }

    fn lines(&self) -> Vec<String> {
        self.log.lock().expect("log").clone()
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A peer that accepts connections and then says `greeting` (nothing, for a silent one)
/// and holds them open.
fn fake_peer(address: &str, greeting: &'static [u8]) -> SocketAddr {
    let listener = TcpListener::bind(address).expect("bind");
    let bound = listener.local_addr().expect("address");
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for mut stream in listener.incoming().map_while(Result::ok) {
            let _ = stream.write_all(greeting);
            held.push(stream);
        }
    });
    bound
}

/// A port on `address` where nothing listens.
fn closed_port(address: &str) -> SocketAddr {
    TcpListener::bind(address)
        .expect("bind")
        .local_addr()
        .expect("address")
}

/// An SNTP server whose clock is `skew` seconds ahead, written from RFC 4330's packet
/// layout independently of topoc's client.
fn fake_ntp(skew: u64) -> SocketAddr {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let bound = socket.local_addr().expect("address");
    std::thread::spawn(move || {
        let mut request = [0u8; 48];
        while let Ok((size, from)) = socket.recv_from(&mut request) {
            if size < 48 {
                continue;
            }
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .expect("after 1970");
            let seconds = (now.as_secs() + skew + 2_208_988_800) & 0xFFFF_FFFF;
            let fraction = (u64::from(now.subsec_nanos()) << 32) / 1_000_000_000;
            let stamp = ((seconds << 32) | fraction).to_be_bytes();
            let mut reply = [0u8; 48];
            reply[0] = 0b00_100_100; // no leap warning, version 4, mode 4 (server)
            reply[1] = 1; // stratum 1
            reply[24..32].copy_from_slice(&request[40..48]); // originate = client's transmit
            reply[32..40].copy_from_slice(&stamp); // receive
            reply[40..48].copy_from_slice(&stamp); // transmit
            let _ = socket.send_to(&reply, from);
        }
    });
    bound
}

/// `topoc probe lab.toml --from a --format json` with `args`: exit code, output, time.
fn probe(dir: &Path, args: &[String]) -> (i32, Value, Duration) {
    let mut all: Vec<String> = ["probe", "lab.toml", "--from", "a", "--format", "json"]
        .map(String::from)
        .to_vec();
    all.extend_from_slice(args);
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    let started = Instant::now();
    let output = topoc(dir, &all);
    let took = started.elapsed();
    let json = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "JSON: {e}\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().expect("an exit code"), json, took)
}

/// The status and reason of `peer`'s `check`.
fn verdict<'a>(json: &'a Value, peer: &str, check: &str) -> (&'a str, &'a str) {
    let found = json["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["peer"] == peer && c["check"] == check)
        .unwrap_or_else(|| panic!("no {check} check of {peer} in {json:#}"));
    (
        found["status"].as_str().expect("status"),
        found["reason"].as_str().expect("reason"),
    )
}

/// `--resolve` for every node's FQDN, to its topology address.
fn resolves() -> Vec<String> {
    [("b", 2), ("c", 3), ("d", 4), ("e", 5), ("f", 6), ("h", 8)]
        .iter()
        .map(|(node, octet)| format!("--resolve={node}.probe.test:10.77.0.{octet}"))
        .chain(std::iter::once(
            "--resolve=ntp.probe.test:10.77.0.100".to_owned(),
        ))
        .collect()
}

/// `--connect-to` that sends connections for `dialed` to `to`.
fn connect_to(dialed: &str, port: u16, to: SocketAddr) -> String {
    format!("--connect-to={dialed}:{port}:{}:{}", to.ip(), to.port())
}

#[test]
fn every_check_passes_when_the_network_matches() {
    let dir = lab();
    let stand_ins: Vec<(String, StandIn)> = ["b", "c", "d", "e", "f", "g", "h"]
        .iter()
        .enumerate()
        .map(|(index, node)| {
            let bind = format!("127.0.0.{}:0", index + 2);
            (
                (*node).to_owned(),
                StandIn::start(dir.path(), node, &bind, &[]),
            )
        })
        .collect();
    let mut args = resolves();
    for (node, stand_in) in &stand_ins {
        let dialed = if node == "g" {
            "10.77.0.7".to_owned()
        } else {
            format!("{node}.probe.test")
        };
        args.push(connect_to(&dialed, 12346, stand_in.address));
    }
    args.push("--ntp".to_owned());
    args.push(connect_to("ntp.probe.test", 123, fake_ntp(0)));
    let (code, json, _) = probe(dir.path(), &args);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["failed"], 0, "{json:#}");
    assert_eq!(json["passed"], 7 * 3 - 1 + 1, "{json:#}");
    assert_eq!(
        verdict(&json, "g", "name").0,
        "skip",
        "g is dialed by address"
    );
    let (status, reason) = verdict(&json, "b", "tls");
    assert_eq!(status, "ok");
    assert!(reason.contains("CN=b from the cluster CA"), "{reason}");
    assert!(verdict(&json, "ntp.probe.test", "ntp").1.contains("offset"));
    for (node, stand_in) in &stand_ins {
        let mut lines = stand_in.lines();
        for _ in 0..50 {
            if !lines.is_empty() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
            lines = stand_in.lines();
        }
        assert!(
            lines
                .iter()
                .any(|line| line.ends_with("handshake ok, client CN=a")),
            "{node}: {lines:?}"
        );
    }
}

/// A network with one peer of each failure: `b` fine, `c` with another CA's certificate,
/// `d` refusing, `e` silent, `f` resolving elsewhere and speaking plain text, `g` fine by
/// address, `h` trusting another CA; an NTP server three minutes ahead. The stand-ins, to
/// keep alive, and the arguments that reach them.
fn failing_network(dir: &Path) -> (Vec<StandIn>, Vec<String>) {
    let other = dir.join("other/secrets");
    let (other_cert, other_key, other_ca) = (
        other.join("nodes/c.pem").display().to_string(),
        other.join("nodes/c.key").display().to_string(),
        other.join("ca.pem").display().to_string(),
    );
    let good = StandIn::start(dir, "b", "127.0.0.2:0", &[]);
    let foreign = StandIn::start(
        dir,
        "c",
        "127.0.0.3:0",
        &[
            "--cert",
            &other_cert,
            "--key",
            &other_key,
            "--ca",
            &other_ca,
        ],
    );
    let distrustful = StandIn::start(dir, "h", "127.0.0.8:0", &["--ca", &other_ca]);
    let wrong_name = StandIn::start(dir, "g", "127.0.0.7:0", &[]);
    let mut args: Vec<String> = resolves()
        .into_iter()
        .filter(|arg| !arg.contains("f.probe.test"))
        .collect();
    args.extend([
        "--timeout=1s".to_owned(),
        "--resolve=f.probe.test:10.99.0.6".to_owned(),
        connect_to("b.probe.test", 12346, good.address),
        connect_to("c.probe.test", 12346, foreign.address),
        connect_to("d.probe.test", 12346, closed_port("127.0.0.4:0")),
        connect_to("e.probe.test", 12346, fake_peer("127.0.0.5:0", b"")),
        connect_to(
            "f.probe.test",
            12346,
            fake_peer("127.0.0.6:0", b"HELLO\r\n"),
        ),
        connect_to("10.77.0.7", 12346, wrong_name.address),
        connect_to("h.probe.test", 12346, distrustful.address),
        "--ntp".to_owned(),
        connect_to("ntp.probe.test", 123, fake_ntp(180)),
    ]);
    (vec![good, foreign, distrustful, wrong_name], args)
}

#[test]
fn each_failure_is_reported_as_what_it_is() {
    let dir = lab();
    let (_stand_ins, args) = failing_network(dir.path());
    let (code, json, took) = probe(dir.path(), &args);
    assert_eq!(code, 1, "{json:#}");

    assert_eq!(verdict(&json, "b", "tls").0, "ok", "{json:#}");

    let (status, reason) = verdict(&json, "c", "tls");
    assert_eq!(status, "fail");
    assert!(
        reason.contains(
            "signed by CN=another-lab Cluster CA, not by the cluster CA (CN=probe-lab Cluster CA)"
        ),
        "{reason}"
    );

    let (status, reason) = verdict(&json, "d", "tcp");
    assert_eq!(status, "fail");
    assert!(reason.starts_with("refused"), "{reason}");
    assert_eq!(verdict(&json, "d", "tls").0, "skip");

    let (status, reason) = verdict(&json, "e", "tls");
    assert_eq!(
        (status, reason.starts_with("no TLS answer within 1s")),
        ("fail", true),
        "{reason}"
    );
    assert!(
        took < Duration::from_secs(4),
        "a silent peer holds the probe to its timeout (1 s) plus a margin, not {took:?}"
    );

    let (status, reason) = verdict(&json, "f", "name");
    assert_eq!(status, "fail");
    assert!(
        reason.contains("resolves to 10.99.0.6 (--resolve), but `a` reaches `f` at 10.77.0.6: add `10.77.0.6 f.probe.test` to /etc/hosts on `a` (`nodes/a/hosts` of the build output has it)"),
        "{reason}"
    );
    let (status, reason) = verdict(&json, "f", "tls");
    assert_eq!(
        (status, reason),
        ("fail", "it does not speak TLS on this port")
    );

    let (status, reason) = verdict(&json, "h", "tls");
    assert_eq!(status, "fail");
    assert!(
        reason.contains("refused the certificate of `a`"),
        "{reason}"
    );

    let (status, reason) = verdict(&json, "ntp.probe.test", "ntp");
    assert_eq!(status, "fail");
    assert!(reason.contains("more than the two minutes"), "{reason}");
    let offset = json["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["check"] == "ntp")
        .and_then(|c| c["offset_seconds"].as_f64())
        .expect("an offset");
    assert!((offset - 180.0).abs() < 1.0, "{offset}");

    // The table says the same.
    let mut table_args = vec!["probe", "lab.toml", "--from", "a"];
    table_args.extend(args.iter().map(String::as_str));
    let table = topoc(dir.path(), &table_args);
    assert_eq!(table.status.code(), Some(1));
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.lines().any(|line| line.starts_with("d ")
            && line.contains(" tcp ")
            && line.contains(" fail ")),
        "{text}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let dir = lab();
    for (args, expected) in [
        (vec!["probe", "lab.toml"], "--from"),
        (
            vec!["probe", "lab.toml", "--from", "zz"],
            "no node is named `zz`",
        ),
        (
            vec!["probe", "lab.toml", "--from", "a", "--timeout", "soon"],
            "not a duration",
        ),
        (
            vec!["probe", "lab.toml", "--from", "a", "--connect-to", "a:1:b"],
            "HOST1:PORT1:HOST2:PORT2",
        ),
        (
            vec!["probe", "lab.toml", "--from", "a", "--secrets", "nowhere"],
            "no certificate for `a` in `nowhere`",
        ),
    ] {
        let output = topoc(dir.path(), &args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn probe_sh_is_posix_and_shellcheck_clean() {
    if !client("shellcheck") {
        return;
    }
    let scripts = tempfile::tempdir().expect("temp dir");
    let mut count = 0;
    for example in [
        "two-sites.toml",
        "nat.toml",
        "seg.toml",
        "larger-cluster.toml",
    ] {
        let source = common::load(Path::new(&common::example(example)));
        let tree = common::preview(&source, example, topoc::emit::Options::default());
        for (path, content) in tree.iter().filter(|(path, _)| path.ends_with("/probe.sh")) {
            let file = scripts.path().join(path.replace('/', "_"));
            std::fs::write(&file, content).expect("write");
            count += 1;
        }
    }
    assert!(count > 20, "every node of every example has a probe script");
    let output = Command::new("shellcheck")
        .args(["--shell=sh", "--severity=style", "--"])
        .args(
            std::fs::read_dir(scripts.path())
                .expect("listable")
                .map(|entry| entry.expect("entry").path()),
        )
        .output()
        .expect("shellcheck runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn probe_sh_is_executable_and_takes_no_arguments() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = lab();
    let script = dir.path().join("out/nodes/a/probe.sh");
    let mode = std::fs::metadata(&script)
        .expect("metadata")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o755, "probe.sh is executable");
    let output = Command::new(&script).arg("extra").output().expect("runs");
    assert_eq!(output.status.code(), Some(2), "arguments are a usage error");
    assert!(String::from_utf8_lossy(&output.stderr).contains("usage"));
}

/// Fake peers for the namespace: `silent` accepts and says nothing, `plain` answers in
/// plain text; both hold connections open.
const FAKE_PEER: &str = r#"
import socket, sys, threading
address, kind = sys.argv[1], sys.argv[2]
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind((address, 12346))
server.listen(16)
held = []
while True:
    connection, _ = server.accept()
    if kind == "plain":
        connection.sendall(b"HELLO\r\n")
    held.append(connection)
"#;

/// Runs in a network and mount namespace of its own: the topology's addresses on the
/// loopback interface, `/etc/hosts` replaced, stand-ins and fake peers on the real
/// addresses and port; then `probe.sh` and `topoc probe` of node `a`, twice: with the
/// failures, and with every peer fixed. The namespace's processes end with it.
const SCENARIO: &str = r#"
set -u
ip link set lo up
for n in 1 2 3 4 5 6 7 8; do ip addr add "10.77.0.$n/32" dev lo; done
mount --bind hosts /etc/hosts

wait_for() {
    for _ in $(seq 100); do
        if nc -z -w 1 "$1" 12346 2>/dev/null; then return 0; fi
        sleep 0.05
    done
    echo "nothing listens on $1" >&2
    exit 3
}

"$TOPOC" probe lab.toml --listen b >/dev/null &
"$TOPOC" probe lab.toml --listen c --cert other/secrets/nodes/c.pem --key other/secrets/nodes/c.key --ca other/secrets/ca.pem >/dev/null &
c=$!
python3 fake.py 10.77.0.5 silent & e=$!
python3 fake.py 10.77.0.6 plain & f=$!
"$TOPOC" probe lab.toml --listen g >/dev/null &
"$TOPOC" probe lab.toml --listen h >/dev/null &
for n in 2 3 5 6 7 8; do wait_for "10.77.0.$n"; done

sh script/probe.sh > broken.sh.txt; echo $? > broken.sh.rc
"$TOPOC" probe lab.toml --from a --format json --timeout 2s > broken.json; echo $? > broken.rc

kill "$c" "$e" "$f"
wait "$c" "$e" "$f" 2>/dev/null
printf '10.77.0.2 b.probe.test\n10.77.0.3 c.probe.test\n10.77.0.4 d.probe.test\n10.77.0.5 e.probe.test\n10.77.0.6 f.probe.test\n10.77.0.8 h.probe.test\n' > hosts
for n in c d e f; do "$TOPOC" probe lab.toml --listen "$n" >/dev/null & done
for n in 2 3 4 5 6 7 8; do wait_for "10.77.0.$n"; done

sh script/probe.sh > fixed.sh.txt; echo $? > fixed.sh.rc
"$TOPOC" probe lab.toml --from a --format json --timeout 2s > fixed.json; echo $? > fixed.rc
exit 0
"#;

/// (peer, check, status) of every line of `probe.sh`'s output.
fn script_verdicts(text: &str) -> Vec<(String, String, String)> {
    let mut verdicts: Vec<(String, String, String)> = text
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            assert!(fields.len() >= 3, "a report line: {line}");
            (
                fields[0].to_owned(),
                fields[1].to_owned(),
                fields[2].to_owned(),
            )
        })
        .collect();
    verdicts.sort();
    verdicts
}

/// The same, from `topoc probe --format json`.
fn json_verdicts(json: &Value) -> Vec<(String, String, String)> {
    let mut verdicts: Vec<(String, String, String)> = json["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| {
            let field = |name: &str| c[name].as_str().expect("a string").to_owned();
            (field("peer"), field("check"), field("status"))
        })
        .collect();
    verdicts.sort();
    verdicts
}

#[test]
fn probe_sh_and_topoc_probe_agree_on_every_scenario() {
    let clients = ["unshare", "ip", "nc", "openssl", "getent", "python3"];
    if !clients.iter().all(|program| client(program)) {
        return;
    }
    let dir = lab();
    let root = dir.path();
    // The node's files as an operator copies them to it, with its key beside them so that
    // the script presents the node's certificate as `topoc probe` does.
    let script = root.join("script");
    std::fs::create_dir(&script).expect("mkdir");
    for file in ["probe.sh", "ca.pem", "node.pem"] {
        std::fs::copy(root.join("out/nodes/a").join(file), script.join(file)).expect("copy");
    }
    std::fs::copy(root.join("secrets/nodes/a.key"), script.join("node.key")).expect("copy");
    std::fs::write(root.join("fake.py"), FAKE_PEER).expect("write");
    std::fs::write(
        root.join("hosts"),
        "10.77.0.2 b.probe.test\n10.77.0.3 c.probe.test\n10.77.0.4 d.probe.test\n\
         10.77.0.5 e.probe.test\n10.99.0.6 f.probe.test\n10.77.0.8 h.probe.test\n",
    )
    .expect("write");
    std::fs::write(root.join("scenario.sh"), SCENARIO).expect("write");
    let output = Command::new("unshare")
        .args([
            "--user",
            "--map-root-user",
            "--net",
            "--mount",
            "--pid",
            "--fork",
        ])
        .args(["--kill-child", "sh", "scenario.sh"])
        .env("TOPOC", env!("CARGO_BIN_EXE_topoc"))
        .current_dir(root)
        .stdin(Stdio::null())
        .output()
        .expect("unshare runs");
    let namespaces = output.status.success() && root.join("fixed.rc").exists();
    assert!(
        namespaces || std::env::var_os("CI").is_none(),
        "CI must allow network namespaces (unshare --user --net --mount): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    if !namespaces {
        eprintln!("no network namespaces here: skipped, run in CI");
        return;
    }
    let read = |name: &str| std::fs::read_to_string(root.join(name)).expect("written");
    for phase in ["broken", "fixed"] {
        let json: Value = serde_json::from_str(&read(&format!("{phase}.json"))).expect("JSON");
        let from_script = script_verdicts(&read(&format!("{phase}.sh.txt")));
        assert_eq!(
            from_script,
            json_verdicts(&json),
            "{phase}: probe.sh said\n{}",
            read(&format!("{phase}.sh.txt"))
        );
        let expected = if phase == "broken" { "1\n" } else { "0\n" };
        assert_eq!(
            read(&format!("{phase}.sh.rc")),
            expected,
            "{phase}: probe.sh"
        );
        assert_eq!(
            read(&format!("{phase}.rc")),
            expected,
            "{phase}: topoc probe"
        );
    }
    let broken = script_verdicts(&read("broken.sh.txt"));
    for (peer, check, status) in [
        ("b", "tls", "ok"),
        ("c", "tls", "fail"),
        ("d", "tcp", "fail"),
        ("d", "tls", "skip"),
        ("e", "tls", "fail"),
        ("f", "name", "fail"),
        ("f", "tls", "fail"),
        ("g", "name", "skip"),
        ("g", "tls", "ok"),
    ] {
        assert!(
            broken.contains(&(peer.to_owned(), check.to_owned(), status.to_owned())),
            "{peer} {check} {status}: {broken:?}"
        );
    }
}

#[test]
fn a_seg_cluster_is_probed_by_name_and_connection_without_certificates() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(common::example("seg.toml"), dir.path().join("lab.toml")).expect("copy");
    let built = command(dir.path(), &["build", "lab.toml"])
        .env(
            "SEG_SHARED_KEY",
            "a long shared key of the email cluster, 48 chars",
        )
        .output()
        .expect("topoc runs");
    assert!(built.status.success(), "{built:?}");
    let stand_in = StandIn::start(dir.path(), "seg-2", "127.0.0.2:0", &[]);
    let down = closed_port("127.0.0.3:0");
    let args = [
        "probe",
        "lab.toml",
        "--from",
        "seg-1",
        "--format",
        "json",
        "--resolve=servername2:10.20.0.12",
        "--resolve=servername3:10.20.0.13",
        &connect_to("servername2", 9090, stand_in.address),
        &connect_to("servername3", 9090, down),
    ]
    .map(str::to_owned);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = topoc(dir.path(), &args);
    assert_eq!(output.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(verdict(&json, "seg-2", "tcp").0, "ok", "{json:#}");
    let (status, reason) = verdict(&json, "seg-2", "tls");
    assert_eq!(status, "skip");
    assert!(reason.contains("shared key"), "{reason}");
    assert_eq!(verdict(&json, "seg-3", "tcp").0, "fail", "{json:#}");
    let script = std::fs::read_to_string(dir.path().join("out/nodes/seg-1/probe.sh"))
        .expect("a probe script");
    assert!(
        script.contains("probe 'seg-3' 'servername3' '10.20.0.13' 9090 '10.20.0.13:9090' -\n"),
        "{script}"
    );
}
