//! Hook annotations as Argo CD reads them (argocd-semantics.md §1, §2, §3).

pub const ARGO_HOOK: &str = "argocd.argoproj.io/hook";
pub const ARGO_DELETE_POLICY: &str = "argocd.argoproj.io/hook-delete-policy";
pub const SYNC_WAVE: &str = "argocd.argoproj.io/sync-wave";
pub const HELM_HOOK: &str = "helm.sh/hook";
pub const HELM_WEIGHT: &str = "helm.sh/hook-weight";
pub const HELM_DELETE_POLICY: &str = "helm.sh/hook-delete-policy";

/// A sync phase; the derive order is gitops-engine's phase order. The delete phases
/// run when the app is deleted, never during a sync.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    PreSync,
    Sync,
    PostSync,
    SyncFail,
    PreDelete,
    PostDelete,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::PreSync => "PreSync",
            Phase::Sync => "Sync",
            Phase::PostSync => "PostSync",
            Phase::SyncFail => "SyncFail",
            Phase::PreDelete => "PreDelete",
            Phase::PostDelete => "PostDelete",
        }
    }
    pub fn runs_in_sync(self) -> bool {
        !matches!(self, Phase::PreDelete | Phase::PostDelete)
    }
}

/// A valid `argocd.argoproj.io/hook` item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HookType {
    Phase(Phase),
    Skip,
}

pub fn argo_hook_type(item: &str) -> Option<HookType> {
    Some(match item {
        "PreSync" => HookType::Phase(Phase::PreSync),
        "Sync" => HookType::Phase(Phase::Sync),
        "PostSync" => HookType::Phase(Phase::PostSync),
        "SyncFail" => HookType::Phase(Phase::SyncFail),
        "PreDelete" => HookType::Phase(Phase::PreDelete),
        "PostDelete" => HookType::Phase(Phase::PostDelete),
        "Skip" => HookType::Skip,
        _ => return None,
    })
}

/// What a `helm.sh/hook` item means to Argo CD.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HelmHook {
    Phase(Phase),
    /// `crd-install`: applied as a normal resource.
    NotAHook,
    /// test and rollback hooks: Argo CD drops the resource.
    Unsupported,
    Unknown,
}

