//! `topoc diff` for people: plain text, or Markdown for a pull-request comment.

use std::fmt::Write as _;

use super::diff::{Diff, Style};
use crate::finding::plural;

impl Diff {
    /// The diff for people: plain text, or Markdown for a pull-request comment.
    pub fn render(&self, style: Style) -> String {
        let markdown = style == Style::Markdown;
        let mut out = Text {
            text: String::new(),
            markdown,
        };
        if markdown {
            out.text.push_str("## topoc diff\n");
        }
        if self.is_empty() {
            out.text.push_str("no change\n");
            return out.text;
        }
        let lists: [(&str, &Vec<String>); 6] = [
            ("Nodes added", &self.nodes_added),
            ("Nodes removed", &self.nodes_removed),
            ("Became transit nodes", &self.became_transit),
            ("No longer transit nodes", &self.stopped_transit),
            ("New findings", &self.new_findings),
            ("Fixed findings", &self.fixed_findings),
        ];
        for (title, list) in lists.into_iter().filter(|(_, list)| !list.is_empty()) {
            out.heading(title);
            for entry in list {
                out.item(&format!("`{entry}`"));
            }
        }
        if !self.nodes_changed.is_empty() {
            out.heading("Nodes changed");
            for change in &self.nodes_changed {
                out.item(&format!("`{}`: {}", change.node, change.changed.join(", ")));
            }
        }
        if !self.groups.is_empty() {
            out.heading("Network group membership");
            for group in &self.groups {
                let mut text = format!("`{}`:", group.group);
                if !group.joined.is_empty() {
                    let _ = write!(text, " joined {}", group.joined.join(", "));
                }
                if !group.left.is_empty() {
                    let _ = write!(text, " left {}", group.left.join(", "));
                }
                out.item(&text);
            }
        }
        self.render_routes(&mut out);
        if !self.consequences.is_empty() {
            out.heading("What to do");
            for consequence in &self.consequences {
                out.item(consequence);
            }
        }
        self.render_reapply(&mut out);
        out.text
    }

    fn render_routes(&self, out: &mut Text) {
        if self.routes_changed.is_empty() {
            return;
        }
        out.heading(&match &self.routes_from {
            Some(origin) => format!(
                "Routes from `{origin}` changed ({}; `--all-pairs` compares every pair)",
                plural(self.routes_changed.len() as u64, "node")
            ),
            None => format!(
                "Routes changed ({})",
                plural(self.routes_changed.len() as u64, "pair")
            ),
        });
        let show = |route: &Option<Vec<String>>| {
            route
                .as_ref()
                .map_or_else(|| "unreachable".to_owned(), |r| r.join(" → "))
        };
        for change in self.routes_changed.iter().take(20) {
            out.item(&format!(
                "`{}` → `{}`: {} ⇒ {}",
                change.from,
                change.to,
                show(&change.before),
                show(&change.after)
            ));
        }
        if self.routes_changed.len() > 20 {
            out.item(&format!(
                "… and {} more (`--format json` lists all)",
                self.routes_changed.len() - 20
            ));
        }
    }

    fn render_reapply(&self, out: &mut Text) {
        out.heading("Re-apply, in this order");
        let steps: Vec<String> = self
            .reapply
            .iter()
            .map(|node| format!("`{node}`"))
            .collect();
        if steps.is_empty() {
            out.item("no node's files change");
        }
        for (index, step) in steps.iter().enumerate() {
            let indent = if out.markdown { "" } else { "  " };
            let _ = writeln!(out.text, "{indent}{}. {step}", index + 1);
        }
        if !self.cluster_files_changed.is_empty() {
            out.item(&format!(
                "cluster files: {}",
                self.cluster_files_changed.join(", ")
            ));
        }
    }
}

/// Text being written for people, plain or Markdown.
struct Text {
    text: String,
    markdown: bool,
}

impl Text {
    fn heading(&mut self, title: &str) {
        if self.markdown {
            let _ = writeln!(self.text, "\n### {title}\n");
        } else {
            let _ = writeln!(self.text, "\n{title}:");
        }
    }

    fn item(&mut self, text: &str) {
        let _ = writeln!(
            self.text,
            "{}{text}",
            if self.markdown { "- " } else { "  " }
        );
    }
}
