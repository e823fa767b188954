//! `vars` (deprecated in Kustomize, still used): `$(NAME)` in the `varReference` fields
//! is replaced by a field of the object the var names, read at the end of the build.
//!
//! The object is chosen where the var is declared (among that kustomization's resources,
//! by any of their names); its value is read once every rename is done.

use super::fieldspec::{self, TransformerConfig, get_folded};
use super::kustomization::{problem, text};
use super::resource::{Gvk, ResId, Resource};
use crate::render::files::Problem;
use crate::render::value::{Node, Value};
use crate::source::Span;
use serde_json::Value as Json;

#[derive(Clone, Debug)]
pub(super) struct Var {
    pub name: String,
    pub target: ResId,
    pub field_path: String,
    pub span: Span,
}

pub(super) fn parse(values: &[Value]) -> Result<Vec<Var>, Problem> {
    let mut vars = Vec::new();
    for value in values {
        let field = |key: &str| get_folded(value, key);
        let name = text(field("name").unwrap_or(value), "Var.vars.name")?;
        let objref = field("objref")
            .cloned()
            .unwrap_or_else(|| Value::map(value.span));
        let objref_text = |key: &str| {
            get_folded(&objref, key)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let api_version = objref_text("apiVersion");
        let gvk = if api_version.is_empty() {
            Gvk {
                group: objref_text("group"),
                version: objref_text("version"),
                kind: objref_text("kind"),
            }
        } else {
            Gvk::new(&api_version, &objref_text("kind"))
        };
        let field_path = field("fieldref")
            .and_then(|f| get_folded(f, "fieldPath"))
            .and_then(Value::as_str)
            .filter(|p| !p.is_empty())
            .unwrap_or("metadata.name")
            .to_string();
        vars.push(Var {
            name: name.value,
            target: ResId {
                gvk,
                name: objref_text("name"),
                namespace: objref_text("namespace"),
            },
            field_path,
            span: value.span,
        });
    }
    Ok(vars)
}

/// Adds `incoming` vars; a name declared twice fails the build.
pub(super) fn merge(into: &mut Vec<Var>, incoming: Vec<Var>, at: Span) -> Result<(), Problem> {
    for var in incoming {
        if into.iter().any(|v| v.name == var.name) {
            return Err(problem(
                if var.span == Span::default() {
                    at
                } else {
                    var.span
                },
                format!("var '{}' already encountered", var.name),
            ));
        }
        into.push(var);
    }
    Ok(())
}

/// Ties each newly declared var to the one object it names (Kustomize's `MergeVars`).
pub(super) fn bind(resources: &mut [Resource], vars: &[Var]) -> Result<(), Problem> {
    for var in vars {
        let matches: Vec<usize> = resources
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.any_id(|id| {
                    id.gvk == var.target.gvk
                        && id.name == var.target.name
                        && (var.target.namespace.is_empty() && !var.target.gvk.is_cluster_scoped()
                            || id.effective_namespace() == var.target.effective_namespace())
                })
            })
            .map(|(i, _)| i)
            .collect();
        match matches.as_slice() {
            [] => {}
            [i] => resources[*i].vars.push(var.name.clone()),
            _ => {
                return Err(problem(
                    var.span,
                    format!(
                        "found {} resId matches for var {} (unable to disambiguate)",
                        matches.len(),
                        var.name
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Replaces `$(VAR)` in every `varReference` field.
pub(super) fn resolve(
    resources: &mut [Resource],
    vars: &[Var],
    config: &TransformerConfig,
) -> Result<(), Problem> {
    if vars.is_empty() {
        return Ok(());
    }
    let mut values: Vec<(String, Json, Span)> = Vec::new();
    for var in vars {
        let bound: Vec<&Resource> = resources
            .iter()
            .filter(|r| r.vars.contains(&var.name))
            .collect();
        let resource = match bound.as_slice() {
            [one] => *one,
            [] => {
                return Err(problem(
                    var.span,
                    format!(
                        "var '{}' cannot be mapped to a field in the set of known resources",
                        var.name
                    ),
                ));
            }
            _ => {
                return Err(problem(
                    var.span,
                    format!(
                        "found {} resId matches for var {} (unable to disambiguate)",
                        bound.len(),
                        var.name
                    ),
                ));
            }
        };
        let field = field_value(&resource.value, &var.field_path).ok_or_else(|| {
            problem(
                var.span,
                format!(
                    "field specified in var '{}' not found in corresponding resource",
                    var.name
                ),
            )
        })?;
        values.push((var.name.clone(), field.to_json(), field.span));
    }
    for resource in resources.iter_mut() {
        for spec in &config.var_reference {
            fieldspec::apply(
                &mut resource.value,
                spec,
                None,
                Span::default(),
                &mut |node| expand_node(node, &values),
            )
            .map_err(|e| problem(resource.value.span, e))?;
        }
    }
    Ok(())
}

/// A field by a dotted path (`spec.ports[0].port`, `data.KEY`).
fn field_value<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    let mut at = value;
    for part in path.split('.') {
        let (name, index) = match part.split_once('[') {
            Some((n, rest)) => (n, rest.strip_suffix(']')),
            None => (part, None),
        };
        if !name.is_empty() {
            at = at.get(name)?;
        }
        if let Some(index) = index {
            at = at.items().get(index.parse::<usize>().ok()?)?;
        }
    }
    Some(at)
}

fn is_string(node: &Value) -> bool {
    node.scalar()
        .is_some_and(|s| s.k8s_type() == crate::load::tree::ScalarType::String)
}

fn expand_node(node: &mut Value, values: &[(String, Json, Span)]) -> Result<(), String> {
    if node.is_null() {
        return Ok(());
    }
    match &mut node.node {
        Node::Scalar(_) => {
            if is_string(node) {
                expand_scalar(node, values);
            }
        }
        Node::Map(entries) => {
            for (_, v) in entries.iter_mut() {
                if is_string(v) {
                    expand_scalar(v, values);
                }
            }
        }
        Node::Seq(items) => {
            for item in items.iter_mut() {
                if !is_string(item) {
                    return Err("invalid value type expect a string".into());
                }
                expand_scalar(item, values);
            }
        }
    }
    Ok(())
}

fn expand_scalar(node: &mut Value, values: &[(String, Json, Span)]) {
    let input = node.scalar().map(|s| s.text.clone()).unwrap_or_default();
    if !input.contains('$') {
        return;
    }
    let lookup = |name: &str| values.iter().find(|(n, _, _)| n == name);
    // The whole value is one reference: the field keeps the referenced value's type.
    if let Some(name) = input.strip_prefix("$(").and_then(|r| r.strip_suffix(')'))
        && !name.contains(')')
        && let Some((_, json, span)) = lookup(name)
    {
        *node = match json {
            Json::String(s) => Value::string(s.clone(), *span),
            Json::Number(_) | Json::Bool(_) => Value::plain(json.to_string(), *span),
            _ => return,
        };
        return;
    }
    let bytes = input.as_bytes();
    let mut out = String::new();
    let mut span = node.span;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' && i + 1 < bytes.len() {
            match bytes[i + 1] {
                b'$' => {
                    out.push('$');
                    i += 2;
                }
                b'(' => match input[i + 2..].find(')') {
                    Some(close) => {
                        let name = &input[i + 2..i + 2 + close];
                        match lookup(name) {
                            Some((_, Json::String(s), at)) => {
                                out.push_str(s);
                                span = *at;
                            }
                            Some((_, json @ (Json::Number(_) | Json::Bool(_)), at)) => {
                                out.push_str(&json.to_string());
                                span = *at;
                            }
                            _ => out.push_str(&input[i..i + 3 + close]),
                        }
                        i += 3 + close;
                    }
                    None => {
                        out.push_str("$(");
                        i += 2;
                    }
                },
                _ => {
                    out.push('$');
                    i += 1;
                }
            }
        } else {
            let ch = input[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    if out != input {
        *node = Value::string(out, span);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_expand_and_dollars_escape() {
        let values = vec![("NS".to_string(), Json::String("kf".into()), Span::default())];
        let mut v = Value::string("svc.$(NS).svc $$(NS) $(OTHER)", Span::default());
        expand_scalar(&mut v, &values);
        assert_eq!(v.as_str(), Some("svc.kf.svc $(NS) $(OTHER)"));
    }
}
