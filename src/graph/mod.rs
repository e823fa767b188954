//! graph: per app, every resource with its hook status, phase, wave, pod spec, images,
//! references, what it produces, and whether it is a migration; plus Argo CD's apply
//! order over them.

pub mod embedded;
pub mod hooks;
pub mod image;
pub mod migration;
pub mod order;
pub mod pod;
pub mod sql;

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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Produced<'a> {
    pub kind: RefKind,
    pub name: &'a str,
}

/// One object of an app. Its identity is borrowed from the loaded files and the app, so
/// building a graph copies no names.
#[derive(Clone, Debug)]
pub struct Resource<'a> {
    pub file: FileId,
    pub root: NodeId,
    pub api_version: &'a str,
    pub kind: &'a str,
    pub name: &'a str,
    pub generate_name: bool,
    /// Effective namespace ("" when cluster-scoped or unknown).
    pub namespace: &'a str,
    pub hook: Hook,
    pub wave: i64,
    pub pod: Option<PodSpec>,
    pub replicas: Option<i64>,
    pub autoscaled: bool,
    pub migration: Option<Reason>,
    pub produces: Vec<Produced<'a>>,
    annotations: KnownAnnotations,
}

/// Annotations the graph and several rules read from every resource.
const KNOWN_ANNOTATIONS: [&str; 7] = [
    hooks::ARGO_HOOK,
    hooks::HELM_HOOK,
    hooks::ARGO_DELETE_POLICY,
    hooks::HELM_DELETE_POLICY,
    hooks::SYNC_WAVE,
    hooks::HELM_WEIGHT,
    migration::MIGRATION_ANNOTATION,
];

/// The value nodes of [`KNOWN_ANNOTATIONS`], found in one pass over the annotations
/// rather than one scan of them per key and per rule.
#[derive(Clone, Copy, Debug)]
struct KnownAnnotations {
    /// The `metadata.annotations` node.
    map: Option<NodeId>,
    values: [Option<NodeId>; KNOWN_ANNOTATIONS.len()],
}

impl KnownAnnotations {
    fn find(tree: &Tree, root: NodeId) -> KnownAnnotations {
        let map = tree.path(root, &["metadata", "annotations"]);
        let mut values = [None; KNOWN_ANNOTATIONS.len()];
        for entry in map.map_or(&[][..], |m| tree.entries(m)) {
            let Some(key) = tree.scalar(entry.key) else {
                continue;
            };
            if let Some(i) = KNOWN_ANNOTATIONS.iter().position(|k| *k == key.value) {
                // The first entry wins, as `Tree::get` finds it.
                values[i].get_or_insert(entry.value);
            }
        }
        KnownAnnotations { map, values }
    }

    /// The value node of annotation `key`, looked up in the tree unless it is known.
    fn get(&self, tree: &Tree, key: &str) -> Option<NodeId> {
        match KNOWN_ANNOTATIONS.iter().position(|k| *k == key) {
            Some(i) => self.values[i],
            None => self.map.and_then(|m| tree.get(m, key)),
        }
    }
}

