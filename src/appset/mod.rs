//! Offline ApplicationSet expansion: the generators Argo CD's ApplicationSet controller
//! runs (git, list, matrix, merge; the cluster-backed ones from supplied parameters),
//! its two template engines, and the rendering of the Application template.
//!
//! Everything works on `serde_json` values: the caller converts the ApplicationSet's
//! `spec` (see [`node_to_json`]) and turns the result into Application objects. JSON
//! pointers in notes, errors and [`FieldSource`]s point into that spec, so they map back
//! to YAML nodes and their spans.
//!
//! What differs from Argo CD, knowingly:
//! - The generated Application's `metadata.namespace` is the template's; Argo CD sets
//!   it to the ApplicationSet's own namespace, which the caller knows.
//! - Argo CD applies none of an ApplicationSet's Applications when any generator or
//!   template fails; [`expand`] returns what it could generate plus the errors.
//! - The merge generator's output order is Go map order in Argo CD (random); here it
//!   is the first generator's order. Sprig's `keys` is sorted for the same reason.
//! - `templatePatch` is a JSON merge patch rather than a strategic merge patch (see
//!   [`apply_template_patch`]).

mod combine;
pub mod fasttemplate;
mod generate;
mod git;
pub(crate) mod glob;
pub mod gotemplate;
mod names;
mod params;
mod template;
mod yaml;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

pub use gotemplate::MissingKey;
pub use names::{sanitize_name, slugify};
pub use template::{Rendered, apply_template_patch, render_template};
pub use yaml::{node_to_json, parse_yaml};

use generate::{Ctx, Failure};
use template::{Renderer, SourcedTemplate};

/// One parameter set: flat string values for fasttemplate, nested values with
/// `goTemplate: true`.
pub type Params = serde_json::Map<String, Value>;

/// A template that failed to parse or execute, and where in its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateError {
    pub message: String,
    /// Byte offset in the template text.
    pub offset: usize,
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.offset)
    }
}

impl std::error::Error for TemplateError {}

/// The repository the Git generators read, as the caller sees its checkout.
pub trait RepoView {
    /// Every directory, repository-relative with `/` separators (hidden ones included:
    /// the generator skips them as Argo CD's repo server does).
    fn list_dirs(&self) -> Vec<String>;
    /// Every file Git tracks, repository-relative with `/` separators.
    fn list_files(&self) -> Vec<String>;
    fn read_file(&self, path: &str) -> Option<String>;
    /// Whether a Git generator's `repoURL` at `revision` is this checkout. Generators
    /// of other repositories are skipped with a note.
    fn is_checkout(&self, _repo_url: &str, _revision: &str) -> bool {
        true
    }
}

/// Parameters for generators that need a cluster or an API, from synclint's config.
#[derive(Clone, Debug, Default)]
pub struct SuppliedParams {
    /// By generator name (`clusters`, `scmProvider`, `pullRequest`, `plugin`,
    /// `clusterDecisionResource`): the parameter sets it would produce, nested as with
    /// `goTemplate: true` (they are flattened for fasttemplate). Cluster sets may carry
    /// `metadata.labels` for the generator's own selector.
    pub by_generator: HashMap<String, Vec<Params>>,
    /// The controller's `--enable-new-git-file-globbing`: doublestar globs for Git file
    /// generators instead of `git ls-files` pathspecs.
    pub new_git_file_globbing: bool,
}

/// Which engine renders templates, and how it treats missing keys.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Templating {
    /// `spec.goTemplate`: Go text/template instead of fasttemplate.
    pub go_template: bool,
    /// From `spec.goTemplateOptions`.
    pub missing_key: MissingKey,
}

impl Templating {
    /// Reads `goTemplate` and `goTemplateOptions` from an ApplicationSet spec.
    pub fn from_spec(spec: &Value) -> Result<Templating, String> {
        let options: Vec<&str> = match spec.get("goTemplateOptions") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            Some(_) => return Err("goTemplateOptions is not a list".into()),
        };
        Ok(Templating {
            go_template: spec
                .get("goTemplate")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            missing_key: MissingKey::from_options(&options)?,
        })
    }

    /// Renders one string with one parameter set.
    pub fn render(&self, text: &str, params: &Params) -> Result<String, TemplateError> {
        if self.go_template {
            gotemplate::render(text, params, self.missing_key)
        } else {
            fasttemplate::render(text, params)
        }
    }
}

