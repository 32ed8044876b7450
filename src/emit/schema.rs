//! The JSON Schema of the topology file, for editors (Taplo, Even Better TOML), generated
//! from the `syntax` types. Draft-07, the newest draft Taplo reads.

use serde_json::{Value, json};

use crate::syntax::Topology;

/// Where the schema lives in the repository, as examples name it in their `#:schema` line.
pub const FILE: &str = "schemas/topology.schema.json";

/// The names of sites and nodes: DNS labels.
const NAME_PATTERN: &str = "^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$";

/// The schema as pretty JSON, with a final newline.
///
/// # Panics
///
/// Never: a generated schema is plain JSON.
pub fn topology() -> String {
    let schema = schemars::generate::SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<Topology>();
    let mut value = serde_json::to_value(&schema).expect("a schema is JSON");
    value["title"] = json!("topoc topology");
    if let Some(properties) = value.get_mut("properties") {
        for section in ["sites", "nodes"] {
            properties[section]["propertyNames"] = json!({ "pattern": NAME_PATTERN });
        }
        let codes: Vec<&str> = crate::lint::configurable_codes();
        properties["lints"]["propertyNames"] = json!({ "enum": codes });
    }
    let mut text =
        serde_json::to_string_pretty(&sorted(without_null(value))).expect("a schema is JSON");
    text.push('\n');
    text
}

/// TOML has no null: an optional key is absent, never null, so null alternatives go.
fn without_null(value: Value) -> Value {
    match value {
        Value::Object(mut map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let single = types.remove(0);
                    map.insert("type".to_owned(), single);
                }
            }
            if let Some(Value::Array(options)) = map.get_mut("anyOf") {
                options.retain(|o| o.get("type").is_none_or(|t| t != "null"));
                if options.len() == 1
                    && let Some(Value::Object(only)) = options.pop()
                {
                    map.remove("anyOf");
                    map.extend(only);
                }
            }
            Value::Object(map.into_iter().map(|(k, v)| (k, without_null(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(without_null).collect()),
        other => other,
    }
}

/// `value` with its object keys in a stable order, whatever the map type.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}
