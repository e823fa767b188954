//! One Argo CD Application: its sources, which of them are in this repository, and what
//! each renders (argocd-semantics.md §4): a directory's files, or the objects Kustomize
//! or Helm produce.

use super::rendered::RenderedOutput;
use super::{App, Origin, Settings};
use crate::diagnostic::{Diagnostic, Severity};
use crate::discover::FileKind;
use crate::load::tree::NodeId;
use crate::load::{Loaded, LoadedFile};
use crate::render::files::{Problem, RepoFiles, Workspace};
use crate::render::value::Value;
use crate::render::{self, DirectoryOptions, Tool};
use crate::source::{FileId, Span};

/// An app whose objects are not all in the loaded repository yet: rendered outputs join
/// it as virtual files after the round of rendering.
#[derive(Debug)]
pub struct Draft {
    pub app: App,
    /// Applied to namespaced objects that have none.
    pub destination_namespace: String,
    /// (source index, file, object index) of directory sources' objects.
    pub files: Vec<(usize, FileId, usize)>,
    /// (source index, output) of rendered sources.
    pub outputs: Vec<(usize, RenderedOutput)>,
    /// The virtual files of the outputs, once added.
    pub rendered: Vec<FileId>,
    /// `render-failed` findings, made into diagnostics once the files they point into
    /// are in the source map.
    pub findings: Vec<Finding>,
    pub diagnostics: Vec<Diagnostic>,
    /// Files this app's sources read or leave out on purpose: not implicit apps.
    pub covered: Vec<FileId>,
    pub external_sources: usize,
}

impl Draft {
    pub fn new(app: App, destination_namespace: String) -> Draft {
        Draft {
            app,
            destination_namespace,
            files: Vec::new(),
            outputs: Vec::new(),
            rendered: Vec::new(),
            findings: Vec::new(),
            diagnostics: Vec::new(),
            covered: Vec::new(),
            external_sources: 0,
        }
    }
}

/// A source of an Application, after `.argocd-source*.yaml` overrides.
struct Source {
    index: usize,
    value: Value,
    /// `ref` sources' names → their repository-relative roots (`None`: another repo).
    path: Option<String>,
}

pub(super) fn application(
    ws: &Workspace,
    settings: &Settings,
    file: FileId,
    index: usize,
) -> Draft {
    let loaded = ws.loaded;
    let tree = loaded.tree(file);
    let object = &loaded.file(file).objects[index];
    let spec = tree.get(object.root, "spec");
    let destination_namespace = spec
        .and_then(|s| tree.path_str(s, &["destination", "namespace"]))
        .unwrap_or("")
        .to_string();
    let app = App {
        name: object.name.clone(),
        origin: Origin::Application {
            file,
            root: object.root,
        },
        members: Vec::new(),
        helm: Vec::new(),
        paths: Vec::new(),
    };
    let mut draft = Draft::new(app, destination_namespace);
    let sources: Vec<NodeId> = match spec.and_then(|s| tree.get(s, "sources")) {
        Some(list) if tree.is_seq(list) => tree.items(list).to_vec(),
        _ => spec
            .and_then(|s| tree.get(s, "source"))
            .into_iter()
            .collect(),
    };
    let sources: Vec<Source> = sources
        .iter()
        .enumerate()
        .map(|(i, node)| {
            let value = Value::from_tree(tree, *node);
            let path = this_repo_path(loaded, settings, &value);
            Source {
                index: i,
                value,
                path,
            }
        })
        .collect();
    let refs: Vec<(String, Option<String>)> = sources
        .iter()
        .filter_map(|s| {
            let name = s.value.get_str("ref")?;
            let root = this_repo_root(settings, &s.value);
            Some((name.to_string(), root))
        })
        .collect();
    for source in &sources {
        render_source(ws, settings, source, &refs, &mut draft);
    }
    draft
}

/// The source's path when its repository is this checkout (`None`: elsewhere).
fn this_repo_path(loaded: &Loaded, settings: &Settings, source: &Value) -> Option<String> {
    if source.get("chart").is_some() {
        return None;
    }
    let path = normalize_path(source.get_str("path")?);
    let repo_url = source.get_str("repoURL").unwrap_or("");
    let is_this = match settings.identity.is_this(repo_url) {
        Some(known) => known,
        None => path_exists(loaded, &path),
    };
    is_this.then_some(path)
}

/// A `ref` source's repository root: "" when it is this checkout.
fn this_repo_root(settings: &Settings, source: &Value) -> Option<String> {
    let repo_url = source.get_str("repoURL").unwrap_or("");
    // Without known remotes, a `ref` is taken to be this checkout, as paths are.
    settings
        .identity
        .is_this(repo_url)
        .unwrap_or(true)
        .then(String::new)
}

