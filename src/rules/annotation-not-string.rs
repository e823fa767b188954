//! annotation-not-string: annotation and label values must be YAML strings.

use crate::diagnostic::{Diagnostic, Severity};
use crate::graph::AppGraph;
use crate::load::tree::ScalarType;
use crate::rules::{Check, Context, Rule, pointer};

pub const RULE: Rule = Rule {
    id: "annotation-not-string",
    severity: Severity::Error,
    page: include_str!("../../rules/annotation-not-string.md"),
    check: Check::App(check),
};

/// Object metadata and the pod template metadata the API server also validates.
const METADATA: &[&[&str]] = &[
    &["metadata"],
    &["spec", "template", "metadata"],
    &["spec", "jobTemplate", "spec", "template", "metadata"],
];

fn check(graph: &AppGraph, _: &Context, out: &mut Vec<Diagnostic>) {
    for r in &graph.resources {
        let tree = graph.tree(r);
        for path in METADATA {
            let Some(metadata) = tree.path(r.root, path) else {
                continue;
            };
            for (field, what) in [("annotations", "annotation"), ("labels", "label")] {
                let Some(map) = tree.get(metadata, field) else {
                    continue;
                };
                for entry in tree.entries(map) {
                    let key = tree.str(entry.key).unwrap_or("");
                    let found = match tree.scalar(entry.value).map(|s| s.k8s_type()) {
                        // null decodes to "" in a map[string]string: accepted.
                        Some(ScalarType::String | ScalarType::Null) => continue,
                        Some(ScalarType::Bool) => "a boolean",
                        Some(ScalarType::Int) => "an integer",
                        Some(ScalarType::Float) => "a float",
                        None if tree.is_seq(entry.value) => "a list",
                        None => "a mapping",
                    };
                    let raw = graph.loaded.sources.text(tree.span(entry.value));
                    let mut segments: Vec<&str> = path.to_vec();
                    segments.extend([field, key]);
                    out.push(
                        graph
                            .finding(
                                &RULE,
                                r,
                                entry.value,
                                &pointer(&segments),
                                format!(
                                    "{what} `{key}` on {} is {found} (`{}`), not a string: the API server rejects the object and the sync fails",
                                    r.describe(),
                                    raw.lines().next().unwrap_or("")
                                ),
                            )
                            .with_help(format!("Quote the value: `{key}: \"{}\"`.", raw.trim()))
                            .with_label(format!("{found}, not a string")),
                    );
                }
            }
        }
    }
}
