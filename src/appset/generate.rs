//! Generator dispatch, the list generator, generators fed from supplied parameters,
//! generator `values`, and label selectors over parameter sets.

use std::cell::{OnceCell, RefCell};
use std::collections::BTreeMap;

use serde_json::Value;

use super::params::{flatten, go_sprint};
use super::template::Renderer;
use super::{ExpandError, Note, Params, RepoView, SuppliedParams};

/// Generator fields in the order Argo CD's `ApplicationSetGenerator` declares them,
/// which is the order it runs them in when one entry sets several.
const KINDS: &[&str] = &[
    "list",
    "clusters",
    "git",
    "scmProvider",
    "clusterDecisionResource",
    "pullRequest",
    "matrix",
    "merge",
    "plugin",
];

/// Parameter sets one generator may produce (a matrix multiplies).
pub(crate) const MAX_PARAM_SETS: usize = 10_000;

pub(crate) struct Ctx<'a, 'b> {
    pub repo: &'a dyn RepoView,
    pub supplied: &'a SuppliedParams,
    pub renderer: Renderer<'b>,
    pub apply_nested_selectors: bool,
    pub notes: RefCell<Vec<Note>>,
    /// The checkout's listings, read once: a matrix runs its second child per set.
    pub dirs: OnceCell<Vec<String>>,
    pub files: OnceCell<Vec<String>>,
}

impl Ctx<'_, '_> {
    pub fn go_template(&self) -> bool {
        self.renderer.templating.go_template
    }

    pub fn dirs(&self) -> &[String] {
        self.dirs
            .get_or_init(|| super::git::walk_order(self.repo.list_dirs()))
    }

    pub fn files(&self) -> &[String] {
        self.files.get_or_init(|| self.repo.list_files())
    }

    pub fn note(&self, pointer: &str, message: impl Into<String>) {
        self.notes.borrow_mut().push(Note {
            pointer: pointer.to_string(),
            message: message.into(),
        });
    }
}

/// Why a generator produced nothing.
#[derive(Debug)]
pub(crate) enum Failure {
    /// It needs something offline expansion does not have (a cluster, another repo).
    Skipped(Note),
    /// Argo CD would fail too.
    Error(ExpandError),
}

impl From<ExpandError> for Failure {
    fn from(e: ExpandError) -> Failure {
        Failure::Error(e)
    }
}

pub(crate) type Generated = Result<Vec<Params>, Failure>;

pub(crate) fn error(pointer: &str, message: impl Into<String>) -> Failure {
    Failure::Error(ExpandError::new(pointer, message))
}

/// The generator kinds an entry sets (a `null` field is unset).
pub(crate) fn kinds_of(map: &serde_json::Map<String, Value>) -> Vec<&'static str> {
    KINDS
        .iter()
        .copied()
        .filter(|k| map.get(*k).is_some_and(|v| !v.is_null()))
        .collect()
}

/// Runs one generator. `depth` is 0 for a top-level generator and grows inside matrix
/// and merge.
pub(crate) fn params_for(
    kind: &str,
    body: &Value,
    pointer: &str,
    ctx: &Ctx,
    depth: usize,
) -> Generated {
    if !body.is_object() {
        return Err(error(pointer, format!("the {kind} generator is not a map")));
    }
    match kind {
        "list" => list(body, pointer, ctx),
        "git" => super::git::params(body, pointer, ctx),
        "matrix" => super::combine::matrix(body, pointer, ctx, depth),
        "merge" => super::combine::merge(body, pointer, ctx, depth),
        _ => supplied(kind, body, pointer, ctx),
    }
}

