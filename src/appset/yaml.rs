//! YAML to JSON values the way `sigs.k8s.io/yaml` reads them (YAML 1.1 scalars through
//! go-yaml v2, then JSON), using the crate's own loader.

use std::sync::Arc;

use serde_json::{Map, Number, Value};

use crate::load::tree::{NodeId, ScalarType, Tree};
use crate::load::yaml::{Bounds, parse};
use crate::source::FileId;

/// Nodes one conversion may produce, aliases counted in full.
const MAX_NODES: u64 = 1_000_000;
const MAX_DEPTH: usize = 256;

/// The first document of `text`, or `None` when there is none (an empty file).
pub fn parse_yaml(text: &str) -> Result<Option<Value>, String> {
    let text: Arc<str> = Arc::from(text);
    let parsed = parse(FileId(0), &text, Bounds::default());
    if let Some(err) = parsed.error {
        return Err(format!(
            "YAML error at byte {}: {}",
            err.offset, err.message
        ));
    }
    match parsed.documents.first().copied().flatten() {
        Some(root) => node_to_json(&parsed.tree, root).map(Some),
        None => Ok(None),
    }
}

/// One node of a loaded tree as JSON. JSON pointers into the result follow the YAML
/// structure, so a caller can map a pointer back to a node and its span.
pub fn node_to_json(tree: &Tree, node: NodeId) -> Result<Value, String> {
    let mut budget = MAX_NODES;
    convert(tree, node, 0, &mut budget)
}

fn convert(tree: &Tree, node: NodeId, depth: usize, budget: &mut u64) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err("YAML nests too deeply".into());
    }
    if *budget == 0 {
        return Err("YAML expands to too many nodes".into());
    }
    *budget -= 1;
    if tree.is_map(node) {
        let mut map = Map::new();
        for entry in tree.entries(node) {
            let key = key_string(tree, entry.key)?;
            map.insert(key, convert(tree, entry.value, depth + 1, budget)?);
        }
        return Ok(Value::Object(map));
    }
    if tree.is_seq(node) {
        return tree
            .items(node)
            .iter()
            .map(|item| convert(tree, *item, depth + 1, budget))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array);
    }
    scalar(tree, node)
}

fn scalar(tree: &Tree, node: NodeId) -> Result<Value, String> {
    let Some(s) = tree.scalar(node) else {
        return Ok(Value::Null);
    };
    Ok(match s.k8s_type() {
        ScalarType::Null => Value::Null,
        ScalarType::Bool => Value::Bool(matches!(
            s.value,
            "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON"
        )),
        ScalarType::Int => match tree.int(node) {
            Some(i) => Value::Number(i.into()),
            None => float(s.value)?,
        },
        ScalarType::Float => float(s.value)?,
        ScalarType::String => Value::String(s.value.to_string()),
    })
}

fn float(text: &str) -> Result<Value, String> {
    let clean = text.replace('_', "");
    let f: f64 = match clean.trim_start_matches('+') {
        ".inf" | ".Inf" | ".INF" => f64::INFINITY,
        "-.inf" | "-.Inf" | "-.INF" => f64::NEG_INFINITY,
        ".nan" | ".NaN" | ".NAN" => f64::NAN,
        other => other
            .parse()
            .map_err(|_| format!("invalid number {text:?}"))?,
    };
    Number::from_f64(f)
        .map(Value::Number)
        .ok_or_else(|| format!("json: unsupported value: {text}"))
}

/// JSON object keys: strings as they are, other scalars as sigs.k8s.io/yaml prints them.
fn key_string(tree: &Tree, key: NodeId) -> Result<String, String> {
    match scalar(tree, key)? {
        Value::String(s) => Ok(s),
        Value::Null if tree.scalar(key).is_some() => Ok("null".into()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(match n.as_i64() {
            Some(i) => i.to_string(),
            None => crate::appset::gotemplate::format_float(n.as_f64().unwrap_or(0.0)),
        }),
        _ => Err("a mapping key is not a scalar".into()),
    }
}
