//! Text from the topology made safe for a terminal and a CI page: control characters and
//! bidirectional marks escaped visibly, very long names cut.

use crate::finding::LONGEST_QUOTED as LONGEST_NAME;
use crate::model::values::steers;

/// `text` with every steering character written as `\u{…}`, and every backticked name
/// longer than 64 characters cut with `…`.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (index, part) in text.split('`').enumerate() {
        if index > 0 {
            out.push('`');
        }
        let quoted = index % 2 == 1;
        for (count, c) in part.chars().enumerate() {
            if quoted && count == LONGEST_NAME {
                out.push('…');
                break;
            }
            if steers(c) {
                out.extend(c.escape_unicode());
            } else {
                out.push(c);
            }
        }
    }
    out
}

/// `text` with every steering character replaced by as many `?` as it has bytes, so that
/// byte offsets into it stay those of `text`: for source excerpts.
pub fn same_length(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(steers) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if steers(c) && c != '\r' {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_shown_and_long_names_cut() {
        assert_eq!(printable("key `a\u{1b}[31mb`"), "key `a\\u{1b}[31mb`");
        assert_eq!(printable("rtl \u{202e}x"), "rtl \\u{202e}x");
        assert_eq!(printable("two\nlines\ttab"), "two\nlines\ttab");
        let long = format!("unknown key `{}` here", "k".repeat(10_000));
        let shown = printable(&long);
        assert!(shown.len() < 100 && shown.ends_with("…` here"), "{shown}");
        let text = "a = 1 # \u{1b}[2J\u{85}\u{202e}\n";
        let same = same_length(text);
        assert_eq!(same.len(), text.len());
        assert!(!same.chars().any(steers), "{same}");
    }
}
