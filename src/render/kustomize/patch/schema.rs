//! The part of Kubernetes' built-in OpenAPI schema that strategic merge needs: which
//! object kinds are known, and which of their lists merge (and by which keys).
//!
//! Kustomize v5 (kyaml) uses the Kubernetes 1.21 schema: a kind outside it (a custom
//! resource, `autoscaling/v2`, `apps/v1beta2`) has no schema, so all its lists are
//! replaced wholesale. Within a known kind, only a list whose field carries
//! `x-kubernetes-patch-strategy: merge` merges; its keys are the field's
//! `x-kubernetes-list-map-keys` when present, else its `x-kubernetes-patch-merge-key`
//! (no key at all: a list of scalars merged as a set, like `finalizers`).

/// What the schema says about one node.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Ty {
    /// Known, with no merging list below it that this table models.
    Plain,
    /// A structure whose listed fields lead to merging lists; other fields are `Plain`.
    Object(&'static [(&'static str, &'static Ty)]),
    /// A list with the `merge` patch strategy, its merge keys and its items' type.
    MergeList {
        keys: &'static [&'static str],
        items: &'static Ty,
    },
}

impl Ty {
    /// The type of field `name` of a map of this type; `None` where the schema ends.
    pub(super) fn field(&'static self, name: &str) -> Option<&'static Ty> {
        match self {
            Ty::Plain => Some(&PLAIN),
            Ty::Object(fields) => Some(
                fields
                    .iter()
                    .find(|(field, _)| *field == name)
                    .map_or(&PLAIN, |(_, ty)| *ty),
            ),
            Ty::MergeList { .. } => None,
        }
    }

    /// The type of the items of a list of this type.
    pub(super) fn items(&'static self) -> Option<&'static Ty> {
        match self {
            Ty::MergeList { items, .. } => Some(items),
            _ => None,
        }
    }

    /// The merge keys, for a list that merges.
    pub(super) fn merge_keys(&self) -> Option<&'static [&'static str]> {
        match self {
            Ty::MergeList { keys, .. } => Some(keys),
            _ => None,
        }
    }
}

static PLAIN: Ty = Ty::Plain;

const fn merge_list(keys: &'static [&'static str], items: &'static Ty) -> Ty {
    Ty::MergeList { keys, items }
}

static BY_NAME: Ty = merge_list(&["name"], &PLAIN);
static BY_TYPE: Ty = merge_list(&["type"], &PLAIN);
static SCALAR_SET: Ty = merge_list(&[], &PLAIN);

static OBJECT_META: Ty = Ty::Object(&[
    ("finalizers", &SCALAR_SET),
    ("ownerReferences", &merge_list(&["uid"], &PLAIN)),
]);

static CONTAINER: Ty = Ty::Object(&[
    ("ports", &merge_list(&["containerPort", "protocol"], &PLAIN)),
    ("env", &BY_NAME),
    ("volumeMounts", &merge_list(&["mountPath"], &PLAIN)),
    ("volumeDevices", &merge_list(&["devicePath"], &PLAIN)),
]);

static CONTAINERS: Ty = merge_list(&["name"], &CONTAINER);

static POD_SPEC: Ty = Ty::Object(&[
    ("containers", &CONTAINERS),
    ("initContainers", &CONTAINERS),
    ("ephemeralContainers", &CONTAINERS),
    ("volumes", &BY_NAME),
    ("imagePullSecrets", &BY_NAME),
    ("hostAliases", &merge_list(&["ip"], &PLAIN)),
    (
        "topologySpreadConstraints",
        &merge_list(&["topologyKey", "whenUnsatisfiable"], &PLAIN),
    ),
]);

static POD_TEMPLATE_SPEC: Ty = Ty::Object(&[("metadata", &OBJECT_META), ("spec", &POD_SPEC)]);

static CONDITIONS_STATUS: Ty = Ty::Object(&[("conditions", &BY_TYPE)]);

static GENERIC: Ty = Ty::Object(&[("metadata", &OBJECT_META)]);

static WORKLOAD: Ty = Ty::Object(&[
    ("metadata", &OBJECT_META),
    ("spec", &Ty::Object(&[("template", &POD_TEMPLATE_SPEC)])),
    ("status", &CONDITIONS_STATUS),
]);

static CRON_JOB: Ty = Ty::Object(&[
    ("metadata", &OBJECT_META),
    (
        "spec",
        &Ty::Object(&[(
            "jobTemplate",
            &Ty::Object(&[
                ("metadata", &OBJECT_META),
                ("spec", &Ty::Object(&[("template", &POD_TEMPLATE_SPEC)])),
            ]),
        )]),
    ),
]);

