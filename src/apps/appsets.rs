//! ApplicationSets, expanded offline (argocd-semantics.md §4 "ApplicationSets"): the
//! generated Applications become a rendered output whose fields point at the template
//! fields (and generator elements) they came from, and are resolved like any other
//! Application in the next round.

use std::collections::{BTreeSet, HashMap};

use super::rendered::RenderedOutput;
use super::source::{Draft, failed};
use super::{App, Origin, Settings};
use crate::appset::{self, FieldSource, RepoView, SuppliedParams};
use crate::diagnostic::Severity;
use crate::discover::parent;
use crate::render::files::{RepoFiles, Workspace};
use crate::render::value::{Node, Value};
use crate::source::{FileId, Span};

/// The checkout as the Git generators see it.
struct Checkout<'w, 'l> {
    ws: &'w Workspace<'l>,
    settings: &'w Settings<'w>,
}

impl RepoView for Checkout<'_, '_> {
    fn list_dirs(&self) -> Vec<String> {
        let mut dirs = BTreeSet::new();
        for f in self.ws.loaded.subtree("") {
            let mut dir = parent(&f.rel);
            while !dir.is_empty() && dirs.insert(dir.to_string()) {
                dir = parent(dir);
            }
        }
        dirs.into_iter().collect()
    }

    fn list_files(&self) -> Vec<String> {
        self.ws.loaded.subtree("").map(|f| f.rel.clone()).collect()
    }

    fn read_file(&self, path: &str) -> Option<String> {
        self.ws.text(path).map(|(_, text)| text.to_string())
    }

    fn is_checkout(&self, repo_url: &str, _revision: &str) -> bool {
        self.settings.identity.is_this(repo_url).unwrap_or(true)
    }
}

/// Expands the ApplicationSet `index` of `file` into a draft whose one output holds
/// the generated Applications; the draft is not an app itself.
pub(super) fn expand(ws: &Workspace, settings: &Settings, file: FileId, index: usize) -> Draft {
    let loaded = ws.loaded;
    let object = &loaded.file(file).objects[index];
    let tree = loaded.tree(file);
    let app = App {
        name: object.name.clone(),
        origin: Origin::ApplicationSet {
            file,
            root: object.root,
        },
        members: Vec::new(),
        helm: Vec::new(),
        paths: Vec::new(),
    };
    let mut draft = Draft::new(app, String::new());
    let Some(spec_node) = tree.get(object.root, "spec") else {
        return draft;
    };
    let spec = Value::from_tree(tree, spec_node);
    let json = match appset::node_to_json(tree, spec_node) {
        Ok(json) => json,
        Err(message) => {
            draft
                .findings
                .push(failed(spec.span, Severity::Error, message));
            return draft;
        }
    };
    let supplied = SuppliedParams {
        by_generator: settings
            .generator_params
            .iter()
            .map(|(name, sets)| {
                let sets = sets.iter().filter_map(|s| s.as_object().cloned()).collect();
                (name.clone(), sets)
            })
            .collect::<HashMap<_, _>>(),
        new_git_file_globbing: false,
    };
    let checkout = Checkout { ws, settings };
    let expansion = appset::expand(&json, &checkout, &supplied);
    let name = &object.name;
    for note in &expansion.notes {
        let at = at_pointer(&spec, &note.pointer).unwrap_or(spec.span);
        draft.findings.push(failed(
            at,
            Severity::Note,
            format!("ApplicationSet `{name}`: {}", note.message),
        ));
    }
    if !expansion.errors.is_empty() {
        // Argo CD applies none of the set's Applications when any part fails.
        for error in &expansion.errors {
            let at = at_pointer(&spec, &error.pointer).unwrap_or(spec.span);
            draft.findings.push(failed(
                at,
                Severity::Error,
                format!(
                    "ApplicationSet `{name}` cannot be expanded: {}; Argo CD generates none of its Applications",
                    error.message
                ),
            ));
        }
        return draft;
    }
    let namespace = object.namespace.clone();
    let template_span = spec.get("template").map(|t| t.span).unwrap_or(spec.span);
    let objects = expansion
        .applications
        .iter()
        .map(|generated| {
            let mut json = generated.application.clone();
            if let Some(map) = json.as_object_mut() {
                map.insert("apiVersion".into(), "argoproj.io/v1alpha1".into());
                map.insert("kind".into(), "Application".into());
            }
            if let (Some(ns), Some(metadata)) = (
                &namespace,
                json.get_mut("metadata").and_then(|m| m.as_object_mut()),
            ) {
                metadata.insert("namespace".into(), ns.clone().into());
            }
            let mut value = Value::from_json(&json, template_span);
            place(&mut value, "", &spec, &generated.fields);
            value
        })
        .collect();
    draft.outputs.push((
        0,
        RenderedOutput {
            id: FileId(0),
            label: format!("applicationset {name}"),
            objects,
        },
    ));
    draft
}

/// The span of the spec node at a JSON pointer (the key, for a map entry).
fn at_pointer(spec: &Value, pointer: &str) -> Option<Span> {
    let mut at = spec;
    let mut span = spec.span;
    for raw in pointer.split('/').skip(1) {
        let part = raw.replace("~1", "/").replace("~0", "~");
        if let Ok(i) = part.parse::<usize>()
            && at.is_seq()
        {
            at = at.items().get(i)?;
            span = at.span;
        } else {
            let (key, value) = at.entry(&part)?;
            span = key.span;
            at = value;
        }
    }
    Some(if pointer.is_empty() { at.span } else { span })
}

/// Gives each generated node the span of the spec field it came from.
fn place(value: &mut Value, pointer: &str, spec: &Value, fields: &[FieldSource]) {
    if let Some(source) = fields.iter().find(|f| f.output == pointer)
        && let Some(span) = value_span(spec, &source.source)
    {
        value.span = span;
    }
    let parent_span = value.span;
    match &mut value.node {
        Node::Map(entries) => {
            for (key, child) in entries.iter_mut() {
                let child_pointer = format!(
                    "{pointer}/{}",
                    key.name.replace('~', "~0").replace('/', "~1")
                );
                if let Some(source) = fields.iter().find(|f| f.output == child_pointer)
                    && let Some(span) = at_pointer(spec, &source.source)
                {
                    key.span = span;
                } else {
                    key.span = parent_span;
                }
                place(child, &child_pointer, spec, fields);
            }
        }
        Node::Seq(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                place(item, &format!("{pointer}/{i}"), spec, fields);
            }
        }
        Node::Scalar(_) => {}
    }
}

/// The span of the spec value (not key) at a pointer.
fn value_span(spec: &Value, pointer: &str) -> Option<Span> {
    let mut at = spec;
    for raw in pointer.split('/').skip(1) {
        let part = raw.replace("~1", "/").replace("~0", "~");
        at = match part.parse::<usize>() {
            Ok(i) if at.is_seq() => at.items().get(i)?,
            _ => at.get(&part)?,
        };
    }
    Some(at.span)
}
