//! One Argo CD Application: its sources, which of them are in this repository, and the
//! objects its directory sources apply (argocd-semantics.md §4).

use super::{App, Apps, Covered, Member, Namespaces, Origin, RepoIdentity};
use crate::diagnostic::{Diagnostic, Severity};
use crate::discover::FileKind;
use crate::load::tree::{NodeId, Tree};
use crate::load::{Loaded, LoadedFile};
use crate::render::{self, DirectoryOptions, Tool};
use crate::source::FileId;

pub(super) fn application<'l>(
    loaded: &'l Loaded,
    identity: &RepoIdentity,
    file: FileId,
    index: usize,
    out: &mut Apps,
    covered: &mut Covered,
    namespaces: &mut Namespaces<'l>,
) -> App {
    let tree = loaded.tree(file);
    let object = &loaded.file(file).objects[index];
    let spec = tree.get(object.root, "spec");
    let destination_ns = spec
        .and_then(|s| tree.path_str(s, &["destination", "namespace"]))
        .unwrap_or("");
    let mut app = App {
        name: object.name.clone(),
        origin: Origin::Application {
            file,
            root: object.root,
        },
        members: Vec::new(),
    };
    let sources: Vec<NodeId> = match spec.and_then(|s| tree.get(s, "sources")) {
        Some(list) if tree.is_seq(list) => tree.items(list).to_vec(),
        _ => spec
            .and_then(|s| tree.get(s, "source"))
            .into_iter()
            .collect(),
    };
    for source in sources {
        let Some(files) = source_files(loaded, identity, file, source, &app.name, out, covered)
        else {
            continue;
        };
        for id in files {
            covered[id.0 as usize] = true;
            for (i, obj) in loaded.file(id).objects.iter().enumerate() {
                let namespace = match &obj.namespace {
                    Some(ns) => ns,
                    None if is_namespaced(&obj.kind) => destination_ns,
                    None => "",
                };
                app.members.push(Member {
                    file: id,
                    index: i,
                    namespace: namespaces.get(namespace),
                });
            }
        }
    }
    app
}

/// The files a source applies, or `None` when it is external or cannot be rendered
/// (with the diagnostic pushed).
fn source_files(
    loaded: &Loaded,
    identity: &RepoIdentity,
    file: FileId,
    source: NodeId,
    app_name: &str,
    out: &mut Apps,
    covered: &mut Covered,
) -> Option<Vec<FileId>> {
    let tree = loaded.tree(file);
    let repo_url = tree.get_str(source, "repoURL").unwrap_or("");
    let path_node = tree.get(source, "path");
    let path = path_node.and_then(|p| tree.str(p)).map(normalize_path);
    let is_this = match (tree.get(source, "chart"), identity.is_this(repo_url), &path) {
        (Some(_), _, _) => false,
        (None, Some(known), _) => known,
        (None, None, Some(p)) => path_exists(loaded, p),
        (None, None, None) => false,
    };
    let Some(path) = path.filter(|_| is_this) else {
        // `ref` sources only contribute values files.
        if tree.get(source, "ref").is_none() || tree.get(source, "path").is_some() {
            out.external_sources += 1;
        }
        return None;
    };
    let at = path_node.unwrap_or(source);
    // Everything below the source path, looked up once for the steps below.
    let below: Vec<&LoadedFile> = loaded.subtree(&path).collect();
    let explicit: Vec<&str> = ["directory", "helm", "kustomize", "plugin"]
        .into_iter()
        .filter(|k| tree.get(source, k).is_some())
        .collect();
    let tool = match explicit.as_slice() {
        [] => render::detect_tool(below.iter().copied(), &path),
        ["directory"] => Tool::Directory,
        ["helm"] => Tool::Helm,
        ["kustomize"] => Tool::Kustomize,
        ["plugin"] => Tool::Plugin,
        _ => {
            out.diagnostics.push(failed(loaded, file, at, Severity::Error, format!(
                "Application `{app_name}` has {} blocks in one source: Argo CD fails with \"multiple application sources defined\"",
                explicit.join(" and ")
            )));
            return None;
        }
    };
    // Everything below a source path is the Application's to sync or to leave out on
    // purpose (include, exclude, no recurse): none of it forms an implicit app.
    for f in &below {
        covered[f.id.0 as usize] = true;
    }
    if tool != Tool::Directory {
        let (severity, what) = match tool {
            Tool::Plugin => (
                Severity::Note,
                "is rendered by a config management plugin, which synclint does not run"
                    .to_string(),
            ),
            _ => (
                Severity::Error,
                format!(
                    "needs {} rendering, which synclint does not do yet",
                    tool.name()
                ),
            ),
        };
        out.diagnostics.push(failed(
            loaded,
            file,
            at,
            severity,
            format!(
                "the source `{}` of Application `{app_name}` {what}: its objects are not linted",
                if path.is_empty() { "." } else { &path }
            ),
        ));
        return None;
    }
    let directory = tree.get(source, "directory");
    let options = DirectoryOptions {
        recurse: directory
            .and_then(|d| tree.get(d, "recurse"))
            .and_then(|r| tree.str(r))
            == Some("true"),
        include: directory
            .and_then(|d| tree.get_str(d, "include"))
            .map(str::to_string),
        exclude: directory
            .and_then(|d| tree.get_str(d, "exclude"))
            .map(str::to_string),
    };
    match render::directory_files(loaded, below.iter().copied(), &path, &options) {
        Ok(files) => Some(files),
        Err(e) => {
            let at = directory.unwrap_or(at);
            out.diagnostics.push(failed(
                loaded,
                file,
                at,
                Severity::Error,
                format!(
                    "Application `{app_name}` has a bad directory pattern: {}",
                    e.0
                ),
            ));
            None
        }
    }
}

