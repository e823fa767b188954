//! `# synclint: ...` comments. saphyr-parser drops comments, so they are found in the
//! text; a `#` inside a quoted string could look like one, which only ever over-suppresses
//! a line that says `synclint:` on purpose.

use crate::source::{FileId, Span};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// 0-based line of the comment.
    pub line: u32,
    /// Whether code precedes the comment on its line (it then applies to that line only).
    pub trailing: bool,
    /// The text after `synclint:`, trimmed.
    pub body: String,
    pub span: Span,
}

pub fn scan(file: FileId, text: &str) -> Vec<Comment> {
    let mut out = Vec::new();
    if !text.contains("synclint:") {
        return out;
    }
    let mut offset = 0usize;
    for (line_no, line) in text.split_inclusive('\n').enumerate() {
        if let Some(hash) = comment_start(line) {
            let comment = line[hash + 1..].trim_start_matches('#').trim();
            if let Some(body) = comment.strip_prefix("synclint:") {
                out.push(Comment {
                    line: line_no as u32,
                    trailing: !line[..hash].trim().is_empty(),
                    body: body.trim().to_string(),
                    span: Span::new(file, offset + hash, offset + line.trim_end().len()),
                });
            }
        }
        offset += line.len();
    }
    out
}

/// Byte index of a `#` that starts a YAML comment (at line start or after whitespace).
fn comment_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    (0..bytes.len()).find(|&i| bytes[i] == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_own_line_and_trailing_comments() {
        let c = scan(
            FileId(0),
            "# synclint: ignore-file[x]\na: 1 # synclint: ignore[y] why\nb: \"#x\"\n",
        );
        assert_eq!(c.len(), 2);
        assert!(!c[0].trailing);
        assert_eq!(c[1].line, 1);
        assert!(c[1].trailing);
        assert_eq!(c[1].body, "ignore[y] why");
    }
}
