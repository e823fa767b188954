//! Kustomize, implemented natively so that every rendered field keeps the span of the
//! file and line it came from (a patch's fields point into the patch file).
//!
//! The build follows Kustomize v5.5 (`api/internal/target/kusttarget.go`): each
//! kustomization accumulates its resources (sub-kustomizations are built first, whole),
//! then runs its generators, then its components, then its transformers in Kustomize's
//! fixed order (patches, namespace, prefix, suffix, labels, annotations, JSON 6902
//! patches, replicas, images, replacements). At the top only, generated names get their
//! content hash, references to renamed objects are fixed, `vars` are resolved, local
//! config is dropped, the result is sorted, and scalars are rewritten as Kustomize's
//! JSON round trip writes them.
//!
//! Not implemented, each a [`Problem`] naming the field rather than a wrong result:
//! plugin `generators`/`validators`, non-builtin `transformers`, `openapi`,
//! `buildMetadata`, and `helmChartInflationGenerator`. Remote resources are skipped
//! with a note.

pub mod patch;

mod argo;
mod decode;
mod defaults;
mod fieldspec;
mod generators;
mod hash;
mod helm;
mod kustomization;
mod loader;
mod normalise;
mod order;
mod patches;
mod plugins;
mod references;
mod replacements;
mod resource;
mod resources;
#[cfg(test)]
mod tests;
mod transformers;
mod vars;

use std::collections::HashMap;
use std::sync::Arc;

use super::files::{Problem, RepoFiles};
use super::value::Value;
use crate::source::{FileId, Span};
use fieldspec::TransformerConfig;
use kustomization::{Kustomization, problem};
use resource::Resource;

/// What a kustomization renders.
#[derive(Debug, Default)]
pub struct Output {
    pub objects: Vec<Value>,
    /// Things skipped on purpose (a remote resource), reported as notes.
    pub notes: Vec<Problem>,
}

/// Kustomizations nested deeper than this are refused (a hostile or broken repository).
const MAX_DEPTH: usize = 64;

/// Builds the kustomization in directory `dir` (repository-relative) the way
/// `kustomize build` does, after applying an Argo CD Application's `kustomize` options
/// (`argo_options`, the source's `kustomize` block) as Argo CD does.
pub fn build(
    files: &dyn RepoFiles,
    dir: &str,
    argo_options: Option<&Value>,
) -> Result<Output, Problem> {
    let mut notes = Vec::new();
    match build_with_notes(files, dir, argo_options, &mut notes) {
        Ok(output) => Ok(output),
        // Without the remote parts synclint does not fetch, a failure says nothing of
        // the kustomization itself: a note, not a render error.
        // A missing local file is the kustomization's own fault either way.
        Err(failure) if !notes.is_empty() && !failure.message.contains("no such file") => {
            notes.push(Problem {
                message: format!(
                    "not rendered: without the remote parts above, {}",
                    failure.message
                ),
                ..failure
            });
            Ok(Output {
                objects: Vec::new(),
                notes,
            })
        }
        Err(failure) => Err(failure),
    }
}

fn build_with_notes(
    files: &dyn RepoFiles,
    dir: &str,
    argo_options: Option<&Value>,
    notes: &mut Vec<Problem>,
) -> Result<Output, Problem> {
    let dir = loader::join("", dir).ok_or_else(|| {
        problem(
            Span::default(),
            format!("`{dir}` leads outside the repository"),
        )
    })?;
    let mut builder = Builder {
        files,
        notes: Vec::new(),
        stack: Vec::new(),
        texts: HashMap::new(),
    };
    let mut kustomization = builder.load_kustomization(&dir, Span::default())?;
    if let Some(options) = argo_options {
        argo::apply(&mut builder, &mut kustomization, options)?;
    }
    builder.stack.push(dir);
    let accumulated = builder.accumulate(&kustomization, Accumulator::default());
    notes.append(&mut builder.notes);
    let accumulator = accumulated?;
    let Accumulator {
        mut resources,
        config,
        vars,
    } = accumulator;
    hash::add_name_hashes(&mut resources)?;
    references::fix(&mut resources, &config)?;
    vars::resolve(&mut resources, &vars, &config)?;
    resources.retain(|r| !is_local_config(r));
    order::sort(&mut resources, kustomization.sort_options.as_ref())?;
    for resource in &mut resources {
        drop_empty_annotations(&mut resource.value);
        normalise::normalise(&mut resource.value)?;
    }
    notes.append(&mut builder.notes);
    Ok(Output {
        objects: resources.into_iter().map(|r| r.value).collect(),
        notes: std::mem::take(notes),
    })
}

