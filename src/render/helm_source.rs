//! A Helm source of an Application, rendered the way Argo CD does (`helm template` with
//! the app's release name, namespace and values, argocd-semantics.md §3–4), into
//! span-carrying values whose fields point at the chart's template lines.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::files::{Contents, Problem, RepoFiles, Workspace};
use super::kustomize::Output;
use super::value::{Node, Value};
use crate::helm::{self, HelmError, HelmFileParameter, HelmOptions, HelmParameter, KeyLocation};
use crate::load::tree::{NodeId, Tree};
use crate::source::{FileId, Span};

/// How to run Helm: the binary (`--helm`, else `helm` on PATH) and a time bound.
#[derive(Clone, Debug)]
pub struct HelmConfig {
    pub binary: Option<PathBuf>,
    pub timeout: Duration,
}

impl Default for HelmConfig {
    fn default() -> Self {
        HelmConfig {
            binary: None,
            timeout: helm::DEFAULT_TIMEOUT,
        }
    }
}

/// What a render used, so findings in its templates can say which values produced them.
#[derive(Clone, Debug)]
pub struct Provenance {
    /// The chart directory, repository-relative.
    pub chart_dir: String,
    /// The chart directory on disk (value origins are read from there).
    pub chart_path: PathBuf,
    pub options: HelmOptions,
    /// Where each of `options.parameters` is written in the Application.
    pub parameter_spans: Vec<Span>,
    /// Where `values` / `valuesObject` is written.
    pub values_span: Option<Span>,
}

/// The chart's inputs read from an Application source's `helm` block (or from the
/// config, for a chart no Application covers).
pub struct ChartRequest<'a> {
    pub app_name: &'a str,
    /// The destination namespace.
    pub namespace: &'a str,
    /// The chart directory, repository-relative.
    pub path: &'a str,
    /// The source (its `helm` block is read).
    pub source: &'a Value,
    /// Multi-source `ref` names and their repository roots (`None`: another repository).
    pub refs: &'a [(String, Option<String>)],
}