/// The list generator: `elements` (with goTemplate, as they are; otherwise every value
/// must be a string, and a `values` map becomes `values.*`), then `elementsYaml`
/// (appended as parsed, in both modes, as Argo CD does).
fn list(body: &Value, pointer: &str, ctx: &Ctx) -> Generated {
    let mut out = Vec::new();
    match body.get("elements") {
        None | Some(Value::Null) => {}
        Some(Value::Array(elements)) => {
            for (i, element) in elements.iter().enumerate() {
                let element_pointer = format!("{pointer}/elements/{i}");
                let Value::Object(map) = element else {
                    return Err(error(
                        &element_pointer,
                        "error unmarshling list element: not a map",
                    ));
                };
                out.push(if ctx.go_template() {
                    map.clone()
                } else {
                    flat_list_element(map, &element_pointer)?
                });
            }
        }
        Some(_) => return Err(error(pointer, "elements is not a list")),
    }
    if let Some(text) = body
        .get("elementsYaml")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
    {
        let yaml_pointer = format!("{pointer}/elementsYaml");
        let parsed = super::yaml::parse_yaml(text).map_err(|e| {
            error(
                &yaml_pointer,
                format!("error unmarshling decoded ElementsYaml: {e}"),
            )
        })?;
        match parsed {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for item in items {
                    match item {
                        Value::Object(map) => out.push(map),
                        Value::Null => out.push(Params::new()),
                        _ => {
                            return Err(error(
                                &yaml_pointer,
                                "error unmarshling decoded ElementsYaml: an element is not a map",
                            ));
                        }
                    }
                }
            }
            Some(_) => {
                return Err(error(
                    &yaml_pointer,
                    "error unmarshling decoded ElementsYaml: not a list",
                ));
            }
        }
    }
    Ok(out)
}

fn flat_list_element(map: &Params, pointer: &str) -> Result<Params, Failure> {
    let mut params = Params::new();
    for (key, value) in map {
        if key == "values" {
            let Value::Object(values) = value else {
                return Err(error(
                    &format!("{pointer}/values"),
                    "error parsing values map",
                ));
            };
            for (k, v) in values {
                let Value::String(s) = v else {
                    return Err(error(
                        &format!("{pointer}/values/{k}"),
                        "error parsing value as string",
                    ));
                };
                params.insert(format!("values.{k}"), Value::String(s.clone()));
            }
        } else {
            let Value::String(s) = value else {
                return Err(error(
                    &format!("{pointer}/{key}"),
                    "error parsing value as string",
                ));
            };
            params.insert(key.clone(), Value::String(s.clone()));
        }
    }
    Ok(params)
}

/// Generators that need a cluster or an API: the caller's parameter sets, or a note.
fn supplied(kind: &str, body: &Value, pointer: &str, ctx: &Ctx) -> Generated {
    let Some(sets) = ctx.supplied.by_generator.get(kind) else {
        return Err(Failure::Skipped(Note {
            pointer: pointer.to_string(),
            message: format!(
                "the {kind} generator needs a cluster or an API; supply its parameter sets in the synclint config to expand it"
            ),
        }));
    };
    let mut out = Vec::new();
    for set in sets {
        if kind == "clusters" && !cluster_selected(body.get("selector"), set, pointer)? {
            continue;
        }
        let mut params = if ctx.go_template() {
            set.clone()
        } else {
            flatten(set)
        };
        append_values(
            body.get("values"),
            &mut params,
            &format!("{pointer}/values"),
            ctx,
        )?;
        out.push(params);
    }
    Ok(out)
}

/// The cluster generator's own selector, over the cluster Secret's labels.
fn cluster_selected(
    selector: Option<&Value>,
    set: &Params,
    pointer: &str,
) -> Result<bool, Failure> {
    let Some(selector) = selector.filter(|s| !s.is_null()) else {
        return Ok(true);
    };
    let mut labels = BTreeMap::new();
    if let Some(Value::Object(nested)) = set.get("metadata").and_then(|m| m.get("labels")) {
        for (k, v) in nested {
            labels.insert(k.clone(), go_sprint(v));
        }
    }
    for (k, v) in set {
        if let Some(label) = k.strip_prefix("metadata.labels.") {
            labels.insert(label.to_string(), go_sprint(v));
        }
    }
    matches_selector(selector, &labels, &format!("{pointer}/selector"))
}

