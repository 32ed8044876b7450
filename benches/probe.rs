//! How long `topoc probe` takes for a node with 100 peers: `cargo bench --bench probe`
//! builds a 101-node cluster in one network group, starts a `topoc probe --listen`
//! stand-in for each of the 100 peers on its own loopback address, and times
//! `topoc probe --from` (a name check, a TCP connection and a mutual TLS handshake per
//! peer, 64 at a time) over five runs.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PEERS: usize = 100;

fn topology() -> String {
    let mut text = String::from(
        "[cluster]\nname = \"bench\"\nversion = \"12.2.4-46412\"\nmanagement_node = \"n000\"\n\n\
         [ntp]\nservers = [\"10.0.0.1\"]\n\n[sites.lab]\nsubnet = \"10.88.0.0/16\"\n",
    );
    for index in 0..=PEERS {
        let _ = write!(
            text,
            "\n[nodes.n{index:03}]\nsite = \"lab\"\naddress = \"10.88.{}.{}\"\nfqdn = \"n{index:03}.bench.test\"\n",
            index / 200,
            index % 200 + 1
        );
    }
    text
}

/// A stand-in and the address it listens on.
fn stand_in(dir: &std::path::Path, index: usize) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_topoc"))
        .args(["probe", "t.toml", "--listen", &format!("n{index:03}")])
        .args(["--bind", &format!("127.0.1.{index}:0")])
        .current_dir(dir)
        .stdout(Stdio::piped())
        .spawn()
        .expect("topoc runs");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("a first line");
    let address = line
        .strip_prefix("listening on ")
        .and_then(|rest| rest.split(' ').next())
        .expect("a listening line")
        .to_owned();
    (child, address)
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("t.toml"), topology()).expect("write");
    let built = Command::new(env!("CARGO_BIN_EXE_topoc"))
        .args(["build", "t.toml"])
        .current_dir(dir.path())
        .output()
        .expect("topoc runs");
    assert!(built.status.success(), "{built:?}");
    let mut args: Vec<String> = ["probe", "t.toml", "--from", "n000", "--format", "json"]
        .map(String::from)
        .to_vec();
    let mut children = Vec::new();
    for index in 1..=PEERS {
        let (child, address) = stand_in(dir.path(), index);
        children.push(child);
        let name = format!("n{index:03}.bench.test");
        args.push(format!(
            "--resolve={name}:10.88.{}.{}",
            index / 200,
            index % 200 + 1
        ));
        args.push(format!("--connect-to={name}:12346:{address}"));
    }
    let mut times: Vec<Duration> = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let output = Command::new(env!("CARGO_BIN_EXE_topoc"))
            .args(&args)
            .current_dir(dir.path())
            .output()
            .expect("topoc runs");
        times.push(started.elapsed());
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        assert_eq!(json["passed"], 3 * PEERS, "every check passes: {json}");
    }
    times.sort();
    println!(
        "probe of a {PEERS}-peer node (name, TCP and TLS per peer; stand-ins on loopback): \
         median {} ms, fastest {} ms, slowest {} ms over {} runs",
        times[times.len() / 2].as_millis(),
        times[0].as_millis(),
        times[times.len() - 1].as_millis(),
        times.len()
    );
    for mut child in children {
        let _ = child.kill();
        let _ = child.wait();
    }
}
