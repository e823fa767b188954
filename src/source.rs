//! Source files and positions: every span in synclint is a byte range in one of these files.

use std::sync::Arc;

/// Index of a file in the [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end as u32,
        }
    }
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A 1-based line and column, with the column counted three ways: in characters (for
/// humans and editors), in bytes, and in UTF-16 code units (for SARIF).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Position {
    pub line: u32,
    pub column: u32,
    pub column_utf16: u32,
}

/// One file's text with a line index, so positions are found by binary search instead
/// of a scan from the start (the reason miette gets a line-indexed source from us).
#[derive(Debug)]
pub struct SourceFile {
    pub id: FileId,
    /// Path as shown: relative to the working directory when possible, `/` separators.
    pub path: String,
    /// Where the path relative to the repository root starts in `path`.
    rel_start: usize,
    pub text: Arc<str>,
    /// Built on first use: most files never need a position.
    line_starts: std::sync::OnceLock<Vec<u32>>,
}

impl SourceFile {
    pub fn new(id: FileId, path: String, text: Arc<str>) -> SourceFile {
        SourceFile {
            id,
            path,
            rel_start: 0,
            text,
            line_starts: std::sync::OnceLock::new(),
        }
    }

    /// A file shown as `prefix` + `rel` (the repository root relative to the working
    /// directory, then the path inside the repository).
    pub fn with_prefix(id: FileId, prefix: &str, rel: &str, text: Arc<str>) -> SourceFile {
        let mut file = SourceFile::new(id, format!("{prefix}{rel}"), text);
        file.rel_start = prefix.len();
        file
    }

    /// The path relative to the repository root, whatever the working directory.
    pub fn rel_path(&self) -> &str {
        &self.path[self.rel_start..]
    }

    pub fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0u32];
            starts.extend(memchr_lines(self.text.as_bytes()));
            starts
        })
    }

    /// 0-based line index containing `offset`.
    pub fn line_index(&self, offset: usize) -> usize {
        match self.line_starts().binary_search(&(offset as u32)) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// The text of the 0-based line `index`, without its line break.
    pub fn line_text(&self, index: usize) -> &str {
        let start = self.line_starts()[index] as usize;
        let end = self
            .line_starts()
            .get(index + 1)
            .map(|&e| e as usize)
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.line_index(offset);
        let start = self.line_starts()[line] as usize;
        let mut end = offset;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let prefix = &self.text[start..end];
        Position {
            line: line as u32 + 1,
            column: prefix.chars().count() as u32 + 1,
            column_utf16: prefix.encode_utf16().count() as u32 + 1,
        }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts().len()
    }
}

fn memchr_lines(bytes: &[u8]) -> impl Iterator<Item = u32> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i as u32 + 1)
}

/// Every file synclint read, by [`FileId`].
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<Arc<SourceFile>>,
}

impl SourceMap {
    pub fn add(&mut self, path: String, text: Arc<str>) -> FileId {
        let id = FileId(self.files.len() as u32);
        self.files.push(Arc::new(SourceFile::new(id, path, text)));
        id
    }
    pub fn push(&mut self, file: Arc<SourceFile>) {
        debug_assert_eq!(file.id.0 as usize, self.files.len());
        self.files.push(file);
    }
    /// Replaces a file (with the same id): its text, read later than the walk.
    pub fn replace(&mut self, file: Arc<SourceFile>) {
        let i = file.id.0 as usize;
        self.files[i] = file;
    }
    pub fn next_id(&self) -> FileId {
        FileId(self.files.len() as u32)
    }
    pub fn get(&self, id: FileId) -> &Arc<SourceFile> {
        &self.files[id.0 as usize]
    }
    pub fn text(&self, span: Span) -> &str {
        &self.get(span.file).text[span.range()]
    }
    pub fn files(&self) -> impl Iterator<Item = &Arc<SourceFile>> {
        self.files.iter()
    }
    pub fn len(&self) -> usize {
        self.files.len()
    }
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_chars_and_utf16() {
        let f = SourceFile::new(FileId(0), "a.yaml".into(), "ab\nxé😀z: 1\n".into());
        assert_eq!(
            f.position(0),
            Position {
                line: 1,
                column: 1,
                column_utf16: 1
            }
        );
        let z = f.text.find('z').unwrap();
        assert_eq!(
            f.position(z),
            Position {
                line: 2,
                column: 4,
                column_utf16: 5
            }
        );
        assert_eq!(f.line_text(1), "xé😀z: 1");
    }
}
