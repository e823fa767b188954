//! hook-delete-policy: hooks that pile up, or named hook Jobs that block the next run
//! (argocd-semantics.md §1 "metadata.name versus generateName").

use crate::diagnostic::{Diagnostic, Severity};
use crate::graph::AppGraph;
use crate::graph::hooks::{self, DeletePolicy};
use crate::rules::{Check, Context, Rule, pointer};

pub const RULE: Rule = Rule {
    id: "hook-delete-policy",
    severity: Severity::Warning,
    page: include_str!("../../rules/hook-delete-policy.md"),
    check: Check::App(check),
};

fn check(graph: &AppGraph, _: &Context, out: &mut Vec<Diagnostic>) {
    for r in graph
        .resources
        .iter()
        .filter(|r| r.hook.is_hook() && !r.hook.skip)
    {
        let tree = graph.tree(r);
        if r.generate_name {
            let ttl = tree
                .path(r.root, &["spec", "ttlSecondsAfterFinished"])
                .is_some();
            if ttl
                || r.hook.has_policy(DeletePolicy::HookSucceeded)
                || r.hook.has_policy(DeletePolicy::HookFailed)
            {
                continue;
            }
            out.push(
                graph
                    .finding(&RULE, r, graph.name_node(r), "/metadata/generateName", format!(
                        "hook {} uses generateName without HookSucceeded, HookFailed or ttlSecondsAfterFinished: every sync creates a new one and BeforeHookCreation never finds the old ones, so they pile up",
                        r.describe()
                    ))
                    .with_help("Add `argocd.argoproj.io/hook-delete-policy: HookSucceeded` (or set `spec.ttlSecondsAfterFinished`), or use a fixed metadata.name.")
                    .with_label("a new name on every sync, never deleted"),
            );
        } else if r.kind == "Job" && !r.hook.has_policy(DeletePolicy::BeforeHookCreation) {
            let Some((node, key)) = [hooks::ARGO_DELETE_POLICY, hooks::HELM_DELETE_POLICY]
                .into_iter()
                .find_map(|k| graph.annotation(r, k).map(|n| (n, k)))
            else {
                continue;
            };
            out.push(
                graph
                    .finding(&RULE, r, node, &pointer(&["metadata", "annotations", key]), format!(
                        "named hook {} has no BeforeHookCreation policy: after a failed run the old Job stays, so the next sync either skips the migration (unchanged spec) or fails with \"field is immutable\"",
                        r.describe()
                    ))
                    .with_help("Add BeforeHookCreation to the policy, e.g. `argocd.argoproj.io/hook-delete-policy: BeforeHookCreation,HookSucceeded`.")
                    .with_label("no BeforeHookCreation"),
            );
        }
    }
}