static POD: Ty = Ty::Object(&[
    ("metadata", &OBJECT_META),
    ("spec", &POD_SPEC),
    (
        "status",
        &Ty::Object(&[
            ("conditions", &BY_TYPE),
            ("podIPs", &merge_list(&["ip"], &PLAIN)),
        ]),
    ),
]);

static POD_TEMPLATE: Ty =
    Ty::Object(&[("metadata", &OBJECT_META), ("template", &POD_TEMPLATE_SPEC)]);

static SERVICE: Ty = Ty::Object(&[
    ("metadata", &OBJECT_META),
    (
        "spec",
        &Ty::Object(&[("ports", &merge_list(&["port", "protocol"], &PLAIN))]),
    ),
    ("status", &CONDITIONS_STATUS),
]);

static NODE: Ty = Ty::Object(&[
    ("metadata", &OBJECT_META),
    ("spec", &Ty::Object(&[("podCIDRs", &SCALAR_SET)])),
    (
        "status",
        &Ty::Object(&[("conditions", &BY_TYPE), ("addresses", &BY_TYPE)]),
    ),
]);

static WITH_STATUS_CONDITIONS: Ty =
    Ty::Object(&[("metadata", &OBJECT_META), ("status", &CONDITIONS_STATUS)]);

static SERVICE_ACCOUNT: Ty = Ty::Object(&[("metadata", &OBJECT_META), ("secrets", &BY_NAME)]);

static WEBHOOK_CONFIGURATION: Ty =
    Ty::Object(&[("metadata", &OBJECT_META), ("webhooks", &BY_NAME)]);

/// Kinds of the Kubernetes 1.21 API, by `apiVersion`.
const KNOWN_KINDS: &[(&str, &[&str])] = &[
    (
        "v1",
        &[
            "Binding",
            "ComponentStatus",
            "ConfigMap",
            "Endpoints",
            "Event",
            "LimitRange",
            "Namespace",
            "Node",
            "PersistentVolume",
            "PersistentVolumeClaim",
            "Pod",
            "PodTemplate",
            "ReplicationController",
            "ResourceQuota",
            "Secret",
            "Service",
            "ServiceAccount",
        ],
    ),
    ("admissionregistration.k8s.io/v1", WEBHOOK_KINDS),
    ("admissionregistration.k8s.io/v1beta1", WEBHOOK_KINDS),
    ("apiextensions.k8s.io/v1", &["CustomResourceDefinition"]),
    (
        "apiextensions.k8s.io/v1beta1",
        &["CustomResourceDefinition"],
    ),
    ("apiregistration.k8s.io/v1", &["APIService"]),
    ("apiregistration.k8s.io/v1beta1", &["APIService"]),
    (
        "apps/v1",
        &[
            "ControllerRevision",
            "DaemonSet",
            "Deployment",
            "ReplicaSet",
            "StatefulSet",
        ],
    ),
    ("authentication.k8s.io/v1", &["TokenRequest", "TokenReview"]),
    ("authentication.k8s.io/v1beta1", &["TokenReview"]),
    ("authorization.k8s.io/v1", ACCESS_REVIEW_KINDS),
    ("authorization.k8s.io/v1beta1", ACCESS_REVIEW_KINDS),
    ("autoscaling/v1", &["HorizontalPodAutoscaler", "Scale"]),
    ("autoscaling/v2beta1", &["HorizontalPodAutoscaler"]),
    ("autoscaling/v2beta2", &["HorizontalPodAutoscaler"]),
    ("batch/v1", &["CronJob", "Job"]),
    ("batch/v1beta1", &["CronJob"]),
    ("certificates.k8s.io/v1", &["CertificateSigningRequest"]),
    (
        "certificates.k8s.io/v1beta1",
        &["CertificateSigningRequest"],
    ),
    ("coordination.k8s.io/v1", &["Lease"]),
    ("coordination.k8s.io/v1beta1", &["Lease"]),
    ("discovery.k8s.io/v1", &["EndpointSlice"]),
    ("discovery.k8s.io/v1beta1", &["EndpointSlice"]),
    ("events.k8s.io/v1", &["Event"]),
    ("events.k8s.io/v1beta1", &["Event"]),
    ("extensions/v1beta1", &["Ingress"]),
    (
        "flowcontrol.apiserver.k8s.io/v1beta1",
        &["FlowSchema", "PriorityLevelConfiguration"],
    ),
    ("internal.apiserver.k8s.io/v1alpha1", &["StorageVersion"]),
    (
        "networking.k8s.io/v1",
        &["Ingress", "IngressClass", "NetworkPolicy"],
    ),
    ("networking.k8s.io/v1beta1", &["Ingress", "IngressClass"]),
    ("node.k8s.io/v1", &["RuntimeClass"]),
    ("node.k8s.io/v1alpha1", &["RuntimeClass"]),
    ("node.k8s.io/v1beta1", &["RuntimeClass"]),
    ("policy/v1", &["PodDisruptionBudget"]),
    (
        "policy/v1beta1",
        &["Eviction", "PodDisruptionBudget", "PodSecurityPolicy"],
    ),
    ("rbac.authorization.k8s.io/v1", RBAC_KINDS),
    ("rbac.authorization.k8s.io/v1alpha1", RBAC_KINDS),
    ("rbac.authorization.k8s.io/v1beta1", RBAC_KINDS),
    ("scheduling.k8s.io/v1", &["PriorityClass"]),
    ("scheduling.k8s.io/v1alpha1", &["PriorityClass"]),
    ("scheduling.k8s.io/v1beta1", &["PriorityClass"]),
    (
        "storage.k8s.io/v1",
        &["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"],
    ),
    (
        "storage.k8s.io/v1beta1",
        &[
            "CSIDriver",
            "CSINode",
            "CSIStorageCapacity",
            "StorageClass",
            "VolumeAttachment",
        ],
    ),
    (
        "storage.k8s.io/v1alpha1",
        &["CSIStorageCapacity", "VolumeAttachment"],
    ),
];

