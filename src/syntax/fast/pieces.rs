//! From text to parser events, a piece at a time, on threads of their own (one a core, a
//! few at the most) while the reader turns the events before into the document.
//!
//! A piece ends before a `[` that opens a line outside a value. TOML's grammar is a
//! sequence of lines, so the pieces parse as the whole would; only one table's tokens are
//! held at a time. The text is cut into chunks of whole pieces, some 16 kB each, lexed side
//! by side, the lexers taking them in turn; each chunk's events go to the reader in one
//! batch, a bounded number of them in flight. A chunk is lexed on its own, so it has to
//! start where a line could start outside a value: the chunk before proves it, or the file
//! is given up.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::mpsc::{Receiver, SyncSender};

use toml_parser::decoder::{Encoding, ScalarKind};
use toml_parser::lexer::{Token, TokenKind};
use toml_parser::parser::{Event, EventKind, RecursionGuard, ValidateWhitespace};
use toml_parser::{ParseError, Raw, Source, Span};

use super::lines;

/// How deep arrays and tables may nest, as the recoverable path allows.
const NESTING: u32 = 80;

/// Bytes of text a chunk takes at the least: it ends at the first header after. Chunks are
/// lexed side by side; smaller ones would be handed over more often, larger ones would
/// take more memory to hold (some 0.4 items, of 40 bytes, a byte of text).
const CHUNK: usize = 16 * 1024;

/// Threads to lex on at the most: past that, the reader is the slower side.
const LEXERS: usize = 3;

/// An event, with what a key or a scalar stands for, decoded here so that the reader (the
/// one thread that cannot be doubled) need not. 40 bytes: offsets as 32 bits (a file past
/// 4 GiB is not for this path).
pub(super) struct Item<'i> {
    kind: EventKind,
    /// For a scalar: its kind.
    scalar: Option<ScalarKind>,
    start: u32,
    end: u32,
    /// For a key or a scalar: what it stands for, borrowed from the text unless it has
    /// escapes.
    text: Option<Cow<'i, str>>,
}

impl<'i> Item<'i> {
    pub(super) fn kind(&self) -> EventKind {
        self.kind
    }

    pub(super) fn span(&self) -> Span {
        Span::new_unchecked(self.start as usize, self.end as usize)
    }

    /// For a key: its name.
    pub(super) fn key(&self) -> Option<Cow<'i, str>> {
        (self.kind == EventKind::SimpleKey)
            .then(|| self.text.clone())
            .flatten()
    }

    /// For a scalar: its kind and text.
    pub(super) fn scalar(&self) -> Option<(ScalarKind, Cow<'i, str>)> {
        Some((self.scalar?, self.text.clone()?))
    }

    /// `event` of a chunk that starts `base` bytes into the text, its key or scalar decoded;
    /// `None` when it does not decode or lies past 4 GiB.
    fn of(source: Source<'i>, base: u32, event: &Event) -> Option<Self> {
        let (scalar, text) = decoded(source, event)?;
        Some(Self {
            kind: event.kind(),
            scalar,
            start: base.checked_add(u32::try_from(event.span().start()).ok()?)?,
            end: base.checked_add(u32::try_from(event.span().end()).ok()?)?,
            text,
        })
    }
}

/// The items of a chunk, whole pieces; `None` ends the fast path (a syntax error, a key
/// that does not decode, a chunk that does not end where a line could start outside a
/// value, or anything else the general parser reports): the file is for the recoverable
/// path.
pub(super) type Batch<'i> = Option<Vec<Item<'i>>>;

/// Where `text` is cut into chunks: each at least [`CHUNK`] bytes long (but the last),
/// ending before a `[` that opens a line. Each is lexed on its own, so such a `[` inside a
/// value (a multi-line string or array) puts the chunks out of step with the whole: the
/// lexer of the chunk before then ends in an error or in a value, and
/// [`produce`] gives up.
pub(super) fn chunks(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut cuts = Vec::with_capacity(text.len() / CHUNK + 1);
    let mut start = 0;
    loop {
        let end = bytes
            .get(start + CHUNK..)
            .and_then(|rest| rest.windows(2).position(|pair| pair == b"\n["))
            .map_or(text.len(), |at| start + CHUNK + at + 1);
        cuts.push(start..end);
        if end == text.len() {
            return cuts;
        }
        start = end;
    }
}

