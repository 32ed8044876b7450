//! What a build did, or how an output drifted, for scripts: `topoc build --format json` and
//! `topoc build --check --format json`. Their schemas are in `schemas/`.

use schemars::JsonSchema;
use serde::Serialize;

use crate::write::Drift;

/// `topoc build --format json`: the output written and how it differs from the previous.
#[derive(Debug, Serialize, JsonSchema)]
pub struct BuildJson {
    /// The output directory.
    pub out: String,
    /// Every file of the new output, sorted.
    pub written: Vec<String>,
    /// The files that are new, or whose content changed.
    pub changed: Vec<String>,
    /// The files the previous output had and the new one does not.
    pub removed: Vec<String>,
    /// What the build created or re-issued in the secrets directory.
    pub secrets: Vec<String>,
}

impl BuildJson {
    /// The report of a build of `written` into `out`, which differed from the previous
    /// output by `drift`.
    pub fn new(out: &str, written: Vec<String>, drift: &[Drift], secrets: Vec<String>) -> Self {
        let mut changed = Vec::new();
        let mut removed = Vec::new();
        for difference in drift {
            match difference {
                Drift::Changed(path) | Drift::Missing(path) => changed.push(path.clone()),
                Drift::Unexpected(path) => removed.push(path.clone()),
                Drift::Reissued(..) => {}
            }
        }
        changed.sort();
        removed.sort();
        BuildJson {
            out: out.to_owned(),
            written,
            changed,
            removed,
            secrets,
        }
    }
}

/// `topoc build --check --format json`: whether the output is what a build would write.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DriftJson {
    /// The output directory.
    pub out: String,
    pub up_to_date: bool,
    /// Each file that differs, sorted by path.
    pub differences: Vec<Difference>,
}

/// One file of the output that differs from a fresh build.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Difference {
    pub path: String,
    pub kind: DifferenceKind,
    /// Why a certificate would be re-issued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DifferenceKind {
    /// The build writes other content.
    Changed,
    /// The build writes it; the output lacks it.
    Missing,
    /// The output has it; the build does not write it.
    Unexpected,
    /// A certificate a build would re-issue.
    Reissued,
}

impl DriftJson {
    pub fn new(out: &str, drift: &[Drift]) -> Self {
        let differences: Vec<Difference> = drift
            .iter()
            .map(|difference| {
                let (path, kind, reason) = match difference {
                    Drift::Changed(path) => (path, DifferenceKind::Changed, None),
                    Drift::Missing(path) => (path, DifferenceKind::Missing, None),
                    Drift::Unexpected(path) => (path, DifferenceKind::Unexpected, None),
                    Drift::Reissued(path, why) => {
                        (path, DifferenceKind::Reissued, Some(why.clone()))
                    }
                };
                Difference {
                    path: path.clone(),
                    kind,
                    reason,
                }
            })
            .collect();
        DriftJson {
            out: out.to_owned(),
            up_to_date: differences.is_empty(),
            differences,
        }
    }
}

/// The JSON Schemas of every JSON file or report topoc writes, as `(file name, schema)`;
/// committed in `schemas/`, and a test fails when one is stale.
pub fn output_schemas() -> Vec<(&'static str, String)> {
    let mut schemas: Vec<(&'static str, String)> = crate::emit::output_schemas().into();
    schemas.extend([
        (
            "build.schema.json",
            crate::emit::json(&schemars::schema_for!(BuildJson)),
        ),
        (
            "build-check.schema.json",
            crate::emit::json(&schemars::schema_for!(DriftJson)),
        ),
        (
            "graph.schema.json",
            crate::emit::json(&schemars::schema_for!(crate::emit::graph_json::GraphJson)),
        ),
    ]);
    schemas
}
