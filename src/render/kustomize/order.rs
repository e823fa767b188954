//! Output order: Kustomize's legacy order (by kind, then group/version/kind, namespace
//! and name) unless the top kustomization's `sortOptions` asks for `fifo`.

use std::cmp::Ordering;

use super::kustomization::problem;
use super::resource::{Gvk, Resource};
use crate::render::files::Problem;
use crate::render::value::Value;

const ORDER_FIRST: &[&str] = &[
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];

const ORDER_LAST: &[&str] = &[
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

pub(super) fn sort(resources: &mut [Resource], options: Option<&Value>) -> Result<(), Problem> {
    let mut first: Vec<String> = ORDER_FIRST.iter().map(|s| s.to_string()).collect();
    let mut last: Vec<String> = ORDER_LAST.iter().map(|s| s.to_string()).collect();
    if let Some(options) = options {
        match options.get_str("order").unwrap_or("") {
            "fifo" => return Ok(()),
            "legacy" | "" => {}
            other => {
                return Err(problem(
                    options.span,
                    format!("the sort order `{other}` is not one of legacy or fifo"),
                ));
            }
        }
        if let Some(legacy) = options.get("legacySortOptions") {
            let kinds = |key: &str| -> Option<Vec<String>> {
                legacy.get(key).map(|v| {
                    v.items()
                        .iter()
                        .filter_map(|k| k.as_str().map(str::to_string))
                        .collect()
                })
            };
            if let Some(f) = kinds("orderFirst") {
                first = f;
            }
            if let Some(l) = kinds("orderLast") {
                last = l;
            }
        }
    }
    let index = |kind: &str| -> i64 {
        if let Some(i) = first.iter().position(|k| k == kind) {
            return i as i64 - first.len() as i64;
        }
        if let Some(i) = last.iter().position(|k| k == kind) {
            return 1 + i as i64;
        }
        0
    };
    let keyed: Vec<(i64, Gvk, String)> = resources
        .iter()
        .map(|r| {
            let gvk = r.gvk();
            let ns = match r.namespace() {
                "" => "~X",
                ns => ns,
            };
            let name = match r.name() {
                "" => "~N",
                n => n,
            };
            let id = format!("{}|{ns}|{name}", gvk.display());
            (index(&gvk.kind), gvk, id)
        })
        .collect();
    let mut order: Vec<usize> = (0..resources.len()).collect();
    order.sort_by(|a, b| compare(&keyed[*a], &keyed[*b]));
    let mut sorted: Vec<Option<Resource>> = resources.iter().cloned().map(Some).collect();
    for (slot, i) in order.into_iter().enumerate() {
        if let Some(r) = sorted[i].take() {
            resources[slot] = r;
        }
    }
    Ok(())
}

fn gvk_key(gvk: &Gvk) -> String {
    let or = |s: &str, d: &str| {
        if s.is_empty() {
            d.to_string()
        } else {
            s.to_string()
        }
    };
    format!(
        "{}_{}_{}",
        or(&gvk.group, "~G"),
        or(&gvk.version, "~V"),
        or(&gvk.kind, "~K")
    )
}

fn compare(a: &(i64, Gvk, String), b: &(i64, Gvk, String)) -> Ordering {
    if a.1 != b.1 {
        if a.0 != b.0 {
            return a.0.cmp(&b.0);
        }
        let (ka, kb) = (gvk_key(&a.1), gvk_key(&b.1));
        // Kustomize's tie-break for two Namespace types, one of them in the core group.
        if a.1.kind == "Namespace"
            && b.1.kind == "Namespace"
            && (a.1.group.is_empty() || b.1.group.is_empty())
        {
            return kb.cmp(&ka);
        }
        return ka.cmp(&kb);
    }
    a.2.cmp(&b.2)
}
