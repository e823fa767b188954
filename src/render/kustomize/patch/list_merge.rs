//! Merging a list with the `merge` patch strategy, as kyaml's associative-sequence
//! walker does it for Kustomize (patch elements first, "prepend" direction).
//!
//! Each element is identified by the values of the merge keys (for a list of scalars:
//! by the scalar). The identities of the patch's elements come first, then the base's
//! that are new; the base and patch elements of each identity are merged (a patch
//! element may carry `$patch: delete`). kyaml's treatment of lists with two merge keys
//! (`ports`: `containerPort` and `protocol`) is followed exactly, including its
//! surprises: a patch port without `protocol` does not merge into a base port with
//! one, and is dropped.

use super::strategic::{Directive, Schema, map_directive, walk, walk_self};
use crate::render::value::{Node, Value};

/// The two lists being merged.
pub(super) enum Lists<'p> {
    /// The patch adds or replaces the list: kyaml merges it with itself, in place.
    Aliased(Value),
    /// The base's list (`dest`) and the patch's, when the patch has one.
    Separate {
        dest: Value,
        origin: Option<&'p Value>,
    },
}

pub(super) fn merge(
    lists: Lists,
    keys: &[&str],
    items_schema: Schema,
) -> Result<Option<Value>, String> {
    // `origin` is `None` when the patch list is the base list itself.
    let (dest_list, origin) = match lists {
        Lists::Aliased(list) => (list, None),
        Lists::Separate { dest, origin } => (dest, Some(origin.map_or(&[][..], Value::items))),
    };
    let span = dest_list.span;
    let mut dest = match dest_list.node {
        Node::Seq(items) => items,
        _ => return Ok(Some(dest_list)),
    };

    let mut keys: Vec<&str> = keys.to_vec();
    let sources: Vec<&[Value]> = origin.into_iter().collect();
    let mut values_list = identities(&sources, &dest, &keys);
    if values_list.is_empty() && keys.is_empty() {
        values_list = scalar_identities(&sources, &dest);
        keys = vec![""];
    }
    if keys.len() > 1 {
        merge_partial_identities(&mut values_list);
    }

    let mut items = Vec::new();
    let mut last_valid_keys = None;
    for values in &values_list {
        if values.is_empty() {
            continue;
        }
        let (valid_keys, valid_values) = validate_keys(&values_list, values, &keys);
        last_valid_keys = Some(valid_keys.clone());
        let (find_keys, find_values) = validate_keys(
            std::slice::from_ref(&valid_values),
            &valid_values,
            &valid_keys,
        );
        let at = element_list(&dest, &find_keys, &find_values)?;
        let (merged, in_place) = match origin {
            None => match at {
                Some(i) => (walk_self(dest[i].clone(), items_schema)?, true),
                None => (None, false),
            },
            Some(origin) => {
                let patch = element_list(origin, &find_keys, &find_values)?.map(|i| &origin[i]);
                let base = at.map(|i| dest[i].clone());
                let in_place = merges_into_base(base.as_ref(), patch);
                (walk(base, patch, items_schema)?, in_place)
            }
        };
        let Some(mut merged) = merged.filter(|m| !m.is_null() && !is_empty_map(m)) else {
            element_setter(&mut dest, None, &valid_keys, &valid_values)?;
            continue;
        };
        fill_keys(&mut merged, &valid_keys, &valid_values)?;
        if let (true, Some(i)) = (in_place, at) {
            dest[i] = merged.clone();
        }
        element_setter(&mut items, Some(merged), &valid_keys, &valid_values)?;
    }

    if values_list.is_empty() {
        return Ok(Some(Value::seq(dest, span)));
    }
    let keys: Vec<&str> = last_valid_keys.unwrap_or_else(|| keys.clone());
    append_list_node(&mut items, &dest, &keys)?;
    Ok(Some(Value::seq(items, span)))
}

/// Whether kyaml merges the patch element into the base element's own node (so the
/// base list sees the change) rather than taking the patch's node.
fn merges_into_base(base: Option<&Value>, patch: Option<&Value>) -> bool {
    base.is_some_and(Value::is_map)
        && patch.is_none_or(|p| p.is_map() && map_directive(p) == Ok(Directive::Merge))
}