pub fn helm_hook(item: &str) -> HelmHook {
    match item {
        "pre-install" | "pre-upgrade" => HelmHook::Phase(Phase::PreSync),
        "post-install" | "post-upgrade" => HelmHook::Phase(Phase::PostSync),
        "pre-delete" => HelmHook::Phase(Phase::PreDelete),
        "post-delete" => HelmHook::Phase(Phase::PostDelete),
        "crd-install" => HelmHook::NotAHook,
        "test" | "test-success" | "test-failure" | "pre-rollback" | "post-rollback" => {
            HelmHook::Unsupported
        }
        _ => HelmHook::Unknown,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeletePolicy {
    HookSucceeded,
    HookFailed,
    BeforeHookCreation,
}

pub fn argo_delete_policy(item: &str) -> Option<DeletePolicy> {
    match item {
        "HookSucceeded" => Some(DeletePolicy::HookSucceeded),
        "HookFailed" => Some(DeletePolicy::HookFailed),
        "BeforeHookCreation" => Some(DeletePolicy::BeforeHookCreation),
        _ => None,
    }
}

pub fn helm_delete_policy(item: &str) -> Option<DeletePolicy> {
    match item {
        "hook-succeeded" => Some(DeletePolicy::HookSucceeded),
        "hook-failed" => Some(DeletePolicy::HookFailed),
        "before-hook-creation" => Some(DeletePolicy::BeforeHookCreation),
        _ => None,
    }
}

/// Comma-separated items, trimmed, empty ones and repeats dropped (GetAnnotationCSVs).
pub fn csv(value: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for item in value.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// A resource's hook status as Argo CD decides it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hook {
    /// An Argo CD or Helm hook annotation is present (crd-install does not count).
    pub annotated: bool,
    /// The phases the hook runs in (empty for a non-hook or a dropped hook).
    pub phases: Vec<Phase>,
    /// `Skip` alone: never applied.
    pub skip: bool,
    /// The types came from `helm.sh/hook` (no valid Argo CD type on the object).
    pub from_helm: bool,
    /// Effective delete policies (BeforeHookCreation when none is valid).
    pub delete_policies: Vec<DeletePolicy>,
}

impl Hook {
    /// Whether this is a hook that Argo CD runs.
    pub fn is_hook(&self) -> bool {
        self.annotated && !self.dropped()
    }

    /// Annotated as a hook but with no valid type: Argo CD ignores the resource.
    pub fn dropped(&self) -> bool {
        self.annotated && self.phases.is_empty() && !self.skip
    }

    pub fn has_policy(&self, policy: DeletePolicy) -> bool {
        self.delete_policies.contains(&policy)
    }

    /// Derived from the raw annotation values (`None` when absent).
    pub fn from_annotations(
        argo_hook: Option<&str>,
        helm: Option<&str>,
        argo_policy: Option<&str>,
        helm_policy: Option<&str>,
    ) -> Hook {
        let mut hook = Hook::default();
        let argo_types: Vec<HookType> = argo_hook
            .map(csv)
            .unwrap_or_default()
            .into_iter()
            .filter_map(argo_hook_type)
            .collect();
        let helm_items: Vec<HelmHook> = helm
            .map(csv)
            .unwrap_or_default()
            .into_iter()
            .map(helm_hook)
            .collect();
        let helm_is_hook = helm.is_some() && !helm_items.iter().all(|h| *h == HelmHook::NotAHook);
        hook.annotated = argo_hook.is_some() || helm_is_hook;
        if !argo_types.is_empty() {
            // Skip only takes effect when it is the only type.
            hook.skip = argo_types == [HookType::Skip];
            hook.phases = phases(argo_types.iter().filter_map(|t| match t {
                HookType::Phase(p) => Some(*p),
                HookType::Skip => None,
            }));
        } else {
            hook.phases = phases(helm_items.iter().filter_map(|h| match h {
                HelmHook::Phase(p) => Some(*p),
                _ => None,
            }));
            hook.from_helm = !hook.phases.is_empty();
        }
        let mut policies: Vec<DeletePolicy> = Vec::new();
        let argo = argo_policy
            .map(csv)
            .unwrap_or_default()
            .into_iter()
            .filter_map(argo_delete_policy);
        let helm = helm_policy
            .map(csv)
            .unwrap_or_default()
            .into_iter()
            .filter_map(helm_delete_policy);
        for p in argo.chain(helm) {
            if !policies.contains(&p) {
                policies.push(p);
            }
        }
        if policies.is_empty() {
            policies.push(DeletePolicy::BeforeHookCreation);
        }
        hook.delete_policies = policies;
        hook
    }
}

fn phases(iter: impl Iterator<Item = Phase>) -> Vec<Phase> {
    let mut v: Vec<Phase> = iter.collect();
    v.sort();
    v.dedup();
    v
}

/// `argocd.argoproj.io/sync-wave`, else `helm.sh/hook-weight`, else 0 (`waves.go`).
pub fn wave(sync_wave: Option<&str>, hook_weight: Option<&str>) -> i64 {
    sync_wave
        .and_then(atoi)
        .or_else(|| hook_weight.and_then(atoi))
        .unwrap_or(0)
}

/// Go's `strconv.Atoi`: optional sign, decimal digits, nothing else.
pub fn atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argo_hook_wins_over_helm_hook() {
        let h = Hook::from_annotations(Some("Sync"), Some("pre-upgrade"), None, None);
        assert_eq!(h.phases, vec![Phase::Sync]);
        assert!(!h.from_helm);
    }

    #[test]
    fn helm_pre_install_and_pre_upgrade_are_presync() {
        let h = Hook::from_annotations(None, Some("pre-install,pre-upgrade"), None, None);
        assert_eq!(h.phases, vec![Phase::PreSync]);
        assert!(h.from_helm && h.is_hook());
    }

    #[test]
    fn invalid_types_drop_the_resource_unless_helm_saves_it() {
        assert!(Hook::from_annotations(Some("presync"), None, None, None).dropped());
        assert!(Hook::from_annotations(None, Some("test"), None, None).dropped());
        let saved = Hook::from_annotations(Some("presync"), Some("pre-install"), None, None);
        assert_eq!(saved.phases, vec![Phase::PreSync]);
        assert!(!Hook::from_annotations(None, Some("crd-install"), None, None).annotated);
    }

    #[test]
    fn delete_policies_combine_and_default() {
        let h = Hook::from_annotations(Some("PreSync"), None, None, None);
        assert_eq!(h.delete_policies, vec![DeletePolicy::BeforeHookCreation]);
        let h = Hook::from_annotations(
            Some("PreSync"),
            None,
            Some("HookSucceeded"),
            Some("hook-failed"),
        );
        assert_eq!(
            h.delete_policies,
            vec![DeletePolicy::HookSucceeded, DeletePolicy::HookFailed]
        );
    }

    #[test]
    fn waves_fall_back_to_hook_weight() {
        assert_eq!(wave(Some("-5"), Some("3")), -5);
        assert_eq!(wave(Some("x"), Some("3")), 3);
        assert_eq!(wave(None, None), 0);
        assert_eq!(atoi("1.5"), None);
    }
}
