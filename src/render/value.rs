//! An editable YAML value whose every key and value keeps the span it came from.
//!
//! Renderers (Kustomize, Helm, ApplicationSets) transform objects: a patch replaces a
//! field, a transformer adds a prefix, a generator makes a ConfigMap. They work on this
//! value, then [`to_tree`] freezes the result into a rendered [`Tree`] whose nodes still
//! point at the file and line each field came from (the base, the patch, the
//! kustomization's `images:` entry).

use crate::load::tree::{Entry, NodeId, ScalarStyle, ScalarType, Tree, resolve_plain};
use crate::source::{FileId, Span};

#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    /// Where the value was written (for a synthesized value: what caused it).
    pub span: Span,
    pub node: Node,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Map(Vec<(Key, Value)>),
    Seq(Vec<Value>),
    Scalar(Scalar),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scalar {
    pub text: String,
    pub style: ScalarStyle,
    pub tag: Option<String>,
}

impl Scalar {
    /// How Kubernetes reads the scalar (quoted and `!!str` scalars are strings).
    pub fn k8s_type(&self) -> ScalarType {
        crate::load::tree::Scalar {
            value: &self.text,
            style: self.style,
            tag: self.tag.as_deref(),
        }
        .k8s_type()
    }
}

impl Value {
    /// A string scalar, quoted so that it stays a string whatever its text.
    pub fn string(text: impl Into<String>, span: Span) -> Value {
        let text = text.into();
        let style = if resolve_plain(&text) == ScalarType::String && !text.is_empty() {
            ScalarStyle::Plain
        } else {
            ScalarStyle::DoubleQuoted
        };
        Value {
            span,
            node: Node::Scalar(Scalar {
                text,
                style,
                tag: None,
            }),
        }
    }

    /// A plain scalar (a number, a boolean, or a word).
    pub fn plain(text: impl Into<String>, span: Span) -> Value {
        Value {
            span,
            node: Node::Scalar(Scalar {
                text: text.into(),
                style: ScalarStyle::Plain,
                tag: None,
            }),
        }
    }

    pub fn map(span: Span) -> Value {
        Value {
            span,
            node: Node::Map(Vec::new()),
        }
    }

    pub fn seq(items: Vec<Value>, span: Span) -> Value {
        Value {
            span,
            node: Node::Seq(items),
        }
    }

    /// The subtree at `node`, aliases expanded (the loader bounds their expansion).
    pub fn from_tree(tree: &Tree, node: NodeId) -> Value {
        let span = tree.span(node);
        if let Some(s) = tree.scalar(node) {
            return Value {
                span,
                node: Node::Scalar(Scalar {
                    text: s.value.to_string(),
                    style: s.style,
                    tag: s.tag.map(str::to_string),
                }),
            };
        }
        if tree.is_seq(node) {
            let items = tree
                .items(node)
                .iter()
                .map(|i| Value::from_tree(tree, *i))
                .collect();
            return Value {
                span,
                node: Node::Seq(items),
            };
        }
        let mut entries: Vec<(Key, Value)> = Vec::with_capacity(tree.entries(node).len());
        for e in tree.entries(node) {
            // A key that is not a scalar (rare, and not valid in Kubernetes) is dropped.
            let Some(key) = tree.scalar(e.key) else {
                continue;
            };
            let key = Key {
                name: key.value.to_string(),
                span: tree.span(e.key),
            };
            let value = Value::from_tree(tree, e.value);
            // YAML maps with a repeated key keep the first, as `Tree::get` does.
            if !entries.iter().any(|(k, _)| k.name == key.name) {
                entries.push((key, value));
            }
        }
        Value {
            span,
            node: Node::Map(entries),
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.node, Node::Map(_))
    }

