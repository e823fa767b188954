//! Values provenance: which `.Values` a template line reads, and where a value is set.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::args::HelmOptions;
use crate::load::tree::{NodeId, Tree};
use crate::load::yaml::{Bounds, parse};
use crate::source::FileId;

/// The values paths (`a.b.c`) read on a template line, in order, without repeats:
/// `.Values.a.b`, `$.Values.a`, `$root.Values.a`, and `index .Values "a" "b-c"`
/// (also `index .Values.a "b"`). Only text inside `{{ ... }}` counts; comments
/// (`{{/* */}}`) do not.
pub fn values_refs(line: &str) -> Vec<String> {
    let mut refs: Vec<String> = Vec::new();
    let mut rest = line;
    while let Some(open) = rest.find("{{") {
        let action = &rest[open + 2..];
        let end = action.find("}}").unwrap_or(action.len());
        let inner = &action[..end];
        if !inner.trim_start_matches('-').trim_start().starts_with("/*") {
            for r in refs_in_action(inner) {
                if !refs.contains(&r) {
                    refs.push(r);
                }
            }
        }
        rest = action.get(end + 2..).unwrap_or("");
    }
    refs
}

fn refs_in_action(action: &str) -> Vec<String> {
    let mut refs = Vec::new();
    let bytes = action.as_bytes();
    let mut from = 0;
    while let Some(found) = action[from..].find(".Values") {
        let at = from + found;
        let after = at + ".Values".len();
        from = after;
        // After a name, only a variable's (`$root.Values`) is the values.
        let name_start = action[..at]
            .trim_end_matches(|c: char| is_ident_char(c))
            .len();
        if name_start < at && !action[..name_start].ends_with('$') {
            continue;
        }
        if bytes.get(after).is_some_and(|&b| is_ident(b)) {
            continue;
        }
        let mut path: Vec<String> = Vec::new();
        let mut i = after;
        while bytes.get(i) == Some(&b'.') {
            let len = bytes[i + 1..].iter().take_while(|&&b| is_ident(b)).count();
            if len == 0 {
                break;
            }
            path.push(action[i + 1..i + 1 + len].to_string());
            i += 1 + len;
        }
        if is_index_call(&action[..at]) {
            path.extend(string_args(&action[i..]));
        }
        if !path.is_empty() {
            refs.push(path.join("."));
        }
    }
    refs
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Whether the text before a `.Values` reference ends with `index` and the reference's
/// variable (`$`, `$root`), as in `(index $.Values "a")`.
fn is_index_call(before: &str) -> bool {
    let before = before.trim_end_matches(|c: char| c == '$' || is_ident_char(c));
    before
        .trim_end()
        .strip_suffix("index")
        .is_some_and(|b| b.is_empty() || b.ends_with([' ', '(', '\t', '{', '-']))
}

/// The leading string literal arguments (`"a" "b"` or backquoted).
fn string_args(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text.trim_start();
    while let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '`') {
        let Some(close) = rest[1..].find(quote) else {
            break;
        };
        out.push(rest[1..1 + close].to_string());
        rest = rest[close + 2..].trim_start();
    }
    out
}

/// Where `path` (`a.b.c`; a number steps into a list) is set in a values file: the
/// byte range of its last key. `None` when the file does not set it.
pub fn find_value(values_yaml: &str, path: &str) -> Option<Range<usize>> {
    let text: Arc<str> = values_yaml.into();
    let parsed = parse(FileId(0), &text, Bounds::default());
    let root = parsed.documents.first().copied().flatten()?;
    let key = key_node(&parsed.tree, root, path)?;
    Some(parsed.tree.span(key).range())
}

fn key_node(tree: &Tree, mut node: NodeId, path: &str) -> Option<NodeId> {
    let segments: Vec<&str> = path.split('.').collect();
    let (last, parents) = segments.split_last()?;
    for segment in parents {
        node = step(tree, node, segment)?.1;
    }
    match step(tree, node, last)? {
        (Some(key), _) => Some(key),
        // A list item has no key: point at the item.
        (None, item) => Some(item),
    }
}

