//! Argo CD's apply order (gitops-engine `sync_tasks.go` Less): phase, wave, kind, name
//! (argocd-semantics.md §2 "Order").

use super::hooks::Phase;

/// gitops-engine's kind order (from Helm's kind_sorter); other kinds come last.
const KIND_ORDER: &[&str] = &[
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
];

pub fn kind_rank(kind: &str) -> usize {
    KIND_ORDER
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(KIND_ORDER.len())
}

/// Sort key of one sync task; smaller applies first. Tasks with equal
/// `(phase, wave)` are applied in the same pass.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct OrderKey<'a> {
    pub phase: Phase,
    pub wave: i64,
    pub kind_rank: usize,
    pub name: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_before_jobs_and_custom_resources_last() {
        assert!(kind_rank("ServiceAccount") < kind_rank("Secret"));
        assert!(kind_rank("Secret") < kind_rank("ConfigMap"));
        assert!(kind_rank("ConfigMap") < kind_rank("Job"));
        assert!(kind_rank("Job") < kind_rank("ExternalSecret"));
    }

    #[test]
    fn phase_beats_wave() {
        let presync = OrderKey {
            phase: Phase::PreSync,
            wave: 5,
            kind_rank: 30,
            name: "a",
        };
        let sync = OrderKey {
            phase: Phase::Sync,
            wave: -10,
            kind_rank: 7,
            name: "a",
        };
        assert!(presync < sync);
    }
}
