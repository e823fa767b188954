//! Pod specs wherever a workload keeps one, their containers, and every reference a
//! pod spec makes to a Secret, ConfigMap, ServiceAccount or PVC.

use super::image::ImageRef;
use crate::load::tree::{NodeId, Tree};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RefKind {
    Secret,
    ConfigMap,
    ServiceAccount,
    PersistentVolumeClaim,
}

impl RefKind {
    pub fn name(self) -> &'static str {
        match self {
            RefKind::Secret => "Secret",
            RefKind::ConfigMap => "ConfigMap",
            RefKind::ServiceAccount => "ServiceAccount",
            RefKind::PersistentVolumeClaim => "PersistentVolumeClaim",
        }
    }
    pub fn from_kind(kind: &str) -> Option<RefKind> {
        Some(match kind {
            "Secret" => RefKind::Secret,
            "ConfigMap" => RefKind::ConfigMap,
            "ServiceAccount" => RefKind::ServiceAccount,
            "PersistentVolumeClaim" => RefKind::PersistentVolumeClaim,
            _ => return None,
        })
    }
}

/// A pod spec's reference to another object.
#[derive(Clone, Debug)]
pub struct Reference {
    pub kind: RefKind,
    pub name: String,
    /// The value node holding the name.
    pub node: NodeId,
    /// Where the name is inside the pod spec; see [`Reference::field`].
    pub site: RefSite,
    /// `optional: true`: the pod starts without it.
    pub optional: bool,
}

/// Where a reference sits in its pod spec. Kept as indices, because the JSON pointer is
/// only needed when a finding is reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefSite {
    /// `<container>/env/<env>/valueFrom/<source>/name`
    Env {
        container: ContainerSlot,
        env: usize,
        source: &'static str,
    },
    /// `<container>/envFrom/<index>/<source>/name`
    EnvFrom {
        container: ContainerSlot,
        index: usize,
        source: &'static str,
    },
    /// `<pod spec>/<key>`: `serviceAccountName` or `serviceAccount`.
    ServiceAccount { key: &'static str },
    /// `<pod spec>/imagePullSecrets/<index>/name`
    ImagePullSecret { index: usize },
    /// `<pod spec>/volumes/<volume>/<source>/<key>`
    Volume {
        volume: usize,
        source: &'static str,
        key: &'static str,
    },
    /// `<pod spec>/volumes/<volume>/projected/sources/<index>/<source>/name`
    Projected {
        volume: usize,
        index: usize,
        source: &'static str,
    },
}

/// A container's place in its pod spec: `initContainers` or `containers`, and the index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContainerSlot {
    pub init: bool,
    pub index: usize,
}

impl ContainerSlot {
    /// `<pod spec>/containers/<index>` (or `initContainers`).
    fn pointer(self, pod_field: &str) -> String {
        let list = if self.init {
            "initContainers"
        } else {
            "containers"
        };
        format!("{pod_field}/{list}/{}", self.index)
    }
}

