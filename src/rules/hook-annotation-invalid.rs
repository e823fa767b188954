//! hook-annotation-invalid: hook, delete-policy and wave annotations Argo CD cannot use
//! (argocd-semantics.md §1, §2, §3).

use crate::diagnostic::{Diagnostic, Severity};
use crate::graph::hooks::{self, HelmHook, Phase};
use crate::graph::{AppGraph, Resource};
use crate::rules::{Check, Context, Rule, pointer};

pub const RULE: Rule = Rule {
    id: "hook-annotation-invalid",
    severity: Severity::Error,
    page: include_str!("../../rules/hook-annotation-invalid.md"),
    check: Check::App(check),
};

const ARGO_TYPES: &[&str] = &[
    "PreSync",
    "Sync",
    "PostSync",
    "SyncFail",
    "Skip",
    "PreDelete",
    "PostDelete",
];

fn check(graph: &AppGraph, _: &Context, out: &mut Vec<Diagnostic>) {
    for r in &graph.resources {
        argo_hook(graph, r, out);
        helm_hook(graph, r, out);
        delete_policies(graph, r, out);
        waves(graph, r, out);
    }
}

fn report(
    graph: &AppGraph,
    r: &Resource,
    key: &str,
    message: String,
    help: String,
    out: &mut Vec<Diagnostic>,
) {
    if let Some(node) = graph.annotation(r, key) {
        out.push(
            graph
                .finding(
                    &RULE,
                    r,
                    node,
                    &pointer(&["metadata", "annotations", key]),
                    message,
                )
                .with_help(help)
                .with_label(label(key)),
        );
    }
}

/// A few words under the annotation value, by annotation.
fn label(key: &str) -> &'static str {
    match key {
        hooks::ARGO_HOOK => "not a valid hook type",
        hooks::HELM_HOOK => "Argo CD does not run this as written",
        hooks::ARGO_DELETE_POLICY | hooks::HELM_DELETE_POLICY => "not a valid delete policy",
        _ => "not an integer",
    }
}

