//! hook-active-deadline: a hook Job or Pod without activeDeadlineSeconds can hang the
//! sync forever (argocd-semantics.md §2 "Stuck pods").

use crate::diagnostic::{Diagnostic, Severity};
use crate::graph::AppGraph;
use crate::rules::{Check, Context, Rule};

pub const RULE: Rule = Rule {
    id: "hook-active-deadline",
    severity: Severity::Error,
    page: include_str!("../../rules/hook-active-deadline.md"),
    check: Check::App(check),
};

fn check(graph: &AppGraph, _: &Context, out: &mut Vec<Diagnostic>) {
    for r in &graph.resources {
        if !r.hook.is_hook() || r.hook.skip || !matches!(r.kind, "Job" | "Pod") {
            continue;
        }
        let tree = graph.tree(r);
        let set = |path: &[&str]| tree.path(r.root, path).is_some_and(|n| !tree.is_null(n));
        if set(&["spec", "activeDeadlineSeconds"])
            || set(&["spec", "template", "spec", "activeDeadlineSeconds"])
        {
            continue;
        }
        let phases = r
            .hook
            .phases
            .iter()
            .map(|p| p.name())
            .collect::<Vec<_>>()
            .join(",");
        out.push(
            graph
                .finding(&RULE, r, graph.spec_key(r), "/spec/activeDeadlineSeconds", format!(
                    "{phases} hook {} has no activeDeadlineSeconds: if its pod cannot start (missing image or Secret), it never fails and the sync waits forever",
                    r.describe()
                ))
                .with_help("Set `spec.activeDeadlineSeconds` (for example 900) so a stuck hook fails and the sync ends.")
                .with_label("no activeDeadlineSeconds in this spec"),
        );
    }
}
