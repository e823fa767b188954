//! Kustomize writes its output through JSON: every object is decoded with yaml.v3 and
//! encoded again, so a plain scalar comes out as yaml.v3 reads it, not as it was
//! written. `0755` becomes `493`, `1.0` becomes `1`, `yes` becomes the string "yes",
//! `2001-12-14` becomes "2001-12-14T00:00:00Z". That output is what Argo CD applies,
//! so the rendered values are rewritten the same way (each keeps its span).

use super::kustomization::problem;
use crate::load::tree::{ScalarStyle, ScalarType, resolve_plain};
use crate::render::files::Problem;
use crate::render::value::{Node, Value};

/// How yaml.v3 reads a plain scalar.
#[derive(Debug, PartialEq)]
enum Read {
    /// Null or a boolean: read the same way by Kubernetes, left alone.
    Same,
    Int(i128),
    Float(f64),
    /// A string, possibly a reformatted timestamp.
    Text(String),
}

pub(super) fn normalise(value: &mut Value) -> Result<(), Problem> {
    match &mut value.node {
        Node::Map(entries) => entries.iter_mut().try_for_each(|(_, v)| normalise(v)),
        Node::Seq(items) => items.iter_mut().try_for_each(normalise),
        Node::Scalar(scalar) => {
            if scalar.style != ScalarStyle::Plain || scalar.tag.is_some() {
                return Ok(());
            }
            match read(&scalar.text) {
                Read::Same => {}
                Read::Int(n) => scalar.text = n.to_string(),
                Read::Float(f) if !f.is_finite() => {
                    return Err(problem(
                        value.span,
                        format!("json: unsupported value: {}", scalar.text),
                    ));
                }
                Read::Float(f) => scalar.text = float_text(f),
                Read::Text(text) => {
                    if text != scalar.text || resolve_plain(&text) != ScalarType::String {
                        scalar.text = text;
                        scalar.style = ScalarStyle::DoubleQuoted;
                    }
                }
            }
            Ok(())
        }
    }
}

/// Whether yaml.v3 reads the plain scalar `text` as a string (its type for a field
/// Kustomize rewrites in place, such as a replacement's target).
pub(super) fn reads_as_string(text: &str) -> bool {
    matches!(read(text), Read::Text(t) if t == text)
}

/// A float as it comes back from JSON: whole numbers below 1e21 are integers.
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e21 {
        if f.abs() < 9.2e18 {
            return format!("{}", f as i64);
        }
        return format!("{f:e}");
    }
    format!("{f:?}")
}

fn read(text: &str) -> Read {
    match text {
        "" | "~" | "null" | "Null" | "NULL" | "true" | "True" | "TRUE" | "false" | "False"
        | "FALSE" => return Read::Same,
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Read::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Read::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Read::Float(f64::NAN),
        _ => {}
    }
    let first = text.as_bytes()[0];
    if !(first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.') {
        return Read::Text(text.to_string());
    }
    if let Some(t) = timestamp(text) {
        return Read::Text(t);
    }
    let plain = text.replace('_', "");
    if let Some(n) = go_parse_int(&plain) {
        return Read::Int(n);
    }
    if is_yaml_float(&plain)
        && let Ok(f) = plain.parse::<f64>()
    {
        return Read::Float(f);
    }
    let (negative, digits) = match plain.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, plain.strip_prefix('+').unwrap_or(&plain)),
    };
    for (prefix, radix) in [("0b", 2), ("0o", 8)] {
        if let Some(d) = digits.strip_prefix(prefix)
            && let Ok(n) = i128::from_str_radix(d, radix)
        {
            return Read::Int(if negative { -n } else { n });
        }
    }
    Read::Text(text.to_string())
}

/// Go's `strconv.ParseInt(s, 0, 64)` (and `ParseUint`): sign, then `0x`, `0o`, `0b`,
/// a leading `0` for octal, or decimal.
fn go_parse_int(s: &str) -> Option<i128> {
    let (negative, rest) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) =
        if let Some(d) = rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X")) {
            (16, d)
        } else if let Some(d) = rest.strip_prefix("0o").or_else(|| rest.strip_prefix("0O")) {
            (8, d)
        } else if let Some(d) = rest.strip_prefix("0b").or_else(|| rest.strip_prefix("0B")) {
            (2, d)
        } else if rest.len() > 1 && rest.starts_with('0') {
            (8, &rest[1..])
        } else {
            (10, rest)
        };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let n = i128::from_str_radix(digits, radix).ok()?;
    let n = if negative { -n } else { n };
    let fits = if negative {
        n >= i64::MIN as i128
    } else {
        n <= u64::MAX as i128
    };
    fits.then_some(n)
}

/// yaml.v3's float pattern: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => digits(frac),
        Some((int, frac)) => digits(int) && frac.bytes().all(|b| b.is_ascii_digit()),
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}

