use std::path::Path;

use crate::finding::level::Level;
use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;
use crate::environment::chmod_command;

declare_lint! {
    /// Others may read, write or enter the secrets directory.
    ///
    /// The secrets directory holds the cluster CA's key, every node's key and a SEG
    /// cluster's shared key. topoc makes its directories 0700 and its files 0600. A
    /// plaintext key or SEG configuration that the group or others may read (a key copied
    /// in 0644), or anything there they may write (a directory made 0777, a certificate
    /// 0666), lets anyone on the machine (a CI runner holds other jobs) read the keys or
    /// replace them. Encrypted `.age` files and certificates may be readable by all, as a
    /// git clone leaves them. topoc never changes a mode unasked: `check` and `build`
    /// report each such file, and `build` refuses to go on.
    ///
    /// Run the `chmod` the help gives, or `topoc build --fix-permissions`, which makes them
    /// 0700 and 0600.
    "secret-permissions",
    Class::Lint(Level::Deny),
    Scope::Any
}

/// How many paths the message names before it counts the rest.
const NAMED: usize = 10;

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let Some(loose) = &context.evidence.loose else {
        return;
    };
    let model = context.model;
    let mut named: Vec<String> = loose
        .entries
        .iter()
        .take(NAMED)
        .map(|entry| {
            // Paths unquoted (a finding cuts long quoted text, and these are the user's own),
            // relative to the directory.
            let relative = entry.path.strip_prefix(&loose.root).unwrap_or(&entry.path);
            let shown = if relative.as_os_str().is_empty() {
                Path::new(".")
            } else {
                relative
            };
            format!(
                "{} ({:04o}, wanted {:04o})",
                shown.display(),
                entry.mode,
                entry.wanted
            )
        })
        .collect();
    if loose.entries.len() > NAMED {
        named.push(format!("and {} more", loose.entries.len() - NAMED));
    }
    findings.push(
        Finding::new(
            &LINT,
            model.ca.span.unwrap_or(model.cluster.span),
            format!(
                "others may reach {} of the secrets directory {}: {}",
                match loose.entries.len() {
                    1 => "1 file or directory".to_owned(),
                    n => format!("{n} files or directories"),
                },
                loose.root.display(),
                named.join(", ")
            ),
        )
        .label("the keys of this cluster")
        .help(format!(
            "run: {}\n(or `topoc build --fix-permissions`)",
            chmod_command(&loose.root)
        )),
    );
}
