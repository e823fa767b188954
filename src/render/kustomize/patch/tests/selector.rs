use super::{base, patch};
use crate::render::kustomize::patch::Target;

const OBJECTS: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders-api
  labels: {app: orders, tier: back}
  annotations: {team: payments}
---
apiVersion: v1
kind: Service
metadata:
  name: orders-api
  namespace: shop
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
";

fn objects() -> Vec<crate::render::value::Value> {
    super::documents(super::BASE, OBJECTS)
}

fn target(text: &str) -> Target {
    Target::parse(&patch(text)).unwrap()
}

/// Which objects (by kind) the target selects.
fn selected(text: &str) -> Vec<String> {
    let target = target(text);
    objects()
        .iter()
        .filter(|o| target.matches(o))
        .map(|o| o.get_str("kind").unwrap_or_default().to_string())
        .collect()
}

#[test]
fn kind_and_anchored_name_regex() {
    assert_eq!(
        selected("{kind: Deployment, name: 'orders-.*'}"),
        ["Deployment"]
    );
    assert!(selected("{kind: Deployment, name: orders}").is_empty());
    assert_eq!(
        selected("{name: '.*-(api|web)'}"),
        ["Deployment", "Service"]
    );
    assert_eq!(selected("{}"), ["Deployment", "Service", "ClusterRole"]);
}

#[test]
fn group_and_version_empty_means_any() {
    assert_eq!(selected("{group: apps}"), ["Deployment"]);
    assert_eq!(
        selected("{group: '', version: v1}"),
        ["Deployment", "Service", "ClusterRole"]
    );
    assert_eq!(selected("{version: v1, kind: Service}"), ["Service"]);
    assert!(selected("{group: batch}").is_empty());
}

#[test]
fn namespaces_are_effective_ones() {
    assert_eq!(selected("{namespace: default}"), ["Deployment"]);
    assert_eq!(selected("{namespace: 'sh.p'}"), ["Service"]);
    assert_eq!(
        selected("{namespace: '_non_namespaceable_'}"),
        ["ClusterRole"]
    );
}

#[test]
fn label_and_annotation_selectors() {
    assert_eq!(
        selected("{labelSelector: 'app in (orders, carts), tier notin (front)'}"),
        ["Deployment"]
    );
    assert!(selected("{labelSelector: 'app=orders,tier=front'}").is_empty());
    assert_eq!(
        selected("{labelSelector: '!app'}"),
        ["Service", "ClusterRole"]
    );
    assert_eq!(
        selected("{annotationSelector: team=payments}"),
        ["Deployment"]
    );
}

#[test]
fn original_names_match_too() {
    let service = &objects()[1];
    let target = target("{name: orders-api, namespace: shop}");
    let mut renamed = service.clone();
    let span = renamed.span;
    renamed.map_path(&["metadata"], span).insert(
        "name",
        span,
        crate::render::value::Value::string("prod-orders-api", span),
    );
    assert!(!target.matches(&renamed));
    assert!(target.matches_with_original(&renamed, Some("orders-api"), Some("shop")));
}

#[test]
fn invalid_targets_are_errors() {
    for bad in [
        "{name: '(orders'}",
        "{namespace: '[a'}",
        "{labelSelector: 'app in ()'}",
        "{annotationSelector: '=x'}",
        "{kind: [Deployment]}",
        "[kind]",
    ] {
        assert!(Target::parse(&base(bad)).is_err(), "{bad}");
    }
    let parsed = target("{kind: Deployment, labelSelector: app=orders}");
    assert_eq!(parsed.kind.as_deref(), Some("Deployment"));
    assert_eq!(parsed.label_selector.as_deref(), Some("app=orders"));
    assert_eq!(parsed.name, None);
}
