//! Implicit apps: what no Application covers is still linted. A Kustomize root that no
//! other kustomization uses is rendered as one app, a Helm chart with its default values
//! as another, and the remaining plain manifests are grouped by directory.

use std::collections::{BTreeMap, BTreeSet};

use super::source::{Draft, failed, normalize_path, rendered};
use super::{App, Apps, Member, Namespaces, Origin, Settings};
use crate::config::ChartConfig;
use crate::diagnostic::Severity;
use crate::discover::{FileKind, parent};
use crate::load::Loaded;
use crate::render;
use crate::render::files::{Problem, RepoFiles, Workspace};
use crate::render::value::Value;
use crate::source::{FileId, Span};

/// A root to render as an implicit app.
#[derive(Debug)]
pub enum Root {
    Kustomize { dir: String, at: Span },
    Chart { dir: String, at: Span },
}

/// Kustomize roots and charts that nothing covers and nothing else includes.
/// Configured charts come first: what they render is preferred over what charts
/// rendered with guessed values render (see `alive` in the parent module).
pub fn roots(loaded: &Loaded, covered: &[bool], configured: &[ChartConfig]) -> Vec<Root> {
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut kustomizations = Vec::new();
    for f in loaded
        .files
        .iter()
        .filter(|f| f.kind == FileKind::Kustomization)
    {
        let dir = parent(&f.rel);
        let Some(doc) = f.documents.iter().flatten().next() else {
            continue;
        };
        let root = Value::from_tree(&f.tree, *doc);
        if root.get_str("kind") == Some("Component") {
            continue;
        }
        for key in ["resources", "bases", "components"] {
            for entry in root.get(key).map(Value::items).unwrap_or_default() {
                if let Some(path) = entry.as_str().filter(|p| !p.contains("://")) {
                    used.insert(normalize_path(&format!("{dir}/{path}")));
                }
            }
        }
        kustomizations.push((dir.to_string(), f.id));
    }
    let mut out = Vec::new();
    for (dir, id) in kustomizations {
        if !covered[id.0 as usize] && !used.contains(&dir) {
            out.push(Root::Kustomize {
                dir,
                at: Span::new(id, 0, 0),
            });
        }
    }
    let chart_dirs: Vec<&str> = loaded
        .files
        .iter()
        .filter(|f| f.kind == FileKind::ChartYaml)
        .map(|f| parent(&f.rel))
        .collect();
    for f in loaded
        .files
        .iter()
        .filter(|f| f.kind == FileKind::ChartYaml)
    {
        let dir = parent(&f.rel);
        // A chart inside another chart is its dependency, rendered with it.
        let subchart = chart_dirs
            .iter()
            .any(|other| *other != dir && crate::discover::within(dir, other));
        if !covered[f.id.0 as usize] && !subchart {
            out.push(Root::Chart {
                dir: dir.to_string(),
                at: Span::new(f.id, 0, 0),
            });
        }
    }
    // A stable sort: configured charts first, the rest in path order.
    out.sort_by_key(|root| match root {
        Root::Chart { dir, .. } => !configured.iter().any(|c| &c.path == dir),
        Root::Kustomize { .. } => true,
    });
    out
}

impl Root {
    /// The kustomization or Chart.yaml that makes the root.
    pub fn file(&self) -> FileId {
        match self {
            Root::Kustomize { at, .. } | Root::Chart { at, .. } => at.file,
        }
    }
}

