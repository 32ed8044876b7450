//! The lines most of a topology is made of, turned into parser events without the general
//! parser: table headers of plain keys, and `key = value` where the value is one string or
//! other scalar, or an array of them. Each token becomes the event `toml_parser`'s parser
//! would give it, but for whitespace, comments and newlines ([`trivia`]), which are checked
//! as its whitespace check does and dropped.
//! Anything else (a dotted key, an inline table, a nested array, a value split over tokens
//! such as a float or a date with a space) and the caller runs the general parser on the
//! piece instead, so both give the same events wherever this answers.

use toml_parser::lexer::{Token, TokenKind};
use toml_parser::parser::{Event, EventKind};
use toml_parser::{ParseError, Source};

/// The events of `tokens` but trivia, pushed to `out`; `false` (with `out` part-filled)
/// when they are not all lines of this kind or a comment or newline is malformed.
pub(super) fn events(source: Source<'_>, tokens: &[Token], out: &mut Vec<Event>) -> bool {
    let mut lines = Lines {
        source,
        tokens,
        out,
        at: 0,
    };
    lines.all().is_some()
}

struct Lines<'t, 's, 'o> {
    source: Source<'s>,
    tokens: &'t [Token],
    out: &'o mut Vec<Event>,
    at: usize,
}

impl Lines<'_, '_, '_> {
    fn all(&mut self) -> Option<()> {
        loop {
            self.spaces();
            match self.kind() {
                None => return Some(()),
                Some(TokenKind::Eof) => return (self.at + 1 == self.tokens.len()).then_some(()),
                Some(TokenKind::Newline | TokenKind::Comment) => {}
                Some(TokenKind::LeftSquareBracket) => self.header()?,
                Some(kind) if is_key(kind) => self.key_value()?,
                Some(_) => return None,
            }
            self.end_of_line()?;
        }
    }

    /// `[` key (`.` key)* `]`, with spaces between.
    fn header(&mut self) -> Option<()> {
        self.emit(EventKind::StdTableOpen);
        loop {
            self.spaces();
            self.key()?;
            self.spaces();
            if self.then_or_close(TokenKind::Dot, EventKind::KeySep, EventKind::StdTableClose)? {
                return Some(());
            }
        }
    }

    /// key `=` value, with spaces between.
    fn key_value(&mut self) -> Option<()> {
        self.key()?;
        self.spaces();
        (self.kind()? == TokenKind::Equals).then_some(())?;
        self.emit(EventKind::KeyValSep);
        self.spaces();
        if self.kind()? == TokenKind::LeftSquareBracket {
            self.array()
        } else {
            self.scalar()
        }
    }

    /// `[` scalars separated by commas, a trailing one allowed, over lines if need be `]`.
    fn array(&mut self) -> Option<()> {
        self.emit(EventKind::ArrayOpen);
        loop {
            self.trivia()?;
            if self.kind()? == TokenKind::RightSquareBracket {
                self.emit(EventKind::ArrayClose);
                return Some(());
            }
            self.scalar()?;
            self.trivia()?;
            if self.then_or_close(TokenKind::Comma, EventKind::ValueSep, EventKind::ArrayClose)? {
                return Some(());
            }
        }
    }

    /// After an item of a header or an array: `separator` (emitted as `between`, and
    /// `false`: more follow), or the closing `]` (emitted as `close`, and `true`).
    fn then_or_close(
        &mut self,
        separator: TokenKind,
        between: EventKind,
        close: EventKind,
    ) -> Option<bool> {
        match self.kind()? {
            kind if kind == separator => {
                self.emit(between);
                Some(false)
            }
            TokenKind::RightSquareBracket => {
                self.emit(close);
                Some(true)
            }
            _ => None,
        }
    }

    /// After a header or a key's value: spaces, perhaps a comment, then a newline or the end.
    fn end_of_line(&mut self) -> Option<()> {
        self.spaces();
        if self.kind() == Some(TokenKind::Comment) {
            self.checked(EventKind::Comment)?;
        }
        match self.kind() {
            None | Some(TokenKind::Eof) => Some(()),
            Some(TokenKind::Newline) => self.checked(EventKind::Newline),
            Some(_) => None,
        }
    }

    fn key(&mut self) -> Option<()> {
        is_key(self.kind()?).then_some(())?;
        self.emit(EventKind::SimpleKey);
        Some(())
    }

    fn scalar(&mut self) -> Option<()> {
        match self.kind()? {
            TokenKind::Atom
            | TokenKind::BasicString
            | TokenKind::LiteralString
            | TokenKind::MlBasicString
            | TokenKind::MlLiteralString => {
                self.emit(EventKind::Scalar);
                Some(())
            }
            _ => None,
        }
    }

    /// Spaces, newlines and comments, as between the values of an array.
    fn trivia(&mut self) -> Option<()> {
        loop {
            match self.kind()? {
                TokenKind::Whitespace => self.at += 1,
                TokenKind::Newline => self.checked(EventKind::Newline)?,
                TokenKind::Comment => self.checked(EventKind::Comment)?,
                _ => return Some(()),
            }
        }
    }

    fn spaces(&mut self) {
        while self.kind() == Some(TokenKind::Whitespace) {
            self.at += 1;
        }
    }

    fn kind(&self) -> Option<TokenKind> {
        self.tokens.get(self.at).map(Token::kind)
    }

    /// The current token as an event of `kind`, and on to the next.
    fn emit(&mut self, kind: EventKind) {
        let token = self.tokens[self.at];
        let event = Event::new_unchecked(kind, token.kind().encoding(), token.span());
        self.out.push(event);
        self.at += 1;
    }

    /// A comment or newline, checked as the general parser's whitespace check does, and
    /// passed.
    fn checked(&mut self, kind: EventKind) -> Option<()> {
        let raw = self.source.get(self.tokens[self.at].span())?;
        self.at += 1;
        // Most are a plain line feed, which needs no check.
        if raw.as_str() == "\n" {
            return Some(());
        }
        let mut errors: Vec<ParseError> = Vec::new();
        match kind {
            EventKind::Comment => raw.decode_comment(&mut errors),
            _ => raw.decode_newline(&mut errors),
        }
        errors.is_empty().then_some(())
    }
}

