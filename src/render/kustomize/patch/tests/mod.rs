//! Tests of the patches: results as JSON, and the file each field's span points into
//! (the base is file 1, the patch file 2).

mod cases;
mod edge_cases;
mod json6902;
mod kubectl;
mod labels;
mod regex;
mod selector;
mod strategic;

use std::sync::Arc;

use crate::load::yaml::parse;
use crate::render::value::Value;
use crate::source::FileId;

const BASE: FileId = FileId(1);
const PATCH: FileId = FileId(2);

/// Every document of `text`, read as file `file`.
fn documents(file: FileId, text: &str) -> Vec<Value> {
    let parsed = parse(file, &Arc::from(text), Default::default());
    assert!(parsed.error.is_none(), "{:?}", parsed.error);
    parsed
        .documents
        .iter()
        .flatten()
        .map(|root| Value::from_tree(&parsed.tree, *root))
        .collect()
}

fn base(text: &str) -> Value {
    documents(BASE, text).remove(0)
}

fn patch(text: &str) -> Value {
    documents(PATCH, text).remove(0)
}

/// The value at a dotted path; numbers index lists.
fn at<'v>(value: &'v Value, path: &str) -> &'v Value {
    path.split('.')
        .fold(value, |v, step| match step.parse::<usize>() {
            Ok(i) if v.is_seq() => &v.items()[i],
            _ => v
                .get(step)
                .unwrap_or_else(|| panic!("no `{step}` in {path}")),
        })
}

/// The file a value at a path came from.
fn file_of(value: &Value, path: &str) -> FileId {
    at(value, path).span.file
}

/// The file the key at the end of a dotted path came from.
fn key_file_of(value: &Value, path: &str) -> FileId {
    let (parent, key) = path
        .rsplit_once('.')
        .map_or((None, path), |(p, k)| (Some(p), k));
    let map = parent.map_or(value, |p| at(value, p));
    map.entry(key).expect("key").0.span.file
}
