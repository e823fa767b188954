//! migration-backoff-limit: a migration Job must not be retried (Kubernetes' default
//! backoffLimit is 6).

use crate::diagnostic::{Diagnostic, Severity};
use crate::graph::AppGraph;
use crate::rules::{Check, Context, Rule};

pub const RULE: Rule = Rule {
    id: "migration-backoff-limit",
    severity: Severity::Error,
    page: include_str!("../../rules/migration-backoff-limit.md"),
    check: Check::App(check),
};

fn check(graph: &AppGraph, _: &Context, out: &mut Vec<Diagnostic>) {
    for r in &graph.resources {
        let Some(reason) = &r.migration else { continue };
        if r.hook.dropped() || r.hook.skip {
            continue;
        }
        let job_spec: &[&str] = match r.kind {
            "Job" => &["spec"],
            "CronJob" => &["spec", "jobTemplate", "spec"],
            _ => continue,
        };
        let tree = graph.tree(r);
        let field = format!("/{}/backoffLimit", job_spec.join("/"));
        let mut path = job_spec.to_vec();
        path.push("backoffLimit");
        let help = "Set `backoffLimit: 0` and let a failed migration fail the sync; re-run it deliberately after fixing the cause.";
        match tree.path(r.root, &path).filter(|n| !tree.is_null(*n)) {
            None => {
                let at = tree.key_at(r.root, job_spec).unwrap_or_else(|| graph.spec_key(r));
                out.push(graph.finding(&RULE, r, at, &field, format!(
                    "migration {} ({}) has no backoffLimit: Kubernetes retries a failed pod up to 6 times, re-running a half-applied migration",
                    r.describe(), reason.describe()
                )).with_help(help).with_label("no backoffLimit: Kubernetes defaults to 6"));
            }
            Some(node) => match tree.int(node) {
                Some(0) => {}
                Some(n) => out.push(graph.finding(&RULE, r, node, &field, format!(
                    "migration {} has backoffLimit {n}: a failed migration is retried {n} more time(s), on top of a half-applied schema",
                    r.describe()
                )).with_help(help).with_label(format!("retried {n} time(s)"))),
                None => {}
            },
        }
    }
}