    pub fn is_seq(&self) -> bool {
        matches!(self.node, Node::Seq(_))
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.node, Node::Scalar(s) if s.k8s_type() == ScalarType::Null)
    }

    pub fn scalar(&self) -> Option<&Scalar> {
        match &self.node {
            Node::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The text of a scalar that is not null.
    pub fn as_str(&self) -> Option<&str> {
        self.scalar()
            .filter(|s| s.k8s_type() != ScalarType::Null)
            .map(|s| s.text.as_str())
    }

    /// `true`/`false` as Kubernetes reads them.
    pub fn as_bool(&self) -> Option<bool> {
        let s = self.scalar()?;
        match (s.k8s_type(), s.text.to_ascii_lowercase().as_str()) {
            (ScalarType::Bool, "true" | "yes" | "y" | "on") => Some(true),
            (ScalarType::Bool, _) => Some(false),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        let s = self.scalar()?;
        if s.k8s_type() != ScalarType::Int {
            return None;
        }
        s.text.replace('_', "").parse().ok()
    }

    pub fn entries(&self) -> &[(Key, Value)] {
        match &self.node {
            Node::Map(e) => e,
            _ => &[],
        }
    }

    pub fn entries_mut(&mut self) -> Option<&mut Vec<(Key, Value)>> {
        match &mut self.node {
            Node::Map(e) => Some(e),
            _ => None,
        }
    }

    pub fn items(&self) -> &[Value] {
        match &self.node {
            Node::Seq(i) => i,
            _ => &[],
        }
    }

    pub fn items_mut(&mut self) -> Option<&mut Vec<Value>> {
        match &mut self.node {
            Node::Seq(i) => Some(i),
            _ => None,
        }
    }

    pub fn entry(&self, key: &str) -> Option<&(Key, Value)> {
        self.entries().iter().find(|(k, _)| k.name == key)
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entry(key).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.entries_mut()?
            .iter_mut()
            .find(|(k, _)| k.name == key)
            .map(|(_, v)| v)
    }

    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }

    pub fn path(&self, keys: &[&str]) -> Option<&Value> {
        keys.iter().try_fold(self, |v, k| v.get(k))
    }

    pub fn path_str(&self, keys: &[&str]) -> Option<&str> {
        self.path(keys).and_then(Value::as_str)
    }

    /// Sets `key` (keeping its position when present, else appending); the key's span
    /// is `key_span` for a new key.
    pub fn insert(&mut self, key: &str, key_span: Span, value: Value) {
        let Some(entries) = self.entries_mut() else {
            return;
        };
        match entries.iter_mut().find(|(k, _)| k.name == key) {
            Some((_, v)) => *v = value,
            None => entries.push((
                Key {
                    name: key.to_string(),
                    span: key_span,
                },
                value,
            )),
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let entries = self.entries_mut()?;
        let i = entries.iter().position(|(k, _)| k.name == key)?;
        Some(entries.remove(i).1)
    }

    /// The map at `key`, created (with `span` for the new key and map) when missing or
    /// not a map.
    pub fn map_at(&mut self, key: &str, span: Span) -> &mut Value {
        if !self.get(key).is_some_and(Value::is_map) {
            self.insert(key, span, Value::map(span));
        }
        self.get_mut(key).expect("inserted above")
    }

    /// Follows (creating) maps along `keys`.
    pub fn map_path(&mut self, keys: &[&str], span: Span) -> &mut Value {
        let mut at = self;
        for k in keys {
            at = at.map_at(k, span);
        }
        at
    }

    /// The value as JSON, with scalars typed the way Kubernetes reads them.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.node {
            Node::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.name.clone(), v.to_json()))
                    .collect(),
            ),
            Node::Seq(items) => J::Array(items.iter().map(Value::to_json).collect()),
            Node::Scalar(s) => scalar_json(s),
        }
    }

    /// A value built from JSON; every node gets `span` (what it was made from).
    pub fn from_json(json: &serde_json::Value, span: Span) -> Value {
        use serde_json::Value as J;
        match json {
            J::Null => Value::plain("null", span),
            J::Bool(b) => Value::plain(b.to_string(), span),
            J::Number(n) => Value::plain(n.to_string(), span),
            J::String(s) => Value::string(s.clone(), span),
            J::Array(items) => Value::seq(
                items.iter().map(|i| Value::from_json(i, span)).collect(),
                span,
            ),
            J::Object(map) => Value {
                span,
                node: Node::Map(
                    map.iter()
                        .map(|(k, v)| {
                            (
                                Key {
                                    name: k.clone(),
                                    span,
                                },
                                Value::from_json(v, span),
                            )
                        })
                        .collect(),
                ),
            },
        }
    }

    /// RFC 7386 JSON merge patch (Argo CD's `.argocd-source*.yaml` overrides): maps merge
    /// key by key, `null` deletes, anything else replaces.
    pub fn merge_patch(&mut self, patch: &Value) {
        if !patch.is_map() {
            *self = patch.clone();
            return;
        }
        if !self.is_map() {
            *self = Value::map(patch.span);
        }
        for (key, value) in patch.entries() {
            if value.is_null() {
                self.remove(&key.name);
            } else if let Some(existing) = self.get_mut(&key.name) {
                existing.merge_patch(value);
            } else {
                let mut new = Value::map(value.span);
                new.merge_patch(value);
                self.insert(&key.name, key.span, new);
            }
        }
    }

    /// Every node, depth first, with the spans of keys: for relocating spans.
    pub fn visit_spans_mut(&mut self, f: &mut impl FnMut(&mut Span)) {
        f(&mut self.span);
        match &mut self.node {
            Node::Map(entries) => {
                for (k, v) in entries {
                    f(&mut k.span);
                    v.visit_spans_mut(f);
                }
            }
            Node::Seq(items) => {
                for i in items {
                    i.visit_spans_mut(f);
                }
            }
            Node::Scalar(_) => {}
        }
    }
}

