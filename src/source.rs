//! The input text and positions in it.

use std::ops::Range;
use std::sync::OnceLock;

/// A byte range in the topology file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// Offsets as 32 bits: the model keeps a dozen spans a node. A topology is far smaller
    /// than 4 GiB (its reader's limit); an offset beyond is held as the largest there is.
    start: u32,
    end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        let offset = |at: usize| u32::try_from(at).unwrap_or(u32::MAX);
        Self {
            start: offset(start),
            end: offset(end),
        }
    }

    /// The byte offset where it starts.
    pub fn start(self) -> usize {
        self.start as usize
    }

    /// The byte offset just after it.
    pub fn end(self) -> usize {
        self.end as usize
    }

    pub fn len(self) -> usize {
        self.end().saturating_sub(self.start())
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// Whether `inner` lies within this span.
    pub fn contains(self, inner: Span) -> bool {
        self.start <= inner.start && inner.end <= self.end
    }
}

impl From<Range<usize>> for Span {
    fn from(range: Range<usize>) -> Self {
        Self::new(range.start, range.end)
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        (span.start(), span.len()).into()
    }
}

/// One topology file: its name as the user gave it and its text.
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub text: String,
    /// Where each line starts, found when a position is first asked for (a clean file
    /// never needs them).
    line_starts: OnceLock<Vec<usize>>,
}

/// A position for people: 1-based line, and 1-based column counted in characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineColumn {
    pub line: usize,
    pub column: usize,
}

impl Source {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            text: text.into(),
            line_starts: OnceLock::new(),
        }
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(at, _)| at + 1))
                .collect()
        })
    }

    /// The line and column of a byte offset; offsets past the end clamp to the end.
    pub fn line_column(&self, offset: usize) -> LineColumn {
        let offset = self.clamp(offset);
        let line_index = self.line_of(offset);
        let line_start = self.line_starts()[line_index];
        LineColumn {
            line: line_index + 1,
            column: self.text[line_start..offset].chars().count() + 1,
        }
    }

    /// The 0-based line an offset is on.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts()
            .partition_point(|&start| start <= self.clamp(offset))
            - 1
    }

    pub fn line_count(&self) -> usize {
        self.line_starts().len()
    }

    /// The byte range of 0-based lines `first..=last`, with the last line's newline.
    pub fn lines(&self, first: usize, last: usize) -> Span {
        let end = self
            .line_starts()
            .get(last + 1)
            .copied()
            .unwrap_or(self.text.len());
        Span::new(self.line_starts()[first], end)
    }

    /// The nearest offset at or before `offset` that starts a character.
    fn clamp(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters_from_one() {
        let source = Source::new("t.toml", "a = 1\nb = \"é\" x\n");
        assert_eq!(source.line_column(0), LineColumn { line: 1, column: 1 });
        assert_eq!(source.line_column(6), LineColumn { line: 2, column: 1 });
        // `x` follows a two-byte character: byte 15, character column 9.
        assert_eq!(source.line_column(15), LineColumn { line: 2, column: 9 });
        assert_eq!(source.line_column(999).line, 3);
    }
}
