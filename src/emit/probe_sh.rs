//! `nodes/<node>/probe.sh`: the checks of `topoc probe --from <node>` for machines without
//! topoc. POSIX sh with `getent` and `nc`; with `openssl`, each peer's certificate verified
//! against `ca.pem` beside the script. The peers, names and addresses are those of
//! `probe::targets`, so that the script and `topoc probe` judge the same things.

use std::fmt::Write as _;
use std::net::SocketAddr;

use crate::model::{Model, NodeId};
use crate::probe::targets;
use crate::syntax::Kind;

/// The part of the script that does not depend on the node.
const FUNCTIONS: &str = r#"set -u

here=$(dirname "$0")
failed=0

if [ "$#" -gt 0 ]; then
    echo "usage: $0 (no arguments)" >&2
    exit 2
fi
for tool in getent nc; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "probe.sh: \`$tool\` is needed and not found" >&2
        exit 2
    fi
done

# report PEER CHECK RESULT TARGET DETAIL
report() {
    printf '%-16s %-5s %-5s %-32s %s\n' "$1" "$2" "$3" "$4" "$5"
    if [ "$3" = fail ]; then
        failed=1
    fi
}

# bounded COMMAND...: the command, killed after $timeout seconds where timeout(1) exists.
bounded() {
    if command -v timeout >/dev/null 2>&1; then
        timeout "$timeout" "$@"
    else
        "$@"
    fi
}

# check_name PEER NAME ADDRESS: NAME must resolve to ADDRESS here.
check_name() {
    answers=$(getent ahosts "$2" 2>/dev/null | awk '{ print $1 }' | sort -u | tr '\n' ' ')
    answers=${answers% }
    fix="add '$3 $2' to /etc/hosts (the hosts file beside this script has it)"
    case " $answers " in
        *" $3 "*) report "$1" name ok "$2" "resolves to $answers" ;;
        "  ") report "$1" name fail "$2" "does not resolve here: $fix" ;;
        *) report "$1" name fail "$2" "resolves to $answers, but this node reaches $1 at $3: $fix" ;;
    esac
}

# check_tcp PEER ADDRESS PORT SHOWN: a TCP connection; its status says whether it opened.
check_tcp() {
    if out=$(nc -z -v -w "$timeout" "$2" "$3" 2>&1); then
        report "$1" tcp ok "$4" "connected"
        return 0
    fi
    case "$out" in
        *refused*) report "$1" tcp fail "$4" "refused: nothing listens on port $3 there, or a firewall rejects the connection" ;;
        *) report "$1" tcp fail "$4" "no answer within ${timeout}s: a firewall drops the connection, or nothing has this address" ;;
    esac
    return 1
}

# check_tls PEER DIALED CONNECT VERIFY-OPTION [S_CLIENT-OPTION...]: the peer's certificate
# must chain to ca.pem and name DIALED; with node.pem and node.key beside this script, they
# are presented as the client certificate.
check_tls() {
    peer=$1 dialed=$2 connect=$3 verify=$4
    shift 4
    if ! command -v openssl >/dev/null 2>&1; then
        report "$peer" tls skip "$dialed" "openssl not found"
        return
    fi
    if [ -r "$here/node.key" ]; then
        set -- "$@" -cert "$here/node.pem" -key "$here/node.key"
    fi
    out=$(bounded openssl s_client -connect "$connect" "$verify" "$dialed" -CAfile "$here/ca.pem" "$@" </dev/null 2>&1)
    status=$?
    code=$(printf '%s\n' "$out" | sed -n 's/^ *Verify return code: \([0-9]*\) .*/\1/p' | head -n 1)
    case "$status:$out" in
        124:*) report "$peer" tls fail "$dialed" "no TLS answer within ${timeout}s: the peer accepts connections but does not speak TLS, or hangs" ;;
        *"no peer certificate available"*) report "$peer" tls fail "$dialed" "it does not speak TLS on this port" ;;
        *"local issuer"*) report "$peer" tls fail "$dialed" "its certificate was not signed by the cluster CA (ca.pem): the cluster CA was changed on one side" ;;
        *"hostname mismatch"* | *"IP address mismatch"*) report "$peer" tls fail "$dialed" "its certificate does not name $dialed: deploy the peer's new certificate" ;;
        *"certificate has expired"*) report "$peer" tls fail "$dialed" "its certificate has expired: deploy the peer's new certificate" ;;
        *)
            if [ "$code" = 0 ]; then
                report "$peer" tls ok "$dialed" "certificate from the cluster CA, valid for $dialed"
            else
                reason=$(printf '%s\n' "$out" | sed -n 's/^ *Verify return code: //p' | head -n 1)
                report "$peer" tls fail "$dialed" "openssl: ${reason:-the handshake failed}"
            fi
            ;;
    esac
}

