//! A `miette::SourceCode` over our [`SourceFile`]: miette's own implementation for `str`
//! scans the file from the start for every label, which is slow on big rendered charts;
//! this one finds lines by binary search in the file's line index. It also serves text
//! with Secret values masked, so a snippet can never show one.

use std::borrow::Cow;

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use crate::source::{SourceFile, Span};

pub(crate) struct Snippet<'a> {
    file: &'a SourceFile,
    /// The file's text with redacted bytes replaced by `*` (same length, same offsets).
    text: Cow<'a, str>,
}

impl<'a> Snippet<'a> {
    /// `redactions` may name any file; only this file's spans are masked.
    pub(crate) fn new(file: &'a SourceFile, redactions: &[Span]) -> Snippet<'a> {
        Snippet {
            file,
            text: mask(&file.text, file, redactions),
        }
    }
}

/// Replace every byte of each redacted span (widened to whole characters, so the result
/// stays valid UTF-8) with `*`, except line breaks, so line numbers and byte offsets are
/// unchanged.
fn mask<'a>(text: &'a str, file: &SourceFile, redactions: &[Span]) -> Cow<'a, str> {
    let mut spans = redactions.iter().filter(|s| s.file == file.id).peekable();
    if spans.peek().is_none() {
        return Cow::Borrowed(text);
    }
    let mut bytes = text.as_bytes().to_vec();
    for span in spans {
        let mut start = (span.start as usize).min(text.len());
        let mut end = (span.end as usize).min(text.len());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        while !text.is_char_boundary(end) {
            end += 1;
        }
        for b in &mut bytes[start..end] {
            if *b != b'\n' && *b != b'\r' {
                *b = b'*';
            }
        }
    }
    // Whole characters were replaced by ASCII, so this cannot fail.
    Cow::Owned(String::from_utf8(bytes).expect("masking keeps UTF-8 valid"))
}

impl SourceCode for Snippet<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let (start, len) = (span.offset(), span.len());
        if start + len > self.text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let file = self.file;
        let starts = file.line_starts();
        let first_line = file.line_index(start);
        // The line of the span's last byte: a span that ends with its line break does not
        // reach into the next line.
        let last_line = file.line_index((start + len).saturating_sub(1).max(start));
        let from = first_line.saturating_sub(context_lines_before);
        let to = (last_line + context_lines_after).min(starts.len() - 1);
        let data_start = starts[from] as usize;
        let data_end = starts.get(to + 1).map_or(self.text.len(), |&e| e as usize);
        // Columns in characters, as editors and our other formats count them.
        let column = file.position(start).column as usize - 1;
        Ok(Box::new(MietteSpanContents::new_named(
            file.path.clone(),
            &self.text.as_bytes()[data_start..data_end],
            SourceSpan::new(data_start.into(), data_end - data_start),
            from,
            column,
            to - from + 1,
        )))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::source::FileId;

    fn file(text: &str) -> SourceFile {
        SourceFile::new(FileId(0), "s.yaml".into(), Arc::from(text))
    }

    fn read(s: &Snippet, start: usize, len: usize, ctx: usize) -> (String, usize, usize, usize) {
        let c = s
            .read_span(&SourceSpan::new(start.into(), len), ctx, ctx)
            .unwrap();
        let data = String::from_utf8(c.data().to_vec()).unwrap();
        (data, c.line(), c.column(), c.line_count())
    }

    #[test]
    fn reads_whole_lines_with_context() {
        let f = file("a: 1\nb: é2\nc: 3\nd: 4\n");
        let s = Snippet::new(&f, &[]);
        let at = f.text.find('2').unwrap();
        assert_eq!(read(&s, at, 1, 0), ("b: é2\n".into(), 1, 4, 1));
        assert_eq!(read(&s, at, 1, 1), ("a: 1\nb: é2\nc: 3\n".into(), 0, 4, 3));
        // Context is clipped at both ends of the file.
        assert_eq!(
            read(&s, 0, 1, 5),
            ("a: 1\nb: é2\nc: 3\nd: 4\n".into(), 0, 0, 5)
        );
        // A span ending with its newline stays on its line; an empty span works too.
        assert_eq!(read(&s, 0, 5, 0).0, "a: 1\n");
        assert_eq!(read(&s, 5, 0, 0).0, "b: é2\n");
        assert!(s.read_span(&SourceSpan::new(100.into(), 1), 0, 0).is_err());
    }

    #[test]
    fn file_without_trailing_newline() {
        let f = file("a: 1\nb: 2");
        let s = Snippet::new(&f, &[]);
        assert_eq!(read(&s, 8, 1, 1), ("a: 1\nb: 2".into(), 0, 3, 2));
    }

    #[test]
    fn masks_only_this_files_spans_by_whole_characters() {
        let f = file("k: sécret\nv: x\n");
        let e = f.text.find('é').unwrap();
        let other = Span::new(FileId(1), 0, 4);
        // The span starts in the middle of `é`: the whole character goes.
        let s = Snippet::new(
            &f,
            &[
                Span::new(FileId(0), e + 1, f.text.find('\n').unwrap() + 1),
                other,
            ],
        );
        assert_eq!(&*s.text, "k: s******\nv: x\n");
        assert_eq!(s.text.len(), f.text.len());
    }
}