impl Reference {
    /// JSON pointer of the value inside the object.
    pub fn field(&self, pod: &PodSpec) -> String {
        let spec = pod.field;
        match self.site {
            RefSite::Env {
                container,
                env,
                source,
            } => format!(
                "{}/env/{env}/valueFrom/{source}/name",
                container.pointer(spec)
            ),
            RefSite::EnvFrom {
                container,
                index,
                source,
            } => format!("{}/envFrom/{index}/{source}/name", container.pointer(spec)),
            RefSite::ServiceAccount { key } => format!("{spec}/{key}"),
            RefSite::ImagePullSecret { index } => format!("{spec}/imagePullSecrets/{index}/name"),
            RefSite::Volume {
                volume,
                source,
                key,
            } => format!("{spec}/volumes/{volume}/{source}/{key}"),
            RefSite::Projected {
                volume,
                index,
                source,
            } => format!("{spec}/volumes/{volume}/projected/sources/{index}/{source}/name"),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Container {
    pub name: String,
    pub name_node: Option<NodeId>,
    pub init: bool,
    /// Index in `initContainers` (when `init`) or `containers`.
    pub index: usize,
    pub image: Option<ImageRef>,
    pub image_node: Option<NodeId>,
    /// `command` and `args` joined by spaces, for matching migration tools.
    pub command_line: String,
}

impl Container {
    fn slot(&self) -> ContainerSlot {
        ContainerSlot {
            init: self.init,
            index: self.index,
        }
    }

    /// JSON pointer of the container inside the object.
    pub fn field(&self, pod: &PodSpec) -> String {
        self.slot().pointer(pod.field)
    }
}

#[derive(Clone, Debug)]
pub struct PodSpec {
    pub node: NodeId,
    /// JSON pointer of the pod spec inside the object.
    pub field: &'static str,
    pub containers: Vec<Container>,
    pub references: Vec<Reference>,
}

/// Where each workload kind keeps its pod spec: the path, and its JSON pointer.
pub fn pod_spec_location(kind: &str) -> Option<(&'static [&'static str], &'static str)> {
    Some(match kind {
        "Pod" => (&["spec"], "/spec"),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "Job"
        | "Rollout"
        | "ReplicationController" => (&["spec", "template", "spec"], "/spec/template/spec"),
        "CronJob" => (
            &["spec", "jobTemplate", "spec", "template", "spec"],
            "/spec/jobTemplate/spec/template/spec",
        ),
        _ => return None,
    })
}

/// Where each workload kind keeps its pod spec.
pub fn pod_spec_path(kind: &str) -> Option<&'static [&'static str]> {
    pod_spec_location(kind).map(|(path, _)| path)
}

pub fn extract(tree: &Tree, root: NodeId, kind: &str) -> Option<PodSpec> {
    let (path, field) = pod_spec_location(kind)?;
    let node = tree.path(root, path)?;
    if !tree.is_map(node) {
        return None;
    }
    let mut spec = PodSpec {
        node,
        field,
        containers: Vec::new(),
        references: Vec::new(),
    };
    let mut refs = Refs {
        tree,
        out: &mut spec.references,
    };
    for (list, init) in [("initContainers", true), ("containers", false)] {
        for (index, c) in tree
            .get(node, list)
            .map(|l| tree.items(l))
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let image_node = tree.get(*c, "image");
            let mut command_line = String::new();
            for key in ["command", "args"] {
                if let Some(v) = tree.get(*c, key) {
                    for item in tree.items(v) {
                        if let Some(s) = tree.str(*item) {
                            command_line.push_str(s);
                            command_line.push(' ');
                        }
                    }
                }
            }
            // `trim_end`, in place rather than into a second string.
            command_line.truncate(command_line.trim_end().len());
            let name_node = tree.get(*c, "name");
            spec.containers.push(Container {
                name: name_node
                    .and_then(|n| tree.str(n))
                    .unwrap_or("")
                    .to_string(),
                name_node,
                init,
                index,
                image: image_node
                    .and_then(|n| tree.str(n))
                    .and_then(ImageRef::parse),
                image_node,
                command_line,
            });
            refs.container(*c, ContainerSlot { init, index });
        }
    }
    refs.pod(node);
    Some(spec)
}

struct Refs<'a> {
    tree: &'a Tree,
    out: &'a mut Vec<Reference>,
}

