//! The committed JSON Schemas of the outputs are current, and real outputs satisfy them.
//! After changing an output type, regenerate them with `UPDATE_SCHEMAS=1 cargo test --test schemas`.

mod common;

use std::path::Path;

use topoc::analysis::routes::RouteExtent;
use topoc::source::Source;

fn schemas_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas")
}

/// Asserts the committed file at `path` is `generated` (with `UPDATE_SCHEMAS` set, makes
/// it so first); returns its text.
fn assert_current(path: &Path, generated: &str) -> String {
    if std::env::var_os("UPDATE_SCHEMAS").is_some() {
        std::fs::write(path, generated).expect("the repository is writable");
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is stale: run `UPDATE_SCHEMAS=1 cargo test --test schemas`",
        path.display()
    );
    committed
}

#[test]
fn committed_output_schemas_are_current() {
    for (name, generated) in topoc::report::build::output_schemas() {
        assert_current(&schemas_dir().join(name), &generated);
    }
}

#[test]
fn every_example_build_satisfies_the_schemas() {
    let validator = |name: &str| {
        let text = std::fs::read_to_string(schemas_dir().join(name)).expect("schema exists");
        let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
        jsonschema::validator_for(&schema).expect("schema compiles")
    };
    let (node_schema, cluster_schema) = (
        validator("node.schema.json"),
        validator("cluster.schema.json"),
    );
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut checked = 0;
    for entry in std::fs::read_dir(examples).expect("examples") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("readable");
        let source = Source::new(path.display().to_string(), text);
        for routes in [RouteExtent::FromManagementNode, RouteExtent::AllPairs] {
            let options = topoc::emit::Options { routes };
            let tree = common::preview(&source, "example.toml", options);
            for (file, content) in tree.iter() {
                let schema = if file.ends_with("/node.json") {
                    &node_schema
                } else if file == "cluster.json" {
                    &cluster_schema
                } else {
                    continue;
                };
                let value: serde_json::Value =
                    serde_json::from_slice(content).expect("output is JSON");
                let errors: Vec<String> =
                    schema.iter_errors(&value).map(|e| e.to_string()).collect();
                assert!(errors.is_empty(), "{}: {file}: {errors:?}", path.display());
                checked += 1;
            }
        }
    }
    assert!(checked > 10, "only {checked} files validated");
}

#[test]
fn the_committed_topology_schema_is_current() {
    let generated = topoc::emit::schema::topology();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(topoc::emit::schema::FILE);
    if std::env::var_os("UPDATE_SCHEMAS").is_some() {
        std::fs::write(&path, &generated).expect("schemas/ is writable");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is stale: run `UPDATE_SCHEMAS=1 cargo test --test schemas`",
        topoc::emit::schema::FILE
    );
    let schema: serde_json::Value = serde_json::from_str(&generated).expect("JSON");
    assert_eq!(
        schema["$schema"], "http://json-schema.org/draft-07/schema#",
        "Taplo reads draft-07"
    );
    assert_eq!(schema["additionalProperties"], false);
    for definition in [
        "Cluster", "Node", "Site", "Settings", "Updates", "Ca", "Ntp",
    ] {
        let definition = &schema["definitions"][definition];
        assert_eq!(definition["additionalProperties"], false);
        for (key, property) in definition["properties"].as_object().expect("properties") {
            assert!(
                property["description"].is_string(),
                "`{key}` has no description"
            );
        }
    }
    assert_eq!(
        schema["definitions"]["Kind"]["enum"],
        serde_json::json!(["swg", "seg"])
    );
}

