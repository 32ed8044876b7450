//! `[secrets]`: the age recipients the secrets are encrypted to.

use super::{Resolver, non_empty};
use crate::model::{Located, Sealing};
use crate::seal;
use crate::syntax::{self, Entry};

impl Resolver {
    pub(super) fn sealing(&mut self, entry: Option<&Entry<syntax::SecretsTable>>) -> Sealing {
        let Some(entry) = entry else {
            return Sealing::default();
        };
        let syntax = &entry.value;
        let recipients: Vec<Located<String>> = syntax
            .recipients
            .as_ref()
            .map(|list| {
                list.get_ref()
                    .iter()
                    .filter_map(|text| {
                        self.value(text, "recipients", |text| {
                            seal::recipient(text).map(|_| text.trim().to_owned())
                        })
                        .ok()
                    })
                    .collect()
            })
            .unwrap_or_default();
        let recipients_file = self
            .optional_value(
                syntax.recipients_file.as_ref(),
                "recipients_file",
                non_empty,
            )
            .ok()
            .flatten();
        Sealing {
            recipients,
            recipients_file,
            span: Some(entry.key_span()),
        }
    }
}
