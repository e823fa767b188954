//! Tests of the patches: results as JSON, and the file each field's span points into
//! (the base is file 1, the patch file 2).

mod labels;
mod regex;
mod selector;

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