fn suggestion(item: &str, valid: &[&str]) -> String {
    match valid
        .iter()
        .find(|v| v.eq_ignore_ascii_case(item) || v.replace('-', "").eq_ignore_ascii_case(item))
    {
        Some(v) => format!("Did you mean `{v}`? Values are case-sensitive."),
        None => format!(
            "Use one of {}.",
            valid
                .iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn argo_hook(graph: &AppGraph, r: &Resource, out: &mut Vec<Diagnostic>) {
    let Some(value) = graph
        .annotation(r, hooks::ARGO_HOOK)
        .and_then(|n| graph.tree(r).str(n))
    else {
        return;
    };
    let items = hooks::csv(value);
    let bad: Vec<&str> = items
        .iter()
        .copied()
        .filter(|i| hooks::argo_hook_type(i).is_none())
        .collect();
    let Some(first_bad) = bad.first() else { return };
    let consequence = if r.hook.dropped() {
        format!(
            "Argo CD treats {} as a hook with no valid type and silently drops it: it is never applied",
            r.describe()
        )
    } else if items.len() == bad.len() {
        format!(
            "Argo CD ignores it and uses the Helm hook annotation on {}",
            r.describe()
        )
    } else {
        format!(
            "Argo CD ignores {} and keeps the valid types",
            bad.iter()
                .map(|b| format!("`{b}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    report(
        graph,
        r,
        hooks::ARGO_HOOK,
        format!(
            "`{}: {value}` has no valid hook type `{first_bad}`: {consequence}",
            hooks::ARGO_HOOK
        ),
        suggestion(first_bad, ARGO_TYPES),
        out,
    );
}

fn helm_hook(graph: &AppGraph, r: &Resource, out: &mut Vec<Diagnostic>) {
    let tree = graph.tree(r);
    let Some(value) = graph
        .annotation(r, hooks::HELM_HOOK)
        .and_then(|n| tree.str(n))
    else {
        return;
    };
    let items = hooks::csv(value);
    let argo_phases: Vec<Phase> = if r.hook.from_helm {
        Vec::new()
    } else {
        r.hook.phases.clone()
    };
    for item in &items {
        match hooks::helm_hook(item) {
            HelmHook::Unsupported if argo_phases.is_empty() && !r.hook.skip => {
                let fate = if r.hook.dropped() {
                    "drops the resource: it is never applied"
                } else {
                    "ignores this item"
                };
                return report(graph, r, hooks::HELM_HOOK,
                    format!("Helm hook `{item}` on {} is not supported by Argo CD, which {fate}", r.describe()),
                    "Remove test and rollback hooks from what Argo CD syncs (e.g. `skipTests: true`), or use an Argo CD hook.".into(), out);
            }
            HelmHook::Unknown => {
                return report(
                    graph,
                    r,
                    hooks::HELM_HOOK,
                    format!(
                        "`{item}` is not a Helm hook: Argo CD ignores it on {}",
                        r.describe()
                    ),
                    suggestion(
                        item,
                        &[
                            "pre-install",
                            "pre-upgrade",
                            "post-install",
                            "post-upgrade",
                            "pre-delete",
                            "post-delete",
                        ],
                    ),
                    out,
                );
            }
            _ => {}
        }
    }
    let helm_phases: Vec<Phase> = items
        .iter()
        .filter_map(|i| match hooks::helm_hook(i) {
            HelmHook::Phase(p) => Some(p),
            _ => None,
        })
        .collect();
    if !argo_phases.is_empty()
        && !helm_phases.is_empty()
        && helm_phases.iter().any(|p| !argo_phases.contains(p))
    {
        let argo = argo_phases
            .iter()
            .map(|p| p.name())
            .collect::<Vec<_>>()
            .join(",");
        report(graph, r, hooks::HELM_HOOK,
            format!("{} is an Argo CD {argo} hook, so Argo CD ignores `helm.sh/hook: {value}`: it runs in {argo}, not where Helm would run it", r.describe()),
            "Make the two annotations agree, or drop the one that does not describe when the hook must run.".into(), out);
    }
}

fn delete_policies(graph: &AppGraph, r: &Resource, out: &mut Vec<Diagnostic>) {
    let tree = graph.tree(r);
    for (key, valid, parse) in [
        (
            hooks::ARGO_DELETE_POLICY,
            &["HookSucceeded", "HookFailed", "BeforeHookCreation"][..],
            hooks::argo_delete_policy as fn(&str) -> _,
        ),
        (
            hooks::HELM_DELETE_POLICY,
            &["hook-succeeded", "hook-failed", "before-hook-creation"][..],
            hooks::helm_delete_policy,
        ),
    ] {
        let Some(value) = graph.annotation(r, key).and_then(|n| tree.str(n)) else {
            continue;
        };
        if let Some(bad) = hooks::csv(value).into_iter().find(|i| parse(i).is_none()) {
            report(
                graph,
                r,
                key,
                format!(
                    "`{bad}` is not a delete policy: Argo CD drops it, and with no valid policy left {} falls back to BeforeHookCreation",
                    r.describe()
                ),
                suggestion(bad, valid),
                out,
            );
        }
    }
}

fn waves(graph: &AppGraph, r: &Resource, out: &mut Vec<Diagnostic>) {
    let tree = graph.tree(r);
    for key in [hooks::SYNC_WAVE, hooks::HELM_WEIGHT] {
        let Some(value) = graph.annotation(r, key).and_then(|n| tree.str(n)) else {
            continue;
        };
        if hooks::atoi(value).is_none() {
            report(
                graph,
                r,
                key,
                format!(
                    "`{key}: {value}` is not an integer: Argo CD ignores it and applies {} in wave {}",
                    r.describe(),
                    r.wave
                ),
                "Use a whole number such as \"-1\" or \"5\".".into(),
                out,
            );
        }
    }
}
