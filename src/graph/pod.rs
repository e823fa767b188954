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
    /// JSON pointer of the value inside the object.
    pub field: String,
    /// `optional: true`: the pod starts without it.
    pub optional: bool,
}

#[derive(Clone, Debug)]
pub struct Container {
    pub name: String,
    pub name_node: Option<NodeId>,
    pub init: bool,
    pub image: Option<ImageRef>,
    pub image_node: Option<NodeId>,
    /// JSON pointer of the container.
    pub field: String,
    /// `command` and `args` joined by spaces, for matching migration tools.
    pub command_line: String,
}

#[derive(Clone, Debug)]
pub struct PodSpec {
    pub node: NodeId,
    /// JSON pointer of the pod spec inside the object.
    pub field: String,
    pub containers: Vec<Container>,
    pub references: Vec<Reference>,
}

/// Where each workload kind keeps its pod spec.
pub fn pod_spec_path(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "Pod" => &["spec"],
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "Job"
        | "Rollout"
        | "ReplicationController" => &["spec", "template", "spec"],
        "CronJob" => &["spec", "jobTemplate", "spec", "template", "spec"],
        _ => return None,
    })
}

pub fn extract(tree: &Tree, root: NodeId, kind: &str) -> Option<PodSpec> {
    let path = pod_spec_path(kind)?;
    let node = tree.path(root, path)?;
    if !tree.is_map(node) {
        return None;
    }
    let field = format!("/{}", path.join("/"));
    let mut spec = PodSpec {
        node,
        field: field.clone(),
        containers: Vec::new(),
        references: Vec::new(),
    };
    let mut refs = Refs {
        tree,
        out: &mut spec.references,
    };
    for (list, init) in [("initContainers", true), ("containers", false)] {
        for (i, c) in tree
            .get(node, list)
            .map(|l| tree.items(l))
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let cfield = format!("{field}/{list}/{i}");
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
            spec.containers.push(Container {
                name: tree.get_str(*c, "name").unwrap_or("").to_string(),
                name_node: tree.get(*c, "name"),
                init,
                image: image_node
                    .and_then(|n| tree.str(n))
                    .and_then(ImageRef::parse),
                image_node,
                field: cfield.clone(),
                command_line: command_line.trim_end().to_string(),
            });
            refs.container(*c, &cfield);
        }
    }
    refs.pod(node, &field);
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
        field: String,
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
            field: format!("{field}/{key}"),
            optional,
        });
    }

    fn container(&mut self, c: NodeId, field: &str) {
        let tree = self.tree;
        for (i, env) in tree
            .get(c, "env")
            .map(|l| tree.items(l))
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let Some(from) = tree.get(*env, "valueFrom") else {
                continue;
            };
            for (key, kind) in [
                ("secretKeyRef", RefKind::Secret),
                ("configMapKeyRef", RefKind::ConfigMap),
            ] {
                if let Some(r) = tree.get(from, key) {
                    self.add(
                        kind,
                        r,
                        "name",
                        format!("{field}/env/{i}/valueFrom/{key}"),
                        Some(r),
                    );
                }
            }
        }
        for (i, src) in tree
            .get(c, "envFrom")
            .map(|l| tree.items(l))
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            for (key, kind) in [
                ("secretRef", RefKind::Secret),
                ("configMapRef", RefKind::ConfigMap),
            ] {
                if let Some(r) = tree.get(*src, key) {
                    self.add(
                        kind,
                        r,
                        "name",
                        format!("{field}/envFrom/{i}/{key}"),
                        Some(r),
                    );
                }
            }
        }
    }

    fn pod(&mut self, spec: NodeId, field: &str) {
        let tree = self.tree;
        for key in ["serviceAccountName", "serviceAccount"] {
            if tree.get(spec, key).is_some() {
                self.add(RefKind::ServiceAccount, spec, key, field.to_string(), None);
                break;
            }
        }
        for (i, s) in tree
            .get(spec, "imagePullSecrets")
            .map(|l| tree.items(l))
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            self.add(
                RefKind::Secret,
                *s,
                "name",
                format!("{field}/imagePullSecrets/{i}"),
                None,
            );
        }
        for (i, v) in tree
            .get(spec, "volumes")
            .map(|l| tree.items(l))
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let vfield = format!("{field}/volumes/{i}");
            if let Some(s) = tree.get(*v, "secret") {
                self.add(
                    RefKind::Secret,
                    s,
                    "secretName",
                    format!("{vfield}/secret"),
                    Some(s),
                );
            }
            if let Some(c) = tree.get(*v, "configMap") {
                self.add(
                    RefKind::ConfigMap,
                    c,
                    "name",
                    format!("{vfield}/configMap"),
                    Some(c),
                );
            }
            if let Some(p) = tree.get(*v, "persistentVolumeClaim") {
                self.add(
                    RefKind::PersistentVolumeClaim,
                    p,
                    "claimName",
                    format!("{vfield}/persistentVolumeClaim"),
                    None,
                );
            }
            let sources = tree
                .path(*v, &["projected", "sources"])
                .map(|l| tree.items(l))
                .unwrap_or(&[]);
            for (j, src) in sources.iter().enumerate() {
                let sfield = format!("{vfield}/projected/sources/{j}");
                if let Some(s) = tree.get(*src, "secret") {
                    self.add(
                        RefKind::Secret,
                        s,
                        "name",
                        format!("{sfield}/secret"),
                        Some(s),
                    );
                }
                if let Some(c) = tree.get(*src, "configMap") {
                    self.add(
                        RefKind::ConfigMap,
                        c,
                        "name",
                        format!("{sfield}/configMap"),
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
            db.field,
            "/spec/template/spec/containers/0/env/0/valueFrom/secretKeyRef/name"
        );
    }
}
