//! unresolved-reference: a pod needs an object that nothing in Git creates.

use crate::diagnostic::{Diagnostic, Severity};
use crate::graph::AppGraph;
use crate::graph::pod::RefKind;
use crate::rules::{Check, Context, Rule};

pub const RULE: Rule = Rule {
    id: "unresolved-reference",
    severity: Severity::Warning,
    page: include_str!("../../rules/unresolved-reference.md"),
    check: Check::App(check),
};

/// Objects every namespace has.
fn builtin(kind: RefKind, name: &str) -> bool {
    matches!(
        (kind, name),
        (RefKind::ServiceAccount, "default") | (RefKind::ConfigMap, "kube-root-ca.crt")
    )
}

fn check(graph: &AppGraph, ctx: &Context, out: &mut Vec<Diagnostic>) {
    let config = ctx.config;
    for r in graph.resources.iter().filter(|r| !r.hook.dropped()) {
        let Some(pod) = &r.pod else { continue };
        for x in pod.references.iter().filter(|x| !x.optional) {
            let external = match x.kind {
                RefKind::Secret => &config.external_secrets,
                RefKind::ConfigMap => &config.external_config_maps,
                RefKind::ServiceAccount => &config.external_service_accounts,
                RefKind::PersistentVolumeClaim => &config.external_pvcs,
            };
            if builtin(x.kind, &x.name)
                || external
                    .iter()
                    .any(|pattern| name_matches(pattern, &x.name))
                || graph
                    .producers(x.kind, &x.name, r.namespace)
                    .next()
                    .is_some()
                || ctx.repo.produced.contains(&(x.kind, x.name.as_str()))
            {
                continue;
            }
            let effect = match x.kind {
                RefKind::ServiceAccount => "the API server rejects its pods",
                RefKind::PersistentVolumeClaim => "its pods stay Pending",
                _ => "its pods cannot start (CreateContainerConfigError)",
            };
            out.push(
                graph
                    .finding(&RULE, r, x.node, &x.field(pod), format!(
                        "{} uses {} `{}`, but nothing in app `{}` or in this repository creates it: unless it already exists in the cluster, {effect}",
                        r.describe(), x.kind.name(), x.name, graph.app.name
                    ))
                    .with_help(format!(
                        "Add the {} (or an ExternalSecret/SealedSecret that makes it) to the app, or list it under `external.{}` in .synclint.yaml.",
                        x.kind.name(),
                        match x.kind {
                            RefKind::Secret => "secrets",
                            RefKind::ConfigMap => "configmaps",
                            RefKind::ServiceAccount => "serviceaccounts",
                            RefKind::PersistentVolumeClaim => "pvcs",
                        }
                    ))
                    .with_label("nothing in Git creates this"),
            );
        }
    }
}

/// An `external` entry: an exact name, or a pattern with `*` (any run of characters).
fn name_matches(pattern: &str, name: &str) -> bool {
    let Some((head, rest)) = pattern.split_once('*') else {
        return pattern == name;
    };
    let Some(mut tail) = name.strip_prefix(head) else {
        return false;
    };
    let parts: Vec<&str> = rest.split('*').collect();
    for (i, part) in parts.iter().enumerate() {
        if i == parts.len() - 1 {
            return tail.ends_with(part);
        }
        match tail.find(part) {
            Some(at) => tail = &tail[at + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::name_matches;

    #[test]
    fn external_names_take_star_patterns() {
        assert!(name_matches("db", "db"));
        assert!(!name_matches("db", "db2"));
        assert!(name_matches("signon-app-*", "signon-app-publisher"));
        assert!(name_matches("*-tls", "api-tls"));
        assert!(name_matches("a*b*c", "a-x-b-y-c"));
        assert!(!name_matches("a*b*c", "a-x-c"));
    }
}