impl<'a> Resource<'a> {
    pub fn group(&self) -> &'a str {
        crate::load::objects::api_group(self.api_version)
    }

    pub fn object_ref(&self) -> ObjectRef {
        ObjectRef {
            group: self.group().to_string(),
            kind: self.kind.to_string(),
            namespace: self.namespace.to_string(),
            name: self.name.to_string(),
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

    pub fn order_key(&self, phase: Phase) -> OrderKey<'a> {
        OrderKey {
            phase,
            wave: self.wave,
            kind_rank: kind_rank(self.kind),
            name: self.name,
        }
    }

    /// The first moment this resource is applied in a sync.
    pub fn first_applied(&self) -> Option<OrderKey<'a>> {
        // Keys differ only in their phase, so the earliest phase gives the earliest key.
        let phase = if self.hook.annotated {
            self.hook
                .phases
                .iter()
                .copied()
                .filter(|p| p.runs_in_sync())
                .min()?
        } else {
            Phase::Sync
        };
        Some(self.order_key(phase))
    }

    pub fn is_workload(&self) -> bool {
        matches!(
            self.kind,
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
    pub resources: Vec<Resource<'a>>,
    /// The SQL the app's migrations run, parsed.
    pub sql: Vec<sql::Script>,
}

impl<'a> AppGraph<'a> {
    pub fn build(app: &'a App, loaded: &'a Loaded, patterns: &Patterns) -> AppGraph<'a> {
        let mut resources: Vec<Resource<'a>> = app
            .members
            .iter()
            .map(|m| resource(loaded, m, patterns))
            .collect();
        let scaled: HashSet<(&str, &str)> = resources
            .iter()
            .filter_map(|r| scale_target(loaded.tree(r.file), r))
            .collect();
        if !scaled.is_empty() {
            for r in &mut resources {
                r.autoscaled = scaled.contains(&(r.kind, r.name));
            }
        }
        let mut graph = AppGraph {
            app,
            loaded,
            resources,
            sql: Vec::new(),
        };
        let init_migration = |r: &Resource| {
            r.pod
                .iter()
                .flat_map(|p| &p.containers)
                .any(|c| c.init && migration::classify_container(c, patterns).is_some())
        };
        if graph
            .resources
            .iter()
            .any(|r| r.migration.is_some() || (r.is_workload() && init_migration(r)))
        {
            graph.sql = sql::scripts(&graph, &migration_dirs(app, patterns), patterns);
        }
        graph
    }

    pub fn tree(&self, r: &Resource) -> &'a Tree {
        self.loaded.tree(r.file)
    }

    pub fn location(&self, r: &Resource, node: NodeId) -> Location {
        self.loaded.location(self.tree(r).span(node))
    }

    /// The value node of an annotation on the resource.
    pub fn annotation(&self, r: &Resource, key: &str) -> Option<NodeId> {
        r.annotations.get(self.tree(r), key)
    }

    /// Resources that make `kind/name` exist in `namespace` ("" matches any).
    pub fn producers<'s>(
        &'s self,
        kind: RefKind,
        name: &'s str,
        namespace: &'s str,
    ) -> impl Iterator<Item = &'s Resource<'a>> + 's {
        self.resources.iter().filter(move |r| {
            r.produces(kind, name)
                && (namespace.is_empty() || r.namespace.is_empty() || r.namespace == namespace)
        })
    }

    /// Every sync task (resource index, phase) in Argo CD's apply order.
    pub fn apply_order(&self) -> Vec<(usize, OrderKey<'a>)> {
        let mut tasks: Vec<(usize, OrderKey<'a>)> = self
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

/// The directories whose migration files the app ships: its source paths in this
/// repository, and the config's `migrations` entries for it.
pub fn migration_dirs(app: &App, patterns: &Patterns) -> Vec<String> {
    let mut dirs: Vec<String> = app.paths.clone();
    for dir in &patterns.directories {
        if dir.app.as_deref() == Some(app.name.as_str())
            || (dir.app.is_none()
                && app
                    .paths
                    .iter()
                    .any(|p| crate::discover::within(&dir.path, p)))
        {
            dirs.push(dir.path.clone());
        }
    }
    dirs.sort();
    dirs.dedup();
    // A directory inside another one is already part of it.
    let all = dirs.clone();
    dirs.retain(|d| {
        !all.iter()
            .any(|o| o != d && (o.is_empty() || crate::discover::within(d, o)))
    });
    dirs
}

fn resource<'a>(loaded: &'a Loaded, member: &'a Member, patterns: &Patterns) -> Resource<'a> {
    let object: &Object = &loaded.file(member.file).objects[member.index];
    let tree = loaded.tree(member.file);
    let annotations = KnownAnnotations::find(tree, object.root);
    let ann = |key: &str| annotations.get(tree, key).and_then(|value| tree.str(value));
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
            // A hook that runs only when a sync fails, or around a deletion, reports or
            // cleans up: a name like `api-dbmigrate-notify` does not make it a migration
            // (its annotation or a migration command still does).
            .filter(|reason| {
                !matches!(reason, migration::Reason::Name(_)) || !only_outside_sync(&hook)
            })
        }
        _ => None,
    };
    let mut produces = Vec::new();
    for_each_produced(tree, object, |p| produces.push(p));
    Resource {
        file: member.file,
        root: object.root,
        api_version: &object.api_version,
        kind: &object.kind,
        name: &object.name,
        generate_name: object.generate_name,
        namespace: &member.namespace,
        hook,
        wave,
        replicas: tree
            .path(object.root, &["spec", "replicas"])
            .and_then(|n| tree.int(n)),
        autoscaled: false,
        migration,
        produces,
        pod,
        annotations,
    }
}

