//! Go's `fmt`, `strconv` and `encoding/json` output formats, as far as templates show
//! them: `%v` of a float64 is `1e+06`, JSON escapes `<`, `%q` uses Go escapes.

use super::value::{MAX_NESTING, Value};

/// The shortest decimal digits of `f` (no sign, no leading zeros) and the position of
/// the decimal point: `f = 0.DIGITS × 10^point`.
fn shortest_digits(f: f64) -> (String, i32) {
    // Rust's `{:e}` prints the shortest digits that round-trip, as Go's strconv does.
    let s = format!("{:e}", f.abs());
    let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let exponent: i32 = exponent.parse().unwrap_or(0);
    (digits, exponent + 1)
}

fn fixed(digits: &str, point: i32) -> String {
    if point <= 0 {
        format!("0.{}{}", "0".repeat((-point) as usize), digits)
    } else if point as usize >= digits.len() {
        format!("{}{}", digits, "0".repeat(point as usize - digits.len()))
    } else {
        let (int, frac) = digits.split_at(point as usize);
        format!("{int}.{frac}")
    }
}

/// `d.ddde±XX` with at least two exponent digits, as strconv writes it.
fn scientific(digits: &str, point: i32) -> String {
    let exp = point - 1;
    let mut s = String::new();
    s.push_str(&digits[..1]);
    if digits.len() > 1 {
        s.push('.');
        s.push_str(&digits[1..]);
    }
    s.push('e');
    s.push(if exp < 0 { '-' } else { '+' });
    let abs = exp.unsigned_abs();
    if abs < 10 {
        s.push('0');
    }
    s.push_str(&abs.to_string());
    s
}

fn special(f: f64) -> Option<&'static str> {
    if f.is_nan() {
        Some("NaN")
    } else if f == f64::INFINITY {
        Some("+Inf")
    } else if f == f64::NEG_INFINITY {
        Some("-Inf")
    } else {
        None
    }
}

/// `fmt.Sprint(float64)`, i.e. `strconv.FormatFloat(f, 'g', -1, 64)`: exponent form
/// when the exponent is below -4 or at least 6 (`1e+06`).
pub(crate) fn format_float(f: f64) -> String {
    if let Some(s) = special(f) {
        return s.to_string();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    let (digits, point) = shortest_digits(f);
    let exp = point - 1;
    let body = if !(-4..6).contains(&exp) {
        scientific(&digits, point)
    } else {
        fixed(&digits, point)
    };
    if f < 0.0 { format!("-{body}") } else { body }
}

/// `%e`/`%f` with a precision, for `printf`.
pub(super) fn format_float_prec(f: f64, verb: char, prec: usize) -> String {
    if let Some(s) = special(f) {
        return s.to_string();
    }
    match verb {
        'e' => {
            let s = format!("{:.*e}", prec, f);
            // Rust writes `1.5e3`; Go writes `1.5e+03`.
            match s.split_once('e') {
                Some((m, e)) => {
                    let (sign, digits) = match e.strip_prefix('-') {
                        Some(d) => ('-', d),
                        None => ('+', e),
                    };
                    let pad = if digits.len() < 2 { "0" } else { "" };
                    format!("{m}e{sign}{pad}{digits}")
                }
                None => s,
            }
        }
        _ => format!("{:.*}", prec, f),
    }
}

/// A float as Go's encoding/json writes it: plain decimals between 1e-6 and 1e21.
fn json_float(f: f64, out: &mut String) -> Result<(), String> {
    if special(f).is_some() {
        return Err(format!("json: unsupported value: {}", format_float(f)));
    }
    if f == 0.0 {
        out.push('0');
        return Ok(());
    }
    let abs = f.abs();
    let (digits, point) = shortest_digits(f);
    if f < 0.0 {
        out.push('-');
    }
    if !(1e-6..1e21).contains(&abs) {
        let s = scientific(&digits, point);
        // Go trims `e-07` to `e-7`.
        out.push_str(&s.replace("e-0", "e-"));
    } else {
        out.push_str(&fixed(&digits, point));
    }
    Ok(())
}

/// `json.Marshal` (with `indent`, `json.MarshalIndent(v, "", indent)`).
pub(super) fn to_json(v: &Value, indent: Option<&str>) -> Result<String, String> {
    let mut out = String::new();
    write_json(v, indent, 0, &mut out)?;
    Ok(out)
}

fn newline(out: &mut String, indent: Option<&str>, level: usize) {
    if let Some(unit) = indent {
        out.push('\n');
        for _ in 0..level {
            out.push_str(unit);
        }
    }
}

fn write_json(
    v: &Value,
    indent: Option<&str>,
    level: usize,
    out: &mut String,
) -> Result<(), String> {
    if level > MAX_NESTING {
        return Err("json: value nested too deeply".into());
    }
    match v {
        Value::Missing | Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) => json_float(*f, out)?,
        Value::Str(s) => crate::golang::json_string(s, out),
        Value::List(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, level + 1);
                write_json(item, indent, level + 1, out)?;
            }
            newline(out, indent, level);
            out.push(']');
        }
        Value::Map(map) => {
            let map = map.borrow();
            if map.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, level + 1);
                crate::golang::json_string(k, out);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write_json(item, indent, level + 1, out)?;
            }
            newline(out, indent, level);
            out.push('}');
        }
    }
    Ok(())
}

/// Go's `unicode.IsPrint`, near enough: graphic characters and the ASCII space.
fn is_print(c: char) -> bool {
    c == ' '
        || !(c.is_control()
            || c.is_whitespace()
            || matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{feff}'))
}

/// `strconv.Quote`: `%q` of a string.
pub(super) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if is_print(c) => out.push(c),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// `fmt.Sprint`: a space between operands when neither is a string.
pub(super) fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 && !matches!(arg, Value::Str(_)) && !matches!(args[i - 1], Value::Str(_)) {
            out.push(' ');
        }
        write_arg(arg, &mut out);
    }
    out
}

/// `fmt.Sprintln`: always a space between operands, and a newline.
pub(super) fn sprintln(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        write_arg(arg, &mut out);
    }
    out.push('\n');
    out
}

/// A function argument under `%v`: a missing value arrived as a nil interface.
pub(super) fn write_arg(arg: &Value, out: &mut String) {
    if arg.is_nil() {
        out.push_str("<nil>");
    } else {
        arg.write(out, 0);
    }
}

/// `template.HTMLEscapeString`.
pub(super) fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("&#39;"),
            '"' => out.push_str("&#34;"),
            '\0' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// `template.JSEscapeString`.
pub(super) fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || !is_print(c) => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// `url.QueryEscape`.
pub(super) fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The string the html/js/urlquery builtins escape: one string argument as is,
/// otherwise `fmt.Sprint` of all.
pub(super) fn escaper_input(args: &[Value]) -> String {
    match args {
        [Value::Str(s)] => s.to_string(),
        _ => sprint(args),
    }
}