/// Threads to lex `chunks` on: one for each of the machine's cores, within [`LEXERS`], and
/// no more than there are chunks.
pub(super) fn lexers(chunks: usize) -> usize {
    std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .clamp(1, LEXERS)
        .min(chunks)
        .max(1)
}

/// Lexes the chunks `mine` of `text` (cut at `cuts`), sending the items of each to `full` in
/// a batch and taking batches the reader is done with back from `empty`. Stops at the
/// first chunk with an error (after sending `None`), or as soon as the reader hangs up.
pub(super) fn produce<'i>(
    text: &'i str,
    cuts: &[Range<usize>],
    mine: impl Iterator<Item = usize>,
    full: &SyncSender<Batch<'i>>,
    empty: &Receiver<Vec<Item<'i>>>,
) {
    let mut tokens: Vec<Token> = Vec::new();
    let mut events: Vec<Event> = Vec::new();
    for at in mine {
        let mut batch = empty.try_recv().unwrap_or_default();
        batch.clear();
        let last = at + 1 == cuts.len();
        let chunk = chunk(
            text,
            cuts[at].clone(),
            last,
            &mut tokens,
            &mut events,
            &mut batch,
        );
        let gave_up = chunk.is_none();
        if full.send(chunk.map(|()| batch)).is_err() || gave_up {
            return;
        }
    }
}

/// Appends the items of the chunk `range` of `text` to `out`, a piece at a time; `None` when
/// a piece does not parse, or the chunk (but the `last`) does not end where a line could
/// start outside a value.
fn chunk<'i>(
    text: &'i str,
    range: Range<usize>,
    last: bool,
    tokens: &mut Vec<Token>,
    events: &mut Vec<Event>,
    out: &mut Vec<Item<'i>>,
) -> Option<()> {
    let base = u32::try_from(range.start).ok()?;
    let source = Source::new(&text[range]);
    let mut boundaries = Boundaries::default();
    tokens.clear();
    for token in source.lex() {
        if boundaries.opens_table(token.kind()) && !tokens.is_empty() {
            items(source, base, tokens, events, out)?;
            tokens.clear();
        }
        tokens.push(token);
    }
    items(source, base, tokens, events, out)?;
    (last || boundaries.at_start && !boundaries.in_value).then_some(())
}

/// Appends the items of the piece `tokens` to `out` (but trivia), its events made in
/// `events`; `None`
/// when the parser reports an error or a key does not decode.
fn items<'i>(
    source: Source<'i>,
    base: u32,
    tokens: &[Token],
    events: &mut Vec<Event>,
    out: &mut Vec<Item<'i>>,
) -> Option<()> {
    parsed(source, tokens, events).then_some(())?;
    for event in events.drain(..) {
        out.push(Item::of(source, base, &event)?);
    }
    Some(())
}

/// The events of the piece `tokens` but trivia ([`lines::trivia`]), in place of what `out`
/// held: plain lines without the general parser, the rest with it. `false` when the parser
/// reports an error.
fn parsed(source: Source<'_>, tokens: &[Token], out: &mut Vec<Event>) -> bool {
    out.clear();
    if lines::events(source, tokens, out) {
        return true;
    }
    out.clear();
    let mut errors: Vec<ParseError> = Vec::new();
    let mut push = |event: Event| {
        if !lines::trivia(event.kind()) {
            out.push(event);
        }
    };
    let mut validated = ValidateWhitespace::new(&mut push, source);
    let mut guarded = RecursionGuard::new(&mut validated, NESTING);
    toml_parser::parser::parse_document(tokens, &mut guarded, &mut errors);
    errors.is_empty()
}

/// What a key or a scalar event stands for: for a scalar its kind, and its text (borrowed
/// unless it has escapes); nothing for other events. `None` when it does not decode.
fn decoded<'i>(
    source: Source<'i>,
    event: &Event,
) -> Option<(Option<ScalarKind>, Option<Cow<'i, str>>)> {
    let scalar = match event.kind() {
        EventKind::SimpleKey => false,
        EventKind::Scalar => true,
        _ => return Some((None, None)),
    };
    let raw = source.get(event)?;
    if let Some(text) = plain(raw.as_str(), event.encoding(), scalar) {
        let kind = scalar.then_some(ScalarKind::String);
        return Some((kind, Some(Cow::Borrowed(text))));
    }
    let (kind, text) = decode(raw, scalar)?;
    Some((kind, Some(text)))
}