/// Renders the chart of `request`, returning its objects and what produced them.
pub fn render(
    ws: &Workspace,
    config: &HelmConfig,
    request: &ChartRequest,
) -> Result<(Output, Provenance), Problem> {
    let at = request
        .source
        .get("path")
        .map(|p| p.span)
        .unwrap_or(request.source.span);
    let problem = |message: String| Problem { span: at, message };
    let binary = helm::find_helm(config.binary.as_deref()).map_err(|e| problem(e.to_string()))?;
    // A revision read from Git has no chart on disk: Helm gets a temporary copy of the
    // chart, its local dependencies and its values files.
    let copy = match &ws.contents {
        Contents::Disk(_) => None,
        Contents::Memory(_) => {
            Some(crate::helm::tempdir::TempDir::new().map_err(|e| problem(e.to_string()))?)
        }
    };
    let root: PathBuf = match (&ws.contents, &copy) {
        (Contents::Disk(root), _) => root.clone(),
        (_, Some(copy)) => copy.path().to_path_buf(),
        _ => return Err(problem("no checkout to render from".into())),
    };
    let chart_path = root.join(request.path);
    let (options, parameter_spans, values_span) = options(&root, request)?;
    if let (Contents::Memory(files), Some(copy)) = (&ws.contents, &copy) {
        let mut dirs = vec![request.path.to_string()];
        dirs.extend(local_dependencies(ws, request.path));
        let values: Vec<String> = options
            .value_files
            .iter()
            .filter_map(|f| f.strip_prefix(&root).ok().map(path_to_rel))
            .collect();
        materialize(files, copy.path(), &dirs, &values).map_err(|e| problem(e.to_string()))?;
    }
    let mut notes = Vec::new();
    let mut result = helm::render(&binary, &chart_path, &options, config.timeout);
    // A values schema that refers to a URL needs the network, which synclint never
    // uses: render again without schema validation, and say so.
    if let Err(HelmError::Failed { stderr, .. }) = &result
        && let Some(url) = schema_url(stderr)
        && !options.skip_schema_validation
    {
        let mut offline = options.clone();
        offline.skip_schema_validation = true;
        result = helm::render(&binary, &chart_path, &offline, config.timeout);
        if result.is_ok() {
            let schema = rel(request.path, "values.schema.json");
            let span = ws
                .text(&schema)
                .map(|(id, _)| Span::new(id, 0, 0))
                .unwrap_or(at);
            notes.push(Problem {
                span,
                message: format!(
                    "the values schema of chart `{}` refers to {url}, which synclint does not fetch: the values were not validated against it",
                    request.path
                ),
            });
        }
    }
    let docs = result.map_err(|e| {
        let message = match &e {
            HelmError::MissingDependency { .. } | HelmError::MissingValueFile { .. } => {
                e.to_string().replace(&format!("{}/", root.display()), "")
            }
            _ => e.to_string(),
        };
        problem(message)
    })?;
    let sources = helm::ChartSources::new(&chart_path);
    let chart_yaml = rel(request.path, "Chart.yaml");
    let fallback = ws
        .text(&chart_yaml)
        .map(|(id, _)| Span::new(id, 0, 0))
        .unwrap_or(at);
    let mut objects = Vec::new();
    for doc in &docs {
        let template = sources
            .file_for(&doc.source)
            .and_then(|p| p.strip_prefix(&root).ok().map(path_to_rel))
            .and_then(|rel| ws.text(&rel));
        objects.extend(relocate(&doc.text, template, fallback));
    }
    // Values files are read now, so findings can point into them later.
    for file in options.value_files.iter() {
        if let Ok(rel) = file.strip_prefix(&root) {
            ws.text(&path_to_rel(rel));
        }
    }
    ws.text(&rel(request.path, "values.yaml"));
    let provenance = Provenance {
        chart_dir: request.path.to_string(),
        chart_path,
        options,
        parameter_spans,
        values_span,
    };
    Ok((Output { objects, notes }, provenance))
}

/// The URL in Helm's "failing loading" message for a values schema `$ref`.
fn schema_url(stderr: &str) -> Option<String> {
    let at = stderr.find("failing loading \"http")? + "failing loading \"".len();
    let url: String = stderr[at..].chars().take_while(|c| *c != '"').collect();
    Some(url)
}

