//! Reporters: a [`Report`](crate::finding::diagnostic::Report) rendered for people or for machines.

pub mod build;
pub mod explain;
pub mod fingerprint;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod printable;
pub mod sarif;
pub mod summary;
