//! Reporters: a [`Report`](crate::diagnostic::Report) rendered for people or for machines.

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;