# probe PEER DIALED ADDRESS PORT CONNECT VERIFY-OPTION [S_CLIENT-OPTION...]; VERIFY-OPTION
# `-` for a cluster that authenticates without certificates (SEG).
probe() {
    peer=$1 dialed=$2 address=$3 port=$4 connect=$5 verify=$6
    shift 6
    if [ "$dialed" = "$address" ]; then
        report "$peer" name skip "$dialed" "dialed by address: nothing to look up"
    else
        check_name "$peer" "$dialed" "$address"
    fi
    if ! check_tcp "$peer" "$address" "$port" "$connect"; then
        report "$peer" tls skip "$connect" "no connection"
    elif [ "$verify" = - ]; then
        report "$peer" tls skip "$dialed" "the cluster authenticates with its shared key, not certificates"
    else
        check_tls "$peer" "$dialed" "$connect" "$verify" "$@"
    fi
}

"#;

/// A word for the shell, in single quotes.
fn quoted(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// The probe script of node `id`. `input` names the topology file in the header.
pub fn probe_script(model: &Model, id: NodeId, input: &str) -> String {
    let node = model.node(id);
    let one_line = |text: &str| text.replace(['\n', '\r'], " ");
    let targets = targets(model, id);
    let mut text = format!(
        "#!/bin/sh\n# Generated by topoc {} from {} for node {} of cluster {}.\n\
         # Checks every peer this node must reach: the name it dials resolves to the address\n\
         # the topology says, the Central Management port answers, and (with openssl) the\n\
         # peer's certificate is from the cluster CA (ca.pem beside this script) and names what\n\
         # is dialed; with node.key beside it, node.pem is presented as the client certificate.\n\
         # Run it on the node: `sh probe.sh`. Exit status: 0 when every check passes, 1 when\n\
         # any fails, 2 when a tool it needs is missing. `topoc probe --from {}` checks the same.\n",
        env!("CARGO_PKG_VERSION"),
        one_line(input),
        node.name,
        one_line(&model.cluster.name.value),
        node.name,
    );
    let _ = writeln!(text, "timeout=5\n{FUNCTIONS}");
    for target in &targets {
        let connect = SocketAddr::new(target.address, target.port).to_string();
        let verify = if model.cluster.kind == Kind::Seg {
            "-".to_owned()
        } else if target.by_name() {
            format!("-verify_hostname -servername {}", quoted(&target.dialed))
        } else {
            "-verify_ip".to_owned()
        };
        let _ = writeln!(
            text,
            "probe {} {} {} {} {} {verify}",
            quoted(&target.peer),
            quoted(&target.dialed),
            quoted(&target.address.to_string()),
            target.port,
            quoted(&connect),
        );
    }
    let _ = writeln!(text, "\nexit \"$failed\"");
    text
}

/// The most the probe scripts of one build may take together. Each script lists every peer
/// of its node, so their size grows with the square of the largest network group: a
/// cluster whose transit group has 10,000 members would get gigabytes of them. Beyond this,
/// none is written, and `topoc probe --from NODE` checks the same.
pub const BUDGET: u64 = 256_000_000;

/// Whether the build writes the probe scripts: their size within [`BUDGET`].
pub fn written(model: &Model) -> bool {
    estimated_size(model) <= BUDGET
}

/// About how many bytes every probe script takes together, in time linear in the model:
/// the functions and header of each, and a line per peer of each node (a peer in two
/// shared groups counted twice), every line as long as the longest could be.
pub fn estimated_size(model: &Model) -> u64 {
    // `probe 'peer' 'dialed' 'address' port 'address:port' -verify_hostname -servername
    // 'dialed'`: the fixed words, quotes and port take under 64 bytes.
    const HEADER: u64 = 1024;
    const LINE: u64 = 64;
    let nodes = model.nodes.len() as u64;
    let longest = |length: &dyn Fn(&crate::model::Node) -> usize| {
        model.nodes.iter().map(length).max().unwrap_or(0) as u64
    };
    let longest_name = longest(&|n| n.name.len());
    let longest_address = longest(&|n| {
        n.address.value.to_string().len().max(
            n.nat_address
                .as_ref()
                .map_or(0, |nat| nat.value.to_string().len()),
        )
    });
    let longest_dialed =
        longest(&|n| n.fqdn.as_ref().map_or(0, |fqdn| fqdn.value.len())).max(longest_address);
    let line = LINE + longest_name + 2 * longest_dialed + 2 * longest_address;
    let lines: u64 = match model.cluster.kind {
        Kind::Seg => nodes.saturating_mul(nodes.saturating_sub(1)),
        Kind::Swg => model
            .network_groups
            .iter()
            .map(|group| {
                let members = group.members.len() as u64;
                members.saturating_mul(members.saturating_sub(1))
            })
            .fold(0, u64::saturating_add),
    };
    let fixed = HEADER + FUNCTIONS.len() as u64 + 2 * model.cluster.name.value.len() as u64;
    nodes
        .saturating_mul(fixed)
        .saturating_add(lines.saturating_mul(line))
}
