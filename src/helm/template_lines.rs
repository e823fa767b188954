//! A Helm template read line by line as the YAML it will become: which lines are only
//! template actions, which open a key, and which are inside a block scalar.

use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Blank,
    Comment,
    /// Only `{{ ... }}` actions: gone, or replaced by text, in the output.
    Action,
    /// `---` at column 0.
    Separator,
    /// A line of YAML structure (with or without a key we can read).
    Yaml,
    /// Inside a block scalar (`key: |`): text, not structure.
    Scalar,
}

#[derive(Clone, Debug)]
pub(super) struct Line {
    pub indent: usize,
    pub kind: Kind,
    /// The line starts with a sequence item's `- `.
    pub dash: bool,
    /// The line ends in a block scalar header (`key: |`, `- >-`).
    pub opens_block: bool,
    pub key: Option<Key>,
}

#[derive(Clone, Debug)]
pub(super) struct Key {
    pub name: String,
    /// Byte column of the key in its line (after any `- `).
    pub column: usize,
    /// The key in the template text (inside its quotes).
    pub range: Range<usize>,
    /// The value on the key's line: its first `{{ ... }}`, or the literal value.
    pub value: Option<Range<usize>>,
    /// The value when it is literal text (no action), unquoted.
    pub plain_value: Option<String>,
}

pub(super) fn scan_lines(text: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    // While inside a block scalar: the column its content must be deeper than.
    let mut block_parent: Option<usize> = None;
    let mut start = 0;
    for raw in text.split_inclusive('\n') {
        let content = raw.trim_end_matches('\n').trim_end_matches('\r');
        let mut line = parse_line(content, start);
        if let Some(parent) = block_parent {
            match line.kind {
                Kind::Blank | Kind::Action => {}
                _ if line.indent > parent => {
                    line.kind = Kind::Scalar;
                    line.key = None;
                }
                _ => block_parent = None,
            }
        }
        if block_parent.is_none() && line.opens_block {
            // Content must be deeper than the key, or than the `-` of a bare item.
            block_parent = Some(line.key.as_ref().map_or(line.indent, |k| k.column));
        }
        lines.push(line);
        start += raw.len();
    }
    lines
}

fn parse_line(line: &str, start: usize) -> Line {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let rest = &line[indent..];
    let mut out = Line {
        indent,
        kind: Kind::Yaml,
        dash: false,
        opens_block: false,
        key: None,
    };
    if rest.trim().is_empty() {
        out.kind = Kind::Blank;
    } else if rest.starts_with('#') {
        out.kind = Kind::Comment;
    } else if indent == 0 && (rest == "---" || rest.starts_with("--- ")) {
        out.kind = Kind::Separator;
    } else if only_actions(rest) {
        out.kind = Kind::Action;
    } else {
        let mut column = indent;
        while let Some(after) = line[column..]
            .strip_prefix('-')
            .filter(|a| a.is_empty() || a.starts_with([' ', '\t']))
        {
            out.dash = true;
            column = line.len() - after.trim_start().len();
        }
        out.opens_block = is_block_header(line[column..].trim_start());
        out.key = parse_key(line, column).map(|(name, range, after_colon)| {
            let (value, plain_value) = parse_value(line, after_colon);
            out.opens_block = is_block_header(line[after_colon..].trim_start());
            Key {
                name,
                column,
                range: start + range.start..start + range.end,
                value: value.map(|v| start + v.start..start + v.end),
                plain_value,
            }
        });
    }
    out
}

fn only_actions(mut rest: &str) -> bool {
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return true;
        }
        let Some(inner) = rest.strip_prefix("{{") else {
            return false;
        };
        match inner.find("}}") {
            Some(end) => rest = &inner[end + 2..],
            // An action that goes on over the next lines.
            None => return true,
        }
    }
}

/// The key at `column`: its name, its range in the line, and where its value starts.
fn parse_key(line: &str, column: usize) -> Option<(String, Range<usize>, usize)> {
    let rest = &line[column..];
    let (name, range, after) = match rest.as_bytes().first()? {
        quote @ (b'"' | b'\'') => {
            let close = closing_quote(rest, *quote)?;
            let raw = &rest[1..close];
            let name = if *quote == b'"' {
                raw.replace("\\\"", "\"").replace("\\\\", "\\")
            } else {
                raw.replace("''", "'")
            };
            (name, column + 1..column + close, column + close + 1)
        }
        b'{' | b'[' | b'&' | b'*' | b'!' | b'|' | b'>' | b'%' | b'@' | b'`' => return None,
        _ => {
            let colon = plain_key_end(rest)?;
            let name = rest[..colon].trim_end();
            if name.is_empty() || name.contains("{{") || name.contains(" #") {
                return None;
            }
            (
                name.to_string(),
                column..column + name.len(),
                column + colon,
            )
        }
    };
    let after_colon = line[after..].strip_prefix(':')?;
    if !(after_colon.is_empty() || after_colon.starts_with([' ', '\t'])) {
        return None;
    }
    Some((name, range, after + 1))
}

