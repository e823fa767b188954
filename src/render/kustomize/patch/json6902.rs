//! JSON 6902 patches, with the behaviour of the library Kustomize uses
//! (evanphx/json-patch v4): `add` creates only the last key; `replace` needs the
//! parent to exist, but on a map it adds a missing key; `remove` and `move` fail on a
//! missing key; `copy` of a missing key copies `null`; array indexes may be negative
//! (counted from the end) and `-` appends; `test` compares JSON values, a `null` or
//! absent `value` passing for a missing key. Errors read as that library's do.

use crate::render::value::{Node, Value};
use crate::source::Span;

pub(super) fn apply(target: &mut Value, operations: &Value) -> Result<(), String> {
    let Node::Seq(operations) = &operations.node else {
        return Err("JSON 6902 operations must be a list".into());
    };
    let mut document = target.clone();
    for operation in operations {
        apply_one(&mut document, operation)?;
    }
    *target = document;
    Ok(())
}

fn apply_one(document: &mut Value, operation: &Value) -> Result<(), String> {
    if !operation.is_map() {
        return Err("a JSON 6902 operation must be a map".into());
    }
    let kind = operation.get_str("op").unwrap_or("");
    let (path, path_span) = pointer_field(operation, "path")?;
    let value = || {
        operation
            .get("value")
            .cloned()
            .unwrap_or_else(|| Value::plain("null", operation.span))
    };
    match kind {
        "add" => {
            let (container, key) = container(document, &path).ok_or_else(|| {
                format!(
                    "add operation does not apply: doc is missing path: \"{path}\": missing value"
                )
            })?;
            add(container, &key, value(), path_span)
                .map_err(|e| format!("error in add for path: '{path}': {e}"))
        }
        "remove" => {
            let (container, key) = container(document, &path).ok_or_else(|| {
                format!("remove operation does not apply: doc is missing path: \"{path}\": missing value")
            })?;
            remove(container, &key)
                .map(drop)
                .map_err(|e| format!("error in remove for path: '{path}': {e}"))
        }
        "replace" => replace(document, &path, value(), path_span),
        "move" => {
            let (from, _) = pointer_field(operation, "from")?;
            let (source, key) = container(document, &from).ok_or_else(|| {
                format!(
                    "move operation does not apply: doc is missing from path: {from}: missing value"
                )
            })?;
            let in_move = |e: String| format!("error in move for path: '{key}': {e}");
            get(source, &key).map_err(in_move)?;
            let moved = remove(source, &key).map_err(in_move)?;
            let (destination, key) = container(document, &path).ok_or_else(|| {
                format!("move operation does not apply: doc is missing destination path: {path}: missing value")
            })?;
            add(destination, &key, moved, path_span)
                .map_err(|e| format!("error in move for path: '{key}': {e}"))
        }
        "copy" => {
            let (from, _) = pointer_field(operation, "from")?;
            let (source, key) = container(document, &from).ok_or_else(|| {
                format!(
                    "copy operation does not apply: doc is missing from path: {from}: missing value"
                )
            })?;
            let copied = get(source, &key)
                .map_err(|e| format!("error in copy for from: '{from}': {e}"))?
                .cloned()
                .unwrap_or_else(|| Value::plain("null", operation.span));
            let (destination, key) = container(document, &path).ok_or_else(|| {
                format!("copy operation does not apply: doc is missing destination path: {path}: missing value")
            })?;
            add(destination, &key, copied, path_span)
                .map_err(|e| format!("error in add for path: '{path}': {e}"))
        }
        "test" => test(document, &path, operation.get("value")),
        other => Err(format!("Unexpected kind: {other}")),
    }
}

/// A pointer field of an operation, with the span to give keys it creates.
fn pointer_field(operation: &Value, field: &str) -> Result<(String, Span), String> {
    match operation.get(field) {
        Some(value) if value.scalar().is_some() => {
            Ok((value.as_str().unwrap_or("").to_string(), value.span))
        }
        Some(_) => Err(format!("operation's {field} field must be a string")),
        None => Err(format!("operation missing {field} field: missing value")),
    }
}

