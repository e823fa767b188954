//! migration-concurrency: a migration must run once, in one pod.

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Severity};
use crate::graph::hooks::Phase;
use crate::graph::{AppGraph, Resource};
use crate::rules::{Check, Context, Rule};

pub const RULE: Rule = Rule {
    id: "migration-concurrency",
    severity: Severity::Warning,
    page: include_str!("../../rules/migration-concurrency.md"),
    check: Check::App(check),
};

fn check(graph: &AppGraph, _: &Context, out: &mut Vec<Diagnostic>) {
    let mut by_slot: BTreeMap<(Phase, i64), Vec<&Resource>> = BTreeMap::new();
    for r in graph
        .resources
        .iter()
        .filter(|r| r.migration.is_some() && r.kind == "Job")
    {
        let tree = graph.tree(r);
        for key in ["parallelism", "completions"] {
            let Some(node) = tree.path(r.root, &["spec", key]) else {
                continue;
            };
            if let Some(n) = tree.int(node).filter(|n| *n > 1) {
                out.push(graph.finding(&RULE, r, node, &format!("/spec/{key}"), format!(
                    "migration {} sets {key}: {n}: {n} pods run the migration at the same time against one database",
                    r.describe()
                )).with_help(format!("Remove `{key}` (it defaults to 1); a migration tool's own locking is not a reason to race it.")).with_label(format!("{n} pods at once")));
            }
        }
        for phase in r.sync_phases() {
            by_slot.entry((phase, r.wave)).or_default().push(r);
        }
    }
    for ((phase, wave), mut jobs) in by_slot {
        if jobs.len() < 2 {
            continue;
        }
        jobs.sort_by(|a, b| a.name.cmp(b.name));
        let first = jobs[0];
        for r in &jobs[1..] {
            out.push(
                graph
                    .finding(&RULE, r, graph.name_node(r), "/metadata/name", format!(
                        "migrations {} and {} both run in {} wave {wave}: Argo CD starts them together, so they race on one schema",
                        first.describe(), r.describe(), phase.name()
                    ))
                    .with_related(graph.location(first, graph.name_node(first)), format!("{} runs in the same wave", first.describe()))
                    .with_help("Give the migrations different sync waves (`argocd.argoproj.io/sync-wave`) so they run one after the other, or merge them.")
                    .with_label(format!("also {} wave {wave}", phase.name())),
            );
        }
    }
}