impl Refs<'_> {
    fn add(
        &mut self,
        kind: RefKind,
        holder: NodeId,
        key: &str,
        site: RefSite,
        optional_in: Option<NodeId>,
    ) {
        let Some(node) = self.tree.get(holder, key) else {
            return;
        };
        let Some(name) = self.tree.str(node) else {
            return;
        };
        let optional = optional_in
            .and_then(|o| self.tree.get_str(o, "optional"))
            .is_some_and(|v| v == "true");
        self.out.push(Reference {
            kind,
            name: name.to_string(),
            node,
            site,
            optional,
        });
    }

    fn container(&mut self, c: NodeId, container: ContainerSlot) {
        let tree = self.tree;
        for (env, item) in tree
            .get(c, "env")
            .map(|l| tree.items(l))
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let Some(from) = tree.get(*item, "valueFrom") else {
                continue;
            };
            for (source, kind) in [
                ("secretKeyRef", RefKind::Secret),
                ("configMapKeyRef", RefKind::ConfigMap),
            ] {
                if let Some(r) = tree.get(from, source) {
                    let site = RefSite::Env {
                        container,
                        env,
                        source,
                    };
                    self.add(kind, r, "name", site, Some(r));
                }
            }
        }
        for (index, src) in tree
            .get(c, "envFrom")
            .map(|l| tree.items(l))
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            for (source, kind) in [
                ("secretRef", RefKind::Secret),
                ("configMapRef", RefKind::ConfigMap),
            ] {
                if let Some(r) = tree.get(*src, source) {
                    let site = RefSite::EnvFrom {
                        container,
                        index,
                        source,
                    };
                    self.add(kind, r, "name", site, Some(r));
                }
            }
        }
    }

    fn pod(&mut self, spec: NodeId) {
        let tree = self.tree;
        for key in ["serviceAccountName", "serviceAccount"] {
            if tree.get(spec, key).is_some() {
                let site = RefSite::ServiceAccount { key };
                self.add(RefKind::ServiceAccount, spec, key, site, None);
                break;
            }
        }
        for (index, s) in tree
            .get(spec, "imagePullSecrets")
            .map(|l| tree.items(l))
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let site = RefSite::ImagePullSecret { index };
            self.add(RefKind::Secret, *s, "name", site, None);
        }
        for (volume, v) in tree
            .get(spec, "volumes")
            .map(|l| tree.items(l))
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let in_volume = |source, key| RefSite::Volume {
                volume,
                source,
                key,
            };
            if let Some(s) = tree.get(*v, "secret") {
                let site = in_volume("secret", "secretName");
                self.add(RefKind::Secret, s, "secretName", site, Some(s));
            }
            if let Some(c) = tree.get(*v, "configMap") {
                let site = in_volume("configMap", "name");
                self.add(RefKind::ConfigMap, c, "name", site, Some(c));
            }
            if let Some(p) = tree.get(*v, "persistentVolumeClaim") {
                let site = in_volume("persistentVolumeClaim", "claimName");
                self.add(RefKind::PersistentVolumeClaim, p, "claimName", site, None);
            }
            let sources = tree
                .path(*v, &["projected", "sources"])
                .map(|l| tree.items(l))
                .unwrap_or(&[]);
            for (index, src) in sources.iter().enumerate() {
                let projected = |source| RefSite::Projected {
                    volume,
                    index,
                    source,
                };
                if let Some(s) = tree.get(*src, "secret") {
                    self.add(RefKind::Secret, s, "name", projected("secret"), Some(s));
                }
                if let Some(c) = tree.get(*src, "configMap") {
                    self.add(
                        RefKind::ConfigMap,
                        c,
                        "name",
                        projected("configMap"),
                        Some(c),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::yaml::{Bounds, parse};
    use crate::source::FileId;

    #[test]
    fn finds_every_kind_of_reference() {
        let text = r#"
kind: Job
spec:
  template:
    spec:
      serviceAccountName: migrator
      imagePullSecrets: [{name: regcred}]
      initContainers:
      - name: wait
        image: busybox
      containers:
      - name: migrate
        image: ghcr.io/acme/api:1.2
        command: [python, manage.py, migrate]
        env:
        - name: DB
          valueFrom: {secretKeyRef: {name: db, key: url, optional: true}}
        envFrom:
        - configMapRef: {name: settings}
      volumes:
      - {name: a, secret: {secretName: certs}}
      - {name: b, persistentVolumeClaim: {claimName: data}}
      - name: c
        projected: {sources: [{configMap: {name: extra}}]}
"#;
        let p = parse(FileId(0), &std::sync::Arc::from(text), Bounds::default());
        let spec = extract(&p.tree, p.documents[0].unwrap(), "Job").unwrap();
        assert_eq!(spec.containers.len(), 2);
        assert!(spec.containers[0].init);
        assert_eq!(spec.containers[1].command_line, "python manage.py migrate");
        let names: Vec<_> = spec
            .references
            .iter()
            .map(|r| (r.kind, r.name.as_str(), r.optional))
            .collect();
        assert!(names.contains(&(RefKind::Secret, "db", true)));
        assert!(names.contains(&(RefKind::ConfigMap, "settings", false)));
        assert!(names.contains(&(RefKind::ServiceAccount, "migrator", false)));
        assert!(names.contains(&(RefKind::Secret, "regcred", false)));
        assert!(names.contains(&(RefKind::Secret, "certs", false)));
        assert!(names.contains(&(RefKind::PersistentVolumeClaim, "data", false)));
        assert!(names.contains(&(RefKind::ConfigMap, "extra", false)));
        let db = spec.references.iter().find(|r| r.name == "db").unwrap();
        assert_eq!(
            db.field(&spec),
            "/spec/template/spec/containers/0/env/0/valueFrom/secretKeyRef/name"
        );
        let pointers: Vec<String> = spec.references.iter().map(|r| r.field(&spec)).collect();
        assert_eq!(
            pointers,
            [
                "/spec/template/spec/containers/0/env/0/valueFrom/secretKeyRef/name",
                "/spec/template/spec/containers/0/envFrom/0/configMapRef/name",
                "/spec/template/spec/serviceAccountName",
                "/spec/template/spec/imagePullSecrets/0/name",
                "/spec/template/spec/volumes/0/secret/secretName",
                "/spec/template/spec/volumes/1/persistentVolumeClaim/claimName",
                "/spec/template/spec/volumes/2/projected/sources/0/configMap/name",
            ]
        );
        assert_eq!(
            spec.containers[0].field(&spec),
            "/spec/template/spec/initContainers/0"
        );
    }
}
