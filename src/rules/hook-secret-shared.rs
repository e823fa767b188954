//! hook-secret-shared: a Secret or ConfigMap that is a hook is deleted and re-created by
//! Argo CD, so the app must not depend on it (argocd-semantics.md §1 "Delete policies",
//! §3 Gotchas).

use crate::diagnostic::{Diagnostic, Severity};
use crate::graph::AppGraph;
use crate::graph::hooks::DeletePolicy;
use crate::graph::pod::RefKind;
use crate::rules::{Check, Context, Rule, pointer};

pub const RULE: Rule = Rule {
    id: "hook-secret-shared",
    severity: Severity::Error,
    page: include_str!("../../rules/hook-secret-shared.md"),
    check: Check::App(check),
};

fn check(graph: &AppGraph, _: &Context, out: &mut Vec<Diagnostic>) {
    for hook in &graph.resources {
        let Some(kind) = RefKind::from_kind(hook.kind)
            .filter(|k| matches!(k, RefKind::Secret | RefKind::ConfigMap))
        else {
            continue;
        };
        if !hook.hook.is_hook() || hook.hook.skip || !hook.group().is_empty() {
            continue;
        }
        let users: Vec<_> = graph
            .resources
            .iter()
            .filter(|r| !r.hook.annotated)
            .flat_map(|r| {
                r.pod
                    .iter()
                    .flat_map(move |p| p.references.iter().map(move |x| (r, x)))
            })
            .filter(|(r, x)| {
                x.kind == kind
                    && x.name == hook.name
                    && (r.namespace == hook.namespace
                        || r.namespace.is_empty()
                        || hook.namespace.is_empty())
            })
            .collect();
        let Some((first, _)) = users.first() else {
            continue;
        };
        let Some((node, key)) = graph.hook_annotation(hook) else {
            continue;
        };
        let fate = if hook.hook.has_policy(DeletePolicy::HookSucceeded) {
            "deletes it as soon as the sync succeeds, so new pods of"
        } else {
            "deletes and re-creates it on every sync (BeforeHookCreation), so for a moment"
        };
        let phases = hook
            .hook
            .phases
            .iter()
            .map(|p| p.name())
            .collect::<Vec<_>>()
            .join(",");
        let mut d = graph.finding(&RULE, hook, node, &pointer(&["metadata", "annotations", key]), format!(
            "{} is a {phases} hook but non-hook {} also uses it: Argo CD {fate} {} cannot start",
            hook.describe(), first.describe(), first.name
        )).with_help(format!(
            "Keep the app's {} a plain resource (no hook annotation) in an earlier wave, and give the hook its own copy if it needs one.",
            kind.name()
        ))
        .with_label(format!("{phases} hook: Argo CD deletes it"));
        for (r, x) in &users {
            d = d.with_related(
                graph.location(r, x.node),
                format!("used by {}", r.describe()),
            );
        }
        out.push(d);
    }
}
