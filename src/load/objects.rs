//! Which documents are Kubernetes objects, and which are not worth a word (values
//! files, CI configs) versus broken manifests that deserve a `yaml-syntax` finding.

use super::tree::{NodeId, Tree};
use crate::source::{FileId, Span};

/// A Kubernetes object as written in a file.
#[derive(Clone, Debug)]
pub struct Object {
    pub file: FileId,
    /// The object's mapping node.
    pub root: NodeId,
    pub api_version: String,
    pub kind: String,
    /// `metadata.name`, or `metadata.generateName` when `generate_name` is set.
    pub name: String,
    pub generate_name: bool,
    pub namespace: Option<String>,
}

impl Object {
    pub fn group(&self) -> &str {
        api_group(&self.api_version)
    }
}

/// The API group: `apps` for `apps/v1`, empty for the core group (`v1`).
pub fn api_group(api_version: &str) -> &str {
    api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("")
}

#[derive(Default)]
pub struct Extracted {
    pub objects: Vec<Object>,
    pub problems: Vec<(Span, String)>,
    pub redactions: Vec<Span>,
}

/// Kinds that are configuration files for tools, not API objects.
fn is_tool_config(api_version: &str, kind: &str) -> bool {
    matches!(kind, "Kustomization" | "Component" | "IstioOperator")
        || kind.ends_with("Config")
        || kind.ends_with("Configuration")
        || api_version.contains("config.k8s.io")
        || api_version.contains("kubeadm.k8s.io")
        || api_version.contains("talos.dev")
        || api_version == "builtin"
}

pub fn extract(tree: &Tree, documents: &[Option<NodeId>], file: FileId, rel: &str) -> Extracted {
    let mut out = Extracted::default();
    let has_objects = documents
        .iter()
        .flatten()
        .any(|d| looks_like_object(tree, *d));
    for doc in documents.iter().flatten() {
        let doc = *doc;
        if tree.is_map(doc) {
            visit(tree, doc, file, &mut out);
        } else if tree.is_seq(doc) {
            let items_are_objects = tree.items(doc).iter().any(|i| looks_like_object(tree, *i));
            if has_objects || items_are_objects {
                out.problems.push((
                    start(tree.span(doc)),
                    "this document is a list, not a mapping: Kubernetes and Argo CD expect one object per document (or a `kind: List`)".into(),
                ));
            }
        } else if has_objects || !rel.ends_with(".json") {
            out.problems.push((
                start(tree.span(doc)),
                "this document is a scalar, not a mapping: it is not a Kubernetes object and Argo CD fails to parse it".into(),
            ));
        }
    }
    out
}

fn start(span: Span) -> Span {
    Span {
        end: span.start,
        ..span
    }
}

fn looks_like_object(tree: &Tree, node: NodeId) -> bool {
    tree.get_str(node, "apiVersion").is_some() && tree.get_str(node, "kind").is_some()
}

fn visit(tree: &Tree, node: NodeId, file: FileId, out: &mut Extracted) {
    let api_version = tree.get(node, "apiVersion");
    let kind = tree.get(node, "kind");
    let (api_version, kind) = match (api_version, kind) {
        (Some(a), Some(k)) => (a, k),
        (None, Some(k)) if tree.get(node, "metadata").is_some() => {
            out.problems.push((
                tree.span(k),
                "this object has a kind but no apiVersion: the API server rejects it".into(),
            ));
            return;
        }
        (Some(a), None) if tree.get(node, "metadata").is_some() => {
            out.problems.push((
                tree.span(a),
                "this object has an apiVersion but no kind: the API server rejects it".into(),
            ));
            return;
        }
        // Plain YAML that is not an object (values, CI configs): not ours to judge.
        _ => return,
    };
    let (Some(api_version_text), Some(kind_text)) = (tree.str(api_version), tree.str(kind)) else {
        out.problems.push((
            tree.span(kind),
            "apiVersion and kind must be strings".into(),
        ));
        return;
    };
    if is_tool_config(api_version_text, kind_text) {
        return;
    }
    if kind_text.ends_with("List") && tree.get(node, "items").is_some_and(|i| tree.is_seq(i)) {
        for item in tree.items(tree.get(node, "items").unwrap()) {
            if tree.is_map(*item) {
                visit(tree, *item, file, out);
            }
        }
        return;
    }
    let metadata = tree.get(node, "metadata");
    let name = metadata.and_then(|m| tree.get_str(m, "name"));
    let generate_name = metadata.and_then(|m| tree.get_str(m, "generateName"));
    let (name, generated) = match (name, generate_name) {
        (Some(n), _) => (n, false),
        (None, Some(g)) => (g, true),
        (None, None) => {
            let at = tree
                .entry(node, "metadata")
                .map(|e| tree.span(e.key))
                .unwrap_or(tree.span(kind));
            out.problems.push((
                at,
                format!("this {kind_text} has no metadata.name (nor generateName): the API server rejects it and the sync fails"),
            ));
            return;
        }
    };
    let namespace = metadata
        .and_then(|m| tree.get_str(m, "namespace"))
        .map(str::to_string);
    if kind_text == "Secret" && api_version_text == "v1" {
        for key in ["data", "stringData"] {
            if let Some(data) = tree.get(node, key) {
                out.redactions
                    .extend(tree.entries(data).iter().map(|e| tree.span(e.value)));
            }
        }
    }
    out.objects.push(Object {
        file,
        root: node,
        api_version: api_version_text.to_string(),
        kind: kind_text.to_string(),
        name: name.to_string(),
        generate_name: generated,
        namespace,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::yaml::{Bounds, parse};

    fn run(text: &str) -> Extracted {
        let p = parse(FileId(0), &std::sync::Arc::from(text), Bounds::default());
        extract(&p.tree, &p.documents, FileId(0), "x.yaml")
    }

    #[test]
    fn values_files_are_silent_and_lists_expand() {
        assert!(
            run("replicaCount: 2\nimage: {tag: x}\n")
                .problems
                .is_empty()
        );
        let e = run(
            "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n",
        );
        assert_eq!(e.objects.len(), 1);
        assert_eq!(e.objects[0].name, "a");
    }

    #[test]
    fn nameless_objects_and_scalars_are_problems() {
        let e = run("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {}\n");
        assert_eq!(e.problems.len(), 1);
        let e = run(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n",
        );
        assert_eq!(e.problems.len(), 1);
        let e = run("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\njust text\n");
        assert_eq!(e.problems.len(), 1);
    }

    #[test]
    fn secret_values_are_redacted() {
        let e = run(
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  password: aHVudGVyMg==\n",
        );
        assert_eq!(e.redactions.len(), 1);
    }
}
