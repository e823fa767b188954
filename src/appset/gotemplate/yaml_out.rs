//! Argo CD's `toYaml`: `sigs.k8s.io/yaml.Marshal`, i.e. JSON first (so integral floats
//! become integers), then go-yaml v2's block style with sorted keys, sequences under a
//! key not indented, and the final newline trimmed. Long strings are not folded at 80
//! columns as go-yaml does; the value read back is the same.

use super::format::format_float;
use super::value::{MAX_NESTING, Value};
use crate::load::tree::{ScalarType, resolve_plain};

pub(super) fn to_yaml(v: &Value) -> Result<String, String> {
    let mut out = String::new();
    match v {
        Value::List(items) if !items.is_empty() => write_list(items, 0, &mut out, false, 0)?,
        Value::Map(map) if !map.borrow().is_empty() => write_map(v, 0, &mut out, false, 0)?,
        scalar => {
            out.push_str(&scalar_text(scalar, 2)?);
            out.push('\n');
        }
    }
    while out.ends_with('\n') {
        out.pop();
    }
    Ok(out)
}

fn indent_to(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

fn write_map(
    v: &Value,
    indent: usize,
    out: &mut String,
    inline_first: bool,
    depth: usize,
) -> Result<(), String> {
    if depth > MAX_NESTING {
        return Err("value nested too deeply".into());
    }
    let Value::Map(map) = v else { return Ok(()) };
    for (i, (key, value)) in map.borrow().iter().enumerate() {
        if !(i == 0 && inline_first) {
            indent_to(out, indent);
        }
        out.push_str(&string_text(key, indent + 2, false));
        out.push(':');
        match value {
            Value::Map(m) if !m.borrow().is_empty() => {
                out.push('\n');
                write_map(value, indent + 2, out, false, depth + 1)?;
            }
            Value::List(items) if !items.is_empty() => {
                out.push('\n');
                write_list(items, indent, out, false, depth + 1)?;
            }
            scalar => {
                out.push(' ');
                out.push_str(&scalar_text(scalar, indent + 2)?);
                out.push('\n');
            }
        }
    }
    Ok(())
}

fn write_list(
    items: &[Value],
    indent: usize,
    out: &mut String,
    inline_first: bool,
    depth: usize,
) -> Result<(), String> {
    if depth > MAX_NESTING {
        return Err("value nested too deeply".into());
    }
    for (i, item) in items.iter().enumerate() {
        if !(i == 0 && inline_first) {
            indent_to(out, indent);
        }
        out.push_str("- ");
        match item {
            Value::Map(m) if !m.borrow().is_empty() => {
                write_map(item, indent + 2, out, true, depth + 1)?
            }
            Value::List(inner) if !inner.is_empty() => {
                write_list(inner, indent + 2, out, true, depth + 1)?
            }
            scalar => {
                out.push_str(&scalar_text(scalar, indent + 2)?);
                out.push('\n');
            }
        }
    }
    Ok(())
}

fn scalar_text(v: &Value, content_indent: usize) -> Result<String, String> {
    Ok(match v {
        Value::Missing | Value::Nil => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) if !f.is_finite() => {
            return Err(format!("json: unsupported value: {}", format_float(*f)));
        }
        // JSON writes an integral float as an integer, which YAML then reads as one.
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e18 => (*f as i64).to_string(),
        Value::Float(f) => format_float(*f),
        Value::Str(s) => string_text(s, content_indent, true),
        Value::List(_) => "[]".into(),
        Value::Map(_) => "{}".into(),
    })
}

fn is_printable(c: char) -> bool {
    c == '\n' || c == '\t' || !(c.is_control() || c == '\u{feff}')
}

/// A string as go-yaml writes it: plain when that reads back as the same string,
/// double-quoted when plain would read as another type, single-quoted when plain is
/// not allowed, a literal block for several lines.
fn string_text(s: &str, content_indent: usize, block_allowed: bool) -> String {
    let printable = s.chars().all(is_printable);
    if s.contains('\n') {
        let block_ok = block_allowed
            && printable
            && !s.starts_with([' ', '\t'])
            && !s.lines().any(|l| l.ends_with([' ', '\t']));
        if block_ok {
            return literal_block(s, content_indent);
        }
        return double_quoted(s);
    }
    let resolves_to_other_type = resolve_plain(s) != ScalarType::String || is_base60_float(s);
    if resolves_to_other_type || !printable {
        return double_quoted(s);
    }
    if plain_allowed(s) {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', "''"))
}

fn literal_block(s: &str, content_indent: usize) -> String {
    let trailing = s.len() - s.trim_end_matches('\n').len();
    let chomp = match trailing {
        0 => "-",
        1 => "",
        _ => "+",
    };
    let mut out = format!("|{chomp}");
    let body = s.strip_suffix('\n').unwrap_or(s);
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            indent_to(&mut out, content_indent);
            out.push_str(line);
        }
    }
    out
}

fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\0' => out.push_str("\\0"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{b}' => out.push_str("\\v"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\u{1b}' => out.push_str("\\e"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02X}", c as u32))
            }
            '\u{feff}' => out.push_str("\\uFEFF"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// go-yaml quotes `1:20`, which YAML 1.1 reads as a sexagesimal number.
fn is_base60_float(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let Some((head, rest)) = body.split_once(':') else {
        return false;
    };
    !head.is_empty()
        && head.bytes().all(|b| b.is_ascii_digit() || b == b'_')
        && rest.split(':').all(|p| {
            let p = p.split_once('.').map_or(p, |(int, _)| int);
            !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit())
        })
}

/// The emitter's analysis for plain scalars in block context.
fn plain_allowed(s: &str) -> bool {
    if s.is_empty() || s.starts_with([' ', '\t']) || s.ends_with([' ', '\t']) {
        return false;
    }
    if s.starts_with("---") || s.starts_with("...") {
        return false;
    }
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let followed_by_space = chars.get(i + 1).is_none_or(|n| *n == ' ' || *n == '\t');
        let preceded_by_space = i > 0 && (chars[i - 1] == ' ' || chars[i - 1] == '\t');
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => {
                    return false;
                }
                '?' | ':' | '-' if followed_by_space => return false,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_space => return false,
                '#' if preceded_by_space => return false,
                _ => {}
            }
        }
    }
    true
}
