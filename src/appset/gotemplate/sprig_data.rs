//! Sprig's collection, encoding and number functions, and Argo CD's name functions.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::builtins::{CallContext, Result, want, want_at_least};
use super::format::to_json;
use super::sprig::{arg_map, arg_str, check_nesting, list_arg, strval};
use super::value::Value;
use super::yaml_out::to_yaml;
use crate::appset::names::{sanitize_name, slugify};

/// `cast.ToInt64`: numbers truncate, strings parse with Go's base prefixes, else 0.
fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Int(i) => *i,
        Value::Float(f) => *f as i64,
        Value::Bool(b) => *b as i64,
        Value::Str(s) => parse_int_base0(trim_zero_decimal(s)).unwrap_or(0),
        _ => 0,
    }
}

fn trim_zero_decimal(s: &str) -> &str {
    match s.split_once('.') {
        Some((int, frac)) if !int.is_empty() && frac.bytes().all(|b| b == b'0') => int,
        _ => s,
    }
}

/// `strconv.ParseInt(s, 0, 64)`.
fn parse_int_base0(s: &str) -> Option<i64> {
    let (negative, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let lower = body.to_ascii_lowercase();
    let (digits, radix) = if let Some(d) = lower.strip_prefix("0x") {
        (d.to_string(), 16)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (d.to_string(), 8)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (d.to_string(), 2)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (lower[1..].to_string(), 8)
    } else {
        (lower.clone(), 10)
    };
    let digits = if radix == 10 {
        digits
    } else {
        digits.replace('_', "")
    };
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    let v = i64::from_str_radix(&digits, radix).ok()?;
    Some(if negative { -v } else { v })
}

fn to_float64(v: &Value) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        Value::Bool(b) => *b as i64 as f64,
        Value::Str(s) => s.trim().parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

/// `base64.StdEncoding.DecodeString` (newlines ignored, padding required).
fn base64_decode(s: &str) -> std::result::Result<Vec<u8>, String> {
    let sextet = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let chars: Vec<(usize, u8)> = s
        .bytes()
        .enumerate()
        .filter(|(_, b)| *b != b'\n' && *b != b'\r')
        .collect();
    let illegal = |i: usize| format!("illegal base64 data at input byte {i}");
    let mut out = Vec::with_capacity(chars.len() / 4 * 3);
    let quads = chars.len().div_ceil(4);
    for (q, quad) in chars.chunks(4).enumerate() {
        if quad.len() < 4 {
            // A bad character is reported first, then the incomplete group.
            let bad = quad
                .iter()
                .find(|(_, b)| *b != b'=' && sextet(*b).is_none());
            return Err(illegal(bad.unwrap_or(&quad[0]).0));
        }
        let pads = quad.iter().rev().take_while(|(_, b)| *b == b'=').count();
        // Padding ends the data: at most two, and only in the last group.
        if pads > 2 || (pads > 0 && q + 1 < quads) {
            return Err(illegal(quad[4 - pads].0));
        }
        let mut n = 0u32;
        for (i, (at, b)) in quad.iter().enumerate() {
            let v = if i >= 4 - pads {
                0
            } else {
                sextet(*b).ok_or_else(|| illegal(*at))?
            };
            n = n << 6 | v;
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pads]);
    }
    Ok(out)
}

fn json_to_value(json: &serde_json::Value) -> Value {
    Value::from_json(json, 0)
}

