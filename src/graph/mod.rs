//! graph: per app, every resource with its hook status, phase, wave, pod spec, images,
//! references, what it produces, and whether it is a migration; plus Argo CD's apply
//! order over them.

pub mod hooks;
pub mod image;
pub mod migration;
pub mod order;
pub mod pod;

use std::collections::HashSet;

use crate::apps::{App, Member};
use crate::diagnostic::{Diagnostic, Location, ObjectRef};
use crate::load::tree::{NodeId, Tree};
use crate::load::{Loaded, Object};
use crate::source::FileId;
use hooks::{Hook, Phase};
use migration::{Patterns, Reason};
use order::{OrderKey, kind_rank};
use pod::{PodSpec, RefKind};

/// Something a resource makes exist: itself, or a Secret a controller writes for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Produced {
    pub kind: RefKind,
    pub name: String,
}

#[derive(Clone, Debug)]
pub struct Resource {
    pub file: FileId,
    pub root: NodeId,
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub generate_name: bool,
    /// Effective namespace ("" when cluster-scoped or unknown).
    pub namespace: String,
    pub hook: Hook,
    pub wave: i64,
    pub pod: Option<PodSpec>,
    pub replicas: Option<i64>,
    pub autoscaled: bool,
    pub migration: Option<Reason>,
    pub produces: Vec<Produced>,
}

impl Resource {
    pub fn group(&self) -> &str {
        crate::load::objects::api_group(&self.api_version)
    }

    pub fn object_ref(&self) -> ObjectRef {
        ObjectRef {
            group: self.group().to_string(),
            kind: self.kind.clone(),
            namespace: self.namespace.clone(),
            name: self.name.clone(),
        }
    }

    /// `Job db-migrate` for messages.
    pub fn describe(&self) -> String {
        format!("{} `{}`", self.kind, self.name)
    }

    /// Phases this resource is applied in during a sync (none for Skip and dropped hooks).
    pub fn sync_phases(&self) -> Vec<Phase> {
        if self.hook.annotated {
            self.hook
                .phases
                .iter()
                .copied()
                .filter(|p| p.runs_in_sync())
                .collect()
        } else {
            vec![Phase::Sync]
        }
    }

    pub fn order_key(&self, phase: Phase) -> OrderKey {
        OrderKey {
            phase,
            wave: self.wave,
            kind_rank: kind_rank(&self.kind),
            name: self.name.clone(),
        }
    }

    /// The first moment this resource is applied in a sync.
    pub fn first_applied(&self) -> Option<OrderKey> {
        self.sync_phases()
            .into_iter()
            .map(|p| self.order_key(p))
            .min()
    }

    pub fn is_workload(&self) -> bool {
        matches!(
            self.kind.as_str(),
            "Deployment"
                | "StatefulSet"
                | "DaemonSet"
                | "Rollout"
                | "ReplicaSet"
                | "ReplicationController"
        )
    }

    pub fn produces(&self, kind: RefKind, name: &str) -> bool {
        self.produces
            .iter()
            .any(|p| p.kind == kind && p.name == name)
    }
}

pub struct AppGraph<'a> {
    pub app: &'a App,
    pub loaded: &'a Loaded,
    pub resources: Vec<Resource>,
}