/// Kustomize removes its internal annotations at the end, and an annotation map left
/// empty (or that was empty or null) goes with them.
fn drop_empty_annotations(object: &mut Value) {
    if let Some(metadata) = object.get_mut("metadata")
        && metadata
            .get("annotations")
            .is_some_and(|a| a.is_null() || (a.is_map() && a.entries().is_empty()))
    {
        metadata.remove("annotations");
    }
}

/// `config.kubernetes.io/local-config: "true"` objects are for tools, not the cluster.
fn is_local_config(resource: &Resource) -> bool {
    resource
        .value
        .path(&[
            "metadata",
            "annotations",
            "config.kubernetes.io/local-config",
        ])
        .and_then(Value::as_str)
        == Some("true")
}

/// One build's state: where files come from, notes, and the kustomizations being built.
struct Builder<'f> {
    files: &'f dyn RepoFiles,
    notes: Vec<Problem>,
    /// Directories of the kustomizations being built, outermost first.
    stack: Vec<String>,
    /// Texts of files read, to locate YAML written inside strings.
    texts: HashMap<FileId, Arc<str>>,
}

/// Resources collected so far, and the transformer configuration and vars gathered
/// from every kustomization they came through.
#[derive(Debug, Default)]
struct Accumulator {
    resources: Vec<Resource>,
    config: TransformerConfig,
    vars: Vec<vars::Var>,
}

impl Accumulator {
    /// Adds a resource; two resources with one current id fail the build.
    fn append(&mut self, resource: Resource, at: Span) -> Result<(), Problem> {
        let id = resource.current_id();
        if self
            .resources
            .iter()
            .any(|r| r.name() == id.name && r.current_id().equals(&id))
        {
            return Err(problem(
                at,
                format!(
                    "may not add resource with an already registered id: {}",
                    id.display()
                ),
            ));
        }
        self.resources.push(resource);
        Ok(())
    }

    /// Takes in what a sub-kustomization built.
    fn merge(&mut self, other: Accumulator, at: Span) -> Result<(), Problem> {
        for resource in other.resources {
            self.append(resource, at)?;
        }
        self.config
            .merge(&other.config)
            .map_err(|e| problem(at, e))?;
        vars::merge(&mut self.vars, other.vars, at)
    }
}

