//! Rendering an Application template with one parameter set (`RenderTemplateParams`):
//! every string value and every map key goes through the template engine, structure
//! and other scalars stay as they are. Then `templatePatch`.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::gotemplate::{self, Budget, Data};
use super::{ExpandError, FieldSource, Params, TemplateError, Templating, fasttemplate};

/// A parameter set ready for one engine.
pub(crate) enum Prepared<'p> {
    Flat(&'p Params),
    Go(Data),
}

/// The ApplicationSet's engine with the expansion's shared step budget.
pub(crate) struct Renderer<'b> {
    pub templating: Templating,
    pub budget: &'b Budget,
}

impl Renderer<'_> {
    pub fn prepare<'p>(&self, params: &'p Params) -> Prepared<'p> {
        if self.templating.go_template {
            Prepared::Go(Data::new(params))
        } else {
            Prepared::Flat(params)
        }
    }

    pub fn render(&self, text: &str, data: &Prepared) -> Result<String, TemplateError> {
        match data {
            Prepared::Flat(params) => {
                // fasttemplate is linear, but many renders of long text still add up.
                if !self.budget.spend(text.len() as u64 / 16 + 1) {
                    return Err(TemplateError {
                        message: "template evaluation budget exhausted".into(),
                        offset: 0,
                    });
                }
                fasttemplate::render(text, params)
            }
            Prepared::Go(data) => {
                gotemplate::render_data(text, data, self.templating.missing_key, self.budget)
            }
        }
    }
}

/// A JSON pointer step: `~` and `/` escaped.
pub(crate) fn pointer_step(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Nodes one rendered value may have; the template is user input.
const MAX_DEPTH: usize = 256;

struct Walk<'r, 'b, 'd, 'p> {
    renderer: &'r Renderer<'b>,
    data: &'d Prepared<'p>,
    fields: Vec<FieldSource>,
}

impl Walk<'_, '_, '_, '_> {
    fn fail(pointer: &str, error: TemplateError) -> ExpandError {
        ExpandError {
            pointer: pointer.to_string(),
            message: error.message,
            offset: Some(error.offset),
        }
    }

    fn value(
        &mut self,
        v: &Value,
        output: &str,
        source: &str,
        depth: usize,
    ) -> Result<Value, ExpandError> {
        if depth > MAX_DEPTH {
            return Err(ExpandError::new(source, "the template nests too deeply"));
        }
        self.fields.push(FieldSource {
            output: output.to_string(),
            source: source.to_string(),
        });
        Ok(match v {
            Value::String(s) => Value::String(
                self.renderer
                    .render(s, self.data)
                    .map_err(|e| Self::fail(source, e))?,
            ),
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    out.push(self.value(
                        item,
                        &format!("{output}/{i}"),
                        &format!("{source}/{i}"),
                        depth + 1,
                    )?);
                }
                Value::Array(out)
            }
            Value::Object(map) => {
                let mut out = Map::new();
                for (key, item) in map {
                    let source = format!("{source}/{}", pointer_step(key));
                    // Keys are templated too (labels and annotations are Go maps).
                    let rendered_key = self
                        .renderer
                        .render(key, self.data)
                        .map_err(|e| Self::fail(&source, e))?;
                    let output = format!("{output}/{}", pointer_step(&rendered_key));
                    let rendered = self.value(item, &output, &source, depth + 1)?;
                    out.insert(rendered_key, rendered);
                }
                Value::Object(out)
            }
            other => other.clone(),
        })
    }
}

/// Renders every string and map key of `value`; `fields` maps each output node's
/// pointer to the pointer of the input node it came from.
pub(crate) fn render_json(
    value: &Value,
    params: &Params,
    renderer: &Renderer,
) -> Result<(Value, Vec<FieldSource>), ExpandError> {
    let data = renderer.prepare(params);
    let mut walk = Walk {
        renderer,
        data: &data,
        fields: Vec::new(),
    };
    let rendered = walk.value(value, "", "", 0)?;
    Ok((rendered, walk.fields))
}

/// A rendered template and where each of its nodes came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Rendered {
    pub value: Value,
    /// Output pointer to input pointer, for every node of `value`.
    pub fields: Vec<FieldSource>,
}