/// The merge-key values of every element, patch first, without repeats.
fn identities(sources: &[&[Value]], dest: &[Value], keys: &[&str]) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    for list in sources.iter().copied().chain([dest]) {
        for element in list {
            let values: Vec<String> = keys.iter().map(|k| key_value(element, k)).collect();
            if !values.is_empty() && !out.contains(&values) {
                out.push(values);
            }
        }
    }
    out
}

/// For a list of scalars, each distinct scalar is an identity.
fn scalar_identities(sources: &[&[Value]], dest: &[Value]) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    for list in sources.iter().copied().chain([dest]) {
        for element in list {
            let value = vec![raw_text(element).to_string()];
            if !out.contains(&value) {
                out.push(value);
            }
        }
    }
    out
}

/// With two keys, an identity missing one value is the same as one that has it and
/// agrees on the other (kyaml's `mergeValues`).
fn merge_partial_identities(values_list: &mut [Vec<String>]) {
    for i in 0..values_list.len() {
        let first = values_list[i].clone();
        for j in 0..values_list.len() {
            if let Some(merged) = merge_identities(&first, &values_list[j]) {
                values_list[i] = merged.clone();
                values_list[j] = merged;
            }
        }
    }
}

fn merge_identities(a: &[String], b: &[String]) -> Option<Vec<String>> {
    if a.len() != b.len() {
        return None;
    }
    let mut common = false;
    let mut merged = Vec::with_capacity(a.len());
    for (x, y) in a.iter().zip(b) {
        if x == y {
            common = true;
            merged.push(x.clone());
        } else if !x.is_empty() && !y.is_empty() {
            return None;
        } else {
            merged.push(if x.is_empty() { y.clone() } else { x.clone() });
        }
    }
    common.then_some(merged)
}

/// The keys any identity has a value for (all keys when none has), with this
/// identity's values for them.
fn validate_keys<'k>(
    values_list: &[Vec<String>],
    values: &[String],
    keys: &[&'k str],
) -> (Vec<&'k str>, Vec<String>) {
    let used = |i: usize| {
        values_list
            .iter()
            .any(|v| v.get(i).is_some_and(|s| !s.is_empty()))
    };
    if !(0..keys.len()).any(used) {
        return (keys.to_vec(), values.to_vec());
    }
    let valid_keys = (0..keys.len())
        .filter(|&i| used(i))
        .map(|i| keys[i])
        .collect();
    let valid_values = values
        .iter()
        .enumerate()
        .filter(|(i, v)| !v.is_empty() || used(*i))
        .map(|(_, v)| v.clone())
        .collect();
    (valid_keys, valid_values)
}

/// kyaml's `ElementMatcher`: the first element whose keys have exactly these values.
fn element_list(list: &[Value], keys: &[&str], values: &[String]) -> Result<Option<usize>, String> {
    if keys.first().is_none_or(|k| k.is_empty()) {
        let wanted = values.first().map_or("", String::as_str);
        return Ok(list.iter().position(|e| raw_text(e) == wanted));
    }
    if keys.len() != values.len() {
        return Err("length of keys must equal length of values".into());
    }
    Ok(list.iter().position(|element| {
        element.is_map()
            && keys
                .iter()
                .zip(values)
                .all(|(k, v)| element.get(k).is_some_and(|f| raw_text(f) == v))
    }))
}

