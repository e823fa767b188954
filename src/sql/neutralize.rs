//! Make templated SQL parseable without moving a single byte.
//!
//! Migration files are often not plain SQL until a tool has run over them: Flyway fills in
//! `${placeholders}`, psql runs `\set` and `\connect` lines itself, Go programs (Harbor,
//! supabase auth) render `{{ .Table }}` before executing. [`neutralize`] replaces each of those
//! with ASCII of exactly the same byte length, so every offset the parser reports is also an
//! offset into the original text, and newlines stay put so line numbers do too.

/// The replacement text for `text`: same byte length, same newlines, with templates turned
/// into identifiers (`x____`), template control actions and psql meta-command lines into
/// spaces, and `COPY ... FROM stdin` data into spaces.
pub fn neutralize(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    blank_go_templates(&mut bytes);
    blank_placeholders(&mut bytes);
    blank_meta_commands(&mut bytes);
    // Only whole multi-byte characters were replaced, each byte by ASCII, so this is UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Overwrite `range` with an identifier: `x` then `_`, and spaces after a newline so a
/// multi-line template still reads as one identifier.
fn write_identifier(bytes: &mut [u8], start: usize, end: usize) {
    let mut after_newline = false;
    for (i, byte) in bytes[start..end].iter_mut().enumerate() {
        if *byte == b'\n' {
            after_newline = true;
        } else if after_newline {
            *byte = b' ';
        } else {
            *byte = if i == 0 { b'x' } else { b'_' };
        }
    }
}

/// Overwrite `range` with spaces, keeping newlines.
fn write_blank(bytes: &mut [u8], start: usize, end: usize) {
    for byte in &mut bytes[start..end] {
        if *byte != b'\n' {
            *byte = b' ';
        }
    }
}

/// Go template actions `{{ ... }}` (also `{{- ... -}}`). An action that prints a value
/// becomes an identifier, since that is where templates sit in SQL (`{{ .Schema }}.users`);
/// control actions (`if`, `range`, `end`, ...) and comments print nothing and become spaces.
fn blank_go_templates(bytes: &mut [u8]) {
    let mut i = 0;
    while i + 1 < bytes.len() {
        let action_end = match bytes[i] == b'{' && bytes[i + 1] == b'{' {
            true => go_action_end(bytes, i + 2),
            false => None,
        };
        let Some(end) = action_end else {
            i += 1;
            continue;
        };
        if is_control_action(&bytes[i + 2..end - 2]) {
            write_blank(bytes, i, end);
        } else {
            write_identifier(bytes, i, end);
        }
        i = end;
    }
}

/// The end (exclusive, after `}}`) of a Go template action whose body starts at `from`,
/// skipping `}}` inside the action's string literals and comments.
fn go_action_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => i = skip_quoted(bytes, i + 1, b'"', true)?,
            b'`' => i = skip_quoted(bytes, i + 1, b'`', false)?,
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = find(bytes, i + 2, b"*/")? + 2;
            }
            b'}' if bytes.get(i + 1) == Some(&b'}') => return Some(i + 2),
            _ => i += 1,
        }
    }
    None
}

