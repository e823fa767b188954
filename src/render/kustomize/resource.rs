//! A resource as Kustomize tracks it while building: the object, plus the build
//! metadata Kustomize keeps in internal annotations (earlier ids, prefixes and suffixes
//! applied, whether a generated name still needs its content hash).

use crate::render::value::Value;
use crate::source::Span;

/// Group, version and kind; an empty field in a selector matches anything.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) struct Gvk {
    pub group: String,
    pub version: String,
    pub kind: String,
}

impl Gvk {
    pub fn new(api_version: &str, kind: &str) -> Gvk {
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g, v),
            None => ("", api_version),
        };
        Gvk {
            group: group.to_string(),
            version: version.to_string(),
            kind: kind.to_string(),
        }
    }

    pub fn of(object: &Value) -> Gvk {
        Gvk::new(
            object.get_str("apiVersion").unwrap_or(""),
            object.get_str("kind").unwrap_or(""),
        )
    }

    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// Kustomize's `Gvk.IsSelected`: every non-empty field of `selector` must match.
    pub fn is_selected_by(&self, selector: &Gvk) -> bool {
        (selector.group.is_empty() || selector.group == self.group)
            && (selector.version.is_empty() || selector.version == self.version)
            && (selector.kind.is_empty() || selector.kind == self.kind)
    }

    /// Whether Kustomize's built-in OpenAPI data says the type is cluster-scoped; unknown
    /// types (custom resources) count as namespaced, as in kyaml.
    pub fn is_cluster_scoped(&self) -> bool {
        CLUSTER_SCOPED.iter().any(|(api_version, kind)| {
            *kind == self.kind
                && match api_version.split_once('/') {
                    Some((g, v)) => g == self.group && v == self.version,
                    None => self.group.is_empty() && *api_version == self.version,
                }
        })
    }

    /// `Kind.version.group`, as Kustomize prints ids.
    pub fn display(&self) -> String {
        let or = |s: &str, d: &str| {
            if s.is_empty() {
                d.to_string()
            } else {
                s.to_string()
            }
        };
        format!(
            "{}.{}.{}",
            or(&self.kind, "[noKind]"),
            or(&self.version, "[noVer]"),
            or(&self.group, "[noGrp]")
        )
    }
}

/// Types kyaml's precomputed OpenAPI table (Kubernetes 1.21 schema) lists as
/// cluster-scoped. Everything else is namespaced to Kustomize.
const CLUSTER_SCOPED: &[(&str, &str)] = &[
    (
        "admissionregistration.k8s.io/v1",
        "MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1",
        "ValidatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingWebhookConfiguration",
    ),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
    ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"),
    ("apiregistration.k8s.io/v1", "APIService"),
    ("apiregistration.k8s.io/v1beta1", "APIService"),
    ("certificates.k8s.io/v1", "CertificateSigningRequest"),
    ("certificates.k8s.io/v1beta1", "CertificateSigningRequest"),
    ("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema"),
    (
        "flowcontrol.apiserver.k8s.io/v1beta1",
        "PriorityLevelConfiguration",
    ),
    ("networking.k8s.io/v1", "IngressClass"),
    ("networking.k8s.io/v1beta1", "IngressClass"),
    ("node.k8s.io/v1", "RuntimeClass"),
    ("node.k8s.io/v1beta1", "RuntimeClass"),
    ("policy/v1beta1", "PodSecurityPolicy"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding"),
    ("scheduling.k8s.io/v1", "PriorityClass"),
    ("scheduling.k8s.io/v1beta1", "PriorityClass"),
    ("storage.k8s.io/v1", "CSIDriver"),
    ("storage.k8s.io/v1", "CSINode"),
    ("storage.k8s.io/v1", "StorageClass"),
    ("storage.k8s.io/v1", "VolumeAttachment"),
    ("storage.k8s.io/v1beta1", "CSIDriver"),
    ("storage.k8s.io/v1beta1", "CSINode"),
    ("storage.k8s.io/v1beta1", "StorageClass"),
    ("storage.k8s.io/v1beta1", "VolumeAttachment"),
    ("v1", "ComponentStatus"),
    ("v1", "Namespace"),
    ("v1", "Node"),
    ("v1", "NodeProxyOptions"),
    ("v1", "PersistentVolume"),
];

/// What Kustomize uses for the namespace of a cluster-scoped id.
const NOT_A_NAMESPACE: &str = "_non_namespaceable_";

/// A resource id: type, name and namespace.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct ResId {
    pub gvk: Gvk,
    pub name: String,
    pub namespace: String,
}

impl ResId {
    /// `""` and `default` are one namespace; cluster-scoped types have none.
    pub fn effective_namespace(&self) -> &str {
        if self.gvk.is_cluster_scoped() {
            NOT_A_NAMESPACE
        } else if self.namespace.is_empty() {
            "default"
        } else {
            &self.namespace
        }
    }