/// One step down: the key node (for a mapping) and the value node.
fn step(tree: &Tree, node: NodeId, segment: &str) -> Option<(Option<NodeId>, NodeId)> {
    if tree.is_seq(node) {
        let item = *tree.items(node).get(segment.parse::<usize>().ok()?)?;
        return Some((None, item));
    }
    let entry = tree.entry(node, segment)?;
    Some((Some(entry.key), entry.value))
}

/// A dependency `condition` (`a.enabled,b.enabled`) for a render: the first path that
/// is set decides, as in Helm; `None` when none is set (the dependency is enabled).
pub fn condition(chart_dir: &Path, options: &HelmOptions, condition: &str) -> Option<bool> {
    condition
        .split(',')
        .map(str::trim)
        .find_map(|path| value_text(chart_dir, options, path))
        .map(|text| matches!(text.as_str(), "true" | "True" | "TRUE"))
}

/// The text of the value at `path` as the render would see it (scalars only).
fn value_text(chart_dir: &Path, options: &HelmOptions, path: &str) -> Option<String> {
    let scalar_at = |text: &str| -> Option<String> {
        let parsed = parse(FileId(0), &std::sync::Arc::from(text), Bounds::default());
        let mut node = parsed.documents.first().copied().flatten()?;
        for segment in path.split('.') {
            node = parsed.tree.get(node, segment)?;
        }
        parsed.tree.scalar(node).map(|s| s.value.to_string())
    };
    match find_value_origin(chart_dir, options, path)? {
        ValueOrigin::Parameter { index } => options.parameters.get(index).map(|p| p.value.clone()),
        ValueOrigin::FileParameter { .. } => None,
        ValueOrigin::InlineValues { .. } => match &options.values_object {
            Some(object) if !object.is_null() => {
                let pointer: String = path.split('.').map(|s| format!("/{s}")).collect();
                object.pointer(&pointer).map(|v| match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
            }
            _ => scalar_at(&options.values),
        },
        ValueOrigin::File { path: file, .. } => scalar_at(&std::fs::read_to_string(file).ok()?),
    }
}

/// Which input sets a value, by Argo CD's precedence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueOrigin {
    /// `parameters[index]` (its name is the path, or a prefix of it).
    Parameter { index: usize },
    /// `fileParameters[index]`.
    FileParameter { index: usize },
    /// `valuesObject`, or the `values` string at `key` (its byte range).
    InlineValues { key: Option<Range<usize>> },
    /// A values file, with the byte range of the key.
    File { path: PathBuf, key: Range<usize> },
}

/// Where the value at `path` (as [`values_refs`] gives it) comes from for a render of
/// the chart at `chart_dir` with `options`: the parameters, the inline values, the
/// value files (last first) and the chart's values.yaml, in Argo CD's precedence.
/// Values of subcharts and defaults set in templates are not traced.
pub fn find_value_origin(
    chart_dir: &Path,
    options: &HelmOptions,
    path: &str,
) -> Option<ValueOrigin> {
    let covers =
        |name: &str| path == name || path.strip_prefix(name).is_some_and(|r| r.starts_with('.'));
    if let Some(index) = options
        .file_parameters
        .iter()
        .rposition(|p| covers(&p.name))
    {
        return Some(ValueOrigin::FileParameter { index });
    }
    if let Some(index) = options.parameters.iter().rposition(|p| covers(&p.name)) {
        return Some(ValueOrigin::Parameter { index });
    }
    match &options.values_object {
        Some(object) if !object.is_null() => {
            let pointer: String = path.split('.').map(|s| format!("/{s}")).collect();
            if object.pointer(&pointer).is_some() {
                return Some(ValueOrigin::InlineValues { key: None });
            }
        }
        _ => {
            if let Some(key) = find_value(&options.values, path) {
                return Some(ValueOrigin::InlineValues { key: Some(key) });
            }
        }
    }
    let chart_values = chart_dir.join("values.yaml");
    for file in options.value_files.iter().rev().chain([&chart_values]) {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        if let Some(key) = find_value(&text, path) {
            return Some(ValueOrigin::File {
                path: file.clone(),
                key,
            });
        }
    }
    None
}

#[cfg(test)]
#[path = "values_tests.rs"]
mod tests;
