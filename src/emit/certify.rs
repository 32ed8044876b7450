//! Where `compile` takes the certificates of the output from: [`Certify`], asked a node at a
//! time in node order, so that a build can make each node's material as it is written
//! (`keys::Streamed`) instead of holding every node's at once.

use super::EmitError;
use crate::model::NodeId;
use crate::pki::Certificates;

/// The certificates the output carries.
pub trait Certify {
    /// The cluster CA's certificate, PEM: every node's `ca.pem`.
    fn ca(&self) -> &str;

    /// The certificate of node `id` (named `name`), PEM, if it has one. Asked once per
    /// node, in node order.
    ///
    /// # Errors
    ///
    /// When the node's material cannot be made ([`EmitError::Key`]) or its secrets cannot
    /// be kept ([`EmitError::Sink`]); the build stops there.
    fn node(&mut self, id: NodeId, name: &str) -> Result<Option<String>, EmitError>;
}

/// Certificates already at hand (a previous output's, or material made whole).
impl Certify for Certificates<'_> {
    fn ca(&self) -> &str {
        &self.ca
    }

    fn node(&mut self, _: NodeId, name: &str) -> Result<Option<String>, EmitError> {
        Ok(self.nodes.get(name).map(ToString::to_string))
    }
}
