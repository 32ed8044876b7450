//! The committed JSON Schemas of the outputs are current, and real outputs satisfy them.
//! After changing an output type, regenerate them with `UPDATE_SCHEMAS=1 cargo test --test schemas`.

use std::path::Path;

use topoc::level::LintLevels;
use topoc::source::Source;

fn schemas_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas")
}

#[test]
fn committed_output_schemas_are_current() {
    for (name, generated) in topoc::emit::output_schemas() {
        let path = schemas_dir().join(name);
        if std::env::var_os("UPDATE_SCHEMAS").is_some() {
            std::fs::write(&path, &generated).expect("schemas/ is writable");
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "schemas/{name} is stale: run `UPDATE_SCHEMAS=1 cargo test --test schemas`"
        );
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
        let result = topoc::check(&source, &LintLevels::default());
        let (model, analysis) = (
            result.model.expect("model"),
            result.analysis.expect("analysis"),
        );
        let tree = topoc::emit::compile(&model, &analysis, ("example.toml", &source.text), None)
            .expect("compiles");
        for (file, content) in tree.iter() {
            let schema = if file.ends_with("/node.json") {
                &node_schema
            } else if file == "cluster.json" {
                &cluster_schema
            } else {
                continue;
            };
            let value: serde_json::Value = serde_json::from_slice(content).expect("output is JSON");
            let errors: Vec<String> = schema.iter_errors(&value).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{}: {file}: {errors:?}", path.display());
            checked += 1;
        }
    }
    assert!(checked > 10, "only {checked} files validated");
}
