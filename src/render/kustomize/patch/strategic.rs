//! Strategic merge as Kustomize v5 does it (kyaml's `merge2` walker, patch elements
//! first): a port of its rules, quirks included, so that what we render is what
//! `kustomize build` renders.
//!
//! The walk pairs the base ("dest") with the patch ("origin") field by field:
//! - maps merge key by key; a `null` in the patch removes the key (a `null` in the base
//!   that the patch does not mention stays when written out, `null` or `~`, and goes when
//!   the value is empty); `$patch: delete | replace | merge` in a
//!   patch map deletes, replaces or merges it;
//! - a list merges element by element when the schema gives it the `merge` strategy
//!   (see [`super::schema`] and [`super::list_merge`]), otherwise the patch's list
//!   replaces the base's as it is written; a `- $patch: replace | delete | merge`
//!   element alone in a merging list applies to the whole list, while
//!   `$patch: replace` inside an element has no effect (kyaml puts the base element
//!   back);
//! - a scalar in the patch replaces the base's.
//!
//! Values are moved or cloned, never rebuilt, so every node keeps the span of the file
//! it came from.

use std::collections::BTreeSet;

use super::list_merge::{self, Lists};
use super::schema::{self, Ty};
use crate::render::value::{Node, Value};

pub(super) type Schema = Option<&'static Ty>;

pub(super) const DIRECTIVE: &str = "$patch";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Directive {
    Merge,
    Replace,
    Delete,
}

/// Merges `origin` (the patch) into `dest` (the base); `None` when the result is
/// deleted.
pub(super) fn walk(
    dest: Option<Value>,
    origin: Option<&Value>,
    schema: Schema,
) -> Result<Option<Value>, String> {
    let schema = schema.or_else(|| schema_of_object([dest.as_ref(), origin]));
    let Some(kind) = kind_of_first_present([dest.as_ref(), origin]) else {
        // Only nulls: a null the patch does not mention stays when it is written out
        // (`null`, `~`); an empty value (`key:`) goes, as kyaml's merge2 clears it.
        let written = dest
            .as_ref()
            .and_then(Value::scalar)
            .is_some_and(|s| !s.text.is_empty());
        return Ok(if origin.is_none() && written {
            dest
        } else {
            None
        });
    };
    check_kinds(kind, [dest.as_ref(), origin])?;
    match kind {
        Kind::Map => walk_map(dest, origin, schema),
        Kind::Seq => walk_seq(dest, origin, schema),
        Kind::Scalar => Ok(match origin {
            Some(o) if o.is_null() => None,
            Some(o) => Some(o.clone()),
            None => dest,
        }),
    }
}

/// What kyaml does when a patch node meets itself: the patch added or replaced
/// something, and its own directives and nulls still apply.
pub(super) fn walk_self(value: Value, schema: Schema) -> Result<Option<Value>, String> {
    let schema = schema.or_else(|| schema_of_object([Some(&value), None]));
    match &value.node {
        _ if value.is_null() => Ok(None),
        Node::Map(_) => match map_directive(&value)? {
            Directive::Delete => Ok(None),
            Directive::Replace | Directive::Merge => {
                walk_own_fields(without_map_directive(value), schema)
            }
        },
        Node::Seq(_) => match schema.and_then(Ty::merge_keys) {
            Some(keys) => {
                let (directive, elided) = seq_directive(&value)?;
                if directive == Directive::Delete {
                    return Ok(None);
                }
                list_merge::merge(Lists::Aliased(elided), keys, items(schema))
            }
            None => Ok(Some(value)),
        },
        Node::Scalar(_) => Ok(Some(value)),
    }
}

fn walk_map(
    dest: Option<Value>,
    origin: Option<&Value>,
    schema: Schema,
) -> Result<Option<Value>, String> {
    let dest = match dest {
        Some(d) if !d.is_null() => d,
        _ => {
            // The patch adds the map (the kind check made `origin` a map). kyaml reads
            // the directive here without failing on an unknown one, which then stays.
            let Some(origin) = origin else {
                return Ok(None);
            };
            return match map_directive(origin) {
                Ok(Directive::Delete) => Ok(None),
                Ok(_) => walk_own_fields(without_map_directive(origin.clone()), schema),
                Err(_) => walk_own_fields(origin.clone(), schema),
            };
        }
    };
    let Some(origin) = origin else {
        return merge_fields(dest, None, schema);
    };
    if origin.is_null() {
        return Ok(None);
    }
    match map_directive(origin)? {
        Directive::Delete => Ok(None),
        Directive::Replace => walk_own_fields(without_map_directive(origin.clone()), schema),
        Directive::Merge if origin.get(DIRECTIVE).is_some() => {
            let origin = without_map_directive(origin.clone());
            merge_fields(dest, Some(&origin), schema)
        }
        Directive::Merge => merge_fields(dest, Some(origin), schema),
    }
}

fn walk_seq(
    dest: Option<Value>,
    origin: Option<&Value>,
    schema: Schema,
) -> Result<Option<Value>, String> {
    let Some(keys) = schema.and_then(Ty::merge_keys) else {
        // No merge strategy: the patch's list, as written, replaces the base's.
        return Ok(match origin {
            Some(o) if o.is_null() => None,
            Some(o) => Some(o.clone()),
            None => dest,
        });
    };
    let dest = match dest {
        Some(d) if !d.is_null() => d,
        // The patch adds the list; kyaml looks for no list directive on this path.
        _ => {
            return match origin {
                Some(o) => list_merge::merge(Lists::Aliased(o.clone()), keys, items(schema)),
                None => Ok(None),
            };
        }
    };
    let Some(origin) = origin else {
        return list_merge::merge(Lists::Separate { dest, origin: None }, keys, items(schema));
    };
    if origin.is_null() {
        return Ok(None);
    }
    match seq_directive(origin)? {
        (Directive::Delete, _) => Ok(None),
        (Directive::Replace, elided) => {
            list_merge::merge(Lists::Aliased(elided), keys, items(schema))
        }
        (Directive::Merge, elided) => list_merge::merge(
            Lists::Separate {
                dest,
                origin: Some(&elided),
            },
            keys,
            items(schema),
        ),
    }
}

