//! `topoc report`: one self-contained page, the same for the same input, small at a
//! thousand nodes, and working in a real browser (headless Chromium): a node element per
//! node, search, a click that shows the route to the management node, the route between two
//! nodes, sites collapsed in large clusters until opened.

mod common;

use common::{example, topoc};

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

fn report(dir: &Path, topology: &str, out: &str) -> String {
    let output = topoc(dir, &["report", topology, "-o", out]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::read_to_string(dir.join(out)).expect("written")
}

/// A cluster of `nodes` nodes in sites of 20, two transit nodes a site.
fn large(nodes: usize) -> String {
    let mut text = String::from(
        "[cluster]\nname = \"large\"\nmanagement_node = \"n0\"\n[ntp]\nservers = [\"192.0.2.123\"]\n",
    );
    for site in 0..nodes.div_ceil(20) {
        let _ = writeln!(text, "[sites.s{site}]");
    }
    for node in 0..nodes {
        let _ = write!(
            text,
            "[nodes.n{node}]\nsite = \"s{}\"\naddress = \"10.0.{}.{}\"\n{}",
            node / 20,
            node / 250,
            node % 250 + 1,
            if node % 20 < 2 {
                "transit = true\n"
            } else {
                ""
            }
        );
    }
    text
}

#[test]
fn the_page_is_self_contained_deterministic_and_small() {
    let dir = tempfile::tempdir().expect("temp");
    let first = report(dir.path(), &example("larger-cluster.toml"), "a.html");
    let second = report(dir.path(), &example("larger-cluster.toml"), "b.html");
    assert_eq!(first, second, "byte-identical for the same input");
    assert!(first.starts_with("<!-- topoc report -->\n<!DOCTYPE html>"));
    for request in [
        "src=",
        "<link",
        "fetch(",
        "XMLHttpRequest",
        "import(",
        "url(",
        "@import",
    ] {
        assert!(
            !first.contains(request),
            "the page asks for nothing: `{request}`"
        );
    }
    std::fs::write(dir.path().join("large.toml"), large(1000)).expect("write");
    let page = report(dir.path(), "large.toml", "large.html");
    assert!(
        page.len() < 5_000_000,
        "{} bytes at 1,000 nodes",
        page.len()
    );
    assert!(page.contains("\"collapsed\":true"), "sites start closed");
}

#[test]
fn only_an_earlier_report_is_replaced_unasked() {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(dir.path().join("notes.html"), "<p>mine</p>").expect("write");
    let refused = topoc(
        dir.path(),
        &["report", &example("two-sites.toml"), "-o", "notes.html"],
    );
    common::assert_exit_saying(&refused, 2, "is not a topoc report");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes.html")).expect("kept"),
        "<p>mine</p>"
    );
    report(dir.path(), &example("two-sites.toml"), "r.html");
    report(dir.path(), &example("nat.toml"), "r.html");
    let forced = topoc(
        dir.path(),
        &[
            "report",
            &example("two-sites.toml"),
            "-o",
            "notes.html",
            "--force",
        ],
    );
    assert_eq!(forced.status.code(), Some(0));
}

/// The page at `file#hash` after its script ran, as headless Chromium leaves it.
fn dom(file: &Path, hash: &str) -> String {
    let profile = tempfile::tempdir().expect("profile");
    let output = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=5000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}#{hash}", file.display()))
        .output()
        .expect("chromium runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let page = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(
        page.contains("data-ready=\"true\""),
        "the script ran to its end: {page}"
    );
    page
}

/// The opening tag of every node element of `page`.
fn node_tags(page: &str) -> Vec<&str> {
    page.split("<g class=\"node")
        .skip(1)
        .filter(|rest| rest.starts_with('"') || rest.starts_with(' '))
        .map(|rest| rest.split('>').next().unwrap_or_default())
        .collect()
}

/// The text of the element `<tag id="id">` in `page`.
fn section<'p>(page: &'p str, tag: &str, id: &str) -> &'p str {
    let start = page
        .find(&format!("<{tag} id=\"{id}\""))
        .unwrap_or_else(|| panic!("#{id} in {page}"));
    let end = page[start..].find(&format!("</{tag}>")).expect("closed") + start;
    &page[start..end]
}

#[test]
fn in_chromium_every_node_is_drawn_found_clicked_and_routed() {
    if !common::client("chromium") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp");
    report(dir.path(), &example("larger-cluster.toml"), "r.html");
    let file = dir.path().join("r.html");

    let clicked = dom(&file, "click=tok-2");
    assert_eq!(node_tags(&clicked).len(), 25, "a node element per node");
    let details = section(&clicked, "section", "details");
    assert!(details.contains("<h2>tok-2</h2>"), "{details}");
    assert!(
        details.contains("route to the management node (1 hop)"),
        "{details}"
    );
    assert!(
        details.contains(">tok-1</a>"),
        "the management node on the route: {details}"
    );
    assert!(details.contains("toknet1"), "its network group: {details}");

    let found = dom(&file, "search=ny-1");
    let results = section(&found, "ul", "results");
    assert_eq!(
        results.matches("<li").count(),
        2,
        "ny-1 and ny-10: {results}"
    );

    let routed = dom(&file, "route=tok-2,ny-9");
    let details = section(&routed, "section", "details");
    assert!(details.contains("route (3 hops)"), "{details}");
    let on_route = node_tags(&routed)
        .into_iter()
        .filter(|tag| tag.contains("on-route"))
        .count();
    assert_eq!(on_route, 4, "{details}");

    assert!(section(&clicked, "section", "findings").contains("no findings"));

    // The findings list says what the lints say, each leading to its node.
    let fixture = common::root().join("tests/fixtures/resilience/err_one_transit_node.toml");
    report(
        dir.path(),
        fixture.to_str().expect("UTF-8"),
        "findings.html",
    );
    let page = dom(&dir.path().join("findings.html"), "");
    let findings = section(&page, "section", "findings");
    assert!(findings.contains("findings (1)"), "{findings}");
    assert!(
        findings.contains("<li class=\"error\"><code>resilience</code> losing node"),
        "{findings}"
    );
}

#[test]
fn in_chromium_a_thousand_nodes_start_in_closed_sites_that_open() {
    if !common::client("chromium") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(dir.path().join("large.toml"), large(1000)).expect("write");
    report(dir.path(), "large.toml", "r.html");
    let file = dir.path().join("r.html");
    let closed = dom(&file, "");
    let tags = node_tags(&closed);
    assert_eq!(tags.len(), 1000, "a node element per node");
    let hidden = tags
        .iter()
        .filter(|tag| tag.contains("display: none"))
        .count();
    assert_eq!(hidden, 1000, "every site closed");
    let opened = dom(&file, "node=n437");
    let shown = node_tags(&opened)
        .into_iter()
        .filter(|tag| !tag.contains("display: none"))
        .count();
    assert_eq!(shown, 20, "the site of n437 opened, the others closed");
    assert!(section(&opened, "section", "details").contains("<h2>n437</h2>"));
}
