//! Parameter sets and the Go map operations generators apply to them: flattening for
//! fasttemplate, `fmt.Sprintf("%v")` of JSON-decoded values, and mergo's deep merge.

use serde_json::{Map, Value};

use super::Params;
use super::gotemplate::format_float;

const MAX_DEPTH: usize = 256;

/// `fmt.Sprintf("%v", v)` of a value Go decoded from JSON (numbers are float64).
pub fn go_sprint(v: &Value) -> String {
    let mut out = String::new();
    write_go(v, &mut out, 0);
    out
}

fn write_go(v: &Value, out: &mut String, depth: usize) {
    if depth > MAX_DEPTH {
        out.push_str("...");
        return;
    }
    match v {
        Value::Null => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&format_float(n.as_f64().unwrap_or(0.0))),
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_go(item, out, depth + 1);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push_str("map[");
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                write_go(item, out, depth + 1);
            }
            out.push(']');
        }
    }
}

/// jeremywohl/flatten in dot style (`a.b`, list items as `a.0`), each leaf printed with
/// `%v`. Empty maps and lists leave no key.
pub fn flatten(obj: &Map<String, Value>) -> Params {
    let mut out = Params::new();
    for (k, v) in obj {
        flatten_into(k, v, &mut out, 0);
    }
    out
}

fn flatten_into(key: &str, v: &Value, out: &mut Params, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match v {
        Value::Object(map) => {
            for (k, item) in map {
                flatten_into(&format!("{key}.{k}"), item, out, depth + 1);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                flatten_into(&format!("{key}.{i}"), item, out, depth + 1);
            }
        }
        leaf => {
            out.insert(key.to_string(), Value::String(go_sprint(leaf)));
        }
    }
}

/// Every value as the string `%v` prints (utils.ConvertToMapStringString).
pub fn stringify(params: &Params) -> Params {
    params
        .iter()
        .map(|(k, v)| {
            let s = match v {
                Value::String(s) => s.clone(),
                other => go_sprint(other),
            };
            (k.clone(), Value::String(s))
        })
        .collect()
}

/// `mergo.Merge(&dst, src, mergo.WithOverride)` on `map[string]any`: maps merge key by
/// key, anything else in `src` replaces what `dst` has.
pub fn merge_override(dst: &mut Map<String, Value>, src: &Map<String, Value>) {
    merge_at(dst, src, 0);
}

fn merge_at(dst: &mut Map<String, Value>, src: &Map<String, Value>, depth: usize) {
    for (k, v) in src {
        match (dst.get_mut(k), v) {
            (Some(Value::Object(d)), Value::Object(s)) if depth < MAX_DEPTH => {
                merge_at(d, s, depth + 1)
            }
            _ => {
                dst.insert(k.clone(), v.clone());
            }
        }
    }
}
