//! migration-order: the migration must finish before the new code rolls out.

use crate::diagnostic::{Diagnostic, Severity};
use crate::graph::hooks::{Phase, SYNC_WAVE};
use crate::graph::{AppGraph, Resource};
use crate::rules::{Check, Context, Rule, pointer};

pub const RULE: Rule = Rule {
    id: "migration-order",
    severity: Severity::Error,
    page: include_str!("../../rules/migration-order.md"),
    check: Check::App(check),
};

fn check(graph: &AppGraph, _: &Context, out: &mut Vec<Diagnostic>) {
    let workloads: Vec<&Resource> = graph
        .resources
        .iter()
        .filter(|r| r.is_workload() && !r.hook.annotated && r.migration.is_none())
        .collect();
    let Some(first_rollout) = workloads.iter().map(|w| w.wave).min() else {
        return;
    };
    for m in graph
        .resources
        .iter()
        .filter(|r| r.migration.is_some() && matches!(r.kind, "Job" | "Pod"))
    {
        let phases = m.sync_phases();
        if phases.is_empty() || phases.contains(&Phase::PreSync) {
            continue;
        }
        let related: Vec<&&Resource> = if phases.contains(&Phase::PostSync) {
            workloads.iter().collect()
        } else if phases.contains(&Phase::Sync) && m.wave >= first_rollout {
            workloads.iter().filter(|w| w.wave <= m.wave).collect()
        } else {
            continue;
        };
        let Some(first) = related.first() else {
            continue;
        };
        let tree = graph.tree(m);
        let (node, field, when) =
            if let Some((node, key)) = graph.hook_annotation(m).filter(|_| m.hook.is_hook()) {
                let phase = if phases.contains(&Phase::PostSync) {
                    "PostSync"
                } else {
                    "Sync"
                };
                (
                    node,
                    pointer(&["metadata", "annotations", key]),
                    format!("as a {phase} hook (wave {})", m.wave),
                )
            } else {
                let node = graph
                    .annotation(m, SYNC_WAVE)
                    .or_else(|| tree.key_at(m.root, &["metadata", "annotations"]))
                    .or_else(|| tree.key_at(m.root, &["metadata"]))
                    .unwrap_or(m.root);
                (
                    node,
                    pointer(&["metadata", "annotations", SYNC_WAVE]),
                    format!("in the Sync phase at wave {}", m.wave),
                )
            };
        let after = if phases.contains(&Phase::PostSync) {
            "after"
        } else {
            "together with, or after,"
        };
        let mut d = graph
            .finding(&RULE, m, node, &field, format!(
                "migration {} runs {when}, {after} {} (wave {}) rolls out: new pods start against the old schema",
                m.describe(), first.describe(), first.wave
            ))
            .with_help("Run the migration as a PreSync hook (`argocd.argoproj.io/hook: PreSync`, or Helm `pre-install,pre-upgrade`), or give it a sync wave lower than every workload's.")
            .with_label(if phases.contains(&Phase::PostSync) { "runs after the rollout".to_string() } else { format!("Sync wave {}", m.wave) });
        for w in related {
            d = d.with_related(
                graph.location(w, graph.name_node(w)),
                format!("{} rolls out in Sync wave {}", w.describe(), w.wave),
            );
        }
        out.push(d);
    }
}