/// kyaml's `ElementSetter`: replaces every element matching the keys with `element`
/// (removes them when `None`), appends `element` when none matches, and drops null
/// and empty-map elements on the way. An empty value matches any value.
pub(super) fn element_setter<K: AsRef<str>, V: AsRef<str>>(
    list: &mut Vec<Value>,
    element: Option<Value>,
    keys: &[K],
    values: &[V],
) -> Result<(), String> {
    let keys: Vec<&str> = match keys.len() {
        0 => vec![""],
        _ => keys.iter().map(AsRef::as_ref).collect(),
    };
    let values: Vec<&str> = values.iter().map(AsRef::as_ref).collect();
    let setting_a_map = !keys[0].is_empty() && values.first().is_some_and(|v| !v.is_empty());
    let mut found = false;
    let mut kept = Vec::with_capacity(list.len() + 1);
    for item in list.drain(..) {
        if item.is_null() || is_empty_map(&item) {
            continue;
        }
        if !item.is_map() && setting_a_map {
            kept.push(item);
            continue;
        }
        let mut last = false;
        let mut matches = true;
        for (j, key) in keys.iter().enumerate() {
            if let Some(value) = values.get(j) {
                last = field_matches(&item, key, value)?;
            }
            if !last {
                matches = false;
                break;
            }
        }
        if !matches {
            if !values.is_empty() {
                kept.push(item);
            }
            continue;
        }
        found = true;
        if let Some(element) = &element {
            kept.push(element.clone());
        }
    }
    *list = kept;
    if let Some(element) = element.filter(|e| !e.is_null())
        && !found
    {
        list.push(element);
    }
    Ok(())
}

/// kyaml's `FieldMatcher` on a list element: field `name` has `value` (any value when
/// `value` is empty); with no name, the element itself is the scalar `value`.
fn field_matches(item: &Value, name: &str, value: &str) -> Result<bool, String> {
    if name.is_empty() {
        if item.scalar().is_none() {
            return Err(wrong_kind("ScalarNode", item));
        }
        return Ok(raw_text(item) == value);
    }
    if !item.is_map() {
        return Err(wrong_kind("MappingNode", item));
    }
    Ok(item
        .get(name)
        .is_some_and(|field| value.is_empty() || raw_text(field) == value))
}

/// Puts the base's elements into the merged list (kyaml's `appendListNode`): each
/// replaces the merged element with its keys (or is appended); with two keys, the old
/// one is removed first; an element missing a key is appended as it is.
fn append_list_node(items: &mut Vec<Value>, dest: &[Value], keys: &[&str]) -> Result<(), String> {
    for element in dest {
        if keys.first().is_none_or(|k| k.is_empty()) {
            let text = raw_text(element).to_string();
            element_setter(items, Some(element.clone()), &[""], &[text])?;
            continue;
        }
        let mut values = Vec::new();
        for key in keys {
            match key_text_if_present(element, key)? {
                Some(text) => values.push(text),
                None => items.push(element.clone()),
            }
        }
        if keys.len() > 1 {
            element_setter(items, None, keys, &values)?;
        }
        element_setter(items, Some(element.clone()), keys, &values)?;
    }
    Ok(())
}

/// Sets the merge keys an element lacks (kyaml makes sure a merged element has them).
fn fill_keys(merged: &mut Value, keys: &[&str], values: &[String]) -> Result<(), String> {
    for (key, value) in keys.iter().zip(values) {
        if value.is_empty() {
            continue;
        }
        if key.is_empty() {
            // A scalar matched by its own text already is that text.
            if merged.scalar().is_none() {
                return Err(wrong_kind("ScalarNode", merged));
            }
            continue;
        }
        if !merged.is_map() {
            return Err(wrong_kind("MappingNode", merged));
        }
        if merged.get(key).is_none() {
            let span = merged.span;
            merged.insert(key, span, Value::plain(value.clone(), span));
        }
    }
    Ok(())
}

/// A field's text as a merge-key value: null, missing and non-scalar read as empty.
fn key_value(element: &Value, key: &str) -> String {
    element
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

fn key_text_if_present(element: &Value, key: &str) -> Result<Option<String>, String> {
    if element.is_null() {
        return Ok(None);
    }
    if !element.is_map() {
        return Err(wrong_kind("MappingNode", element));
    }
    Ok(element.get(key).map(|v| raw_text(v).to_string()))
}

/// A node's text as go-yaml holds it: a scalar's text, empty for a map or a list.
pub(super) fn raw_text(value: &Value) -> &str {
    value.scalar().map_or("", |s| s.text.as_str())
}

fn is_empty_map(value: &Value) -> bool {
    matches!(&value.node, Node::Map(entries) if entries.is_empty())
}

fn wrong_kind(expected: &str, value: &Value) -> String {
    format!(
        "wrong node kind: expected {expected}: node contents:\n{}",
        value.to_json()
    )
}