/// Renders every string (and map key) of `template` with one parameter set, as Argo CD
/// renders an Application template. Errors point into `template`.
pub fn render_template(
    template: &Value,
    params: &Params,
    templating: &Templating,
) -> Result<Rendered, ExpandError> {
    let budget = Budget::new(10_000_000);
    let renderer = Renderer {
        templating: *templating,
        budget: &budget,
    };
    let (value, fields) = render_json(template, params, &renderer)?;
    Ok(Rendered { value, fields })
}

/// The generator's template over the ApplicationSet's (`mergo.Merge` without override:
/// the generator's non-empty fields win, empty ones are filled), with the origin of
/// every part: pointer in the merged template to pointer in the ApplicationSet spec.
pub(crate) struct SourcedTemplate {
    pub value: Value,
    origins: BTreeMap<String, String>,
}

impl SourcedTemplate {
    pub fn new(
        generator: Option<(&Value, String)>,
        base: &Value,
        base_pointer: &str,
    ) -> SourcedTemplate {
        let mut origins = BTreeMap::new();
        let value = match generator {
            Some((template, pointer)) if template.as_object().is_some_and(|m| !m.is_empty()) => {
                origins.insert(String::new(), pointer);
                let mut value = template.clone();
                fill_empty(&mut value, base, "", base_pointer, &mut origins);
                value
            }
            _ => {
                origins.insert(String::new(), base_pointer.to_string());
                base.clone()
            }
        };
        SourcedTemplate { value, origins }
    }

    /// The spec pointer of a node of the merged template.
    pub fn source_of(&self, pointer: &str) -> String {
        let mut prefix = pointer;
        loop {
            if let Some(source) = self.origins.get(prefix) {
                return format!("{source}{}", &pointer[prefix.len()..]);
            }
            match prefix.rfind('/') {
                Some(i) => prefix = &prefix[..i],
                None => return pointer.to_string(),
            }
        }
    }
}

/// mergo's idea of an empty value.
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
    }
}

fn fill_empty(
    dest: &mut Value,
    src: &Value,
    pointer: &str,
    src_pointer: &str,
    origins: &mut BTreeMap<String, String>,
) {
    let (Value::Object(dest), Value::Object(src)) = (dest, src) else {
        return;
    };
    for (key, value) in src {
        let child = format!("{pointer}/{}", pointer_step(key));
        let child_src = format!("{src_pointer}/{}", pointer_step(key));
        match dest.get_mut(key) {
            Some(existing) if !is_empty(existing) => {
                if existing.is_object() && value.is_object() {
                    fill_empty(existing, value, &child, &child_src, origins);
                }
            }
            _ => {
                dest.insert(key.clone(), value.clone());
                origins.insert(child, child_src);
            }
        }
    }
}

/// The Application an ApplicationSet template describes: the metadata fields Argo CD
/// copies (name, namespace, labels, annotations, finalizers) and the spec.
pub(crate) fn application_skeleton(template: &Value) -> Value {
    let mut metadata = Map::new();
    if let Some(meta) = template.get("metadata").and_then(Value::as_object) {
        for field in ["name", "namespace", "labels", "annotations", "finalizers"] {
            if let Some(v) = meta.get(field) {
                metadata.insert(field.to_string(), v.clone());
            }
        }
    }
    let mut app = Map::new();
    app.insert("metadata".into(), Value::Object(metadata));
    app.insert(
        "spec".into(),
        template
            .get("spec")
            .cloned()
            .unwrap_or(Value::Object(Map::new())),
    );
    Value::Object(app)
}

const RESOURCES_FINALIZER: &str = "resources-finalizer.argocd.argoproj.io";

/// Argo CD adds the resources finalizer to a rendered Application without finalizers,
/// unless the ApplicationSet preserves resources on deletion.
pub(crate) fn add_default_finalizer(app: &mut Value, preserve_resources: bool) {
    if preserve_resources {
        return;
    }
    let Some(metadata) = app.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    let empty = metadata
        .get("finalizers")
        .is_none_or(|f| f.as_array().is_none_or(|a| a.is_empty()));
    if empty {
        metadata.insert(
            "finalizers".into(),
            Value::Array(vec![Value::String(RESOURCES_FINALIZER.into())]),
        );
    }
}