/// Where the `:` ending a plain key is: the first `: ` (or final `:`) outside actions.
fn plain_key_end(rest: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'{' && bytes.get(i + 1) == Some(&b'{') {
            i += rest[i..].find("}}").map_or(bytes.len(), |e| e + 2);
            continue;
        }
        if bytes[i] == b':' && (i + 1 == bytes.len() || matches!(bytes[i + 1], b' ' | b'\t')) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The index of the quote closing the one at 0 (`\"` escapes in double quotes, `''` in
/// single quotes).
fn closing_quote(text: &str, quote: u8) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// The value after a key's colon: its first action, or its literal text (without a
/// trailing comment); none for an empty value or a block scalar header.
fn parse_value(line: &str, from: usize) -> (Option<Range<usize>>, Option<String>) {
    let rest = &line[from..];
    let start = from + (rest.len() - rest.trim_start().len());
    let value = &line[start..];
    if value.is_empty() || value.starts_with('#') || is_block_header(value) {
        return (None, None);
    }
    if let Some(open) = value.find("{{") {
        let end = value[open..]
            .find("}}")
            .map_or(value.len(), |e| open + e + 2);
        return (Some(start + open..start + end), None);
    }
    let quote = value.as_bytes()[0];
    if (quote == b'"' || quote == b'\'')
        && let Some(close) = closing_quote(value, quote)
    {
        let inner = value[1..close].to_string();
        return (Some(start..start + close + 1), Some(inner));
    }
    let end = value.find(" #").unwrap_or(value.len());
    let literal = value[..end].trim_end();
    (
        Some(start..start + literal.len()),
        Some(literal.to_string()),
    )
}

/// `|`, `>-`, `|2+`... possibly followed by a comment.
fn is_block_header(value: &str) -> bool {
    let Some(rest) = value.strip_prefix(['|', '>']) else {
        return false;
    };
    let indicators = rest.split(" #").next().unwrap_or("").trim_end();
    indicators
        .chars()
        .all(|c| matches!(c, '-' | '+' | '0'..='9'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Kind> {
        scan_lines(text).iter().map(|l| l.kind).collect()
    }

    #[test]
    fn lines_are_classified() {
        let text =
            "---\n# c\n{{- if .Values.x }}\nkind: Job\n\n  {{ include \"a\" . | nindent 2 }}\n";
        use Kind::*;
        assert_eq!(
            kinds(text),
            [Separator, Comment, Action, Yaml, Blank, Action]
        );
    }

    #[test]
    fn keys_plain_quoted_and_after_dashes() {
        let text =
            "  - name: {{ .Values.n }} # c\n- \"a.b/c\": 'x' # c\n- - k: v # c\n'it''s': 1\n";
        let lines = scan_lines(text);
        let key = |i: usize| lines[i].key.clone().unwrap();
        let k = key(0);
        assert_eq!((k.name.as_str(), k.column), ("name", 4));
        assert_eq!(&text[k.range], "name");
        assert_eq!(&text[k.value.unwrap()], "{{ .Values.n }}");
        assert!(lines[0].dash);
        let k = key(1);
        assert_eq!(k.name, "a.b/c");
        assert_eq!(k.plain_value.as_deref(), Some("x"));
        assert_eq!(&text[k.value.unwrap()], "'x'");
        let k = key(2);
        assert_eq!(
            (k.name.as_str(), k.column, k.plain_value.as_deref()),
            ("k", 4, Some("v"))
        );
        assert_eq!(key(3).name, "it's");
    }

    #[test]
    fn not_keys() {
        for line in [
            "{{ .Values.k }}: v",
            "- image: repo:tag",
            "url: http://x",
            "[a, b]",
            "- just a string",
            "\"unterminated: x",
        ] {
            let lines = scan_lines(line);
            let name = lines[0].key.as_ref().map(|k| k.name.as_str());
            assert!(matches!(name, None | Some("image") | Some("url")), "{line}");
        }
        // `image: repo:tag` has one key, whose value keeps its colon.
        let lines = scan_lines("image: repo:tag");
        let key = lines[0].key.as_ref().unwrap();
        assert_eq!(key.plain_value.as_deref(), Some("repo:tag"));
    }

    #[test]
    fn block_scalars_hide_their_content() {
        let text = "data:\n  run.sh: |-\n    name: not a key\n{{- if .x }}\n    echo\n  other: 1\n- |\n  a: b\nz: 1\n";
        use Kind::*;
        assert_eq!(
            kinds(text),
            [Yaml, Yaml, Scalar, Action, Scalar, Yaml, Yaml, Scalar, Yaml]
        );
        assert_eq!(scan_lines(text)[1].key.as_ref().unwrap().value, None);
    }
}