impl<'a> AppGraph<'a> {
    pub fn build(app: &'a App, loaded: &'a Loaded, patterns: &Patterns) -> AppGraph<'a> {
        let mut resources: Vec<Resource> = app
            .members
            .iter()
            .map(|m| resource(loaded, m, patterns))
            .collect();
        let scaled: HashSet<(String, String)> = resources
            .iter()
            .filter_map(|r| scale_target(loaded.tree(r.file), r))
            .collect();
        for r in &mut resources {
            r.autoscaled = scaled.contains(&(r.kind.clone(), r.name.clone()));
        }
        AppGraph {
            app,
            loaded,
            resources,
        }
    }

    pub fn tree(&self, r: &Resource) -> &'a Tree {
        self.loaded.tree(r.file)
    }

    pub fn location(&self, r: &Resource, node: NodeId) -> Location {
        self.loaded.location(self.tree(r).span(node))
    }

    /// The value node of an annotation on the resource.
    pub fn annotation(&self, r: &Resource, key: &str) -> Option<NodeId> {
        self.tree(r).path(r.root, &["metadata", "annotations", key])
    }

    /// Resources that make `kind/name` exist in `namespace` ("" matches any).
    pub fn producers(
        &self,
        kind: RefKind,
        name: &str,
        namespace: &str,
    ) -> impl Iterator<Item = &Resource> + '_ {
        let name = name.to_string();
        let namespace = namespace.to_string();
        self.resources.iter().filter(move |r| {
            r.produces(kind, &name)
                && (namespace.is_empty() || r.namespace.is_empty() || r.namespace == namespace)
        })
    }

    /// Every sync task (resource index, phase) in Argo CD's apply order.
    pub fn apply_order(&self) -> Vec<(usize, OrderKey)> {
        let mut tasks: Vec<(usize, OrderKey)> = self
            .resources
            .iter()
            .enumerate()
            .flat_map(|(i, r)| {
                r.sync_phases()
                    .into_iter()
                    .map(move |p| (i, r.order_key(p)))
            })
            .collect();
        tasks.sort_by(|a, b| a.1.cmp(&b.1));
        tasks
    }

    /// A finding about `r`, at `node`, with the app and object filled in.
    pub fn finding(
        &self,
        rule: &crate::rules::Rule,
        r: &Resource,
        node: NodeId,
        field: &str,
        message: String,
    ) -> Diagnostic {
        Diagnostic::new(rule.id, rule.severity, message, self.location(r, node))
            .with_object(r.object_ref())
            .with_field(field)
            .with_app(&self.app.name)
    }

    /// The annotation that makes `r` a hook: Argo CD's, or Helm's when it decided.
    pub fn hook_annotation(&self, r: &Resource) -> Option<(NodeId, &'static str)> {
        let argo = self
            .annotation(r, hooks::ARGO_HOOK)
            .map(|n| (n, hooks::ARGO_HOOK));
        let helm = self
            .annotation(r, hooks::HELM_HOOK)
            .map(|n| (n, hooks::HELM_HOOK));
        if r.hook.from_helm {
            helm.or(argo)
        } else {
            argo.or(helm)
        }
    }

    /// The value of `metadata.name` (or `generateName`), where findings about the object
    /// as a whole point.
    pub fn name_node(&self, r: &Resource) -> NodeId {
        let tree = self.tree(r);
        let key = if r.generate_name {
            "generateName"
        } else {
            "name"
        };
        tree.path(r.root, &["metadata", key]).unwrap_or(r.root)
    }

    /// The key of `spec`, where findings about a missing spec field point.
    pub fn spec_key(&self, r: &Resource) -> NodeId {
        let tree = self.tree(r);
        tree.key_at(r.root, &["spec"]).unwrap_or(r.root)
    }
}

