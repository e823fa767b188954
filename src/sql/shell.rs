//! Just enough of a POSIX shell lexer to find SQL in `sh -c` scripts: words with their
//! ranges, commands and pipelines, here-strings and heredocs.
//!
//! Every word and heredoc body also gets a "same-length" text: the bytes of its range with
//! quotes and escaping backslashes turned into spaces and expansions (`$VAR`, `${VAR}`,
//! `$(cmd)`, `` `cmd` ``) into identifiers, so SQL parsed from it keeps the offsets of the
//! script. `$$` and `$1` are left alone: in SQL they are dollar quotes and parameters.

use super::ByteRange;

/// A shell word, or a heredoc body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    pub range: ByteRange,
    /// Same length as `range` (see the module docs).
    pub text: String,
}

impl Text {
    /// The word with surrounding whitespace (from blanked quotes) trimmed off both `range`
    /// and `text`.
    pub fn trimmed(&self) -> Text {
        let lead = self.text.len() - self.text.trim_start().len();
        let kept = self.text.trim().len();
        Text {
            range: self.range.start + lead..self.range.start + lead + kept,
            text: self.text.trim().to_string(),
        }
    }
}

/// One simple command: its words, the here-strings and heredocs that feed it, and the
/// pipeline it belongs to (`cat <<EOF | psql` is one pipeline of two commands).
#[derive(Clone, Debug, Default)]
pub struct Command {
    pub words: Vec<Text>,
    pub stdin: Vec<Text>,
    pub pipeline: usize,
}

struct PendingHeredoc {
    command: usize,
    delimiter: String,
    strip_tabs: bool,
    expands: bool,
}

/// The commands of a script, in order.
pub fn commands(script: &str) -> Vec<Command> {
    let bytes = script.as_bytes();
    let mut commands = vec![Command::default()];
    let mut pipeline = 0;
    let mut pending: Vec<PendingHeredoc> = Vec::new();
    // The same-length texts, for the whole script at once (each word reads its range).
    let mut blanked = bytes.to_vec();
    let mut i = 0;
    let end_command = |commands: &mut Vec<Command>, pipeline: usize| {
        if !commands
            .last()
            .is_some_and(|c| c.words.is_empty() && c.stdin.is_empty())
        {
            commands.push(Command::default());
        }
        if let Some(last) = commands.last_mut() {
            last.pipeline = pipeline;
        }
    };
    while i < bytes.len() {
        let rest = &bytes[i..];
        match bytes[i] {
            b' ' | b'\t' | b'\r' => i += 1,
            b'\\' if rest.get(1) == Some(&b'\n') => i += 2,
            b'#' => i = line_end(bytes, i),
            b'\n' => {
                i += 1;
                for heredoc in pending.drain(..) {
                    let (body, next) = heredoc_body(script, i, &heredoc, &mut blanked);
                    if let Some(command) = commands.get_mut(heredoc.command) {
                        command.stdin.push(body);
                    }
                    i = next;
                }
                pipeline += 1;
                end_command(&mut commands, pipeline);
            }
            b'|' if rest.get(1) != Some(&b'|') => {
                i += 1;
                end_command(&mut commands, pipeline);
            }
            b';' | b'&' | b'|' | b'(' | b')' => {
                i += if rest.starts_with(b"&&") || rest.starts_with(b"||") {
                    2
                } else {
                    1
                };
                pipeline += 1;
                end_command(&mut commands, pipeline);
            }
            b'<' if rest.starts_with(b"<<<") => {
                let (word, next) = next_word(script, i + 3, &mut blanked);
                i = next;
                if let (Some(word), Some(command)) = (word, commands.last_mut()) {
                    command.stdin.push(word);
                }
            }
            b'<' if rest.starts_with(b"<<") => {
                let strip_tabs = rest.get(2) == Some(&b'-');
                let (word, next) = next_word(script, i + 2 + usize::from(strip_tabs), &mut blanked);
                i = next;
                if let Some(word) = word {
                    let raw = &script[word.range.clone()];
                    pending.push(PendingHeredoc {
                        command: commands.len() - 1,
                        delimiter: word.text.trim().to_string(),
                        strip_tabs,
                        expands: !raw.contains(['\'', '"', '\\']),
                    });
                }
            }
            b'<' | b'>' => {
                // A redirection: its target is not an argument.
                while i < bytes.len() && matches!(bytes[i], b'<' | b'>' | b'&' | b'|') {
                    i += 1;
                }
                i = next_word(script, i, &mut blanked).1;
            }
            _ => {
                let (word, next) = next_word(script, i, &mut blanked);
                i = next.max(i + 1);
                if let (Some(word), Some(command)) = (word, commands.last_mut()) {
                    command.words.push(word);
                }
            }
        }
    }
    commands.retain(|c| !c.words.is_empty() || !c.stdin.is_empty());
    commands
}

fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(bytes.len(), |p| from + p)
}

/// The word starting at or after `from` (blanks skipped), and where scanning continues.
fn next_word(script: &str, from: usize, text: &mut [u8]) -> (Option<Text>, usize) {
    let bytes = script.as_bytes();
    let mut i = from;
    while i < bytes.len() && matches!(bytes[i], b' ' | b'\t') {
        i += 1;
    }
    let start = i;
    while i < bytes.len() && !is_metachar(bytes[i]) {
        i = match bytes[i] {
            b'\'' => {
                let close = find_byte(bytes, i + 1, b'\'').unwrap_or(bytes.len());
                blank(text, i, i + 1);
                blank(text, close, (close + 1).min(bytes.len()));
                close + 1
            }
            b'"' => double_quoted(bytes, i, text),
            b'\\' => {
                blank(text, i, i + 1);
                i + 2
            }
            b'$' | b'`' => expansion(bytes, i, text),
            _ => i + 1,
        }
        .min(bytes.len());
    }
    if i == start {
        return (None, i);
    }
    let text = String::from_utf8_lossy(&text[start..i]).into_owned();
    (
        Some(Text {
            range: start..i,
            text,
        }),
        i,
    )
}

fn is_metachar(byte: u8) -> bool {
    matches!(
        byte,
        b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>'
    )
}

fn find_byte(bytes: &[u8], from: usize, byte: u8) -> Option<usize> {
    bytes
        .get(from..)?
        .iter()
        .position(|b| *b == byte)
        .map(|p| p + from)
}

fn blank(text: &mut [u8], start: usize, end: usize) {
    for byte in &mut text[start..end] {
        *byte = b' ';
    }
}

/// A `"..."` string starting at `open`; returns the index after the closing quote.
fn double_quoted(bytes: &[u8], open: usize, text: &mut [u8]) -> usize {
    blank(text, open, open + 1);
    let mut escaped_quotes = 0;
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                blank(text, i, i + 1);
                return i + 1;
            }
            // `\"name\"`: the space goes outside the SQL identifier, ` "name" `.
            b'\\' if bytes.get(i + 1) == Some(&b'"') => {
                escaped_quotes += 1;
                if escaped_quotes % 2 == 0 {
                    text[i] = b'"';
                    text[i + 1] = b' ';
                } else {
                    blank(text, i, i + 1);
                }
                i += 2;
            }
            b'\\' if matches!(bytes.get(i + 1), Some(b'"' | b'\\' | b'$' | b'`' | b'\n')) => {
                blank(text, i, i + 1);
                i += 2;
            }
            b'$' | b'`' => i = expansion(bytes, i, text),
            _ => i += 1,
        }
    }
    bytes.len()
}

/// `$NAME`, `${...}`, `$(...)`, `` `...` `` at `at` become an identifier in `text`; returns
/// the index after it. `$$`, `$1` and a lone `$` are left as they are.
fn expansion(bytes: &[u8], at: usize, text: &mut [u8]) -> usize {
    let end = match (bytes[at], bytes.get(at + 1)) {
        (b'`', _) => find_byte(bytes, at + 1, b'`').map(|p| p + 1),
        (_, Some(b'{')) => find_byte(bytes, at + 2, b'}').map(|p| p + 1),
        (_, Some(b'(')) => matching_paren(bytes, at + 1).map(|p| p + 1),
        (_, Some(b)) if b.is_ascii_alphabetic() || *b == b'_' => Some(
            bytes[at + 1..]
                .iter()
                .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                .map_or(bytes.len(), |p| at + 1 + p),
        ),
        (_, Some(b'?' | b'#' | b'@' | b'*' | b'!')) => Some(at + 2),
        _ => None,
    };
    let Some(end) = end.map(|e| e.min(bytes.len())) else {
        return at + 1;
    };
    for (k, byte) in text[at..end].iter_mut().enumerate() {
        *byte = match (k, *byte) {
            (_, b'\n') => b'\n',
            (0, _) => b'x',
            _ => b'_',
        };
    }
    end
}