/// The index after the closing `quote` of a literal whose body starts at `from`.
fn skip_quoted(bytes: &[u8], from: usize, quote: u8, backslash_escapes: bool) -> Option<usize> {
    let mut i = from;
    while i < bytes.len() {
        if backslash_escapes && bytes[i] == b'\\' {
            i += 2;
        } else if bytes[i] == quote {
            return Some(i + 1);
        } else {
            i += 1;
        }
    }
    None
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Whether a template action body (between the braces) prints nothing.
fn is_control_action(body: &[u8]) -> bool {
    let trimmed = body.strip_prefix(b"-").unwrap_or(body).trim_ascii_start();
    if trimmed.starts_with(b"/*") {
        return true;
    }
    let word_end = trimmed
        .iter()
        .position(|b| !b.is_ascii_alphabetic())
        .unwrap_or(trimmed.len());
    let keyword = &trimmed[..word_end];
    let prints_nothing = matches!(
        keyword,
        b"if"
            | b"else"
            | b"end"
            | b"range"
            | b"with"
            | b"define"
            | b"block"
            | b"break"
            | b"continue"
    );
    prints_nothing || (trimmed.first() == Some(&b'$') && looks_like_assignment(trimmed))
}

/// `$x := ...` or `$x = ...`: a variable assignment, which prints nothing.
fn looks_like_assignment(body: &[u8]) -> bool {
    let name_end = body[1..]
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
        .map_or(body.len(), |p| p + 1);
    let rest = body[name_end..].trim_ascii_start();
    rest.starts_with(b":=") || (rest.starts_with(b"=") && !rest.starts_with(b"=="))
}

/// Flyway placeholders `${name}` and `${flyway:defaultSchema}` (also goose ENVSUB and
/// shell-style `${VAR}`): identifiers.
fn blank_placeholders(bytes: &mut [u8]) {
    let mut i = 0;
    while i + 2 < bytes.len() {
        if bytes[i] == b'$' && bytes[i + 1] == b'{' {
            let name_start = i + 2;
            let name_len = bytes[name_start..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-'))
                .count();
            let close = name_start + name_len;
            if name_len > 0 && bytes.get(close) == Some(&b'}') {
                write_identifier(bytes, i, close + 1);
                i = close + 1;
                continue;
            }
        }
        i += 1;
    }
}

/// psql meta-command lines (`\set`, `\connect`, `\i`, any line starting with a backslash
/// outside a string or dollar quote) and the data lines of `COPY ... FROM stdin`.
fn blank_meta_commands(bytes: &mut [u8]) {
    let mut lexer = QuoteState::Code;
    let mut line_start = 0;
    let mut copy_data = false;
    while line_start < bytes.len() {
        let line_end = find(bytes, line_start, b"\n").unwrap_or(bytes.len());
        let line = &bytes[line_start..line_end];
        if copy_data {
            copy_data = line.trim_ascii() != b"\\.";
            write_blank(bytes, line_start, line_end);
        } else if matches!(lexer, QuoteState::Code)
            && line.trim_ascii_start().first() == Some(&b'\\')
        {
            write_blank(bytes, line_start, line_end);
        } else {
            let starts_in_code = matches!(lexer, QuoteState::Code);
            lexer = lexer.scan(line);
            copy_data =
                starts_in_code && matches!(lexer, QuoteState::Code) && is_copy_from_stdin(line);
        }
        line_start = line_end + 1;
    }
}

/// `COPY table ... FROM stdin;` on one line, as pg_dump writes it.
fn is_copy_from_stdin(line: &[u8]) -> bool {
    let lower = line.trim_ascii().to_ascii_lowercase();
    lower.starts_with(b"copy ")
        && lower.ends_with(b";")
        && lower.windows(10).any(|w| w == b"from stdin")
}

/// Where a line-by-line scan is: in code, or inside a construct that spans lines.
#[derive(Clone, Debug, PartialEq, Eq)]
enum QuoteState {
    Code,
    SingleQuoted,
    DoubleQuoted,
    BlockComment(usize),
    Dollar(Vec<u8>),
}

impl QuoteState {
    /// The state after scanning one line (without its newline) from `self`.
    fn scan(mut self, line: &[u8]) -> QuoteState {
        let mut i = 0;
        while i < line.len() {
            match &mut self {
                QuoteState::Code => match line[i] {
                    b'\'' => self = QuoteState::SingleQuoted,
                    b'"' => self = QuoteState::DoubleQuoted,
                    b'-' if line.get(i + 1) == Some(&b'-') => return QuoteState::Code,
                    b'/' if line.get(i + 1) == Some(&b'*') => {
                        self = QuoteState::BlockComment(1);
                        i += 1;
                    }
                    b'$' => {
                        if let Some(tag) = dollar_tag(line, i) {
                            i += tag.len() - 1;
                            self = QuoteState::Dollar(tag);
                        }
                    }
                    _ => {}
                },
                QuoteState::SingleQuoted if line[i] == b'\'' => self = QuoteState::Code,
                QuoteState::DoubleQuoted if line[i] == b'"' => self = QuoteState::Code,
                QuoteState::BlockComment(depth) => {
                    if line[i..].starts_with(b"*/") {
                        *depth -= 1;
                        i += 1;
                        if *depth == 0 {
                            self = QuoteState::Code;
                        }
                    } else if line[i..].starts_with(b"/*") {
                        *depth += 1;
                        i += 1;
                    }
                }
                QuoteState::Dollar(tag) if line[i..].starts_with(tag) => {
                    i += tag.len() - 1;
                    self = QuoteState::Code;
                }
                _ => {}
            }
            i += 1;
        }
        self
    }
}

/// The dollar-quote tag (`$$` or `$name$`) starting at `at`, if one does. A `$` right after
/// an identifier character is part of that identifier, not a quote.
fn dollar_tag(line: &[u8], at: usize) -> Option<Vec<u8>> {
    if at > 0 && (line[at - 1].is_ascii_alphanumeric() || line[at - 1] == b'_') {
        return None;
    }
    let name_len = line[at + 1..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_' || **b >= 0x80)
        .count();
    let close = at + 1 + name_len;
    let starts_with_digit = name_len > 0 && line[at + 1].is_ascii_digit();
    (line.get(close) == Some(&b'$') && !starts_with_digit).then(|| line[at..=close].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_shape(input: &str) -> String {
        let out = neutralize(input);
        assert_eq!(out.len(), input.len(), "length changed for {input:?}");
        for (a, b) in input.bytes().zip(out.bytes()) {
            assert_eq!(a == b'\n', b == b'\n', "newline moved in {input:?}");
        }
        out
    }

    #[test]
    fn go_template_in_a_table_name_becomes_an_identifier() {
        let sql = r#"drop table if exists {{ index .Options "Namespace" }}.sso_sessions;"#;
        let out = same_shape(sql);
        let placeholder = format!("x{}", "_".repeat(31));
        assert_eq!(
            out,
            format!("drop table if exists {placeholder}.sso_sessions;")
        );
    }

    #[test]
    fn go_template_control_actions_become_spaces() {
        let out = same_shape("{{- if .Drop }}\nDROP TABLE t;\n{{- end -}}\n{{/* note */}}");
        assert_eq!(
            out,
            "               \nDROP TABLE t;\n           \n              "
        );
    }

    #[test]
    fn go_template_with_braces_in_a_string_ends_at_the_real_close() {
        let out = same_shape(r#"select {{ printf "}}" }} from t"#);
        assert_eq!(out, format!("select x{} from t", "_".repeat(16)));
    }

    #[test]
    fn multi_line_template_stays_one_identifier() {
        let out = same_shape("alter table {{ .A\n .B }}.t drop column c;");
        assert_eq!(out, "alter table x____\n      .t drop column c;");
    }

    #[test]
    fn unclosed_template_is_left_alone() {
        assert_eq!(same_shape("select '{{' from t"), "select '{{' from t");
    }

    #[test]
    fn flyway_placeholders_become_identifiers() {
        let out = same_shape("CREATE TABLE ${schema}.t (a int); -- ${flyway:defaultSchema}");
        let flyway = format!("x{}", "_".repeat(22));
        assert_eq!(
            out,
            format!("CREATE TABLE x________.t (a int); -- {flyway}")
        );
        assert_eq!(same_shape("select '${'"), "select '${'");
    }

    #[test]
    fn psql_meta_commands_become_spaces() {
        let sql = "\\set ON_ERROR_STOP on\n\\connect app\n  \\i other.sql\nDROP TABLE t;\n";
        let out = same_shape(sql);
        let blank = |n: usize| " ".repeat(n);
        assert_eq!(
            out,
            format!(
                "{}\n{}\n{}\nDROP TABLE t;\n",
                blank(21),
                blank(12),
                blank(14)
            )
        );
    }

    #[test]
    fn backslash_lines_inside_quotes_are_data() {
        let sql = "select 'a\n\\b';\nDO $x$\n\\not a command\n$x$;\n\\echo done";
        let out = same_shape(sql);
        assert_eq!(
            out,
            "select 'a\n\\b';\nDO $x$\n\\not a command\n$x$;\n          "
        );
    }

    #[test]
    fn copy_from_stdin_data_is_blanked() {
        let sql = "COPY t (a) FROM stdin;\n1\n\\.\nDROP TABLE t;";
        assert_eq!(
            same_shape(sql),
            "COPY t (a) FROM stdin;\n \n  \nDROP TABLE t;"
        );
    }

    #[test]
    fn multibyte_text_in_templates_keeps_byte_offsets() {
        let sql = "select {{ .Schéma }} from t; -- é\n\\echo ü";
        let out = same_shape(sql);
        assert_eq!(
            out,
            format!("select x{} from t; -- é\n        ", "_".repeat(13))
        );
    }

    #[test]
    fn dollar_after_identifier_is_not_a_quote() {
        // `a$b` is an identifier; the backslash line after it is a meta-command.
        let out = same_shape("select a$b$ from t;\n\\q");
        assert_eq!(out, "select a$b$ from t;\n  ");
    }
}