const WEBHOOK_KINDS: &[&str] = &[
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];
const ACCESS_REVIEW_KINDS: &[&str] = &[
    "LocalSubjectAccessReview",
    "SelfSubjectAccessReview",
    "SelfSubjectRulesReview",
    "SubjectAccessReview",
];
const RBAC_KINDS: &[&str] = &["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"];

/// The schema of an object of `api_version` and `kind`, when Kustomize knows the kind.
pub(super) fn for_object(api_version: &str, kind: &str) -> Option<&'static Ty> {
    let known = KNOWN_KINDS
        .iter()
        .any(|(version, kinds)| *version == api_version && kinds.contains(&kind));
    if !known {
        return None;
    }
    Some(match kind {
        "Deployment"
        | "ReplicaSet"
        | "DaemonSet"
        | "StatefulSet"
        | "ReplicationController"
        | "Job" => &WORKLOAD,
        "CronJob" => &CRON_JOB,
        "Pod" => &POD,
        "PodTemplate" => &POD_TEMPLATE,
        "Service" => &SERVICE,
        "Node" => &NODE,
        "Namespace" | "PersistentVolumeClaim" | "APIService" | "PodDisruptionBudget" => {
            &WITH_STATUS_CONDITIONS
        }
        "ServiceAccount" => &SERVICE_ACCOUNT,
        "MutatingWebhookConfiguration" | "ValidatingWebhookConfiguration" => &WEBHOOK_CONFIGURATION,
        _ => &GENERIC,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_merge_by_name_and_their_ports_by_port_and_protocol() {
        let deployment = for_object("apps/v1", "Deployment").unwrap();
        let containers = ["spec", "template", "spec", "containers"]
            .iter()
            .try_fold(deployment, |ty, f| ty.field(f))
            .unwrap();
        assert_eq!(containers.merge_keys(), Some(&["name"][..]));
        let ports = containers.items().unwrap().field("ports").unwrap();
        assert_eq!(ports.merge_keys(), Some(&["containerPort", "protocol"][..]));
        let args = containers.items().unwrap().field("args").unwrap();
        assert_eq!(args.merge_keys(), None);
    }

    #[test]
    fn kinds_outside_kubernetes_1_21_have_no_schema() {
        assert!(for_object("autoscaling/v2", "HorizontalPodAutoscaler").is_none());
        assert!(for_object("apps/v1beta2", "Deployment").is_none());
        assert!(for_object("example.com/v1", "Thing").is_none());
        assert!(for_object("batch/v1beta1", "CronJob").is_some());
        let meta = for_object("v1", "ConfigMap").unwrap().field("metadata");
        assert_eq!(
            meta.unwrap().field("finalizers").unwrap().merge_keys(),
            Some(&[][..])
        );
    }
}
