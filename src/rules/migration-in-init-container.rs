//! migration-in-init-container: every replica's init container runs the migration, at
//! the same time.

use crate::diagnostic::{Diagnostic, Severity};
use crate::graph::AppGraph;
use crate::graph::migration;
use crate::rules::{Check, Context, Rule};

pub const RULE: Rule = Rule {
    id: "migration-in-init-container",
    severity: Severity::Warning,
    page: include_str!("../../rules/migration-in-init-container.md"),
    check: Check::App(check),
};

fn check(graph: &AppGraph, ctx: &Context, out: &mut Vec<Diagnostic>) {
    for r in graph.resources.iter().filter(|r| r.is_workload()) {
        let Some(pod) = &r.pod else { continue };
        let replicas = r.replicas.unwrap_or(1);
        let many = r.kind == "DaemonSet" || replicas > 1 || r.autoscaled;
        if !many {
            continue;
        }
        for c in pod.containers.iter().filter(|c| c.init) {
            let Some(reason) = migration::classify_container(c, ctx.patterns) else {
                continue;
            };
            let how = if r.kind == "DaemonSet" {
                "on every node".to_string()
            } else if r.autoscaled {
                "with an autoscaler".to_string()
            } else {
                format!("with {replicas} replicas")
            };
            let at = c.name_node.unwrap_or(pod.node);
            let mut d = graph
                .finding(&RULE, r, at, &format!("{}/name", c.field(pod)), format!(
                    "{} runs a migration in init container `{}` ({}) {how}: every new pod runs it, concurrently, during a rollout",
                    r.describe(), c.name, reason.describe()
                ))
                .with_help("Move the migration to a PreSync hook Job (`backoffLimit: 0`), and keep only a wait-for-schema check in the init container.")
                .with_label(format!("migrates in every pod, {how}"));
            if let Some(node) = graph.tree(r).path(r.root, &["spec", "replicas"]) {
                d = d.with_related(graph.location(r, node), format!("{replicas} replicas"));
            }
            out.push(d);
        }
    }
}