/// Whether a hook runs only when a sync fails or around a deletion.
fn only_outside_sync(hook: &Hook) -> bool {
    hook.annotated
        && !hook.phases.is_empty()
        && hook
            .phases
            .iter()
            .all(|p| matches!(p, Phase::SyncFail | Phase::PreDelete | Phase::PostDelete))
}

/// What an object makes exist (design: graph, "producers of Secrets"), one at a time,
/// so that callers that only look need no list.
fn for_each_produced<'t>(tree: &'t Tree, o: &'t Object, mut found: impl FnMut(Produced<'t>)) {
    let mut secret = |name: Option<&'t str>| {
        found(Produced {
            kind: RefKind::Secret,
            name: name.unwrap_or(&o.name),
        })
    };
    let root = o.root;
    match (o.group(), o.kind.as_str()) {
        (_, kind) if RefKind::from_kind(kind).is_some() && o.group().is_empty() => {
            found(Produced {
                kind: RefKind::from_kind(kind).unwrap(),
                name: &o.name,
            })
        }
        (g, "ExternalSecret") if g.starts_with("external-secrets.io") => {
            secret(tree.path_str(root, &["spec", "target", "name"]))
        }
        (g, "SealedSecret") if g.starts_with("bitnami.com") => {
            secret(tree.path_str(root, &["spec", "template", "metadata", "name"]))
        }
        (g, "OnePasswordItem") if g.starts_with("onepassword.com") => secret(None),
        (g, "VaultStaticSecret" | "VaultDynamicSecret" | "VaultPKISecret")
            if g.starts_with("secrets.hashicorp.com") =>
        {
            secret(tree.path_str(root, &["spec", "destination", "name"]))
        }
        (g, "Certificate") if g.starts_with("cert-manager.io") => {
            if let Some(n) = tree.path_str(root, &["spec", "secretName"]) {
                secret(Some(n))
            }
        }
        (g, "SecretProviderClass") if g.starts_with("secrets-store.csi") => {
            if let Some(list) = tree.path(root, &["spec", "secretObjects"]) {
                for s in tree.items(list) {
                    if let Some(n) = tree.get_str(*s, "secretName") {
                        secret(Some(n))
                    }
                }
            }
        }
        _ => {}
    }
}

/// `(kind, name)` of the workload an HPA or KEDA ScaledObject scales.
fn scale_target<'t>(tree: &'t Tree, r: &Resource) -> Option<(&'t str, &'t str)> {
    let target = match r.kind {
        "HorizontalPodAutoscaler" => tree.path(r.root, &["spec", "scaleTargetRef"])?,
        "ScaledObject" if r.group().starts_with("keda.sh") => {
            tree.path(r.root, &["spec", "scaleTargetRef"])?
        }
        _ => return None,
    };
    let kind = tree.get_str(target, "kind").unwrap_or("Deployment");
    Some((kind, tree.get_str(target, "name")?))
}

/// Names produced anywhere in the repository, for `unresolved-reference`.
#[derive(Debug, Default)]
pub struct RepoIndex<'a> {
    pub produced: HashSet<(RefKind, &'a str)>,
}

impl<'a> RepoIndex<'a> {
    pub fn build(loaded: &'a Loaded) -> RepoIndex<'a> {
        // Most objects produce at most one name: sized once, the set never rehashes.
        let objects = loaded.files.iter().map(|f| f.objects.len()).sum();
        let mut produced = HashSet::with_capacity(objects);
        for file in &loaded.files {
            for o in &file.objects {
                for_each_produced(&file.tree, o, |p| {
                    produced.insert((p.kind, p.name));
                });
            }
        }
        RepoIndex { produced }
    }
}