/// Applies a rendered `templatePatch` to an Application. Argo CD uses a strategic
/// merge patch against the Application type; this is a JSON merge patch (maps merge,
/// `null` deletes, lists are replaced) except that `metadata.finalizers` are merged as
/// a set, which is what the strategic patch does for the Application's fields. The
/// project cannot be changed by a patch. Returns the pointers the patch set.
pub(crate) fn apply_rendered_patch(
    app: &mut Value,
    patch_text: &str,
) -> Result<Vec<String>, String> {
    let patch = if patch_text.trim_start().starts_with('{') {
        serde_json::from_str(patch_text).map_err(|e| format!("invalid templatePatch: {e}"))?
    } else {
        super::yaml::parse_yaml(patch_text)
            .map_err(|e| format!("error while converting template to json: {e}"))?
            .unwrap_or(Value::Null)
    };
    let Value::Object(patch) = patch else {
        if patch.is_null() {
            return Ok(Vec::new());
        }
        return Err("invalid templatePatch: it is not a map".into());
    };
    let project = app.pointer("/spec/project").cloned();
    let mut touched = Vec::new();
    if let Value::Object(target) = app {
        for (key, value) in &patch {
            // Only metadata and spec become part of the Application object we model.
            if key == "metadata" || key == "spec" {
                merge_patch(target, key, value, &format!("/{key}"), &mut touched, 0);
            }
        }
    }
    if let Some(spec) = app.get_mut("spec").and_then(Value::as_object_mut) {
        match project {
            Some(p) => {
                spec.insert("project".into(), p);
            }
            None => {
                spec.remove("project");
            }
        }
    }
    touched.retain(|p| p != "/spec/project");
    Ok(touched)
}

fn merge_patch(
    target: &mut Map<String, Value>,
    key: &str,
    patch: &Value,
    pointer: &str,
    touched: &mut Vec<String>,
    depth: usize,
) {
    match patch {
        Value::Null => {
            if target.remove(key).is_some() {
                touched.push(pointer.to_string());
            }
        }
        Value::Object(fields) if depth < MAX_DEPTH => {
            if !target.get(key).is_some_and(Value::is_object) {
                target.insert(key.to_string(), Value::Object(Map::new()));
                touched.push(pointer.to_string());
            }
            if let Some(Value::Object(inner)) = target.get_mut(key) {
                for (k, v) in fields {
                    merge_patch(
                        inner,
                        k,
                        v,
                        &format!("{pointer}/{}", pointer_step(k)),
                        touched,
                        depth + 1,
                    );
                }
            }
        }
        Value::Array(items) if pointer == "/metadata/finalizers" => {
            let mut merged = target
                .get(key)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for item in items {
                if !merged.contains(item) {
                    merged.push(item.clone());
                }
            }
            target.insert(key.to_string(), Value::Array(merged));
            touched.push(pointer.to_string());
        }
        other => {
            target.insert(key.to_string(), other.clone());
            touched.push(pointer.to_string());
        }
    }
}

/// Renders `patch` with `params` and applies it to `application` (see
/// [`apply_rendered_patch`] for the merge rules). Returns the pointers it set.
pub fn apply_template_patch(
    application: &mut Value,
    patch: &str,
    params: &Params,
    templating: &Templating,
) -> Result<Vec<String>, ExpandError> {
    let budget = Budget::new(10_000_000);
    let renderer = Renderer {
        templating: *templating,
        budget: &budget,
    };
    let rendered = renderer
        .render(patch, &renderer.prepare(params))
        .map_err(|e| Walk::fail("/templatePatch", e))?;
    apply_rendered_patch(application, &rendered).map_err(|m| ExpandError::new("/templatePatch", m))
}

/// Every node under `pointer` in `value`, as (pointer, the same source) pairs.
pub(crate) fn fields_under(value: &Value, pointer: &str, source: &str, out: &mut Vec<FieldSource>) {
    let Some(node) = value.pointer(pointer) else {
        return;
    };
    let mut stack = vec![(pointer.to_string(), node)];
    while let Some((p, v)) = stack.pop() {
        match v {
            Value::Object(map) => {
                for (k, item) in map {
                    stack.push((format!("{p}/{}", pointer_step(k)), item));
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    stack.push((format!("{p}/{i}"), item));
                }
            }
            _ => {}
        }
        out.push(FieldSource {
            output: p,
            source: source.to_string(),
        });
    }
}
