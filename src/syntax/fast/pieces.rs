//! From text to parser events, a piece at a time, on a thread of its own while the reader
//! turns the events before into the document.
//!
//! A piece ends before a `[` that opens a line outside a value. TOML's grammar is a
//! sequence of lines, so the pieces parse as the whole would; only one table's tokens are
//! held at a time, and the events go to the reader in batches of whole pieces, a bounded
//! number of them in flight.

use std::sync::mpsc::{Receiver, SyncSender};

use toml_parser::lexer::{Token, TokenKind};
use toml_parser::parser::{Event, RecursionGuard, ValidateWhitespace};
use toml_parser::{ParseError, Source};

use super::lines;

/// How deep arrays and tables may nest, as the recoverable path allows.
const NESTING: u32 = 80;

/// Events in a batch before it is handed over: a few hundred nodes' worth, so that
/// handing over is rare next to the work, and a batch is some 200 kB.
const BATCH: usize = 8192;

/// Room in a batch: past `BATCH`, for the piece that fills it without growing it.
const ROOM: usize = BATCH + BATCH / 4;

/// Batches waiting for the reader, besides the one it reads and the one being filled.
pub(super) const IN_FLIGHT: usize = 2;

/// A batch of events, whole pieces each; `None` ends the fast path (a syntax error, or
/// anything the general parser reports): the file is for the recoverable path.
pub(super) type Batch = Option<Vec<Event>>;

/// Lexes `source` and sends its events to `full` in batches, taking batches the reader is
/// done with back from `empty`. Stops at the first piece with an error (after sending
/// `None`), or as soon as the reader hangs up.
pub(super) fn produce(source: Source<'_>, full: &SyncSender<Batch>, empty: &Receiver<Vec<Event>>) {
    let mut tokens: Vec<Token> = Vec::new();
    let mut boundaries = Boundaries::default();
    let mut batch: Vec<Event> = Vec::with_capacity(ROOM);
    for token in source.lex() {
        if boundaries.opens_table(token.kind()) && !tokens.is_empty() {
            if !events(source, &tokens, &mut batch) {
                let _ = full.send(None);
                return;
            }
            tokens.clear();
            if batch.len() >= BATCH {
                let mut next = empty
                    .try_recv()
                    .unwrap_or_else(|_| Vec::with_capacity(ROOM));
                next.clear();
                if full
                    .send(Some(std::mem::replace(&mut batch, next)))
                    .is_err()
                {
                    return;
                }
            }
        }
        tokens.push(token);
    }
    let last = events(source, &tokens, &mut batch).then_some(batch);
    let _ = full.send(last);
}

/// Appends the events of the piece `tokens` to `out`: plain lines without the general
/// parser, the rest with it. `false` when the parser reports an error.
fn events(source: Source<'_>, tokens: &[Token], out: &mut Vec<Event>) -> bool {
    let before = out.len();
    if lines::events(source, tokens, out) {
        return true;
    }
    out.truncate(before);
    let mut errors: Vec<ParseError> = Vec::new();
    let mut push = |event: Event| out.push(event);
    let mut validated = ValidateWhitespace::new(&mut push, source);
    let mut guarded = RecursionGuard::new(&mut validated, NESTING);
    toml_parser::parser::parse_document(tokens, &mut guarded, &mut errors);
    errors.is_empty()
}

/// Where the lexer is, line by line: enough to see a table header open a line.
#[derive(Default)]
struct Boundaries {
    /// Only whitespace since the last newline.
    at_start: bool,
    /// Between a key's `=` and the newline that ends its value.
    in_value: bool,
    /// Brackets and braces open in the value.
    depth: i64,
}

impl Boundaries {
    /// Whether `kind`, the next token, opens a table header; follows it either way.
    fn opens_table(&mut self, kind: TokenKind) -> bool {
        let opens = self.at_start && !self.in_value && kind == TokenKind::LeftSquareBracket;
        match kind {
            TokenKind::Whitespace => {}
            TokenKind::Newline => {
                if self.depth <= 0 {
                    self.in_value = false;
                }
                self.at_start = true;
            }
            _ => self.at_start = false,
        }
        match kind {
            TokenKind::Equals if !self.in_value => {
                self.in_value = true;
                self.depth = 0;
            }
            TokenKind::LeftSquareBracket | TokenKind::LeftCurlyBracket if self.in_value => {
                self.depth += 1;
            }
            TokenKind::RightSquareBracket | TokenKind::RightCurlyBracket if self.in_value => {
                self.depth -= 1;
            }
            _ => {}
        }
        opens
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_split_before_headers_only_outside_values() {
        let mut boundaries = Boundaries::default();
        let text = "a = [\n[1],\n]\n[b]\n";
        let opened: Vec<bool> = Source::new(text)
            .lex()
            .map(|token| boundaries.opens_table(token.kind()))
            .collect();
        assert_eq!(opened.iter().filter(|&&opens| opens).count(), 1);
    }
}