/// Collections, encodings, numbers and names.
pub(super) fn call(name: &str, args: Vec<Value>, ctx: &CallContext) -> Result<Value> {
    Ok(match name {
        "list" => {
            check_nesting(&args, ctx)?;
            Value::list(args)
        }
        "dict" => {
            check_nesting(&args, ctx)?;
            let mut map = BTreeMap::new();
            for pair in args.chunks(2) {
                map.insert(
                    strval(&pair[0]),
                    pair.get(1).cloned().unwrap_or_else(|| Value::str("")),
                );
            }
            Value::map(map)
        }
        "get" => {
            want(name, &args, 2)?;
            let key = arg_str(&args[1])?;
            arg_map(&args[0])?
                .and_then(|m| m.borrow().get(key).cloned())
                .unwrap_or_else(|| Value::str(""))
        }
        "set" => {
            want(name, &args, 3)?;
            check_nesting(&args[2..], ctx)?;
            let map = arg_map(&args[0])?.ok_or("assignment to entry in nil map")?;
            // A copy, so that no map can come to contain itself.
            map.borrow_mut()
                .insert(arg_str(&args[1])?.to_string(), args[2].deep_copy(0));
            args[0].clone()
        }
        "unset" => {
            want(name, &args, 2)?;
            if let Some(map) = arg_map(&args[0])? {
                map.borrow_mut().remove(arg_str(&args[1])?);
            }
            args[0].clone()
        }
        "hasKey" => {
            want(name, &args, 2)?;
            let key = arg_str(&args[1])?;
            Value::Bool(arg_map(&args[0])?.is_some_and(|m| m.borrow().contains_key(key)))
        }
        "keys" => {
            // Go returns map order, which is random; sorted is one of the possible orders.
            let mut keys = Vec::new();
            for arg in &args {
                if let Some(m) = arg_map(arg)? {
                    keys.extend(m.borrow().keys().cloned());
                }
            }
            keys.sort();
            Value::list(keys.into_iter().map(Value::str).collect())
        }
        "first" | "last" | "rest" | "initial" => {
            want(name, &args, 1)?;
            let items = list_arg(name, &args[0])?;
            match (name, items.len()) {
                ("first" | "last", 0) => Value::Nil,
                ("first", _) => items[0].clone(),
                ("last", n) => items[n - 1].clone(),
                (_, 0) => Value::list(Vec::new()),
                ("rest", _) => Value::list(items[1..].to_vec()),
                (_, n) => Value::list(items[..n - 1].to_vec()),
            }
        }
        "append" | "push" | "prepend" => {
            want(name, &args, 2)?;
            check_nesting(&args[1..], ctx)?;
            let mut items = list_arg(name, &args[0])?.to_vec();
            if name == "prepend" {
                items.insert(0, args[1].clone());
            } else {
                items.push(args[1].clone());
            }
            Value::list(items)
        }
        "concat" => {
            let mut items = Vec::new();
            for arg in &args {
                items.extend_from_slice(list_arg(name, arg)?);
            }
            Value::list(items)
        }
        "has" => {
            want(name, &args, 2)?;
            match &args[1] {
                v if v.is_nil() => Value::Bool(false),
                Value::List(items) => Value::Bool(items.iter().any(|i| i.deep_equal(&args[0], 0))),
                other => return Err(format!("Cannot find has on type {}", other.type_name())),
            }
        }
        "uniq" | "compact" => {
            want(name, &args, 1)?;
            let items = list_arg(name, &args[0])?;
            let mut out: Vec<Value> = Vec::new();
            for item in items {
                let keep = if name == "compact" {
                    !item.is_empty()
                } else {
                    !out.iter().any(|o| o.deep_equal(item, 0))
                };
                if keep {
                    out.push(item.clone());
                }
            }
            Value::list(out)
        }
        "toJson" | "mustToJson" | "toPrettyJson" => {
            want(name, &args, 1)?;
            let indent = (name == "toPrettyJson").then_some("  ");
            match to_json(&args[0], indent) {
                Ok(s) => Value::str(s),
                Err(e) if name == "mustToJson" => return Err(e),
                Err(_) => Value::str(""),
            }
        }
        "fromJson" | "mustFromJson" => {
            want(name, &args, 1)?;
            match serde_json::from_str::<serde_json::Value>(arg_str(&args[0])?) {
                Ok(json) => json_to_value(&json),
                Err(e) if name == "mustFromJson" => return Err(e.to_string()),
                Err(_) => Value::Nil,
            }
        }
        "toYaml" => {
            want(name, &args, 1)?;
            Value::str(to_yaml(&args[0])?)
        }
        "fromYaml" | "fromYamlArray" => {
            want(name, &args, 1)?;
            let parsed = crate::appset::yaml::parse_yaml(arg_str(&args[0])?)?;
            match (name, parsed) {
                ("fromYaml", None) => Value::map(BTreeMap::new()),
                (_, None) => Value::list(Vec::new()),
                ("fromYaml", Some(json @ serde_json::Value::Object(_)))
                | ("fromYamlArray", Some(json @ serde_json::Value::Array(_))) => {
                    json_to_value(&json)
                }
                (_, Some(other)) => {
                    return Err(format!(
                        "cannot unmarshal {} into Go value",
                        json_kind(&other)
                    ));
                }
            }
        }
        "b64enc" => {
            want(name, &args, 1)?;
            Value::str(crate::golang::base64(arg_str(&args[0])?.as_bytes()))
        }
        "b64dec" => {
            want(name, &args, 1)?;
            match base64_decode(arg_str(&args[0])?) {
                Ok(bytes) => Value::str(String::from_utf8_lossy(&bytes).into_owned()),
                Err(e) => Value::str(e),
            }
        }
        "sha256sum" => {
            want(name, &args, 1)?;
            let digest = Sha256::digest(arg_str(&args[0])?.as_bytes());
            Value::str(
                digest
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>(),
            )
        }
        "int" | "int64" => {
            want(name, &args, 1)?;
            Value::Int(to_int64(&args[0]))
        }
        "float64" => {
            want(name, &args, 1)?;
            Value::Float(to_float64(&args[0]))
        }
        "atoi" => {
            want(name, &args, 1)?;
            let s = arg_str(&args[0])?;
            let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
            let valid = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
            Value::Int(if valid { s.parse().unwrap_or(0) } else { 0 })
        }
        _ => return arithmetic(name, args),
    })
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "bool",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

/// Sprig's integer arithmetic: arguments go through `toInt64`, results are int64 and
/// wrap on overflow as Go's do.
fn arithmetic(name: &str, args: Vec<Value>) -> Result<Value> {
    let ints: Vec<i64> = args.iter().map(to_int64).collect();
    Ok(Value::Int(match name {
        "add" => ints.iter().fold(0i64, |a, b| a.wrapping_add(*b)),
        "add1" => {
            want(name, &args, 1)?;
            ints[0].wrapping_add(1)
        }
        "sub" => {
            want(name, &args, 2)?;
            ints[0].wrapping_sub(ints[1])
        }
        "mul" => {
            want_at_least(name, &args, 1)?;
            ints.iter().fold(1i64, |a, b| a.wrapping_mul(*b))
        }
        "div" | "mod" => {
            want(name, &args, 2)?;
            if ints[1] == 0 {
                return Err("runtime error: integer divide by zero".into());
            }
            if name == "div" {
                ints[0].wrapping_div(ints[1])
            } else {
                ints[0].wrapping_rem(ints[1])
            }
        }
        "max" => {
            want_at_least(name, &args, 1)?;
            ints.iter().copied().max().unwrap_or(0)
        }
        "min" => {
            want_at_least(name, &args, 1)?;
            ints.iter().copied().min().unwrap_or(0)
        }
        "normalize" => {
            want(name, &args, 1)?;
            return Ok(Value::str(sanitize_name(arg_str(&args[0])?)));
        }
        "slugify" => return slugify_call(&args),
        _ => return Err(format!("function {name:?} not defined")),
    }))
}

/// Argo CD's `slugify [maxSize] [smartTruncate] name`: the last argument is the name.
fn slugify_call(args: &[Value]) -> Result<Value> {
    let Some((name, options)) = args.split_last() else {
        return Ok(Value::str(""));
    };
    let name = match name {
        Value::Str(s) => s,
        other => {
            return Err(format!(
                "interface conversion: interface {{}} is {}, not string",
                other.type_name()
            ));
        }
    };
    let mut max_size = 50;
    let mut smart_truncate = true;
    if let Some(v) = options.first() {
        max_size = match v {
            Value::Int(i) => *i,
            other => {
                return Err(format!(
                    "interface conversion: interface {{}} is {}, not int",
                    other.type_name()
                ));
            }
        };
    }
    if let Some(v) = options.get(1) {
        smart_truncate = match v {
            Value::Bool(b) => *b,
            other => {
                return Err(format!(
                    "interface conversion: interface {{}} is {}, not bool",
                    other.type_name()
                ));
            }
        };
    }
    Ok(Value::str(slugify(name, max_size, smart_truncate)))
}
