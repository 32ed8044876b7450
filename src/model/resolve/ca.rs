//! `[ca]`: the cluster CA's name, algorithm, validity, or the files of a CA of one's own.

use serde_spanned::Spanned;

use super::defaults::{CA_VALIDITY_DAYS, NODE_VALIDITY_DAYS, ca_common_name};
use super::{Reported, Resolver, non_empty};
use crate::finding::codes::invalid_value;
use crate::model::values;
use crate::model::{CaSettings, Cluster, Located};
use crate::syntax::{self, Entry};

/// A CA of one's own: the certificate file and the key file.
type CaFiles = (Located<String>, Located<String>);

impl Resolver {
    pub(super) fn ca(
        &mut self,
        entry: Option<&Entry<syntax::Ca>>,
        cluster: Option<&Cluster>,
    ) -> Option<CaSettings> {
        let default_name = cluster.map_or_else(String::new, |c| ca_common_name(&c.name.value));
        let Some(entry) = entry else {
            return Some(CaSettings {
                common_name: default_name,
                algorithm: syntax::Algorithm::default(),
                validity_days: CA_VALIDITY_DAYS,
                node_validity_days: NODE_VALIDITY_DAYS,
                span: None,
                external: None,
            });
        };
        let syntax = &entry.value;
        let common_name =
            self.optional_value(syntax.common_name.as_ref(), "common_name", non_empty);
        let days = |resolver: &mut Self, value: Option<&Spanned<i64>>, key: &str, default: u32| {
            value.map_or(Ok(Located::new(default, entry.key_span())), |days| {
                resolver.number(days, key, values::validity_days)
            })
        };
        let validity = days(
            self,
            syntax.validity_days.as_ref(),
            "validity_days",
            CA_VALIDITY_DAYS,
        );
        let node_validity = days(
            self,
            syntax.node_validity_days.as_ref(),
            "node_validity_days",
            NODE_VALIDITY_DAYS,
        );
        if let (Ok(ca), Ok(node)) = (&validity, &node_validity)
            && node.value > ca.value
        {
            self.findings.push(
                invalid_value::finding(
                    node.span,
                    "node_validity_days",
                    format!(
                        "node certificates cannot outlive the CA ({} > {} days)",
                        node.value, ca.value
                    ),
                )
                .related(ca.span, "the CA's validity"),
            );
            return None;
        }
        let external = self.external_ca(syntax).ok()?;
        Some(CaSettings {
            span: Some(entry.key_span()),
            external,
            common_name: common_name.ok()?.map_or(default_name, |cn| cn.value),
            algorithm: syntax
                .algorithm
                .as_ref()
                .map_or_else(Default::default, |a| *a.get_ref()),
            validity_days: validity.ok()?.value,
            node_validity_days: node_validity.ok()?.value,
        })
    }

    /// The files of a CA of one's own, when `[ca]` names both.
    fn external_ca(&mut self, syntax: &syntax::Ca) -> Result<Option<CaFiles>, Reported> {
        match (&syntax.cert, &syntax.key) {
            (Some(cert), Some(key)) => Ok(Some((
                self.value(cert, "cert", non_empty)?,
                self.value(key, "key", non_empty)?,
            ))),
            (None, None) => Ok(None),
            (Some(given), None) | (None, Some(given)) => {
                let missing = if syntax.cert.is_some() { "key" } else { "cert" };
                Err(self.report(
                    invalid_value::finding(
                        given.span().into(),
                        if missing == "key" { "cert" } else { "key" },
                        format!(
                            "an existing CA needs both `cert` and `key`; `{missing}` is missing"
                        ),
                    )
                    .help(format!("add `{missing} = \"…\"` to `[ca]`")),
                ))
            }
        }
    }
}