/// Where a node of a generated Application came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldSource {
    /// JSON pointer into the generated value.
    pub output: String,
    /// JSON pointer into the ApplicationSet spec (`/template/spec/source/path`,
    /// `/generators/0/list/template/...`, or `/templatePatch`).
    pub source: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GeneratedApp {
    /// Pointer to the generator that produced it, e.g. `/generators/0/git`.
    pub generator: String,
    pub params: Params,
    /// `{"metadata": {...}, "spec": {...}}`.
    pub application: Value,
    /// The origin of every node of `application`.
    pub fields: Vec<FieldSource>,
}

/// Something not expanded, such as a generator that needs a cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// JSON pointer into the spec, e.g. `/generators/0/clusters`.
    pub pointer: String,
    pub message: String,
}

/// Something Argo CD would fail on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpandError {
    /// JSON pointer into the spec: the generator, or the template field.
    pub pointer: String,
    pub message: String,
    /// Byte offset in the string at `pointer`, for template errors.
    pub offset: Option<usize>,
}

impl ExpandError {
    pub(crate) fn new(pointer: &str, message: impl Into<String>) -> ExpandError {
        ExpandError {
            pointer: pointer.to_string(),
            message: message.into(),
            offset: None,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Expansion {
    pub applications: Vec<GeneratedApp>,
    pub notes: Vec<Note>,
    pub errors: Vec<ExpandError>,
}

/// A Git generator's repository, for the caller to decide whether it is the checkout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GitRepository {
    /// Pointer to the generator, e.g. `/generators/0/matrix/generators/1/git`.
    pub pointer: String,
    /// As written; a matrix's second child may template it from the first.
    pub repo_url: String,
    pub revision: String,
}

/// Every Git generator in `spec`, nested ones included.
pub fn git_repositories(spec: &Value) -> Vec<GitRepository> {
    let mut out = Vec::new();
    if let Some(generators) = spec.get("generators").and_then(Value::as_array) {
        for (i, g) in generators.iter().enumerate() {
            collect_git(g, &format!("/generators/{i}"), 0, &mut out);
        }
    }
    out
}

fn collect_git(generator: &Value, pointer: &str, depth: usize, out: &mut Vec<GitRepository>) {
    let Some(map) = generator.as_object() else {
        return;
    };
    if let Some(git) = map.get("git") {
        let text = |k: &str| {
            git.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        out.push(GitRepository {
            pointer: format!("{pointer}/git"),
            repo_url: text("repoURL"),
            revision: text("revision"),
        });
    }
    for kind in ["matrix", "merge"] {
        let children = map
            .get(kind)
            .and_then(|m| m.get("generators"))
            .and_then(Value::as_array);
        for (i, child) in children.into_iter().flatten().enumerate() {
            if depth < 2 {
                collect_git(
                    child,
                    &format!("{pointer}/{kind}/generators/{i}"),
                    depth + 1,
                    out,
                );
            }
        }
    }
}

/// Template evaluation steps for a whole expansion.
const TOTAL_STEPS: u64 = 50_000_000;
/// Applications one ApplicationSet may generate.
pub(crate) const MAX_APPLICATIONS: usize = 10_000;

/// Expands an ApplicationSet `spec` against the checkout.
pub fn expand(spec: &Value, repo: &dyn RepoView, supplied: &SuppliedParams) -> Expansion {
    let mut expansion = Expansion::default();
    let Some(spec_map) = spec.as_object() else {
        expansion
            .errors
            .push(ExpandError::new("", "the ApplicationSet spec is not a map"));
        return expansion;
    };
    let templating = match Templating::from_spec(spec) {
        Ok(t) => t,
        Err(message) => {
            expansion
                .errors
                .push(ExpandError::new("/goTemplateOptions", message));
            return expansion;
        }
    };
    let budget = gotemplate::Budget::new(TOTAL_STEPS);
    let ctx = Ctx {
        repo,
        supplied,
        renderer: Renderer {
            templating,
            budget: &budget,
        },
        apply_nested_selectors: spec_map
            .get("applyNestedSelectors")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        notes: Default::default(),
        dirs: Default::default(),
        files: Default::default(),
    };
    let empty = Value::Object(Params::new());
    let base_template = spec_map
        .get("template")
        .filter(|t| t.is_object())
        .unwrap_or(&empty);
    let patch = spec_map.get("templatePatch").and_then(Value::as_str);
    let preserve_resources = spec
        .pointer("/syncPolicy/preserveResourcesOnDeletion")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let generators = match spec_map.get("generators") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(items)) => items.as_slice(),
        Some(_) => {
            expansion
                .errors
                .push(ExpandError::new("/generators", "generators is not a list"));
            return expansion;
        }
    };
    for (i, generator) in generators.iter().enumerate() {
        let pointer = format!("/generators/{i}");
        let Some(map) = generator.as_object() else {
            expansion
                .errors
                .push(ExpandError::new(&pointer, "a generator is not a map"));
            continue;
        };
        let kinds = generate::kinds_of(map);
        if kinds.is_empty() {
            let keys: Vec<&str> = map.keys().map(String::as_str).collect();
            expansion.notes.push(Note {
                pointer: pointer.clone(),
                message: format!(
                    "unrecognized generator ({}); Argo CD ignores it",
                    keys.join(", ")
                ),
            });
        }
        for kind in kinds {
            let kind_pointer = format!("{pointer}/{kind}");
            let body = &map[kind];
            let own_template = body
                .get("template")
                .map(|t| (t, format!("{kind_pointer}/template")));
            let template = SourcedTemplate::new(own_template, base_template, "/template");
            let params = generate::params_for(kind, body, &kind_pointer, &ctx, 0)
                .and_then(|p| generate::select(p, map.get("selector"), &pointer));
            let params = match params {
                Ok(p) => p,
                Err(Failure::Skipped(note)) => {
                    expansion.notes.push(note);
                    continue;
                }
                Err(Failure::Error(e)) => {
                    expansion.errors.push(e);
                    continue;
                }
            };
            for p in params {
                if expansion.applications.len() >= MAX_APPLICATIONS {
                    expansion.errors.push(ExpandError::new(
                        &kind_pointer,
                        format!(
                            "the ApplicationSet generates more than {MAX_APPLICATIONS} Applications"
                        ),
                    ));
                    break;
                }
                match build_application(&template, p, patch, preserve_resources, &ctx) {
                    Ok((application, fields, params)) => {
                        expansion.applications.push(GeneratedApp {
                            generator: kind_pointer.clone(),
                            params,
                            application,
                            fields,
                        })
                    }
                    Err(e) => expansion.errors.push(e),
                }
            }
        }
    }
    expansion.notes.extend(ctx.notes.into_inner());
    check_duplicate_names(&mut expansion);
    expansion
}

type Built = (Value, Vec<FieldSource>, Params);

fn build_application(
    template: &SourcedTemplate,
    params: Params,
    patch: Option<&str>,
    preserve_resources: bool,
    ctx: &Ctx,
) -> Result<Built, ExpandError> {
    let skeleton = template::application_skeleton(&template.value);
    // Argo CD returns the template untouched for an empty parameter set.
    let (mut application, mut fields) = if params.is_empty() {
        let mut fields = Vec::new();
        template::fields_under(&skeleton, "", "", &mut fields);
        fields.iter_mut().for_each(|f| f.source = f.output.clone());
        (skeleton, fields)
    } else {
        let (mut rendered, fields) = template::render_json(&skeleton, &params, &ctx.renderer)
            .map_err(|e| ExpandError {
                pointer: template.source_of(&e.pointer),
                ..e
            })?;
        template::add_default_finalizer(&mut rendered, preserve_resources);
        (rendered, fields)
    };
    for field in &mut fields {
        field.source = template.source_of(&field.source);
    }
    if let Some(patch) = patch {
        let data = ctx.renderer.prepare(&params);
        let rendered = ctx.renderer.render(patch, &data).map_err(|e| ExpandError {
            pointer: "/templatePatch".into(),
            message: e.message,
            offset: Some(e.offset),
        })?;
        let touched = template::apply_rendered_patch(&mut application, &rendered)
            .map_err(|m| ExpandError::new("/templatePatch", m))?;
        for pointer in touched {
            let prefix = format!("{pointer}/");
            fields.retain(|f| f.output != pointer && !f.output.starts_with(&prefix));
            template::fields_under(&application, &pointer, "/templatePatch", &mut fields);
        }
    }
    Ok((application, fields, params))
}

/// Argo CD refuses an ApplicationSet whose Applications share a name.
fn check_duplicate_names(expansion: &mut Expansion) {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for app in &expansion.applications {
        if let Some(name) = app
            .application
            .pointer("/metadata/name")
            .and_then(Value::as_str)
        {
            *seen.entry(name).or_default() += 1;
        }
    }
    let duplicates: Vec<String> = seen
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(name, _)| name.to_string())
        .collect();
    for name in duplicates {
        let pointer = expansion
            .applications
            .iter()
            .find(|a| {
                a.application
                    .pointer("/metadata/name")
                    .and_then(Value::as_str)
                    == Some(&name)
            })
            .and_then(|a| a.fields.iter().find(|f| f.output == "/metadata/name"))
            .map_or_else(
                || "/template/metadata/name".to_string(),
                |f| f.source.clone(),
            );
        expansion.errors.push(ExpandError::new(
            &pointer,
            format!("the ApplicationSet generates more than one Application named {name:?}"),
        ));
    }
}
