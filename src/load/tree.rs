//! Our YAML tree: an arena of nodes, each with the byte span it came from.
//!
//! Aliases share the anchored node (the tree is a DAG), so an alias never copies data;
//! the loader bounds how large the expansion would be instead.

use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

/// A scalar as read from the tree: its value (after unescaping and folding), style and
/// explicit tag.
#[derive(Clone, Copy, Debug)]
pub struct Scalar<'t> {
    pub value: &'t str,
    pub style: ScalarStyle,
    /// An explicit tag such as `!!str`, if any.
    pub tag: Option<&'t str>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub key: NodeId,
    pub value: NodeId,
}

/// Where a scalar's value lives: most values are a slice of the file's text, the rest
/// (escapes, folded lines) are owned. `u32::MAX` as `tag` means no tag.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Scalar {
        text: Text,
        style: ScalarStyle,
        tag: u32,
    },
    Seq {
        start: u32,
        len: u32,
    },
    Map {
        start: u32,
        len: u32,
    },
}

#[derive(Clone, Copy, Debug)]
enum Text {
    Source { start: u32, end: u32 },
    Owned(u32),
}

/// Nodes are small and fixed-size; children live in two shared arenas, so building a
/// tree allocates per file, not per node.
#[derive(Clone, Copy, Debug)]
struct Node {
    span: Span,
    kind: Kind,
}

/// How Kubernetes (sigs.k8s.io/yaml, YAML 1.1 rules) reads a plain scalar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarType {
    Null,
    Bool,
    Int,
    Float,
    String,
}

impl Scalar<'_> {
    pub fn k8s_type(&self) -> ScalarType {
        if self.style != ScalarStyle::Plain {
            return ScalarType::String;
        }
        if let Some(tag) = self.tag
            && (tag.ends_with(":str") || tag == "!!str")
        {
            return ScalarType::String;
        }
        resolve_plain(self.value)
    }
}

/// YAML 1.1 plain-scalar resolution as go-yaml v2 (behind sigs.k8s.io/yaml) does it.
pub fn resolve_plain(s: &str) -> ScalarType {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return ScalarType::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "n" | "N" | "no" | "No" | "NO" | "true" | "True"
        | "TRUE" | "false" | "False" | "FALSE" | "on" | "On" | "ON" | "off" | "Off" | "OFF" => {
            return ScalarType::Bool;
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF"
        | ".nan" | ".NaN" | ".NAN" => return ScalarType::Float,
        _ => {}
    }
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    let plain = digits.replace('_', "");
    if let Some(hex) = plain.strip_prefix("0x")
        && !hex.is_empty()
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return ScalarType::Int;
    }
    if let Some(bin) = plain.strip_prefix("0b")
        && !bin.is_empty()
        && bin.bytes().all(|b| b == b'0' || b == b'1')
    {
        return ScalarType::Int;
    }
    if !plain.is_empty() && plain.bytes().all(|b| b.is_ascii_digit()) {
        return ScalarType::Int;
    }
    if looks_like_float(&plain) {
        return ScalarType::Float;
    }
    ScalarType::String
}

fn looks_like_float(s: &str) -> bool {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mut parts = mantissa.splitn(2, '.');
    let int_part = parts.next().unwrap_or("");
    let frac = parts.next();
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match frac {
        Some(f) => all_digits(int_part) && all_digits(f) && !(int_part.is_empty() && f.is_empty()),
        None => exponent.is_some() && !int_part.is_empty() && all_digits(int_part),
    };
    let exponent_ok = match exponent {
        Some(e) => {
            let e = e.strip_prefix(['-', '+']).unwrap_or(e);
            !e.is_empty() && all_digits(e)
        }
        None => true,
    };
    mantissa_ok && exponent_ok
}

/// One file's nodes. Documents are roots inside it.
#[derive(Clone, Debug, Default)]
pub struct Tree {
    text: std::sync::Arc<str>,
    nodes: Vec<Node>,
    items: Vec<NodeId>,
    entries: Vec<Entry>,
    owned: Vec<Box<str>>,
    tags: Vec<Box<str>>,
}

impl Tree {
    /// An empty tree for `text`, with arenas sized from typical manifests (about one
    /// node per 12 bytes) so they rarely grow.
    pub fn new(text: std::sync::Arc<str>) -> Tree {
        let n = text.len();
        Tree {
            nodes: Vec::with_capacity(n / 12),
            entries: Vec::with_capacity(n / 30),
            items: Vec::with_capacity(n / 120),
            text,
            ..Tree::default()
        }
    }

    /// Adds a scalar. saphyr hands every value over as an owned string, but most values
    /// are the source text itself (or its inside, when quoted): those are stored as a
    /// range of the file's text instead of a copy.
    pub fn push_scalar(
        &mut self,
        span: Span,
        value: &str,
        style: ScalarStyle,
        tag: Option<String>,
    ) -> NodeId {
        let (start, end) = (span.start as usize, span.end as usize);
        let inner = match style {
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted if end >= start + 2 => {
                (start + 1, end - 1)
            }
            _ => (start, end),
        };
        let text = if self.text.get(inner.0..inner.1) == Some(value) {
            Text::Source {
                start: inner.0 as u32,
                end: inner.1 as u32,
            }
        } else {
            self.owned.push(value.into());
            Text::Owned(self.owned.len() as u32 - 1)
        };
        let tag = match tag {
            Some(t) => {
                self.tags.push(t.into());
                self.tags.len() as u32 - 1
            }
            None => u32::MAX,
        };
        self.push(span, Kind::Scalar { text, style, tag })
    }

