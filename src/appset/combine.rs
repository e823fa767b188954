//! The matrix and merge generators (`matrix.go`, `merge.go`). Their children's own
//! templates are ignored, as in Argo CD.

use std::collections::HashMap;

use serde_json::Value;

use super::generate::{self, Ctx, Failure, Generated, MAX_PARAM_SETS, error, kinds_of};
use super::params::{merge_override, stringify};
use super::template::render_json;
use super::{ExpandError, Params};

fn children<'v>(body: &'v Value, pointer: &str) -> Result<&'v [Value], Failure> {
    match body.get("generators") {
        Some(Value::Array(items)) => Ok(items),
        None | Some(Value::Null) => Ok(&[]),
        Some(_) => Err(error(
            &format!("{pointer}/generators"),
            "generators is not a list",
        )),
    }
}

/// Two children; each parameter set of the first is combined with every set the
/// second produces after its own fields were templated with the first's parameters.
pub(crate) fn matrix(body: &Value, pointer: &str, ctx: &Ctx, depth: usize) -> Generated {
    let generators = children(body, pointer)?;
    if generators.len() < 2 {
        return Err(error(
            pointer,
            "found less than two generators, Matrix support only two",
        ));
    }
    if generators.len() > 2 {
        return Err(error(
            pointer,
            "found more than two generators, Matrix support only two",
        ));
    }
    let first_pointer = format!("{pointer}/generators/0");
    let second_pointer = format!("{pointer}/generators/1");
    let first = child(&generators[0], &first_pointer, ctx, None, depth)?;
    let mut out = Vec::new();
    for a in &first {
        for b in child(&generators[1], &second_pointer, ctx, Some(a), depth)? {
            let combined = if ctx.go_template() {
                // mergo: the second's set, then the first's over it.
                let mut tmp = b;
                merge_override(&mut tmp, a);
                tmp
            } else {
                combine_strict(a, &b).map_err(|m| error(pointer, m))?
            };
            out.push(combined);
            if out.len() > MAX_PARAM_SETS {
                return Err(error(
                    pointer,
                    format!(
                        "the matrix generator yields more than {MAX_PARAM_SETS} parameter sets"
                    ),
                ));
            }
        }
    }
    Ok(out)
}

/// `utils.CombineStringMaps`: both sides as strings; a key in both must agree.
fn combine_strict(a: &Params, b: &Params) -> Result<Params, String> {
    let mut out = stringify(a);
    for (k, v) in stringify(b) {
        if let Some(current) = out.get(&k)
            && current != &v
        {
            return Err(format!(
                "failed to combine string maps with merging params for the matrix generator: found duplicate key {k} with different value, a: {} ,b: {}",
                current.as_str().unwrap_or_default(),
                v.as_str().unwrap_or_default()
            ));
        }
        out.insert(k, v);
    }
    Ok(out)
}