impl Builder<'_> {
    /// Reads and parses the kustomization file in `dir`; `at` is what named the directory.
    fn load_kustomization(&mut self, dir: &str, at: Span) -> Result<Kustomization, Problem> {
        let file = self
            .kustomization_file(dir)
            .map_err(|e| problem(at, e))?
            .ok_or_else(|| {
                problem(
                    at,
                    format!(
                        "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{}'",
                        kustomization::display_dir(dir)
                    ),
                )
            })?;
        // Remember the text: inline patches in it are located through it.
        let _ = self.read_text(&file);
        let documents = match self.read_yaml(&file) {
            Some(Ok(documents)) => documents,
            Some(Err(e)) => return Err(problem(at, format!("`{file}`: {e}"))),
            None => return Err(problem(at, format!("cannot read `{file}`"))),
        };
        let Some(root) = documents.first() else {
            return Err(problem(
                at,
                format!("`{file}`: kustomization.yaml is empty"),
            ));
        };
        Kustomization::parse(root, dir)
    }

    /// Kustomize's `accumulateTarget`: resources, generators, components, transformers.
    fn accumulate(
        &mut self,
        kustomization: &Kustomization,
        mut accumulator: Accumulator,
    ) -> Result<Accumulator, Problem> {
        self.refuse_unsupported(kustomization)?;
        for entry in &kustomization.resources {
            self.accumulate_resource(kustomization, entry, &mut accumulator)?;
        }
        let config = self.transformer_config(kustomization)?;
        accumulator
            .config
            .merge(&config)
            .map_err(|e| problem(kustomization.span, e))?;
        generators::run(self, kustomization, &mut accumulator)?;
        for entry in &kustomization.components {
            accumulator = self.accumulate_component(kustomization, entry, accumulator)?;
        }
        transformers::run(self, kustomization, &mut accumulator)?;
        plugins::run(self, kustomization, &mut accumulator)?;
        let own_vars = vars::parse(&kustomization.vars)?;
        vars::bind(&mut accumulator.resources, &own_vars)?;
        vars::merge(&mut accumulator.vars, own_vars, kustomization.span)?;
        Ok(accumulator)
    }

    /// Fields whose effect we do not reproduce fail the render instead of being ignored.
    fn refuse_unsupported(&self, k: &Kustomization) -> Result<(), Problem> {
        let unsupported = |field: &str, span: Span| {
            Err(problem(
                span,
                format!(
                    "the kustomization field `{field}` is not supported by synclint's Kustomize"
                ),
            ))
        };
        if let Some(v) = k.generators.first() {
            return unsupported("generators", v.span);
        }
        if let Some(v) = k.validators.first() {
            return unsupported("validators", v.span);
        }
        if let Some(v) = &k.openapi {
            return unsupported("openapi", v.span);
        }
        if let Some(t) = k.build_metadata.first() {
            return unsupported("buildMetadata", t.span);
        }
        if let Some(v) = k.helm_chart_inflation_generator.first() {
            return unsupported("helmChartInflationGenerator", v.span);
        }
        Ok(())
    }

    /// The defaults plus this kustomization's `configurations` and `crds`.
    fn transformer_config(&mut self, k: &Kustomization) -> Result<TransformerConfig, Problem> {
        let mut config = TransformerConfig::defaults().clone();
        for entry in &k.configurations {
            let path = self.file_in(&k.dir, entry)?;
            let documents = match self.read_yaml(&path) {
                Some(Ok(d)) => d,
                Some(Err(e)) => return Err(problem(entry.span, format!("`{path}`: {e}"))),
                None => {
                    return Err(problem(
                        entry.span,
                        format!("open {path}: no such file or directory"),
                    ));
                }
            };
            for document in &documents {
                let custom = TransformerConfig::parse(document)
                    .map_err(|e| problem(entry.span, format!("`{path}`: {e}")))?;
                config.merge(&custom).map_err(|e| problem(entry.span, e))?;
            }
        }
        if let Some(entry) = k.crds.first() {
            return Err(problem(
                entry.span,
                "the kustomization field `crds` is not supported by synclint's Kustomize",
            ));
        }
        Ok(config)
    }

    /// Enters a sub-kustomization directory, refusing cycles and excessive depth.
    fn enter(&mut self, dir: &str, at: Span) -> Result<(), Problem> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(problem(
                at,
                format!("kustomizations nested more than {MAX_DEPTH} deep"),
            ));
        }
        if let Some(current) = self.stack.last()
            && loader::within(current, dir)
        {
            return Err(problem(
                at,
                format!(
                    "cycle detected: candidate root '{}' contains visited root '{}'",
                    kustomization::display_dir(dir),
                    kustomization::display_dir(current)
                ),
            ));
        }
        if self.stack.iter().any(|d| d == dir) {
            return Err(problem(
                at,
                format!(
                    "cycle detected: '{}' includes itself",
                    kustomization::display_dir(dir)
                ),
            ));
        }
        self.stack.push(dir.to_string());
        Ok(())
    }
}