fn matching_paren(bytes: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, byte) in bytes.iter().enumerate().skip(open) {
        match byte {
            b'(' => depth += 1,
            b')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// The body of a heredoc starting at `start` (the line after its `<<` operator), and the
/// index after its delimiter line.
fn heredoc_body(
    script: &str,
    start: usize,
    heredoc: &PendingHeredoc,
    text: &mut [u8],
) -> (Text, usize) {
    let bytes = script.as_bytes();
    let mut line = start;
    while line < bytes.len() {
        let end = line_end(bytes, line);
        let content = &script[line..end];
        let content = content.strip_suffix('\r').unwrap_or(content);
        let content = match heredoc.strip_tabs {
            true => content.trim_start_matches('\t'),
            false => content,
        };
        if content == heredoc.delimiter {
            let body = body_text(script, start..line, heredoc.expands, text);
            return (body, (end + 1).min(bytes.len()));
        }
        line = end + 1;
    }
    (
        body_text(script, start..bytes.len(), heredoc.expands, text),
        bytes.len(),
    )
}

fn body_text(script: &str, range: ByteRange, expands: bool, text: &mut [u8]) -> Text {
    let bytes = script.as_bytes();
    if expands {
        let mut i = range.start;
        while i < range.end {
            i = match bytes[i] {
                b'\\' if matches!(bytes.get(i + 1), Some(b'\\' | b'$' | b'`')) => {
                    blank(text, i, i + 1);
                    i + 2
                }
                b'$' | b'`' => expansion(&bytes[..range.end], i, text),
                _ => i + 1,
            };
        }
    }
    let text = String::from_utf8_lossy(&text[range.clone()]).into_owned();
    Text { range, text }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(script: &str) -> Vec<Vec<String>> {
        commands(script)
            .iter()
            .map(|c| c.words.iter().map(|w| w.text.clone()).collect())
            .collect()
    }

    #[test]
    fn words_keep_their_length() {
        assert_eq!(
            words(r#"psql -c "UPDATE t SET a='x'" && echo 'done'"#),
            vec![
                vec![
                    "psql".to_string(),
                    "-c".to_string(),
                    " UPDATE t SET a='x' ".to_string()
                ],
                vec!["echo".to_string(), " done ".to_string()],
            ]
        );
        assert_eq!(words(r#"psql "$DB_URL" -c"#)[0][1], " x______ ");
        assert_eq!(
            words(r#"a\ b ${X}y $(date)"#)[0],
            vec!["a  b", "x___y", "x______"]
        );
    }

    #[test]
    fn heredocs_feed_their_command() {
        let script = "set -e\ncat <<-'SQL' | psql \"$URL\"\n\tDROP TABLE $x;\n\tSQL\necho done\n";
        let found = commands(script);
        let cat = found.iter().find(|c| c.words[0].text == "cat").unwrap();
        let psql = found.iter().find(|c| c.words[0].text == "psql").unwrap();
        assert_eq!(cat.pipeline, psql.pipeline);
        let body = &cat.stdin[0];
        assert_eq!(&script[body.range.clone()], "\tDROP TABLE $x;\n");
        assert_eq!(
            body.text, "\tDROP TABLE $x;\n",
            "a quoted delimiter expands nothing"
        );
        assert_eq!(found.last().unwrap().words[0].text, "echo");
    }

    #[test]
    fn unquoted_heredocs_expand_variables() {
        let script = "psql <<EOF\nDROP TABLE ${SCHEMA}.t; DO $$ BEGIN END $$;\nEOF";
        let body = &commands(script)[0].stdin[0];
        assert_eq!(body.text, "DROP TABLE x________.t; DO $$ BEGIN END $$;\n");
    }

    #[test]
    fn unterminated_input_does_not_panic() {
        for script in [
            "psql <<EOF\nDROP",
            "echo \"abc",
            "x $(",
            "a '",
            "<<",
            "\\",
            "${",
            "`",
        ] {
            let _ = commands(script);
        }
    }
}
