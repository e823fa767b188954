//! hook-dependency-order: a pod that needs a Secret, ConfigMap, ServiceAccount or PVC
//! the same sync creates only later (argocd-semantics.md §2 "Order", §7).

use crate::diagnostic::{Diagnostic, Severity};
use crate::graph::AppGraph;
use crate::graph::order::OrderKey;
use crate::rules::{Check, Context, Rule};

pub const RULE: Rule = Rule {
    id: "hook-dependency-order",
    severity: Severity::Error,
    page: include_str!("../../rules/hook-dependency-order.md"),
    check: Check::App(check),
};

fn when(key: &OrderKey) -> String {
    format!("{} wave {}", key.phase.name(), key.wave)
}

fn check(graph: &AppGraph, _: &Context, out: &mut Vec<Diagnostic>) {
    for consumer in &graph.resources {
        let (Some(pod), Some(start)) = (&consumer.pod, consumer.first_applied()) else {
            continue;
        };
        for reference in pod.references.iter().filter(|x| !x.optional) {
            let producers: Vec<_> = graph
                .producers(reference.kind, &reference.name, consumer.namespace)
                .filter_map(|p| p.first_applied().map(|k| (p, k)))
                .collect();
            let Some((producer, ready)) = producers.iter().min_by(|a, b| a.1.cmp(&b.1)) else {
                continue;
            };
            // One phase and wave is applied in one pass: a pod that starts a moment
            // before its Secret (kind order puts custom resources such as an
            // ExternalSecret last) retries and starts once it exists. Only a later wave
            // or phase makes Argo CD wait on the pod before the Secret is ever created.
            if (ready.phase, ready.wave) <= (start.phase, start.wave) {
                continue;
            }
            let what = if consumer.hook.is_hook() {
                format!("{} hook", start.phase.name())
            } else {
                "workload".into()
            };
            let made = if producer.kind == reference.kind.name() {
                String::new()
            } else {
                format!(" (made by {})", producer.describe())
            };
            let later = format!("only in {}", when(ready));
            out.push(
                graph
                    .finding(&RULE, consumer, reference.node, &reference.field(pod), format!(
                        "{what} {} ({}) uses {} `{}`{made}, which this sync creates {later}: on a first sync, or when it changes, the pod cannot start and Argo CD waits on it",
                        consumer.describe(), when(&start), reference.kind.name(), reference.name
                    ))
                    .with_related(graph.location(producer, graph.name_node(producer)), format!("created in {}", when(ready)))
                    .with_help(format!(
                        "Create `{}` before {}: give it an earlier wave in the same phase (for a PreSync hook, make it a PreSync hook with a lower `argocd.argoproj.io/sync-wave`), or manage it outside this app.",
                        reference.name, consumer.name
                    ))
                    .with_label(format!("needed in {}", when(&start))),
            );
        }
    }
}
