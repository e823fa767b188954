//! Field specs: which field of which kinds a transformer touches (Kustomize's
//! `FieldSpec` and `fieldspec.Filter`), and the transformer configuration that lists
//! them (built-in defaults plus a kustomization's `configurations`).

use std::sync::OnceLock;

use super::defaults;
use super::resource::Gvk;
use crate::render::value::{Node, Value};
use crate::source::Span;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct FieldSpec {
    pub gvk: Gvk,
    pub path: String,
    /// Create the field when missing (`create: true`).
    pub create: bool,
}

impl FieldSpec {
    pub fn new(kind: &str, path: &str, create: bool) -> FieldSpec {
        FieldSpec {
            gvk: Gvk {
                kind: kind.to_string(),
                ..Gvk::default()
            },
            path: path.to_string(),
            create,
        }
    }

    pub fn parse(value: &Value) -> Result<FieldSpec, String> {
        if !value.is_map() {
            return Err("a field spec must be a map with `path`".into());
        }
        let field = |key: &str| get_folded(value, key);
        let text = |key: &str| field(key).and_then(Value::as_str).unwrap_or("").to_string();
        Ok(FieldSpec {
            gvk: Gvk {
                group: text("group"),
                version: text("version"),
                kind: text("kind"),
            },
            path: text("path"),
            create: field("create").and_then(Value::as_bool).unwrap_or(false),
        })
    }

    /// Kustomize's `isMatchGVK`: the object's current kind, group and version.
    pub fn applies_to(&self, object: &Value) -> bool {
        object.is_map() && Gvk::of(object).is_selected_by(&self.gvk)
    }

    /// The path split at `/`, where `\/` is a slash inside a field name.
    pub fn segments(&self) -> Vec<String> {
        split_path(&self.path)
    }
}

