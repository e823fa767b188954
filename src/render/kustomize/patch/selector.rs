//! A patch's `target`, matched as Kustomize's `resmap.Select` does.

use std::collections::BTreeMap;

use super::labels::Selector;
use super::regex::Regex;
use crate::render::value::Value;

/// A patch's `target`: which objects it applies to.
///
/// An absent or empty field matches anything (so an empty `group` is any group, not
/// just the core one). `name` and `namespace` are regular expressions matched against
/// the whole name (Go syntax, see the `regex` module for the supported subset); the
/// namespace matched is the effective one: `default` for a namespaced object without
/// one, `_non_namespaceable_` for a cluster-scoped kind.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Target {
    pub group: Option<String>,
    pub version: Option<String>,
    pub kind: Option<String>,
    /// A regular expression in Kustomize; anchored.
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub label_selector: Option<String>,
    pub annotation_selector: Option<String>,
}

/// Kinds Kustomize treats as cluster-scoped when it computes an effective namespace.
const CLUSTER_SCOPED_KINDS: &[&str] = &[
    "APIService",
    "CSIDriver",
    "CSINode",
    "CertificateSigningRequest",
    "ClusterRole",
    "ClusterRoleBinding",
    "ComponentStatus",
    "CustomResourceDefinition",
    "MutatingWebhookConfiguration",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PodSecurityPolicy",
    "PriorityClass",
    "RuntimeClass",
    "SelfSubjectAccessReview",
    "SelfSubjectRulesReview",
    "StorageClass",
    "SubjectAccessReview",
    "TokenReview",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
];

impl Target {
    /// Reads a `target:` map; its regular expressions and selectors must be valid.
    pub fn parse(value: &Value) -> Result<Target, String> {
        if !value.is_map() {
            return Err("a patch target must be a map".into());
        }
        let field = |key: &str| -> Result<Option<String>, String> {
            match value.get(key) {
                None => Ok(None),
                Some(v) if v.is_null() => Ok(None),
                Some(v) => match v.scalar() {
                    Some(s) => Ok(Some(s.text.clone())),
                    None => Err(format!("the target's `{key}` must be a string")),
                },
            }
        };
        let target = Target {
            group: field("group")?,
            version: field("version")?,
            kind: field("kind")?,
            name: field("name")?,
            namespace: field("namespace")?,
            label_selector: field("labelSelector")?,
            annotation_selector: field("annotationSelector")?,
        };
        for (what, pattern) in [("name", &target.name), ("namespace", &target.namespace)] {
            if let Some(pattern) = nonempty(pattern) {
                Regex::new(pattern)
                    .map_err(|e| format!("invalid target {what} `{pattern}`: {e}"))?;
            }
        }
        for (what, selector) in [
            ("labelSelector", &target.label_selector),
            ("annotationSelector", &target.annotation_selector),
        ] {
            if let Some(selector) = nonempty(selector) {
                Selector::parse(selector)
                    .map_err(|e| format!("invalid target {what} `{selector}`: {e}"))?;
            }
        }
        Ok(target)
    }

    /// Whether the target selects `object` by its current name and namespace.
    pub fn matches(&self, object: &Value) -> bool {
        self.matches_with_original(object, None, None)
    }

    /// Like Kustomize, which tries an object's name and namespace before the
    /// transformations of earlier kustomizations (`original_*`) and then its current
    /// ones.
    pub fn matches_with_original(
        &self,
        object: &Value,
        original_name: Option<&str>,
        original_namespace: Option<&str>,
    ) -> bool {
        let api_version = object.get_str("apiVersion").unwrap_or("");
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        let kind = object.get_str("kind").unwrap_or("");
        let equal =
            |wanted: &Option<String>, actual: &str| nonempty(wanted).is_none_or(|w| w == actual);
        if !equal(&self.group, group) || !equal(&self.version, version) || !equal(&self.kind, kind)
        {
            return false;
        }
        let name = object.path_str(&["metadata", "name"]).unwrap_or("");
        let namespace = object.path_str(&["metadata", "namespace"]).unwrap_or("");
        let effective = |namespace: &str| {
            if CLUSTER_SCOPED_KINDS.contains(&kind) {
                "_non_namespaceable_".to_string()
            } else if namespace.is_empty() {
                "default".to_string()
            } else {
                namespace.to_string()
            }
        };
        let names = original_name.into_iter().chain([name]);
        let namespaces = original_namespace
            .map(effective)
            .into_iter()
            .chain([effective(namespace)]);
        matches_any(&self.name, names)
            && matches_any(&self.namespace, namespaces)
            && selects(&self.label_selector, object, "labels")
            && selects(&self.annotation_selector, object, "annotations")
    }
}

fn nonempty(field: &Option<String>) -> Option<&str> {
    field.as_deref().filter(|s| !s.is_empty())
}

fn matches_any<S: AsRef<str>>(
    pattern: &Option<String>,
    candidates: impl IntoIterator<Item = S>,
) -> bool {
    let Some(pattern) = nonempty(pattern) else {
        return true;
    };
    let Ok(regex) = Regex::new(pattern) else {
        return false;
    };
    candidates
        .into_iter()
        .any(|c| regex.is_full_match(c.as_ref()))
}

fn selects(selector: &Option<String>, object: &Value, field: &str) -> bool {
    let Some(selector) = nonempty(selector) else {
        return true;
    };
    let Ok(selector) = Selector::parse(selector) else {
        return false;
    };
    let pairs: BTreeMap<String, String> = object
        .path(&["metadata", field])
        .map(Value::entries)
        .unwrap_or(&[])
        .iter()
        .map(|(k, v)| (k.name.clone(), v.as_str().unwrap_or("").to_string()))
        .collect();
    selector.matches(&pairs)
}
