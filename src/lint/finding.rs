//! A finding: what a check reports, located in the source.

use crate::lint::Lint;
use crate::source::Span;

/// One problem or observation, before lint levels decide whether and how it is reported.
#[derive(Debug, Clone)]
pub struct Finding {
    pub lint: &'static Lint,
    pub message: String,
    /// The place that must change.
    pub span: Span,
    /// What the primary label says at `span`, if more than the message.
    pub label: Option<String>,
    pub help: Option<String>,
    /// Other places involved.
    pub related: Vec<Related>,
    pub nodes: Vec<String>,
    pub groups: Vec<String>,
    pub sites: Vec<String>,
}

/// A secondary label: another place the finding involves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

impl Finding {
    pub fn new(lint: &'static Lint, span: Span, message: impl Into<String>) -> Self {
        Self {
            lint,
            message: message.into(),
            span,
            label: None,
            help: None,
            related: Vec::new(),
            nodes: Vec::new(),
            groups: Vec::new(),
            sites: Vec::new(),
        }
    }

    #[must_use]
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn help_opt(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    #[must_use]
    pub fn related(mut self, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Related {
            span,
            message: message.into(),
        });
        self
    }

    #[must_use]
    pub fn nodes<S: Into<String>>(mut self, nodes: impl IntoIterator<Item = S>) -> Self {
        self.nodes.extend(nodes.into_iter().map(Into::into));
        self
    }

    #[must_use]
    pub fn groups<S: Into<String>>(mut self, groups: impl IntoIterator<Item = S>) -> Self {
        self.groups.extend(groups.into_iter().map(Into::into));
        self
    }

    #[must_use]
    pub fn sites<S: Into<String>>(mut self, sites: impl IntoIterator<Item = S>) -> Self {
        self.sites.extend(sites.into_iter().map(Into::into));
        self
    }
}

/// Where in the file a finding is, in words: "node `tok-1`", or a section such as
/// "`[cluster]`". Formatted only when a finding needs it.
#[derive(Debug, Clone, Copy)]
pub enum Place<'a> {
    TopLevel,
    Section(&'a str),
    Named { what: &'a str, name: &'a str },
    Nested { key: &'a str, within: &'a Place<'a> },
}

impl std::fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::TopLevel => f.write_str("the top level"),
            Place::Section(section) => write!(f, "`[{section}]`"),
            Place::Named { what, name } => write!(f, "{what} `{name}`"),
            Place::Nested { key, within } => write!(f, "`{key}` of {within}"),
        }
    }
}