fn scalar_json(s: &Scalar) -> serde_json::Value {
    use serde_json::Value as J;
    match s.k8s_type() {
        ScalarType::Null => J::Null,
        ScalarType::Bool => J::Bool(matches!(
            s.text.to_ascii_lowercase().as_str(),
            "true" | "yes" | "y" | "on"
        )),
        ScalarType::Int => {
            let t = s.text.replace('_', "");
            let parsed = match t.strip_prefix("0x") {
                Some(h) => i64::from_str_radix(h, 16).ok(),
                None => t.parse::<i64>().ok(),
            };
            parsed.map_or_else(|| J::String(s.text.clone()), |n| J::Number(n.into()))
        }
        ScalarType::Float => s
            .text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| J::String(s.text.clone()), J::Number),
        ScalarType::String => J::String(s.text.clone()),
    }
}

/// Freezes rendered documents into a tree for the virtual file `file`; each node keeps
/// its own span (and so its own file).
pub fn to_tree(documents: &[Value], file: FileId) -> (Tree, Vec<Option<NodeId>>) {
    let mut tree = Tree::rendered(file);
    let roots = documents.iter().map(|d| Some(push(&mut tree, d))).collect();
    (tree, roots)
}

fn push(tree: &mut Tree, value: &Value) -> NodeId {
    match &value.node {
        Node::Scalar(s) => tree.push_scalar(value.span, &s.text, s.style, s.tag.clone()),
        Node::Seq(items) => {
            let ids: Vec<NodeId> = items.iter().map(|i| push(tree, i)).collect();
            tree.push_seq(value.span, &ids)
        }
        Node::Map(entries) => {
            let pairs: Vec<Entry> = entries
                .iter()
                .map(|(k, v)| {
                    let key = tree.push_scalar(k.span, &k.name, ScalarStyle::Plain, None);
                    Entry {
                        key,
                        value: push(tree, v),
                    }
                })
                .collect();
            tree.push_map(value.span, &pairs)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::yaml::{Bounds, parse};
    use std::sync::Arc;

    fn value(text: &str) -> Value {
        let p = parse(FileId(3), &Arc::from(text), Bounds::default());
        Value::from_tree(&p.tree, p.documents[0].unwrap())
    }

    #[test]
    fn round_trips_through_a_rendered_tree_keeping_spans() {
        let v = value("a: 1\nb:\n  - x\n  - 'y'\n");
        let (tree, docs) = to_tree(std::slice::from_ref(&v), FileId(9));
        let root = docs[0].unwrap();
        let b = tree.get(root, "b").unwrap();
        let y = tree.items(b)[1];
        assert_eq!(tree.str(y), Some("y"));
        // The node's span is in the file it was read from, not the rendered file.
        assert_eq!(tree.span(y), Span::new(FileId(3), 18, 21));
        assert_eq!(tree.int(tree.get(root, "a").unwrap()), Some(1));
    }

    #[test]
    fn json_typing_follows_kubernetes() {
        let v = value("a: 1\nb: 'true'\nc: yes\nd: ~\ne: 1.5\n");
        assert_eq!(
            v.to_json(),
            serde_json::json!({"a": 1, "b": "true", "c": true, "d": null, "e": 1.5})
        );
    }

    #[test]
    fn merge_patch_merges_deletes_and_replaces() {
        let mut v = value("helm: {parameters: [{name: a}], valueFiles: [x]}\npath: p\n");
        let patch = value("helm: {parameters: [{name: b}], valueFiles: null}\n");
        v.merge_patch(&patch);
        assert_eq!(
            v.to_json(),
            serde_json::json!({"helm": {"parameters": [{"name": "b"}]}, "path": "p"})
        );
    }

    #[test]
    fn strings_that_look_like_numbers_stay_strings() {
        let v = Value::string("1.0", Span::default());
        assert_eq!(v.to_json(), serde_json::json!("1.0"));
        let v = Value::plain("3", Span::default());
        assert_eq!(v.to_json(), serde_json::json!(3));
    }
}