/// Joins the children's sets on `mergeKeys`: the first child's sets are the base, and
/// each later child overrides the base sets whose merge-key values it shares.
pub(crate) fn merge(body: &Value, pointer: &str, ctx: &Ctx, depth: usize) -> Generated {
    let generators = children(body, pointer)?;
    if generators.len() < 2 {
        return Err(error(
            pointer,
            "found less than two generators, Merge requires two or more",
        ));
    }
    let mut keys: Vec<String> = body
        .get("mergeKeys")
        .and_then(Value::as_array)
        .map(|ks| {
            ks.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    keys.sort();
    keys.dedup();
    if keys.is_empty() {
        return Err(error(
            pointer,
            "no merge keys were specified, Merge requires at least one",
        ));
    }
    let mut sets = Vec::with_capacity(generators.len());
    for (i, g) in generators.iter().enumerate() {
        let child_pointer = format!("{pointer}/generators/{i}");
        sets.push(child(g, &child_pointer, ctx, None, depth)?);
    }
    let mut merged = sets.remove(0);
    let base_keys = index_keys(&merged, &keys, pointer)?;
    for later in &sets {
        let later_keys = index_keys(later, &keys, pointer)?;
        let by_key: HashMap<&String, &Params> = later_keys.iter().zip(later.iter()).collect();
        for (base, key) in merged.iter_mut().zip(&base_keys) {
            if let Some(over) = by_key.get(key) {
                if ctx.go_template() {
                    merge_override(base, over);
                } else {
                    let mut combined = stringify(base);
                    combined.extend(stringify(over));
                    *base = combined;
                }
            }
        }
    }
    Ok(merged)
}

/// Each set's merge-key values as JSON, which must be unique within one child.
fn index_keys(sets: &[Params], keys: &[String], pointer: &str) -> Result<Vec<String>, Failure> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(sets.len());
    for set in sets {
        let key: serde_json::Map<String, Value> = keys
            .iter()
            .map(|k| {
                (
                    k.clone(),
                    normalize_number(set.get(k).cloned().unwrap_or(Value::Null)),
                )
            })
            .collect();
        let text = Value::Object(key).to_string();
        if !seen.insert(text.clone()) {
            return Err(error(
                pointer,
                format!(
                    "the parameters from a generator were not unique by the given mergeKeys, Merge requires all param sets to be unique. Duplicate key was {text}"
                ),
            ));
        }
        out.push(text);
    }
    Ok(out)
}

/// Go holds every JSON number as a float64, so `1` and `1.0` are one key.
fn normalize_number(v: Value) -> Value {
    match &v {
        Value::Number(n) => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or(v, Value::Number),
        _ => v,
    }
}

/// One child of a matrix or merge: templated with `interpolate` (the matrix's first
/// set), run, and filtered by its selector.
fn child(
    child: &Value,
    pointer: &str,
    ctx: &Ctx,
    interpolate: Option<&Params>,
    depth: usize,
) -> Generated {
    let rendered;
    let child = match interpolate.filter(|p| !p.is_empty()) {
        Some(params) => {
            rendered = render_json(child, params, &ctx.renderer)
                .map_err(|e| {
                    Failure::Error(ExpandError {
                        pointer: format!("{pointer}{}", e.pointer),
                        message: format!("error interpolating params for generator: {}", e.message),
                        ..e
                    })
                })?
                .0;
            &rendered
        }
        None => child,
    };
    let Some(map) = child.as_object() else {
        return Err(error(pointer, "a generator is not a map"));
    };
    let kinds = kinds_of(map);
    let kind = match kinds.as_slice() {
        [] => return Err(error(pointer, "child generator generated no parameters")),
        [kind] => *kind,
        _ => {
            return Err(error(
                pointer,
                "found more than one generator in matrix.Generators",
            ));
        }
    };
    if matches!(kind, "matrix" | "merge") && depth >= 1 {
        return Err(error(
            pointer,
            "matrix and merge generators nest only one level deep in Argo CD",
        ));
    }
    let mut body = map[kind].clone();
    if matches!(kind, "matrix" | "merge") && !ctx.apply_nested_selectors {
        drop_nested_selectors(&mut body, &format!("{pointer}/{kind}"), ctx);
    }
    let params = generate::params_for(kind, &body, &format!("{pointer}/{kind}"), ctx, depth + 1)?;
    generate::select(params, map.get("selector"), pointer)
}

/// Without `spec.applyNestedSelectors`, Argo CD ignores selectors two levels down.
fn drop_nested_selectors(body: &mut Value, pointer: &str, ctx: &Ctx) {
    let Some(generators) = body.get_mut("generators").and_then(Value::as_array_mut) else {
        return;
    };
    for (i, g) in generators.iter_mut().enumerate() {
        if let Some(map) = g.as_object_mut()
            && map.remove("selector").is_some_and(|s| !s.is_null())
        {
            ctx.note(
                &format!("{pointer}/generators/{i}/selector"),
                "this nested selector is ignored unless spec.applyNestedSelectors is true",
            );
        }
    }
}
