//! duplicate-resource: one app renders the same object twice; one copy silently wins.

use std::collections::HashMap;

use crate::apps::Origin;
use crate::diagnostic::{Diagnostic, Severity};
use crate::graph::AppGraph;
use crate::rules::{Check, Context, Rule};

pub const RULE: Rule = Rule {
    id: "duplicate-resource",
    severity: Severity::Error,
    page: include_str!("../../rules/duplicate-resource.md"),
    check: Check::App(check),
};

fn check(graph: &AppGraph, _: &Context, out: &mut Vec<Diagnostic>) {
    // Sized once: rehashing as it grows would cost more than the lookups.
    let mut seen = HashMap::with_capacity(graph.resources.len());
    for r in graph.resources.iter().filter(|r| !r.generate_name) {
        let key = (r.group(), r.kind, r.namespace, r.name);
        let Some(first) = seen.get(&key).copied() else {
            seen.insert(key, r);
            continue;
        };
        let first: &crate::graph::Resource = first;
        // Outside an Application, one object at two API versions in two files is a pair
        // of alternatives (samples per version), not one sync applying both.
        if matches!(graph.app.origin, Origin::Implicit { .. })
            && first.file != r.file
            && first.api_version != r.api_version
        {
            continue;
        }
        out.push(
            graph
                .finding(&RULE, r, graph.name_node(r), "/metadata/name", format!(
                    "{} is defined twice in app `{}`: Argo CD keeps only one of them, and the sync reports it out of sync forever",
                    r.object_ref(), graph.app.name
                ))
                .with_related(graph.location(first, graph.name_node(first)), "first defined here")
                .with_help("Delete one definition, or rename one of them.")
                .with_label("defined again"),
        );
    }
}