fn topology_validator() -> jsonschema::Validator {
    let text = topoc::emit::schema::topology();
    let schema: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

fn as_json(toml_text: &str) -> serde_json::Value {
    let value: toml::Value = toml::from_str(toml_text).expect("TOML");
    serde_json::to_value(value).expect("JSON")
}

const MISSPELT: &str =
    "[cluster]\nname = \"x\"\n\n[sites.a]\n\n[nodes.n1]\nsite = \"a\"\nadress = \"10.0.0.1\"\n";

#[test]
fn every_example_names_and_satisfies_the_schema_and_a_typo_does_not() {
    let validator = topology_validator();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    for entry in std::fs::read_dir(examples).expect("examples") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("readable");
        assert_eq!(
            text.lines().next(),
            Some("#:schema ../schemas/topology.schema.json"),
            "{} should start with its #:schema line",
            path.display()
        );
        let errors: Vec<String> = validator
            .iter_errors(&as_json(&text))
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
    }
    assert!(
        !validator.is_valid(&as_json(MISSPELT)),
        "an unknown key fails the schema"
    );
}

#[test]
fn taplo_validates_every_example_and_rejects_a_misspelt_key() {
    if !common::client("taplo") {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema = format!("file://{}", root.join(topoc::emit::schema::FILE).display());
    let lint = |file: &Path| {
        std::process::Command::new("taplo")
            .args(["lint", "--no-auto-config", "--schema", &schema])
            .arg(file)
            .output()
            .expect("taplo runs")
    };
    for entry in std::fs::read_dir(root.join("examples")).expect("examples") {
        let path = entry.expect("entry").path();
        let output = lint(&path);
        assert!(
            output.status.success(),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let dir = tempfile::tempdir().expect("temp");
    let typo = dir.path().join("typo.toml");
    std::fs::write(&typo, MISSPELT).expect("write");
    let output = lint(&typo);
    assert!(!output.status.success(), "taplo must reject `adress`");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("adress"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn init_writes_a_topology_taplo_finds_formatted_and_valid() {
    if !common::client("taplo") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let init = common::topoc(dir.path(), &["init", "starter"]);
    assert!(init.status.success(), "{init:?}");
    for args in [
        vec!["fmt", "--check", "topology.toml"],
        vec!["lint", "topology.toml"],
    ] {
        let output = std::process::Command::new("taplo")
            .args(&args)
            .current_dir(dir.path().join("starter"))
            .output()
            .expect("taplo runs");
        assert!(
            output.status.success(),
            "taplo {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// The two-sites example with `from` replaced by `to`, for the schema's bounds.
fn example_with(from: &str, to: &str) -> String {
    let text = std::fs::read_to_string(common::example("two-sites.toml")).expect("example");
    assert!(text.contains(from), "the example has `{from}`");
    text.replacen(from, to, 1)
}

#[test]
fn taplo_and_check_jsonschema_hold_addresses_ports_durations_and_versions_to_their_forms() {
    if !common::client("taplo") || !common::client("check-jsonschema") {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema_path = root.join(topoc::emit::schema::FILE);
    let schema = format!("file://{}", schema_path.display());
    let dir = tempfile::tempdir().expect("temp");
    let cases = [
        ("good.toml", example_with("", ""), true),
        (
            "address.toml",
            example_with("address = \"10.1.0.11\"", "address = \"10.1.0.300\""),
            false,
        ),
        (
            "port.toml",
            example_with("[cluster]\n", "[cluster]\nport = 70000\n"),
            false,
        ),
        (
            "subnet.toml",
            example_with("subnet = \"10.1.0.0/24\"", "subnet = \"10.1.0.0/33\""),
            false,
        ),
        (
            "duration.toml",
            example_with(
                "distribution_timeout = \"10s\"",
                "distribution_timeout = \"soon\"",
            ),
            false,
        ),
        (
            "version.toml",
            example_with("version = \"12.2.4-46412\"", "version = \"12.2\""),
            false,
        ),
        (
            "ipv6.toml",
            example_with("address = \"10.1.0.11\"", "address = \"2001:db8::11\""),
            true,
        ),
    ];
    for (name, text, valid) in cases {
        let file = dir.path().join(name);
        std::fs::write(&file, text).expect("write");
        let taplo = std::process::Command::new("taplo")
            .args(["lint", "--no-auto-config", "--schema", &schema])
            .arg(&file)
            .output()
            .expect("taplo runs");
        assert_eq!(
            taplo.status.success(),
            valid,
            "taplo on {name}: {}",
            String::from_utf8_lossy(&taplo.stderr)
        );
        let checked = std::process::Command::new("check-jsonschema")
            .arg("--schemafile")
            .arg(&schema_path)
            .arg(&file)
            .output()
            .expect("check-jsonschema runs");
        assert_eq!(
            checked.status.success(),
            valid,
            "check-jsonschema on {name}: {}",
            String::from_utf8_lossy(&checked.stdout)
        );
    }
}

/// The validator of `schemas/<name>`.
fn output_validator(name: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(schemas_dir().join(name)).expect("schema exists");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

/// Asserts `output` is JSON that `schema` accepts; returns it.
fn valid_json(output: &std::process::Output, schema: &str) -> serde_json::Value {
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{schema}: not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    let errors: Vec<String> = output_validator(schema)
        .iter_errors(&value)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{schema}: {errors:?}");
    value
}

#[test]
fn build_and_graph_json_satisfy_their_schemas() {
    let dir = tempfile::tempdir().expect("temp");
    let root = dir.path();
    std::fs::copy(common::example("two-sites.toml"), root.join("t.toml")).expect("copy");
    let first = valid_json(
        &common::topoc(root, &["build", "t.toml", "--format", "json"]),
        "build.schema.json",
    );
    let written = first["written"].as_array().expect("written").len();
    assert_eq!(
        first["changed"].as_array().map(Vec::len),
        Some(written),
        "all new"
    );
    assert!(first["secrets"].as_array().is_some_and(|s| !s.is_empty()));
    // A file left over from an older build is reported removed.
    std::fs::write(root.join("out/nodes/tok-1/routes"), "stale\n").expect("write");
    let drifted = common::topoc(root, &["build", "t.toml", "--check", "--format", "json"]);
    assert_eq!(drifted.status.code(), Some(1));
    let drift = valid_json(&drifted, "build-check.schema.json");
    assert_eq!(drift["up_to_date"], false);
    assert!(
        drift["differences"]
            .as_array()
            .expect("differences")
            .iter()
            .any(|d| d["path"] == "nodes/tok-1/routes" && d["kind"] == "unexpected"),
        "{drift:#}"
    );
    let second = valid_json(
        &common::topoc(root, &["build", "t.toml", "--format", "json", "--force"]),
        "build.schema.json",
    );
    assert_eq!(second["removed"], serde_json::json!(["nodes/tok-1/routes"]));
    assert_eq!(second["changed"], serde_json::json!([]));
    let clean = valid_json(
        &common::topoc(root, &["build", "t.toml", "--check", "--format", "json"]),
        "build-check.schema.json",
    );
    assert_eq!(clean["up_to_date"], true);

    let graph = valid_json(
        &common::topoc(
            root,
            &[
                "graph",
                "t.toml",
                "--format",
                "json",
                "--highlight-route",
                "tok-2",
                "ny-2",
            ],
        ),
        "graph.schema.json",
    );
    assert_eq!(graph["nodes"].as_array().map(Vec::len), Some(4));
    let memberships: usize = graph["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| g["members"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(
        graph["edges"].as_array().map(Vec::len),
        Some(memberships),
        "an edge per membership"
    );
    let on_route: Vec<&str> = graph["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter(|n| n["on_route"] == true)
        .filter_map(|n| n["name"].as_str())
        .collect();
    assert_eq!(on_route, ["ny-1", "ny-2", "tok-1", "tok-2"]);
}

#[test]
fn the_committed_lints_document_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(topoc::report::explain::LINTS_DOCUMENT);
    let committed = assert_current(&path, &topoc::report::explain::document());
    for lint in topoc::lint::all() {
        assert!(
            committed.contains(&format!("\n## {}\n", lint.code)),
            "{}",
            lint.code
        );
    }
}