fn resource(loaded: &Loaded, member: &Member, patterns: &Patterns) -> Resource {
    let object: &Object = &loaded.file(member.file).objects[member.index];
    let tree = loaded.tree(member.file);
    let annotations = tree.path(object.root, &["metadata", "annotations"]);
    let ann = |key: &str| annotations.and_then(|a| tree.get_str(a, key));
    let hook = Hook::from_annotations(
        ann(hooks::ARGO_HOOK),
        ann(hooks::HELM_HOOK),
        ann(hooks::ARGO_DELETE_POLICY),
        ann(hooks::HELM_DELETE_POLICY),
    );
    let wave = hooks::wave(ann(hooks::SYNC_WAVE), ann(hooks::HELM_WEIGHT));
    let pod = pod::extract(tree, object.root, &object.kind);
    let migration = match (&pod, object.kind.as_str()) {
        (Some(p), "Job" | "Pod" | "CronJob") => {
            let template_name =
                tree.path_str(object.root, &["spec", "template", "metadata", "name"]);
            let names: Vec<&str> = std::iter::once(object.name.as_str())
                .chain(template_name)
                .collect();
            migration::classify_workload(
                ann(migration::MIGRATION_ANNOTATION),
                &names,
                &p.containers,
                patterns,
            )
        }
        _ => None,
    };
    Resource {
        file: member.file,
        root: object.root,
        api_version: object.api_version.clone(),
        kind: object.kind.clone(),
        name: object.name.clone(),
        generate_name: object.generate_name,
        namespace: member.namespace.clone(),
        hook,
        wave,
        replicas: tree
            .path(object.root, &["spec", "replicas"])
            .and_then(|n| tree.int(n)),
        autoscaled: false,
        migration,
        produces: produced(tree, object),
        pod,
    }
}

/// What an object makes exist (design: graph, "producers of Secrets").
fn produced(tree: &Tree, o: &Object) -> Vec<Produced> {
    let secret = |name: Option<&str>| Produced {
        kind: RefKind::Secret,
        name: name.unwrap_or(&o.name).to_string(),
    };
    let root = o.root;
    match (o.group(), o.kind.as_str()) {
        (_, kind) if RefKind::from_kind(kind).is_some() && o.group().is_empty() => {
            vec![Produced {
                kind: RefKind::from_kind(kind).unwrap(),
                name: o.name.clone(),
            }]
        }
        (g, "ExternalSecret") if g.starts_with("external-secrets.io") => {
            vec![secret(tree.path_str(root, &["spec", "target", "name"]))]
        }
        (g, "SealedSecret") if g.starts_with("bitnami.com") => {
            vec![secret(
                tree.path_str(root, &["spec", "template", "metadata", "name"]),
            )]
        }
        (g, "OnePasswordItem") if g.starts_with("onepassword.com") => vec![secret(None)],
        (g, "VaultStaticSecret" | "VaultDynamicSecret" | "VaultPKISecret")
            if g.starts_with("secrets.hashicorp.com") =>
        {
            vec![secret(
                tree.path_str(root, &["spec", "destination", "name"]),
            )]
        }
        (g, "Certificate") if g.starts_with("cert-manager.io") => tree
            .path_str(root, &["spec", "secretName"])
            .map(|n| vec![secret(Some(n))])
            .unwrap_or_default(),
        (g, "SecretProviderClass") if g.starts_with("secrets-store.csi") => tree
            .path(root, &["spec", "secretObjects"])
            .map(|l| {
                tree.items(l)
                    .iter()
                    .filter_map(|s| tree.get_str(*s, "secretName"))
                    .map(|n| secret(Some(n)))
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// `(kind, name)` of the workload an HPA or KEDA ScaledObject scales.
fn scale_target(tree: &Tree, r: &Resource) -> Option<(String, String)> {
    let target = match r.kind.as_str() {
        "HorizontalPodAutoscaler" => tree.path(r.root, &["spec", "scaleTargetRef"])?,
        "ScaledObject" if r.group().starts_with("keda.sh") => {
            tree.path(r.root, &["spec", "scaleTargetRef"])?
        }
        _ => return None,
    };
    let kind = tree.get_str(target, "kind").unwrap_or("Deployment");
    Some((kind.to_string(), tree.get_str(target, "name")?.to_string()))
}

/// Names produced anywhere in the repository, for `unresolved-reference`.
#[derive(Debug, Default)]
pub struct RepoIndex {
    pub produced: HashSet<(RefKind, String)>,
}

impl RepoIndex {
    pub fn build(loaded: &Loaded) -> RepoIndex {
        let mut produced = HashSet::new();
        for o in loaded.objects() {
            for p in self::produced(loaded.tree(o.file), o) {
                produced.insert((p.kind, p.name));
            }
        }
        RepoIndex { produced }
    }
}
