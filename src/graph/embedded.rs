//! Text embedded in a YAML scalar (SQL in a ConfigMap, a shell script in `args`), with
//! the way back from an offset in the value to the file: a finding about the third
//! statement of a `|` block points at that statement's line, not at the block.

use crate::source::Span;

/// A scalar's value and where it was written.
#[derive(Clone, Debug)]
pub struct Embedded<'a> {
    pub value: &'a str,
    /// The scalar's span (quotes and block indicators included).
    pub span: Span,
    /// The text of the file the span is in.
    pub file_text: &'a str,
}

impl Embedded<'_> {
    /// The span in the file of `range` (byte offsets in the value). Exact when the value
    /// is written verbatim or line by line (plain, quoted without escapes, literal
    /// blocks, a Kustomize generator's whole file); otherwise the start of the line, or
    /// of the scalar, that holds it.
    pub fn span_of(&self, range: std::ops::Range<usize>) -> Span {
        let start = self.offset_of(range.start);
        let end = self.offset_of(range.end.max(range.start)).max(start);
        Span {
            file: self.span.file,
            start: start as u32,
            end: end as u32,
        }
    }

    fn written(&self) -> &str {
        self.file_text
            .get(self.span.start as usize..self.span.end as usize)
            .unwrap_or("")
    }

    /// The file offset of value offset `at`.
    fn offset_of(&self, at: usize) -> usize {
        let base = self.span.start as usize;
        let written = self.written();
        if let Some(i) = written.find(self.value)
            && !self.value.is_empty()
        {
            return base + i + at.min(self.value.len());
        }
        // Line by line: each line of the value is found, in order, in the written text
        // (a block scalar adds only indentation).
        let mut cursor = 0;
        let mut line_start = 0;
        for line in self.value.split_inclusive('\n') {
            let content = line.trim_end_matches('\n');
            let found = if content.trim().is_empty() {
                None
            } else {
                written[cursor..].find(content).map(|i| cursor + i)
            };
            let line_end = line_start + line.len();
            if at < line_end || line_end == self.value.len() {
                return match found {
                    Some(pos) => base + pos + (at - line_start).min(content.len()),
                    None => base + cursor,
                };
            }
            if let Some(pos) = found {
                cursor = pos + content.len();
            }
            line_start = line_end;
        }
        base
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn embedded<'a>(file_text: &'a str, value: &'a str) -> Embedded<'a> {
        let start = file_text.find("data:").unwrap() + 6;
        Embedded {
            value,
            span: Span::new(FileId(1), start, file_text.len()),
            file_text,
        }
    }

    #[test]
    fn literal_blocks_map_line_by_line() {
        let file = "data: |\n  CREATE TABLE a (id int);\n  DROP TABLE b;\n";
        let e = embedded(file, "CREATE TABLE a (id int);\nDROP TABLE b;\n");
        let drop = e.value.find("DROP").unwrap();
        let span = e.span_of(drop..drop + 13);
        assert_eq!(&file[span.range()], "DROP TABLE b;");
    }

    #[test]
    fn verbatim_values_map_exactly() {
        let file = "data: \"DROP TABLE b\"\n";
        let e = embedded(file, "DROP TABLE b");
        assert_eq!(&file[e.span_of(5..10).range()], "TABLE");
    }

    #[test]
    fn escaped_values_fall_back_to_a_line() {
        let file = "data: \"a\\tb\"\n";
        let e = embedded(file, "a\tb");
        let span = e.span_of(2..3);
        assert!(span.start as usize >= file.find('"').unwrap());
    }
}