/// The map or list holding the last token of `path`, and that token. As in the
/// library, the text before the first `/` is ignored and a path without `/` has none.
fn container<'d>(document: &'d mut Value, path: &str) -> Option<(&'d mut Value, String)> {
    let tokens: Vec<String> = path.split('/').map(unescape).collect();
    let (key, parents) = tokens.split_last()?;
    let parents = parents.get(1..)?;
    let mut at = document;
    for token in parents {
        at = if at.is_map() {
            at.get_mut(token)?
        } else {
            let items = at.items_mut()?;
            let i = index(token, items.len()).ok()?;
            &mut items[i]
        };
    }
    (at.is_map() || at.is_seq()).then(|| (at, key.clone()))
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// An existing element's index (negative counts from the end), Go's `Atoi` syntax.
fn index(token: &str, len: usize) -> Result<usize, String> {
    let i = atoi(token)?;
    let len = len as i64;
    let i = if i < 0 && i >= -len { i + len } else { i };
    if i < 0 || i >= len {
        return Err(format!(
            "Unable to access invalid index: {i}: invalid index referenced"
        ));
    }
    Ok(i as usize)
}

fn atoi(token: &str) -> Result<i64, String> {
    token
        .parse::<i64>()
        .map_err(|_| format!("strconv.Atoi: parsing \"{token}\": invalid syntax"))
}

fn get<'c>(container: &'c Value, key: &str) -> Result<Option<&'c Value>, String> {
    match &container.node {
        Node::Seq(items) => Ok(Some(&items[index(key, items.len())?])),
        _ => Ok(container.get(key)),
    }
}

fn add(container: &mut Value, key: &str, value: Value, key_span: Span) -> Result<(), String> {
    let Node::Seq(items) = &mut container.node else {
        container.insert(key, key_span, value);
        return Ok(());
    };
    if key == "-" {
        items.push(value);
        return Ok(());
    }
    let i = atoi(key).map_err(|e| format!("value was not a proper array index: '{key}': {e}"))?;
    let size = items.len() as i64 + 1;
    let i = if i < 0 && i >= -size { i + size } else { i };
    if i < 0 || i >= size {
        return Err(format!(
            "Unable to access invalid index: {i}: invalid index referenced"
        ));
    }
    items.insert(i as usize, value);
    Ok(())
}

fn remove(container: &mut Value, key: &str) -> Result<Value, String> {
    match &mut container.node {
        Node::Seq(items) => {
            let i = index(key, items.len())?;
            Ok(items.remove(i))
        }
        _ => container
            .remove(key)
            .ok_or_else(|| format!("Unable to remove nonexistent key: {key}: missing value")),
    }
}

fn replace(document: &mut Value, path: &str, value: Value, key_span: Span) -> Result<(), String> {
    if path.is_empty() {
        if !value.is_map() && !value.is_seq() {
            return Err("replace operation value must be object or array".into());
        }
        *document = value;
        return Ok(());
    }
    let missing = |what: &str| {
        format!("replace operation does not apply: doc is missing {what}: {path}: missing value")
    };
    let (container, key) = container(document, path).ok_or_else(|| missing("path"))?;
    match &mut container.node {
        Node::Seq(items) => {
            let i = index(&key, items.len()).map_err(|_| missing("key"))?;
            items[i] = value;
        }
        _ => container.insert(&key, key_span, value),
    }
    Ok(())
}

fn test(document: &mut Value, path: &str, expected: Option<&Value>) -> Result<(), String> {
    let expected = expected
        .map(Value::to_json)
        .unwrap_or(serde_json::Value::Null);
    let failed = || format!("testing value {path} failed: test failed");
    if path.is_empty() {
        return (document.to_json() == expected)
            .then_some(())
            .ok_or_else(failed);
    }
    let (container, key) = container(document, path).ok_or_else(|| {
        format!("test operation does not apply: is missing path: {path}: missing value")
    })?;
    match get(container, &key)? {
        None if expected.is_null() => Ok(()),
        Some(found) if found.to_json() == expected => Ok(()),
        _ => Err(failed()),
    }
}