pub fn render(ws: &Workspace, settings: &Settings, root: &Root) -> Draft {
    let (dir, at) = match root {
        Root::Kustomize { dir, at } | Root::Chart { dir, at } => (dir, *at),
    };
    let shown = if dir.is_empty() { "." } else { dir.as_str() };
    let app = App {
        name: shown.to_string(),
        origin: Origin::Implicit { dir: dir.clone() },
        members: Vec::new(),
        helm: Vec::new(),
        paths: vec![dir.clone()],
    };
    let mut draft = Draft::new(app, String::new());
    draft.covered.extend(ws.loaded.subtree(dir).map(|f| f.id));
    let (result, label, severity) = match root {
        Root::Kustomize { .. } => (
            render::kustomize::build(ws, dir, None),
            format!("kustomize {shown}"),
            Severity::Warning,
        ),
        Root::Chart { .. } => {
            if is_library_chart(ws, dir) {
                return draft;
            }
            let configured = settings.charts.iter().find(|c| &c.path == dir);
            let source = chart_source(configured, at);
            let release = configured
                .and_then(|c| c.release_name.clone())
                .unwrap_or_else(|| chart_name(dir));
            let namespace = configured
                .and_then(|c| c.namespace.clone())
                .unwrap_or_default();
            let request = render::helm_source::ChartRequest {
                app_name: &release,
                namespace: &namespace,
                path: dir,
                source: &source,
                refs: &[],
            };
            let result = render::helm_source::render(ws, &settings.helm, &request).map(
                |(output, provenance)| {
                    draft.app.helm.push(provenance);
                    output
                },
            );
            let label = match configured {
                Some(_) => format!("helm {shown} (values from .synclint.yaml)"),
                None => format!("helm {shown} (default values)"),
            };
            (result, label, Severity::Note)
        }
    };
    match result {
        Ok(output) => rendered(Ok(output), label, 0, &mut draft, at),
        // Nothing deploys this root as it is, so its failure is not a sync failure.
        Err(Problem { span, message }) => {
            let span = if span == Span::default() { at } else { span };
            let mut finding = failed(
                span,
                severity,
                format!("{label} cannot be rendered: {message}"),
            );
            finding.help = "No Application covers this root; fix it, or point an Application (or `ignore` in .synclint.yaml) at it.";
            draft.findings.push(finding);
        }
    }
    draft
}

/// A source with the `helm` block the config gives a chart (or none).
fn chart_source(configured: Option<&crate::config::ChartConfig>, at: Span) -> Value {
    let mut helm = serde_json::Map::new();
    if let Some(c) = configured {
        helm.insert("valueFiles".into(), serde_json::json!(c.value_files));
        if let Some(values) = &c.values {
            helm.insert("valuesObject".into(), values.clone());
        }
    }
    Value::from_json(&serde_json::json!({ "helm": helm }), at)
}

fn chart_name(dir: &str) -> String {
    crate::discover::file_name(dir).to_string()
}

/// Library charts have no templates of their own to render.
fn is_library_chart(ws: &Workspace, dir: &str) -> bool {
    let rel = if dir.is_empty() {
        "Chart.yaml".to_string()
    } else {
        format!("{dir}/Chart.yaml")
    };
    matches!(ws.yaml(&rel), Some(Ok(docs)) if docs.first().and_then(|d| d.get_str("type")) == Some("library"))
}

/// Groups the plain manifests no app covers by directory, leaving out Kustomize roots'
/// files (a kustomization decides what of them is applied).
pub fn directories(loaded: &Loaded, covered: &[bool], namespaces: &mut Namespaces, out: &mut Apps) {
    let kustomize_roots: BTreeSet<&str> = loaded
        .files
        .iter()
        .filter(|f| f.kind == FileKind::Kustomization)
        .map(|f| parent(&f.rel))
        .collect();
    let mut by_dir: BTreeMap<String, Vec<Member>> = BTreeMap::new();
    for file in &loaded.files {
        if file.kind != FileKind::Manifest || covered[file.id.0 as usize] || file.objects.is_empty()
        {
            continue;
        }
        let dir = parent(&file.rel);
        if under_root(&kustomize_roots, dir) {
            continue;
        }
        let members = by_dir.entry(dir.to_string()).or_default();
        for (index, object) in file.objects.iter().enumerate() {
            members.push(Member {
                file: file.id,
                index,
                namespace: namespaces.get(object.namespace.as_deref().unwrap_or("")),
            });
        }
    }
    out.apps.reserve_exact(by_dir.len());
    for (dir, members) in by_dir {
        let name = if dir.is_empty() {
            ".".to_string()
        } else {
            dir.clone()
        };
        out.apps.push(App {
            name,
            paths: vec![dir.clone()],
            origin: Origin::Implicit { dir },
            members,
            helm: Vec::new(),
        });
    }
}

fn under_root(roots: &BTreeSet<&str>, mut dir: &str) -> bool {
    loop {
        if roots.contains(dir) {
            return true;
        }
        if dir.is_empty() {
            return false;
        }
        dir = parent(dir);
    }
}