/// Whitespace, comments and newlines: checked by the parser, and nothing to the reader.
pub(super) fn trivia(kind: EventKind) -> bool {
    matches!(
        kind,
        EventKind::Whitespace | EventKind::Comment | EventKind::Newline
    )
}

fn is_key(kind: TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::Atom | TokenKind::BasicString | TokenKind::LiteralString
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Option<Vec<EventKind>> {
        let source = Source::new(text);
        let tokens: Vec<Token> = source.lex().collect();
        let mut out = Vec::new();
        events(source, &tokens, &mut out).then(|| out.iter().map(Event::kind).collect())
    }

    #[test]
    fn plain_lines_give_the_parsers_events() {
        for text in [
            "[nodes.a]\nsite = \"s\" # here\nnetwork_groups = [\"g\",\n  \"h\", # two\n]\n",
            "port = 8080\ntransit = true\n",
            "[ 'quoted' . \"key\" ]\r\n",
        ] {
            let source = Source::new(text);
            let tokens: Vec<Token> = source.lex().collect();
            let mut general: Vec<Event> = Vec::new();
            let mut errors: Vec<ParseError> = Vec::new();
            let mut push = |event: Event| general.push(event);
            toml_parser::parser::parse_document(&tokens, &mut push, &mut errors);
            assert!(errors.is_empty(), "{text}");
            let ours = kinds(text).unwrap_or_else(|| panic!("taken: {text}"));
            let theirs: Vec<EventKind> = general
                .iter()
                .map(Event::kind)
                .filter(|&kind| !trivia(kind))
                .collect();
            assert_eq!(ours, theirs, "{text}");
        }
    }

    #[test]
    fn other_lines_are_left_to_the_parser() {
        for text in [
            "a.b = 1\n",
            "a = 1.5\n",
            "a = { b = 1 }\n",
            "a = [[1]]\n",
            "[[nodes]]\n",
            "a = 1 b = 2\n",
            "a = 1979-05-27 07:32:00\n",
            "a = 1\r",
            "= 1\n",
        ] {
            assert!(kinds(text).is_none(), "{text}");
        }
    }
}
