//! Kustomize patches: strategic merge (with Kubernetes' list merge keys), JSON 6902, and
//! the `target` selectors that choose which objects a patch applies to.

use crate::render::value::Value;

/// Applies a strategic-merge patch to `target` in place; patch values keep their spans.
pub fn strategic_merge(target: &mut Value, patch: &Value) -> Result<(), String> {
    let _ = (target, patch);
    Err("strategic merge patches are not implemented yet".into())
}

/// Applies a list of JSON 6902 operations to `target` in place.
pub fn json6902(target: &mut Value, operations: &Value) -> Result<(), String> {
    let _ = (target, operations);
    Err("JSON 6902 patches are not implemented yet".into())
}

/// A patch's `target`: which objects it applies to.
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

impl Target {
    pub fn parse(value: &Value) -> Result<Target, String> {
        let s = |k: &str| value.get_str(k).map(str::to_string);
        Ok(Target {
            group: s("group"),
            version: s("version"),
            kind: s("kind"),
            name: s("name"),
            namespace: s("namespace"),
            label_selector: s("labelSelector"),
            annotation_selector: s("annotationSelector"),
        })
    }

    pub fn matches(&self, object: &Value) -> bool {
        let _ = object;
        false
    }
}