    /// Kustomize's `ResId.Equals`.
    pub fn equals(&self, other: &ResId) -> bool {
        self.gvk == other.gvk
            && self.name == other.name
            && self.effective_namespace() == other.effective_namespace()
    }

    pub fn display(&self) -> String {
        let namespace = if self.namespace.is_empty() {
            "[noNs]"
        } else {
            &self.namespace
        };
        format!("{}/{}.{}", self.gvk.display(), self.name, namespace)
    }
}

/// A generated resource's `behavior`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) enum Behavior {
    #[default]
    Unspecified,
    Create,
    Replace,
    Merge,
}

#[derive(Clone, Debug)]
pub(super) struct Resource {
    pub value: Value,
    /// Ids the resource had before renames, oldest first (not the current one).
    pub previous: Vec<ResId>,
    /// Name prefixes and suffixes applied, innermost kustomization first.
    pub prefixes: Vec<String>,
    pub suffixes: Vec<String>,
    /// A generated ConfigMap or Secret whose name gets the content hash at the end.
    pub needs_hash: bool,
    pub behavior: Behavior,
    /// Names of the `vars` that read this object.
    pub vars: Vec<String>,
}

impl Resource {
    pub fn new(value: Value) -> Resource {
        Resource {
            value,
            previous: Vec::new(),
            prefixes: Vec::new(),
            suffixes: Vec::new(),
            needs_hash: false,
            behavior: Behavior::Unspecified,
            vars: Vec::new(),
        }
    }

    pub fn gvk(&self) -> Gvk {
        Gvk::of(&self.value)
    }

    pub fn kind(&self) -> &str {
        self.value.get_str("kind").unwrap_or("")
    }

    pub fn name(&self) -> &str {
        self.value.path_str(&["metadata", "name"]).unwrap_or("")
    }

    pub fn namespace(&self) -> &str {
        self.value
            .path_str(&["metadata", "namespace"])
            .unwrap_or("")
    }

    pub fn current_id(&self) -> ResId {
        ResId {
            gvk: self.gvk(),
            name: self.name().to_string(),
            namespace: self.namespace().to_string(),
        }
    }

    /// The id the resource was first loaded with.
    pub fn original_id(&self) -> ResId {
        self.previous
            .first()
            .cloned()
            .unwrap_or_else(|| self.current_id())
    }

    /// Earlier ids, then the current one.
    pub fn all_ids(&self) -> Vec<ResId> {
        let mut ids = self.previous.clone();
        ids.push(self.current_id());
        ids
    }

    pub fn any_id(&self, matches: impl Fn(&ResId) -> bool) -> bool {
        self.previous.iter().any(&matches) || matches(&self.current_id())
    }

    /// Records the current id before a rename (Kustomize's `StorePreviousId`, which
    /// stores the effective namespace).
    pub fn store_previous_id(&mut self) {
        let mut id = self.current_id();
        if id.namespace.is_empty() && !id.gvk.is_cluster_scoped() {
            id.namespace = "default".to_string();
        }
        self.previous.push(id);
    }

    /// The span of `metadata.name`, or of the object when it has none.
    pub fn name_span(&self) -> Span {
        self.value
            .path(&["metadata", "name"])
            .map_or(self.value.span, |v| v.span)
    }

    /// Renames the object; the new name keeps the span of the old one, where the object
    /// is still written.
    pub fn set_name(&mut self, name: &str) {
        let span = self.name_span();
        let metadata = self.value.map_at("metadata", span);
        metadata.insert("name", span, Value::string(name, span));
    }

    /// Sets or clears `metadata.namespace`; `span` is what caused a new value.
    pub fn set_namespace(&mut self, namespace: &str, span: Span) {
        if namespace.is_empty() {
            if let Some(metadata) = self.value.get_mut("metadata") {
                metadata.remove("namespace");
            }
            return;
        }
        let metadata = self.value.map_at("metadata", span);
        metadata.insert("namespace", span, Value::string(namespace, span));
    }

    pub fn is_empty(&self) -> bool {
        self.value.is_null() || (self.value.is_map() && self.value.entries().is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_compare_default_and_empty_namespaces_as_one() {
        let gvk = Gvk::new("apps/v1", "Deployment");
        let a = ResId {
            gvk: gvk.clone(),
            name: "x".into(),
            namespace: String::new(),
        };
        let b = ResId {
            gvk,
            name: "x".into(),
            namespace: "default".into(),
        };
        assert!(a.equals(&b));
        assert_eq!(a.display(), "Deployment.v1.apps/x.[noNs]");
    }

    #[test]
    fn cluster_scope_follows_the_builtin_table() {
        assert!(Gvk::new("v1", "Namespace").is_cluster_scoped());
        assert!(!Gvk::new("v1", "ConfigMap").is_cluster_scoped());
        // Not in Kustomize's table: treated as namespaced.
        assert!(!Gvk::new("cert-manager.io/v1", "ClusterIssuer").is_cluster_scoped());
    }
}