/// yaml.v3's timestamps (`2006-1-2`, `2006-1-2T15:4:5.999999999Z07:00`, with `t` or a
/// space), as Go's JSON encoding writes them (RFC 3339, UTC as `Z`).
fn timestamp(s: &str) -> Option<String> {
    let digits4 =
        s.get(..4)?.bytes().all(|b| b.is_ascii_digit()) && s.as_bytes().get(4) == Some(&b'-');
    if !digits4 {
        return None;
    }
    let number = |t: &str, max_len: usize| -> Option<u32> {
        (!t.is_empty() && t.len() <= max_len && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse().ok())
            .flatten()
    };
    let (date, time) = match s.find(['T', 't', ' ']) {
        Some(i) => (&s[..i], Some((&s[i..i + 1], &s[i + 1..]))),
        None => (s, None),
    };
    let mut parts = date.splitn(3, '-');
    let year = number(parts.next()?, 4)?;
    let month = number(parts.next()?, 2)?;
    let day = number(parts.next()?, 2)?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in(year, month) {
        return None;
    }
    let date = format!("{year:04}-{month:02}-{day:02}");
    let Some((separator, time)) = time else {
        return Some(format!("{date}T00:00:00Z"));
    };
    // The zone: `Z` or `±hh:mm` (not allowed after a space separator).
    let (clock, zone) = if let Some(c) = time.strip_suffix('Z') {
        (c, "Z".to_string())
    } else if let Some(i) = time.rfind(['+', '-']).filter(|i| *i > 0) {
        let zone = &time[i..];
        let (h, m) = zone[1..].split_once(':')?;
        let (h, m) = (number(h, 2)?, number(m, 2)?);
        let zone = if h == 0 && m == 0 {
            "Z".to_string()
        } else {
            format!("{}{h:02}:{m:02}", &zone[..1])
        };
        (&time[..i], zone)
    } else if separator == " " {
        (time, "Z".to_string())
    } else {
        return None;
    };
    if separator == " " && zone != "Z" {
        return None;
    }
    let (hms, fraction) = match clock.split_once('.') {
        Some((hms, f))
            if !f.is_empty() && f.len() <= 9 && f.bytes().all(|b| b.is_ascii_digit()) =>
        {
            (hms, f)
        }
        Some(_) => return None,
        None => (clock, ""),
    };
    let mut hms = hms.splitn(3, ':');
    let (h, m, sec) = (
        number(hms.next()?, 2)?,
        number(hms.next()?, 2)?,
        number(hms.next()?, 2)?,
    );
    if h > 23 || m > 59 || sec > 59 {
        return None;
    }
    let fraction = fraction.trim_end_matches('0');
    let fraction = if fraction.is_empty() {
        String::new()
    } else {
        format!(".{fraction}")
    };
    Some(format!("{date}T{h:02}:{m:02}:{sec:02}{fraction}{zone}"))
}

fn days_in(year: u32, month: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn out(text: &str) -> serde_json::Value {
        let mut v = Value::plain(text, Span::default());
        normalise(&mut v).unwrap();
        v.to_json()
    }

    #[test]
    fn scalars_come_out_as_kubectl_kustomize_writes_them() {
        use serde_json::json;
        // Each pair is kubectl kustomize's output for the plain scalar.
        assert_eq!(out("0775"), json!(509));
        assert_eq!(out("0x1F"), json!(31));
        assert_eq!(out("yes"), json!("yes"));
        assert_eq!(out("On"), json!("On"));
        assert_eq!(out("1_000"), json!(1000));
        assert_eq!(out("0o17"), json!(15));
        assert_eq!(out("012345678"), json!(12345678));
        assert_eq!(out("1e3"), json!(1000));
        assert_eq!(out("1.0"), json!(1));
        assert_eq!(out(".5"), json!(0.5));
        assert_eq!(out("0b101"), json!(5));
        assert_eq!(out("+12"), json!(12));
        assert_eq!(out("08"), json!(8));
        assert_eq!(out("-0x10"), json!(-16));
        assert_eq!(out("2001-12-14"), json!("2001-12-14T00:00:00Z"));
        assert_eq!(
            out("2001-12-14T21:59:43.10-05:00"),
            json!("2001-12-14T21:59:43.1-05:00")
        );
        assert_eq!(out("12:30"), json!("12:30"));
        assert_eq!(out("0b2"), json!("0b2"));
        assert_eq!(out("1.5e-7"), json!(1.5e-7));
        assert_eq!(out("true"), json!(true));
        assert_eq!(out("~"), json!(null));
    }

    #[test]
    fn infinity_fails_like_kustomize() {
        let mut v = Value::plain(".inf", Span::default());
        assert!(normalise(&mut v).is_err());
    }
}