fn failed(
    loaded: &Loaded,
    file: FileId,
    at: NodeId,
    severity: Severity,
    message: String,
) -> Diagnostic {
    let tree: &Tree = loaded.tree(file);
    Diagnostic::new(
        "render-failed",
        severity,
        message,
        loaded.location(tree.span(at)),
    )
    .with_help("Make the source renderable, or exclude it with `ignore` in .synclint.yaml.")
    .with_label("not rendered")
}

pub fn applicationset_not_expanded(loaded: &Loaded, file: FileId, root: NodeId) -> Diagnostic {
    let tree = loaded.tree(file);
    let at = tree
        .key_at(root, &["spec", "generators"])
        .or_else(|| tree.key_at(root, &["spec"]))
        .unwrap_or(root);
    let name = tree.path_str(root, &["metadata", "name"]).unwrap_or("?");
    Diagnostic::new(
        "render-failed",
        Severity::Error,
        format!("ApplicationSet `{name}` is not expanded yet, so the Applications it generates are not linted"),
        loaded.location(tree.span(at)),
    )
    .with_help("ApplicationSet expansion is coming; until then, list the generated Applications' paths explicitly or ignore this finding.")
    .with_label("not expanded")
}

/// `./apps/api/` → `apps/api`; `.` and `` → `` (the root).
fn normalize_path(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

fn path_exists(loaded: &Loaded, path: &str) -> bool {
    path.is_empty() || loaded.subtree(path).any(|f| f.kind != FileKind::Sql)
}

/// Kinds that live outside namespaces: the destination namespace is not applied to them.
pub fn is_namespaced(kind: &str) -> bool {
    !matches!(
        kind,
        "Namespace"
            | "Node"
            | "PersistentVolume"
            | "StorageClass"
            | "ClusterRole"
            | "ClusterRoleBinding"
            | "CustomResourceDefinition"
            | "PriorityClass"
            | "IngressClass"
            | "RuntimeClass"
            | "ValidatingWebhookConfiguration"
            | "MutatingWebhookConfiguration"
            | "APIService"
            | "CSIDriver"
            | "CSINode"
            | "VolumeSnapshotClass"
            | "ClusterIssuer"
            | "ClusterSecretStore"
            | "ClusterExternalSecret"
            | "PodSecurityPolicy"
            | "ClusterPolicy"
            | "ValidatingAdmissionPolicy"
            | "ValidatingAdmissionPolicyBinding"
    )
}
