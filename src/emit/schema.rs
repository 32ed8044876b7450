//! The JSON Schema of the topology file, for editors (Taplo, Even Better TOML), generated
//! from the `syntax` types. Draft-07, the newest draft Taplo reads.

use serde_json::{Value, json};

use crate::syntax::Topology;

/// Where the schema lives in the repository, as examples name it in their `#:schema` line.
pub const FILE: &str = "schemas/topology.schema.json";

/// The names of sites and nodes: DNS labels.
const NAME_PATTERN: &str = "^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$";

/// An IPv4 address (four numbers 0 to 255), or an IPv6 one (hex digits and colons, perhaps
/// an IPv4 tail): what editors can tell at a glance; `check` reads it exactly.
const IP_PATTERN: &str = "^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$|^[0-9A-Fa-f]{0,4}(:[0-9A-Fa-f]{0,4}){2,7}(:((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9]))?$";

/// An IPv4 subnet (`/0` to `/32`) or an IPv6 one (`/0` to `/128`).
const CIDR_PATTERN: &str = "^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])/(3[0-2]|[12]?[0-9])$|^[0-9A-Fa-f]{0,4}(:[0-9A-Fa-f]{0,4}){2,7}/(12[0-8]|1[01][0-9]|[1-9]?[0-9])$";

/// A duration as the settings take it: numbers with units, such as `10s`, `2m` or `1m 30s`.
const DURATION_PATTERN: &str = "^\\s*([0-9]+\\s*(ns|us|ms|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days)\\s*)+$";

/// An appliance version: three numbers, and a build after a hyphen where given.
const VERSION_PATTERN: &str = "^[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9]+)?$";

/// A host name of DNS labels, without a trailing dot.
const FQDN_PATTERN: &str = "^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$";

/// What the generated schema cannot say by itself, by definition and property: the forms
/// of addresses, subnets, durations, versions and names, and the bounds of numbers.
fn constraints() -> Vec<(&'static str, &'static str, Value)> {
    let ip = json!({ "pattern": IP_PATTERN });
    let port = json!({ "minimum": 1, "maximum": 65535 });
    let at_least_one = json!({ "minimum": 1, "maximum": u32::MAX });
    let validity = json!({ "minimum": 1, "maximum": crate::model::values::MAX_VALIDITY_DAYS });
    let duration = json!({ "pattern": DURATION_PATTERN });
    let version = json!({ "pattern": VERSION_PATTERN });
    vec![
        ("Node", "address", ip.clone()),
        ("Node", "nat_address", ip.clone()),
        ("Node", "route_via", ip.clone()),
        ("Site", "route_via", ip),
        ("Site", "subnet", json!({ "pattern": CIDR_PATTERN })),
        (
            "Node",
            "fqdn",
            json!({ "pattern": FQDN_PATTERN, "maxLength": 253 }),
        ),
        ("Cluster", "port", port.clone()),
        ("Node", "port", port),
        ("Cluster", "version", version.clone()),
        ("Node", "version", version),
        ("Settings", "distribution_timeout", duration.clone()),
        ("Settings", "allowed_time_difference", duration),
        (
            "Settings",
            "distribution_timeout_multiplier",
            at_least_one.clone(),
        ),
        ("Ca", "validity_days", validity.clone()),
        ("Ca", "node_validity_days", validity),
        ("Cluster", "transit_fanout_limit", at_least_one.clone()),
        ("Cluster", "max_route_hops", at_least_one),
        (
            "Node",
            "priority",
            json!({ "minimum": 0, "maximum": u32::MAX }),
        ),
    ]
}

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
    value["description"] = json!(
        "A gateway cluster described for topoc: sites, nodes, their groups, the cluster CA and Central Management settings. `topoc check` reads it; this schema lets editors check it as you type."
    );
    for (definition, property, extra) in constraints() {
        if let (Some(target), Value::Object(extra)) = (
            value
                .get_mut("definitions")
                .and_then(|d| d.get_mut(definition))
                .and_then(|d| d.get_mut("properties"))
                .and_then(|p| p.get_mut(property)),
            extra,
        ) && let Value::Object(target) = target
        {
            target.extend(extra);
        }
    }
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