    pub fn push_seq(&mut self, span: Span, items: &[NodeId]) -> NodeId {
        let start = self.items.len() as u32;
        self.items.extend_from_slice(items);
        self.push(
            span,
            Kind::Seq {
                start,
                len: items.len() as u32,
            },
        )
    }

    pub fn push_map(&mut self, span: Span, entries: &[Entry]) -> NodeId {
        let start = self.entries.len() as u32;
        self.entries.extend_from_slice(entries);
        self.push(
            span,
            Kind::Map {
                start,
                len: entries.len() as u32,
            },
        )
    }

    fn push(&mut self, span: Span, kind: Kind) -> NodeId {
        self.nodes.push(Node { span, kind });
        NodeId(self.nodes.len() as u32 - 1)
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn span(&self, id: NodeId) -> Span {
        self.nodes[id.0 as usize].span
    }

    pub fn scalar(&self, id: NodeId) -> Option<Scalar<'_>> {
        match self.nodes[id.0 as usize].kind {
            Kind::Scalar { text, style, tag } => Some(Scalar {
                value: match text {
                    Text::Source { start, end } => &self.text[start as usize..end as usize],
                    Text::Owned(i) => &self.owned[i as usize],
                },
                style,
                tag: self.tags.get(tag as usize).map(|t| &**t),
            }),
            _ => None,
        }
    }

    /// The scalar's value, if this is a scalar that is not null.
    pub fn str(&self, id: NodeId) -> Option<&str> {
        self.scalar(id)
            .filter(|s| s.k8s_type() != ScalarType::Null)
            .map(|s| s.value)
    }

    pub fn is_null(&self, id: NodeId) -> bool {
        self.scalar(id)
            .is_some_and(|s| s.k8s_type() == ScalarType::Null)
    }

    pub fn entries(&self, id: NodeId) -> &[Entry] {
        match self.nodes[id.0 as usize].kind {
            Kind::Map { start, len } => &self.entries[start as usize..(start + len) as usize],
            _ => &[],
        }
    }

    pub fn items(&self, id: NodeId) -> &[NodeId] {
        match self.nodes[id.0 as usize].kind {
            Kind::Seq { start, len } => &self.items[start as usize..(start + len) as usize],
            _ => &[],
        }
    }

    pub fn is_map(&self, id: NodeId) -> bool {
        matches!(self.nodes[id.0 as usize].kind, Kind::Map { .. })
    }

    pub fn is_seq(&self, id: NodeId) -> bool {
        matches!(self.nodes[id.0 as usize].kind, Kind::Seq { .. })
    }

    /// The entry whose key is the string `key`.
    pub fn entry(&self, map: NodeId, key: &str) -> Option<Entry> {
        self.entries(map)
            .iter()
            .find(|e| self.scalar(e.key).is_some_and(|s| s.value == key))
            .copied()
    }

    pub fn get(&self, map: NodeId, key: &str) -> Option<NodeId> {
        self.entry(map, key).map(|e| e.value)
    }

    /// Follows a path of mapping keys.
    pub fn path(&self, mut id: NodeId, keys: &[&str]) -> Option<NodeId> {
        for key in keys {
            id = self.get(id, key)?;
        }
        Some(id)
    }

    /// The key node of the last step of `keys`, for findings that point at a field name.
    pub fn key_at(&self, id: NodeId, keys: &[&str]) -> Option<NodeId> {
        let (last, parents) = keys.split_last()?;
        let parent = self.path(id, parents)?;
        self.entry(parent, last).map(|e| e.key)
    }

    pub fn get_str(&self, map: NodeId, key: &str) -> Option<&str> {
        self.get(map, key).and_then(|v| self.str(v))
    }

    pub fn path_str(&self, id: NodeId, keys: &[&str]) -> Option<&str> {
        self.path(id, keys).and_then(|v| self.str(v))
    }

    /// An integer value, as Kubernetes would read it (quoted numbers are not integers).
    pub fn int(&self, id: NodeId) -> Option<i64> {
        let s = self.scalar(id)?;
        if s.k8s_type() != ScalarType::Int {
            return None;
        }
        let v = s.value.replace('_', "");
        let (neg, digits) = match v.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, v.strip_prefix('+').unwrap_or(&v)),
        };
        let n = if let Some(h) = digits.strip_prefix("0x") {
            i64::from_str_radix(h, 16).ok()?
        } else if let Some(b) = digits.strip_prefix("0b") {
            i64::from_str_radix(b, 2).ok()?
        } else if digits.len() > 1 && digits.starts_with('0') {
            i64::from_str_radix(&digits[1..], 8).ok()?
        } else {
            digits.parse().ok()?
        };
        Some(if neg { -n } else { n })
    }
}