fn render_source(
    ws: &Workspace,
    settings: &Settings,
    source: &Source,
    refs: &[(String, Option<String>)],
    draft: &mut Draft,
) {
    let loaded = ws.loaded;
    let Some(path) = &source.path else {
        // `ref` sources without a path only contribute values files.
        if source.value.get("ref").is_none() || source.value.get("path").is_some() {
            draft.external_sources += 1;
        }
        return;
    };
    let at = source
        .value
        .get("path")
        .map(|p| p.span)
        .unwrap_or(source.value.span);
    draft.app.paths.push(path.clone());
    let below: Vec<&LoadedFile> = loaded.subtree(path).collect();
    // Everything below a source path is the Application's to sync or to leave out on
    // purpose (include, exclude, no recurse): none of it forms an implicit app.
    draft.covered.extend(below.iter().map(|f| f.id));
    let mut value = source.value.clone();
    apply_overrides(ws, path, &draft.app.name, &mut value);
    let explicit: Vec<&str> = ["directory", "helm", "kustomize", "plugin"]
        .into_iter()
        .filter(|k| value.get(k).is_some())
        .collect();
    let tool = match explicit.as_slice() {
        [] => render::detect_tool(below.iter().copied(), path),
        ["directory"] => Tool::Directory,
        ["helm"] => Tool::Helm,
        ["kustomize"] => Tool::Kustomize,
        ["plugin"] => Tool::Plugin,
        _ => {
            draft.findings.push(failed(at, Severity::Error, format!(
                "Application `{}` has {} blocks in one source: Argo CD fails with \"multiple application sources defined\"",
                draft.app.name,
                explicit.join(" and ")
            )));
            return;
        }
    };
    let shown = if path.is_empty() { "." } else { path };
    match tool {
        Tool::Directory => directory(loaded, &value, path, &below, at, source.index, draft),
        Tool::Kustomize => {
            let result = render::kustomize::build(ws, path, value.get("kustomize"));
            let label = format!("kustomize {shown} for {}", draft.app.name);
            rendered(result, label, source.index, draft, at);
        }
        Tool::Helm => {
            let app_name = draft.app.name.clone();
            let request = render::helm_source::ChartRequest {
                app_name: &app_name,
                namespace: &draft.destination_namespace,
                path,
                source: &value,
                refs,
            };
            let result = render::helm_source::render(ws, &settings.helm, &request);
            let label = format!("helm {shown} for {app_name}");
            let result = result.map(|(output, provenance)| {
                draft.app.helm.push(provenance);
                output
            });
            rendered(result, label, source.index, draft, at);
        }
        Tool::Plugin => draft.findings.push(failed(
            at,
            Severity::Note,
            format!(
                "the source `{shown}` of Application `{}` is rendered by a config management plugin, which synclint does not run: its objects are not linted",
                draft.app.name
            ),
        )),
    }
}

/// Records a renderer's result: its objects as one output, its notes, or its failure.
pub(super) fn rendered(
    result: Result<render::kustomize::Output, Problem>,
    label: String,
    source_index: usize,
    draft: &mut Draft,
    at: Span,
) {
    // A problem a renderer could not place goes to what asked for the render.
    let placed = |span: Span| if span == Span::default() { at } else { span };
    let result = result.map_err(|p| Problem {
        span: placed(p.span),
        ..p
    });
    match result {
        Ok(output) => {
            for note in output.notes {
                draft
                    .findings
                    .push(failed(placed(note.span), Severity::Note, note.message));
            }
            draft.outputs.push((
                source_index,
                RenderedOutput {
                    id: FileId(0),
                    label,
                    objects: output.objects,
                },
            ));
        }
        Err(problem) => draft.findings.push(failed(
            problem.span,
            Severity::Error,
            format!("{label} cannot be rendered: {}", problem.message),
        )),
    }
}

fn directory(
    loaded: &Loaded,
    source: &Value,
    path: &str,
    below: &[&LoadedFile],
    at: Span,
    source_index: usize,
    draft: &mut Draft,
) {
    let directory = source.get("directory");
    let options = DirectoryOptions {
        recurse: directory
            .and_then(|d| d.get("recurse"))
            .and_then(Value::as_bool)
            == Some(true),
        include: directory
            .and_then(|d| d.get_str("include"))
            .map(str::to_string),
        exclude: directory
            .and_then(|d| d.get_str("exclude"))
            .map(str::to_string),
    };
    match render::directory_files(loaded, below.iter().copied(), path, &options) {
        Ok(files) => {
            for id in files {
                for i in 0..loaded.file(id).objects.len() {
                    draft.files.push((source_index, id, i));
                }
            }
        }
        Err(e) => {
            let at = directory.map(|d| d.span).unwrap_or(at);
            draft.findings.push(failed(
                at,
                Severity::Error,
                format!(
                    "Application `{}` has a bad directory pattern: {}",
                    draft.app.name, e.0
                ),
            ));
        }
    }
}

/// `.argocd-source.yaml`, then `.argocd-source-<app>.yaml`, JSON-merge-patched into the
/// source (argocd-semantics.md §4 "Parameter-override files").
fn apply_overrides(ws: &Workspace, path: &str, app_name: &str, source: &mut Value) {
    for name in [
        ".argocd-source.yaml".to_string(),
        format!(".argocd-source-{app_name}.yaml"),
    ] {
        let rel = if path.is_empty() {
            name
        } else {
            format!("{path}/{name}")
        };
        if let Some(Ok(documents)) = ws.yaml(&rel)
            && let Some(patch) = documents.first()
        {
            source.merge_patch(patch);
        }
    }
}

/// A `render-failed` finding at a span that may point into a file read during this
/// round of rendering (its id is final only after the round).
#[derive(Debug)]
pub struct Finding {
    pub severity: Severity,
    pub span: Span,
    pub message: String,
    pub help: &'static str,
}

impl Finding {
    pub fn into_diagnostic(self, loaded: &Loaded) -> Diagnostic {
        let label = if self.severity == Severity::Note {
            "not rendered"
        } else {
            "render fails here"
        };
        Diagnostic::new(
            "render-failed",
            self.severity,
            self.message,
            loaded.location(self.span),
        )
        .with_help(self.help)
        .with_label(label)
    }
}

pub(super) fn failed(at: Span, severity: Severity, message: String) -> Finding {
    Finding {
        severity,
        span: at,
        message,
        help: "Make the source renderable, or exclude it with `ignore` in .synclint.yaml.",
    }
}

/// `./apps/api/` → `apps/api`; `.` and `` → `` (the root).
pub fn normalize_path(p: &str) -> String {
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