fn rel(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

fn path_to_rel(path: &Path) -> String {
    crate::discover::relative(Path::new(""), path)
}

/// Argo CD's `helm template` options from the source's `helm` block.
fn options(
    root: &Path,
    request: &ChartRequest,
) -> Result<(HelmOptions, Vec<Span>, Option<Span>), Problem> {
    let empty = Value::map(request.source.span);
    let helm = request.source.get("helm").unwrap_or(&empty);
    let s = |key: &str| helm.get_str(key).unwrap_or("").to_string();
    let flag = |key: &str| helm.get(key).and_then(Value::as_bool) == Some(true);
    let release_name = match helm.get_str("releaseName") {
        Some(name) if !name.is_empty() => name.to_string(),
        _ => request.app_name.to_string(),
    };
    let mut options = HelmOptions::new(release_name);
    options.namespace = match helm.get_str("namespace") {
        Some(ns) if !ns.is_empty() => ns.to_string(),
        _ => request.namespace.to_string(),
    };
    options.ignore_missing_value_files = flag("ignoreMissingValueFiles");
    for file in helm.get("valueFiles").map(Value::items).unwrap_or_default() {
        let Some(name) = file.as_str() else { continue };
        let resolved = match name.strip_prefix('$') {
            Some(rest) => {
                let (reference, path) = rest.split_once('/').unwrap_or((rest, ""));
                match request.refs.iter().find(|(r, _)| r == reference) {
                    Some((_, Some(repo_root))) => {
                        root.join(super::super::apps::normalize_path(&rel(repo_root, path)))
                    }
                    Some((_, None)) => {
                        return Err(Problem {
                            span: file.span,
                            message: format!(
                                "values file `{name}` is in another repository, which synclint cannot read"
                            ),
                        });
                    }
                    None => {
                        return Err(Problem {
                            span: file.span,
                            message: format!(
                                "values file `{name}` names the source `${reference}`, but no source has `ref: {reference}`"
                            ),
                        });
                    }
                }
            }
            None if name.contains("://") => {
                return Err(Problem {
                    span: file.span,
                    message: format!(
                        "values file `{name}` is a URL, which synclint does not fetch"
                    ),
                });
            }
            None => root.join(crate::apps::normalize_path(&rel(request.path, name))),
        };
        if !resolved.starts_with(root) {
            return Err(Problem {
                span: file.span,
                message: format!("values file `{name}` is outside the repository"),
            });
        }
        options.value_files.push(resolved);
    }
    let mut values_span = None;
    if let Some(object) = helm.get("valuesObject") {
        options.values_object = Some(object.to_json());
        values_span = Some(object.span);
    }
    if let Some(values) = helm.get("values") {
        options.values = values.as_str().unwrap_or("").to_string();
        values_span = values_span.or(Some(values.span));
    }
    let mut parameter_spans = Vec::new();
    for p in helm.get("parameters").map(Value::items).unwrap_or_default() {
        options.parameters.push(HelmParameter {
            name: p.get_str("name").unwrap_or("").to_string(),
            value: p.get_str("value").unwrap_or("").to_string(),
            force_string: p.get("forceString").and_then(Value::as_bool) == Some(true),
        });
        parameter_spans.push(p.get("value").map(|v| v.span).unwrap_or(p.span));
    }
    for p in helm
        .get("fileParameters")
        .map(Value::items)
        .unwrap_or_default()
    {
        let path = root.join(crate::apps::normalize_path(&rel(
            request.path,
            p.get_str("path").unwrap_or(""),
        )));
        options.file_parameters.push(HelmFileParameter {
            name: p.get_str("name").unwrap_or("").to_string(),
            path,
        });
    }
    options.skip_crds = flag("skipCrds");
    options.skip_tests = flag("skipTests");
    options.skip_schema_validation = flag("skipSchemaValidation");
    options.kube_version = s("kubeVersion");
    options.api_versions = helm
        .get("apiVersions")
        .map(Value::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    options.build_env = vec![
        ("ARGOCD_APP_NAME".into(), request.app_name.to_string()),
        ("ARGOCD_APP_NAMESPACE".into(), request.namespace.to_string()),
    ];
    Ok((options, parameter_spans, values_span))
}

/// One rendered document as values whose spans point into its template: a key at the
/// template line that writes it, a value at that line's value (its `{{ }}` expression),
/// and anything the template does not spell out at the template's first line.
fn relocate(text: &str, template: Option<(FileId, Arc<str>)>, fallback: Span) -> Vec<Value> {
    // Parsed in a file of its own; every span is replaced below.
    let scratch = FileId(u32::MAX);
    let parsed = crate::load::yaml::parse(scratch, &Arc::from(text), Default::default());
    let first_line = |id: FileId, t: &str| Span::new(id, 0, t.find('\n').unwrap_or(t.len()));
    let mut out = Vec::new();
    for doc in parsed.documents.iter().flatten() {
        let (locations, default) = match &template {
            Some((id, t)) => {
                let mut locator = helm::TemplateLocator::new(t);
                (
                    locator.locate_document(&parsed.tree, *doc),
                    first_line(*id, t),
                )
            }
            None => (Vec::new(), fallback),
        };
        let file = template.as_ref().map(|(id, _)| *id);
        let mut value = Value::from_tree(&parsed.tree, *doc);
        place(&parsed.tree, *doc, &mut value, &locations, file, default);
        out.push(value);
    }
    out
}

/// Gives `value` (read from `node`) and its children their template spans.
fn place(
    tree: &Tree,
    node: NodeId,
    value: &mut Value,
    locations: &[(NodeId, KeyLocation)],
    file: Option<FileId>,
    at: Span,
) {
    value.span = at;
    match &mut value.node {
        Node::Map(entries) => {
            for ((key, child), entry) in entries.iter_mut().zip(tree.entries(node)) {
                let found = file.and_then(|f| {
                    locations
                        .iter()
                        .find(|(k, _)| *k == entry.key)
                        .map(|(_, l)| (f, l))
                });
                let (key_span, value_span) = match found {
                    Some((f, l)) => {
                        let key_span = Span::new(f, l.key.start, l.key.end);
                        let value_span = l
                            .value
                            .as_ref()
                            .map(|v| Span::new(f, v.start, v.end))
                            .unwrap_or(key_span);
                        (key_span, value_span)
                    }
                    None => (at, at),
                };
                key.span = key_span;
                place(tree, entry.value, child, locations, file, value_span);
            }
        }
        Node::Seq(items) => {
            for (item, child) in items.iter_mut().zip(tree.items(node)) {
                place(tree, *child, item, locations, file, at);
            }
        }
        Node::Scalar(_) => {}
    }
}

/// Repository-relative directories of the chart's `file://` dependencies.
fn local_dependencies(ws: &Workspace, chart: &str) -> Vec<String> {
    let Some(Ok(docs)) = ws.yaml(&rel(chart, "Chart.yaml")) else {
        return Vec::new();
    };
    let Some(chart_yaml) = docs.first() else {
        return Vec::new();
    };
    chart_yaml
        .get("dependencies")
        .map(Value::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|d| d.get_str("repository")?.strip_prefix("file://"))
        .map(|path| crate::apps::normalize_path(&rel(chart, path)))
        .collect()
}

/// Writes files of a memory checkout (those under `dirs`, and `files`) to `to`.
fn materialize(
    checkout: &std::collections::HashMap<String, Arc<[u8]>>,
    to: &Path,
    dirs: &[String],
    files: &[String],
) -> Result<(), HelmError> {
    for (rel, bytes) in checkout {
        let wanted = files.contains(rel)
            || dirs
                .iter()
                .any(|d| d.is_empty() || crate::discover::within(rel, d));
        if !wanted {
            continue;
        }
        let path = to.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| HelmError::io("copying the chart", e))?;
        }
        std::fs::write(&path, bytes).map_err(|e| HelmError::io("copying the chart", e))?;
    }
    Ok(())
}