/// A map entry whose key matches `key` ignoring ASCII case, the way Go's JSON decoder
/// matches struct fields (an exact match wins).
pub(super) fn get_folded<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
    value.get(key).or_else(|| {
        value
            .entries()
            .iter()
            .find(|(k, _)| k.name.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

pub(super) fn split_path(path: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in path.split('/') {
        match out.last_mut() {
            Some(last) if last.ends_with('\\') => {
                last.pop();
                last.push('/');
                last.push_str(part);
            }
            _ => out.push(part.to_string()),
        }
    }
    out
}

/// What a missing field becomes when a field spec creates it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Create {
    Map,
    Scalar,
}

#[derive(Clone, Copy)]
enum NewNode {
    Map,
    Scalar,
    Seq,
}

fn new_node(kind: NewNode, span: Span) -> Value {
    match kind {
        NewNode::Map => Value::map(span),
        NewNode::Scalar => Value::string("", span),
        NewNode::Seq => Value::seq(Vec::new(), span),
    }
}

pub(super) type Setter<'a> = dyn FnMut(&mut Value) -> Result<(), String> + 'a;

/// Calls `set` on every node at the spec's path in `object` when the spec applies to the
/// object's type. Sequences met on the way are walked element by element; `create`
/// (when the spec asks for creation) is what the last field becomes, and `span` is the
/// span of any node created.
pub(super) fn apply(
    object: &mut Value,
    spec: &FieldSpec,
    create: Option<Create>,
    span: Span,
    set: &mut Setter<'_>,
) -> Result<(), String> {
    if !spec.applies_to(object) {
        return Ok(());
    }
    apply_path(
        object,
        &spec.segments(),
        create.filter(|_| spec.create),
        span,
        set,
    )
    .map_err(|e| format!("considering field '{}': {e}", spec.path))
}

/// [`apply`] without the type check, at an already split path.
pub(super) fn apply_path(
    node: &mut Value,
    path: &[String],
    create: Option<Create>,
    span: Span,
    set: &mut Setter<'_>,
) -> Result<(), String> {
    let Some((first, rest)) = path.split_first() else {
        return set(node);
    };
    if node.is_null() {
        return Ok(());
    }
    match &mut node.node {
        Node::Seq(items) => {
            for item in items {
                apply_path(item, path, create, span, set)?;
            }
            Ok(())
        }
        Node::Map(_) => {
            let (name, is_seq) = match first.strip_suffix("[]") {
                Some(name) => (name, true),
                None => (first.as_str(), false),
            };
            if name.is_empty() {
                return Err("cannot set or create an empty field name".into());
            }
            let creating = create.is_some() && !is_seq;
            let kind = if !creating {
                is_seq.then_some(NewNode::Seq)
            } else if rest.is_empty() {
                Some(match create {
                    Some(Create::Map) => NewNode::Map,
                    _ => NewNode::Scalar,
                })
            } else {
                Some(NewNode::Map)
            };
            if node.get(name).is_none() {
                let Some(kind) = kind.filter(|_| creating) else {
                    return Ok(());
                };
                node.insert(name, span, new_node(kind, span));
            }
            let Some(field) = node.get_mut(name) else {
                return Ok(());
            };
            // A null field takes the kind the path expects (Kustomize does the same).
            if field.is_null()
                && let Some(kind) = kind
            {
                *field = new_node(kind, field.span);
            }
            apply_path(field, rest, create, span, set)
        }
        Node::Scalar(_) => Err("expected sequence or mapping node".into()),
    }
}

/// Whether `object` has a value at the spec's path (any element, through sequences).
pub(super) fn has_field(object: &Value, path: &[String]) -> bool {
    let Some((first, rest)) = path.split_first() else {
        return true;
    };
    match &object.node {
        Node::Seq(items) => items.iter().any(|i| has_field(i, path)),
        Node::Map(_) => {
            let name = first.strip_suffix("[]").unwrap_or(first);
            object.get(name).is_some_and(|v| has_field(v, rest))
        }
        Node::Scalar(_) => false,
    }
}

/// A referral type and the fields that hold its name (`nameReference`).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct NameBackReference {
    pub gvk: Gvk,
    pub referrers: Vec<FieldSpec>,
}

/// The field specs each transformer uses (Kustomize's `TransformerConfig`).
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct TransformerConfig {
    pub name_prefix: Vec<FieldSpec>,
    pub name_suffix: Vec<FieldSpec>,
    pub namespace: Vec<FieldSpec>,
    pub common_labels: Vec<FieldSpec>,
    pub template_labels: Vec<FieldSpec>,
    pub common_annotations: Vec<FieldSpec>,
    pub var_reference: Vec<FieldSpec>,
    pub images: Vec<FieldSpec>,
    pub replicas: Vec<FieldSpec>,
    pub name_reference: Vec<NameBackReference>,
}

impl TransformerConfig {
    /// Kustomize's built-in configuration.
    pub fn defaults() -> &'static TransformerConfig {
        static DEFAULTS: OnceLock<TransformerConfig> = OnceLock::new();
        DEFAULTS.get_or_init(|| {
            let mut config = TransformerConfig::default();
            for text in defaults::ALL {
                let parsed = crate::load::yaml::parse(
                    Default::default(),
                    &std::sync::Arc::from(*text),
                    Default::default(),
                );
                let Some(Some(root)) = parsed.documents.first() else {
                    continue;
                };
                let value = Value::from_tree(&parsed.tree, *root);
                if let Ok(c) = TransformerConfig::parse(&value) {
                    // The defaults never conflict with each other.
                    let _ = config.merge(&c);
                }
            }
            config
        })
    }

    /// A `configurations:` file.
    pub fn parse(value: &Value) -> Result<TransformerConfig, String> {
        let mut config = TransformerConfig::default();
        let specs = |v: &Value| -> Result<Vec<FieldSpec>, String> {
            v.items().iter().map(FieldSpec::parse).collect()
        };
        for (key, v) in value.entries() {
            match key.name.to_ascii_lowercase().as_str() {
                "nameprefix" => config.name_prefix = specs(v)?,
                "namesuffix" => config.name_suffix = specs(v)?,
                "namespace" => config.namespace = specs(v)?,
                "commonlabels" => config.common_labels = specs(v)?,
                "templatelabels" => config.template_labels = specs(v)?,
                "commonannotations" => config.common_annotations = specs(v)?,
                "varreference" => config.var_reference = specs(v)?,
                "images" => config.images = specs(v)?,
                "replicas" => config.replicas = specs(v)?,
                "namereference" => {
                    for item in v.items() {
                        let target = |k: &str| {
                            get_folded(item, k)
                                .and_then(Value::as_str)
                                .unwrap_or("")
                                .to_string()
                        };
                        config.name_reference.push(NameBackReference {
                            gvk: Gvk {
                                group: target("group"),
                                version: target("version"),
                                kind: target("kind"),
                            },
                            referrers: get_folded(item, "fieldSpecs")
                                .map(specs)
                                .transpose()?
                                .unwrap_or_default(),
                        });
                    }
                }
                // Kustomize decodes these files leniently: other fields are ignored.
                _ => {}
            }
        }
        Ok(config)
    }

    /// Adds `other`'s specs that are not here yet (Kustomize's `Merge`); the same field
    /// with a different `create` is a conflict.
    pub fn merge(&mut self, other: &TransformerConfig) -> Result<(), String> {
        merge_specs(&mut self.name_prefix, &other.name_prefix)?;
        merge_specs(&mut self.name_suffix, &other.name_suffix)?;
        merge_specs(&mut self.namespace, &other.namespace)?;
        merge_specs(&mut self.common_labels, &other.common_labels)?;
        merge_specs(&mut self.template_labels, &other.template_labels)?;
        merge_specs(&mut self.common_annotations, &other.common_annotations)?;
        merge_specs(&mut self.var_reference, &other.var_reference)?;
        merge_specs(&mut self.images, &other.images)?;
        merge_specs(&mut self.replicas, &other.replicas)?;
        for back_reference in &other.name_reference {
            match self
                .name_reference
                .iter_mut()
                .find(|b| b.gvk == back_reference.gvk)
            {
                Some(existing) => merge_specs(&mut existing.referrers, &back_reference.referrers)?,
                None => self.name_reference.push(back_reference.clone()),
            }
        }
        Ok(())
    }
}

pub(super) fn merge_specs(into: &mut Vec<FieldSpec>, from: &[FieldSpec]) -> Result<(), String> {
    for spec in from {
        match into
            .iter()
            .find(|s| s.path == spec.path && s.gvk == spec.gvk)
        {
            Some(existing) if existing.create != spec.create => {
                return Err(format!(
                    "conflicting fieldspecs: `{}` of {} is both created and not",
                    spec.path,
                    spec.gvk.display()
                ));
            }
            Some(_) => {}
            None => into.push(spec.clone()),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_at_unescaped_slashes() {
        assert_eq!(
            split_path(r"metadata/annotations/nginx.ingress.kubernetes.io\/auth-secret"),
            vec![
                "metadata",
                "annotations",
                "nginx.ingress.kubernetes.io/auth-secret"
            ]
        );
    }

    #[test]
    fn defaults_are_loaded() {
        let d = TransformerConfig::defaults();
        assert!(
            d.common_labels
                .iter()
                .any(|s| s.path == "spec/selector/matchLabels")
        );
        assert!(d.name_reference.iter().any(|b| b.gvk.kind == "ConfigMap"));
        assert!(d.images.iter().any(|s| s.path == "spec/containers[]/image"));
        assert_eq!(d.name_prefix.len(), 1);
    }
}