/// Merges the fields of `origin` into the map `dest`, in kyaml's order (sorted field
/// names: new fields are appended in that order).
fn merge_fields(
    mut dest: Value,
    origin: Option<&Value>,
    schema: Schema,
) -> Result<Option<Value>, String> {
    let names: BTreeSet<String> = dest
        .entries()
        .iter()
        .chain(origin.map_or(&[][..], Value::entries))
        .map(|(k, _)| k.name.clone())
        .collect();
    let span = dest.span;
    let Some(entries) = dest.entries_mut() else {
        return Ok(Some(dest));
    };
    for name in &names {
        let field_schema = schema.and_then(|s| s.field(name));
        let at = entries.iter().position(|(k, _)| k.name == *name);
        let base = at.map(|i| std::mem::replace(&mut entries[i].1, Value::plain("", span)));
        let patch = origin.and_then(|o| o.entry(name));
        match (walk(base, patch.map(|(_, v)| v), field_schema)?, at) {
            (Some(value), Some(i)) => entries[i].1 = value,
            (Some(value), None) => {
                if let Some((key, _)) = patch {
                    entries.push((key.clone(), value));
                }
            }
            (None, Some(i)) => {
                entries.remove(i);
            }
            (None, None) => {}
        }
    }
    Ok(Some(dest))
}

/// The fields of a map the patch wrote, walked against themselves.
fn walk_own_fields(mut map: Value, schema: Schema) -> Result<Option<Value>, String> {
    let Some(entries) = map.entries_mut() else {
        return Ok(Some(map));
    };
    let taken = std::mem::take(entries);
    let mut kept = Vec::with_capacity(taken.len());
    for (key, value) in taken {
        let field_schema = schema.and_then(|s| s.field(&key.name));
        if let Some(value) = walk_self(value, field_schema)? {
            kept.push((key, value));
        }
    }
    *entries = kept;
    Ok(Some(map))
}

/// The `$patch` directive of a patch map (removed by the caller).
pub(super) fn map_directive(map: &Value) -> Result<Directive, String> {
    match map.get(DIRECTIVE) {
        None => Ok(Directive::Merge),
        Some(value) => parse_directive(list_merge::raw_text(value)),
    }
}

fn parse_directive(text: &str) -> Result<Directive, String> {
    match text {
        "merge" => Ok(Directive::Merge),
        "replace" => Ok(Directive::Replace),
        "delete" => Ok(Directive::Delete),
        other => Err(format!("unknown patch strategy '{other}'")),
    }
}

fn without_map_directive(mut map: Value) -> Value {
    map.remove(DIRECTIVE);
    map
}

/// A list-wide directive: the first element holding `$patch`, when `$patch` is all it
/// holds; every element with that directive is then dropped from the list.
fn seq_directive(list: &Value) -> Result<(Directive, Value), String> {
    let first = list
        .items()
        .iter()
        .find_map(|item| Some((item, item.get(DIRECTIVE)?)));
    let Some((_, value)) = first.filter(|(element, _)| element.entries().len() == 1) else {
        return Ok((Directive::Merge, list.clone()));
    };
    let text = list_merge::raw_text(value);
    let directive = parse_directive(text)?;
    let mut elided = list.clone();
    if let Some(items) = elided.items_mut() {
        list_merge::element_setter(items, None, &[DIRECTIVE], &[text])?;
    }
    Ok((directive, elided))
}

fn items(schema: Schema) -> Schema {
    schema.and_then(Ty::items)
}

/// kyaml looks up a schema by the `apiVersion` and `kind` of the first source that
/// has both, wherever the schema is not known yet.
fn schema_of_object(sources: [Option<&Value>; 2]) -> Schema {
    sources.into_iter().flatten().find_map(|source| {
        let api_version = source.get_str("apiVersion").filter(|s| !s.is_empty())?;
        let kind = source.get_str("kind").filter(|s| !s.is_empty())?;
        schema::for_object(api_version, kind)
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Map,
    Seq,
    Scalar,
}

impl Kind {
    fn of(value: &Value) -> Kind {
        match value.node {
            Node::Map(_) => Kind::Map,
            Node::Seq(_) => Kind::Seq,
            Node::Scalar(_) => Kind::Scalar,
        }
    }

    fn yaml_name(self) -> &'static str {
        match self {
            Kind::Map => "MappingNode",
            Kind::Seq => "SequenceNode",
            Kind::Scalar => "ScalarNode",
        }
    }
}

fn kind_of_first_present(sources: [Option<&Value>; 2]) -> Option<Kind> {
    sources
        .into_iter()
        .flatten()
        .find(|v| !v.is_null())
        .map(Kind::of)
}

/// kyaml refuses to merge a map into a list or a scalar, and so on.
fn check_kinds(kind: Kind, sources: [Option<&Value>; 2]) -> Result<(), String> {
    for source in sources.into_iter().flatten() {
        let found = Kind::of(source);
        if !source.is_null() && found != kind {
            return Err(format!(
                "wrong node kind: expected {} but got {}: node contents:\n{}",
                kind.yaml_name(),
                found.yaml_name(),
                source.to_json()
            ));
        }
    }
    Ok(())
}
