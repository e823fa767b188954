//! Tests of the ApplicationSet expansion, modelled on Argo CD's documentation examples.

mod expand;
mod fasttemplate;
mod generators;
mod gotemplate;
mod homelab;
mod repo;
mod robustness;

use serde_json::Value;

use super::{Expansion, parse_yaml};

/// The `spec` of an ApplicationSet written in YAML.
fn spec_of(yaml: &str) -> Value {
    let doc = parse_yaml(yaml).expect("valid YAML").expect("a document");
    doc.get("spec").cloned().expect("a spec")
}

/// The generated Applications' names, in order.
fn names(expansion: &Expansion) -> Vec<String> {
    expansion
        .applications
        .iter()
        .map(|a| {
            a.application
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string()
        })
        .collect()
}

/// A string field of the i-th generated Application.
fn field(expansion: &Expansion, i: usize, pointer: &str) -> String {
    expansion.applications[i]
        .application
        .pointer(pointer)
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
        .unwrap_or_else(|| "<absent>".to_string())
}