/// A generator's `values`: each templated with the generator's parameters (not with
/// each other), then added as `values.<key>` (flat) or a `values` map (goTemplate).
pub(crate) fn append_values(
    values: Option<&Value>,
    params: &mut Params,
    pointer: &str,
    ctx: &Ctx,
) -> Result<(), Failure> {
    let values = match values {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Object(values)) => values,
        Some(_) => return Err(error(pointer, "values is not a map")),
    };
    let data = ctx.renderer.prepare(params);
    let mut rendered = Params::new();
    for (key, value) in values {
        let key_pointer = format!("{pointer}/{}", super::template::pointer_step(key));
        let Value::String(text) = value else {
            return Err(error(&key_pointer, "a value in values is not a string"));
        };
        let result = ctx.renderer.render(text, &data).map_err(|e| {
            Failure::Error(ExpandError {
                pointer: key_pointer.clone(),
                message: format!("failed to append templated values: {}", e.message),
                offset: Some(e.offset),
            })
        })?;
        rendered.insert(key.clone(), Value::String(result));
    }
    drop(data);
    if ctx.go_template() {
        params.insert("values".into(), Value::Object(rendered));
    } else {
        for (key, value) in rendered {
            params.insert(format!("values.{key}"), value);
        }
    }
    Ok(())
}

/// A generator entry's `selector`: keeps the parameter sets whose flattened string
/// values match it.
pub(crate) fn select(params: Vec<Params>, selector: Option<&Value>, pointer: &str) -> Generated {
    let Some(selector) = selector.filter(|s| !s.is_null()) else {
        return Ok(params);
    };
    let selector_pointer = format!("{pointer}/selector");
    let mut out = Vec::new();
    for set in params {
        // Argo's flattenParameters: nested values as dotted keys, leaves as `%v`.
        let labels: BTreeMap<String, String> = flatten(&set)
            .into_iter()
            .map(|(k, v)| (k, v.as_str().unwrap_or_default().to_string()))
            .collect();
        if matches_selector(selector, &labels, &selector_pointer)? {
            out.push(set);
        }
    }
    Ok(out)
}

/// A Kubernetes label selector (`matchLabels`, `matchExpressions` with In, NotIn,
/// Exists, DoesNotExist). An empty selector matches everything.
pub(crate) fn matches_selector(
    selector: &Value,
    labels: &BTreeMap<String, String>,
    pointer: &str,
) -> Result<bool, Failure> {
    if let Some(match_labels) = selector.get("matchLabels").and_then(Value::as_object) {
        for (k, v) in match_labels {
            if labels.get(k).map(String::as_str) != Some(go_sprint(v).as_str()) {
                return Ok(false);
            }
        }
    }
    let expressions = selector.get("matchExpressions").and_then(Value::as_array);
    for (i, expr) in expressions.into_iter().flatten().enumerate() {
        let key = expr.get("key").and_then(Value::as_str).unwrap_or_default();
        let values: Vec<String> = expr
            .get("values")
            .and_then(Value::as_array)
            .map(|vs| vs.iter().map(go_sprint).collect())
            .unwrap_or_default();
        let actual = labels.get(key);
        let matched = match expr
            .get("operator")
            .and_then(Value::as_str)
            .unwrap_or_default()
        {
            "In" => actual.is_some_and(|a| values.contains(a)),
            "NotIn" => actual.is_none_or(|a| !values.contains(a)),
            "Exists" => actual.is_some(),
            "DoesNotExist" => actual.is_none(),
            other => {
                return Err(error(
                    &format!("{pointer}/matchExpressions/{i}/operator"),
                    format!(
                        "error parsing label selector: {other:?} is not a valid label selector operator"
                    ),
                ));
            }
        };
        if !matched {
            return Ok(false);
        }
    }
    Ok(true)
}