/// Where the values read on a template line are set, by Argo CD's precedence: for a
/// finding in a template, so it can say which values produced it.
pub fn value_origins(
    provenance: &Provenance,
    loaded: &crate::load::Loaded,
    template_line: &str,
) -> Vec<(Span, String)> {
    let mut out = Vec::new();
    let root = chart_root(provenance);
    for path in helm::values_refs(template_line) {
        let Some(origin) =
            helm::find_value_origin(&provenance.chart_path, &provenance.options, &path)
        else {
            continue;
        };
        let found = match origin {
            helm::ValueOrigin::File { path: file, key } => file
                .strip_prefix(&root)
                .ok()
                .and_then(|rel| loaded.find(&path_to_rel(rel)))
                .filter(|id| !loaded.sources.get(*id).text.is_empty())
                .map(|id| (Span::new(id, key.start, key.end), "is set here")),
            helm::ValueOrigin::Parameter { index } => provenance
                .parameter_spans
                .get(index)
                .map(|span| (*span, "is set by this Application parameter")),
            helm::ValueOrigin::InlineValues { .. } => provenance
                .values_span
                .map(|span| (span, "is set in the Application's values")),
            helm::ValueOrigin::FileParameter { .. } => None,
        };
        if let Some((span, what)) = found {
            out.push((span, format!("value `{path}` {what}")));
        }
    }
    out
}

/// The repository root on disk, from the chart's path and its relative directory.
fn chart_root(provenance: &Provenance) -> PathBuf {
    let mut root = provenance.chart_path.clone();
    for _ in provenance.chart_dir.split('/').filter(|p| !p.is_empty()) {
        root.pop();
    }
    root
}
