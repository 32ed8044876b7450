//! Findings, below every stage: what a code is ([`Lint`]: its name, class, scope and
//! explanation), a located [`Finding`], lint [`level`]s, and the graded [`diagnostic`]
//! report. `parse` and `resolve` raise the front-end [`codes`] through their constructors;
//! the checks of [`lint`](crate::lint) raise the others. This module depends on nothing but
//! `source` and `suggest`, so every stage may use it.

pub mod codes;
pub mod diagnostic;
pub mod level;

use crate::source::Span;
use level::Level;

/// One finding code.
#[derive(Debug)]
pub struct Lint {
    /// The stable kebab-case code, such as `unreachable-nodes`.
    pub code: &'static str,
    pub class: Class,
    /// The kinds of cluster the code applies to.
    pub scope: Scope,
    /// The doc comment of the declaration, one line per doc line.
    pub explanation: &'static str,
}

/// Whether a code is a hard error or a lint with a default level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Never configurable: the appliances reject such a topology or it cannot be compiled.
    Hard,
    /// A practice the vendor recommends; its level can be set with `[lints]` or `-A/-W/-D`.
    Lint(Level),
}

/// The kinds of cluster a code applies to. Network, update and runtime groups, priorities
/// and CM settings exist only in Secure Web Gateway Central Management.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Any,
    /// Secure Web Gateway clusters only.
    Swg,
    /// Secure Email Gateway clusters only.
    Seg,
}

impl Lint {
    pub fn is_hard(&self) -> bool {
        self.class == Class::Hard
    }

    /// The level this code has when nothing configures it.
    pub fn default_level(&self) -> Level {
        match self.class {
            Class::Hard => Level::Deny,
            Class::Lint(level) => level,
        }
    }

    /// The explanation as prose: doc comments carry one leading space per line.
    pub fn explanation(&self) -> String {
        self.explanation
            .lines()
            .map(|line| line.strip_prefix(' ').unwrap_or(line))
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_owned()
    }
}

/// Declares the code of the file it stands in as `LINT`:
/// `declare_lint! { /// explanation… "code", class, scope }`.
macro_rules! declare_lint {
    ($(#[doc = $doc:literal])* $code:literal, $class:expr, $scope:expr) => {
        $(#[doc = $doc])*
        pub static LINT: $crate::finding::Lint = $crate::finding::Lint {
            code: $code,
            class: $class,
            scope: $scope,
            explanation: concat!($($doc, "\n"),*),
        };
    };
}
pub(crate) use declare_lint;

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

/// Longest text a finding quotes in backticks before it is cut with `…`: one more than the
/// longest name (a DNS label), so every valid name is quoted whole, and text from the input,
/// however long, stays a few dozen characters in every format.
pub const LONGEST_QUOTED: usize = 64;

/// `text` with every backticked part longer than [`LONGEST_QUOTED`] characters cut with `…`.
/// Every message, label and help of a finding passes through here when it is made.
fn capped(text: String) -> String {
    let too_long = text.split('`').skip(1).step_by(2).any(|quoted| {
        quoted.len() > LONGEST_QUOTED && quoted.chars().nth(LONGEST_QUOTED).is_some()
    });
    if !too_long {
        return text;
    }
    let mut out = String::with_capacity(text.len().min(1024));
    for (index, part) in text.split('`').enumerate() {
        if index > 0 {
            out.push('`');
        }
        if index % 2 == 1 && part.chars().nth(LONGEST_QUOTED).is_some() {
            out.extend(part.chars().take(LONGEST_QUOTED));
            out.push('…');
        } else {
            out.push_str(part);
        }
    }
    out
}

impl Finding {
    pub fn new(lint: &'static Lint, span: Span, message: impl Into<String>) -> Self {
        Self {
            lint,
            message: capped(message.into()),
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
        self.label = Some(capped(label.into()));
        self
    }

    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(capped(help.into()));
        self
    }

    #[must_use]
    pub fn help_opt(mut self, help: Option<String>) -> Self {
        self.help = help.map(capped);
        self
    }

    #[must_use]
    pub fn related(mut self, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Related {
            span,
            message: capped(message.into()),
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

/// A count and its noun, singular for one: `1 node`, `2 nodes` (the plural adds `s`).
pub fn plural(count: impl Into<u64>, noun: &str) -> String {
    let count = count.into();
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// Names in backticks, separated by commas, as messages list them: `` `a`, `b` ``.
pub fn quoted<T: std::fmt::Display>(names: impl IntoIterator<Item = T>) -> String {
    names
        .into_iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
