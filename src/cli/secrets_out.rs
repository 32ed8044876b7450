//! The sink a build's secrets go to: a batch of the secrets directory, started once the
//! model names its recipients, taking files from the thread that makes the keys.

use std::path::Path;
use std::sync::{Mutex, PoisonError};

use topoc::emit;
use topoc::model::Model;
use topoc::secrets::{Batch, Secrets};

use super::common::recipients;
use super::error::Error;

/// Where a build's secrets go: a batch of the secrets directory, encrypted for the
/// topology's recipients (known once the build has its model).
pub(super) struct SecretsOut<'a> {
    pub(super) secrets: &'a Secrets,
    pub(super) file: &'a Path,
    /// The batch, and whether it encrypts.
    pub(super) batch: Option<(Mutex<Batch>, bool)>,
    /// Why the batch could not start, as the command line says it.
    pub(super) failed: Option<Error>,
}

impl SecretsOut<'_> {
    /// The batch the build wrote its secrets into, and whether it encrypts.
    pub(super) fn take(&mut self) -> Option<(Batch, bool)> {
        let (batch, sealed) = self.batch.take()?;
        // A poisoned lock means a thread panicked, and the panic reached the caller.
        let batch = batch.into_inner().unwrap_or_else(PoisonError::into_inner);
        Some((batch, sealed))
    }
}

impl emit::Sink for SecretsOut<'_> {
    fn begin(&mut self, model: &Model) -> Result<(), emit::SinkError> {
        let started = recipients(model, self.file).and_then(|recipients| {
            let sealed = recipients.is_some();
            let batch = self.secrets.clone().sealed_for(recipients).batch()?;
            Ok((Mutex::new(batch), sealed))
        });
        match started {
            Ok(batch) => {
                self.batch = Some(batch);
                Ok(())
            }
            Err(error) => {
                let message = error.to_string();
                self.failed = Some(error);
                Err(message.into())
            }
        }
    }

    fn file(&self, path: &str, produce: emit::sink::Produce<'_>) -> Result<(), emit::SinkError> {
        match self.batch.as_ref() {
            Some((batch, _)) => batch.file(path, produce),
            None => Err("the secrets were handed over before the build began".into()),
        }
    }
}