/// What `toml_parser`'s decoder makes of a key or (`scalar`) a scalar: the scalar's kind,
/// and the text; `None` when it reports an error.
fn decode(raw: Raw<'_>, scalar: bool) -> Option<(Option<ScalarKind>, Cow<'_, str>)> {
    let mut text = Cow::Borrowed("");
    let mut errors: Vec<ParseError> = Vec::new();
    let kind = if scalar {
        Some(raw.decode_scalar(&mut text, &mut errors))
    } else {
        raw.decode_key(&mut text, &mut errors);
        None
    };
    errors.is_empty().then_some((kind, text))
}

/// The text of the two shapes nearly every key and value of a topology has, told here in
/// one pass over their bytes; `None` for anything else, which the decoder reads. They are
/// a bare key (letters, digits, `-` and `_`: what the decoder accepts unquoted), and a basic
/// string, key or value, of characters the decoder takes as they are (no escape, no
/// control character but tab). Either way the text is what the decoder would give.
fn plain(raw: &str, encoding: Option<Encoding>, scalar: bool) -> Option<&str> {
    let bare = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    let unescaped =
        |b: u8| b == b'\t' || (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\' || b >= 0x80;
    match encoding {
        None if !scalar => (!raw.is_empty() && raw.bytes().all(bare)).then_some(raw),
        Some(Encoding::BasicString) => {
            let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
            inner.bytes().all(unescaped).then_some(inner)
        }
        _ => None,
    }
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
            TokenKind::Whitespace | TokenKind::Eof => {}
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

    #[test]
    fn chunks_end_before_headers_past_their_least_length() {
        let node = "[nodes.n]\nsite = \"s\"\n\n";
        let text = node.repeat(3 * CHUNK / node.len());
        let cuts = chunks(&text);
        assert!(cuts.len() >= 2, "{}", cuts.len());
        assert_eq!(cuts.first().map(|cut| cut.start), Some(0));
        assert_eq!(cuts.last().map(|cut| cut.end), Some(text.len()));
        for pair in cuts.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
            assert!(pair[0].len() >= CHUNK);
            assert!(text[pair[1].clone()].starts_with("[nodes.n]"));
            assert!(text[pair[0].clone()].ends_with('\n'));
        }
        assert_eq!(chunks(""), vec![Range { start: 0, end: 0 }]);
        assert_eq!(chunks("[a]\n"), vec![Range { start: 0, end: 4 }]);
    }

    #[test]
    fn plain_text_is_what_the_decoder_gives() {
        let mut texts: Vec<String> = (0u8..0x80)
            .map(|byte| format!("a{}b", byte as char))
            .collect();
        texts.extend(
            [
                "",
                "é",
                "s0000-g00",
                "10.0.0.1",
                "a\\nb",
                "a\\u0041",
                "tab\there",
            ]
            .map(String::from),
        );
        let mut taken = 0;
        for text in &texts {
            for line in [
                format!("\"{text}\" = 1\n"),
                format!("k = \"{text}\"\n"),
                format!("{text} = 1\n"),
            ] {
                let source = Source::new(&line);
                let tokens: Vec<Token> = source.lex().collect();
                let mut events = Vec::new();
                if !parsed(source, &tokens, &mut events) {
                    continue;
                }
                for event in &events {
                    let scalar = event.kind() == EventKind::Scalar;
                    if !scalar && event.kind() != EventKind::SimpleKey {
                        continue;
                    }
                    let raw = source.get(event).expect("in the line");
                    if let Some(plain) = plain(raw.as_str(), event.encoding(), scalar) {
                        taken += 1;
                        let (kind, decoded) =
                            decode(raw, scalar).expect("the decoder takes it too");
                        assert_eq!(plain, decoded, "{line:?}");
                        assert_eq!(kind, scalar.then_some(ScalarKind::String), "{line:?}");
                    }
                }
            }
        }
        // Bare keys and basic strings of letters, digits and punctuation take the shortcut.
        assert!(taken > 150, "{taken}");
    }
}
