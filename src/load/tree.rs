//! Our YAML tree: an arena of nodes, each with the byte span it came from.
//!
//! Aliases share the anchored node (the tree is a DAG), so an alias never copies data;
//! the loader bounds how large the expansion would be instead.

use crate::source::{FileId, Span};

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

/// What a node is, in the low bits of [`Node::meta`]: a collection, or a scalar and its
/// style.
const MAP: u32 = 0;
const SEQ: u32 = 1;
const SCALAR: u32 = 2; // + the style's index in `STYLES`
/// In declaration order, so `style as u32` indexes it.
const STYLES: [ScalarStyle; 5] = [
    ScalarStyle::Plain,
    ScalarStyle::SingleQuoted,
    ScalarStyle::DoubleQuoted,
    ScalarStyle::Literal,
    ScalarStyle::Folded,
];
const SHAPE_BITS: u32 = 3;
const SHAPE_MASK: u32 = (1 << SHAPE_BITS) - 1;
/// Children a collection may have: the rest of `meta`'s bits.
pub const MAX_CHILDREN: usize = (u32::MAX >> SHAPE_BITS) as usize;
/// `Node::first` of a scalar whose value is its source text.
const SOURCE: u32 = u32::MAX;

/// One node in 16 bytes, as every tree stays alive until the end of the run (the file
/// id is the tree's, not repeated per node).
#[derive(Clone, Copy, Debug)]
struct Node {
    start: u32,
    end: u32,
    /// A collection's first child in `entries`/`items`; a scalar's value in `owned`, or
    /// `SOURCE` when the value is the span's text (its inside, when quoted).
    first: u32,
    /// Shape in the low `SHAPE_BITS`; above them, a collection's child count or a
    /// scalar's tag index plus one (0: no tag).
    meta: u32,
}

const _: () = assert!(std::mem::size_of::<Node>() == 16);

impl Node {
    fn shape(self) -> u32 {
        self.meta & SHAPE_MASK
    }
    fn payload(self) -> u32 {
        self.meta >> SHAPE_BITS
    }
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
    // Most scalars are words: only something that starts like a number can be one.
    if !digits.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return ScalarType::String;
    }
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
    file: FileId,
    text: std::sync::Arc<str>,
    nodes: Vec<Node>,
    items: Vec<NodeId>,
    entries: Vec<Entry>,
    owned: Vec<Box<str>>,
    tags: Vec<Box<str>>,
    /// A rendered tree's nodes come from many files (a Kustomize base and its patches, a
    /// Helm template): the file of each node, by `NodeId`. Empty for a parsed file's tree,
    /// whose nodes are all in `file`.
    node_files: Vec<FileId>,
    rendered: bool,
}

/// The part of a scalar's span that is its value when the value is the source text:
/// the inside of the quotes for a quoted scalar, all of it otherwise.
fn value_range(start: u32, end: u32, style: ScalarStyle) -> (u32, u32) {
    match style {
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted if end >= start + 2 => {
            (start + 1, end - 1)
        }
        _ => (start, end),
    }
}

impl Tree {
    /// An empty tree for `text` in `file`. The loader builds into one reused tree per
    /// thread and keeps a [`Tree::take_compact`] copy, so arenas start empty here.
    pub fn new(file: FileId, text: std::sync::Arc<str>) -> Tree {
        Tree {
            file,
            text,
            ..Tree::default()
        }
    }

    /// An empty rendered tree: each node keeps the file of the span it is pushed with,
    /// so a rendered object's fields point at the files they came from. `file` is the
    /// rendered output's own (virtual) file.
    pub fn rendered(file: FileId) -> Tree {
        Tree {
            file,
            rendered: true,
            ..Tree::default()
        }
    }

    /// The file whose objects this tree holds (for a rendered tree, the virtual file).
    pub fn file(&self) -> FileId {
        self.file
    }

    /// Starts over for another file, keeping the arenas' capacity.
    pub fn reset(&mut self, file: FileId, text: std::sync::Arc<str>) {
        self.file = file;
        self.text = text;
        self.nodes.clear();
        self.items.clear();
        self.entries.clear();
        self.owned.clear();
        self.tags.clear();
    }

    /// This tree with arenas exactly as long as their content (every tree lives until
    /// the end of the run, so slack would be kept, and growth in place would touch
    /// fresh pages). `self` is left empty, with its capacity, for the next file.
    pub fn take_compact(&mut self) -> Tree {
        let tree = Tree {
            file: self.file,
            text: std::mem::take(&mut self.text),
            nodes: self.nodes.to_vec(),
            items: self.items.to_vec(),
            entries: self.entries.to_vec(),
            // Drain is exact-size, so these copies are too.
            owned: self.owned.drain(..).collect(),
            tags: self.tags.drain(..).collect(),
            node_files: std::mem::take(&mut self.node_files),
            rendered: self.rendered,
        };
        self.nodes.clear();
        self.items.clear();
        self.entries.clear();
        tree
    }

    /// Adds a scalar. saphyr hands every value over as an owned string, but most values
    /// are the source text itself (or its inside, when quoted): those need no storage
    /// beyond the node's span.
    pub fn push_scalar(
        &mut self,
        span: Span,
        value: &str,
        style: ScalarStyle,
        tag: Option<String>,
    ) -> NodeId {
        let (start, end) = value_range(span.start, span.end, style);
        // A rendered tree's spans are in other files: its values are always stored.
        let first = if !self.rendered && self.text.get(start as usize..end as usize) == Some(value)
        {
            SOURCE
        } else {
            self.owned.push(value.into());
            self.owned.len() as u32 - 1
        };
        // Each tag takes at least three bytes of source (files are at most 32 MB), so
        // the count fits the payload's 29 bits.
        let tag = match tag {
            Some(t) => {
                self.tags.push(t.into());
                self.tags.len() as u32
            }
            None => 0,
        };
        let shape = SCALAR + style as u32;
        self.push(span, first, tag, shape)
    }

    /// Adds a sequence; `items.len()` must not exceed [`MAX_CHILDREN`].
    pub fn push_seq(&mut self, span: Span, items: &[NodeId]) -> NodeId {
        let first = self.items.len() as u32;
        self.items.extend_from_slice(items);
        self.push(span, first, items.len() as u32, SEQ)
    }

    /// Adds a mapping; `entries.len()` must not exceed [`MAX_CHILDREN`].
    pub fn push_map(&mut self, span: Span, entries: &[Entry]) -> NodeId {
        let first = self.entries.len() as u32;
        self.entries.extend_from_slice(entries);
        self.push(span, first, entries.len() as u32, MAP)
    }

    fn push(&mut self, span: Span, first: u32, payload: u32, shape: u32) -> NodeId {
        debug_assert!(
            (self.rendered || span.file == self.file) && payload as usize <= MAX_CHILDREN
        );
        if self.rendered {
            self.node_files.push(span.file);
        }
        self.nodes.push(Node {
            start: span.start,
            end: span.end,
            first,
            meta: (payload << SHAPE_BITS) | shape,
        });
        NodeId(self.nodes.len() as u32 - 1)
    }

    /// A collection's children as a range of its arena, if the node has `shape`.
    fn children(&self, id: NodeId, shape: u32) -> Option<std::ops::Range<usize>> {
        let node = self.nodes[id.0 as usize];
        (node.shape() == shape)
            .then(|| node.first as usize..node.first as usize + node.payload() as usize)
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn span(&self, id: NodeId) -> Span {
        let node = self.nodes[id.0 as usize];
        Span {
            file: match self.node_files.get(id.0 as usize) {
                Some(file) => *file,
                None => self.file,
            },
            start: node.start,
            end: node.end,
        }
    }

    pub fn scalar(&self, id: NodeId) -> Option<Scalar<'_>> {
        let node = self.nodes[id.0 as usize];
        let style = *STYLES.get(node.shape().checked_sub(SCALAR)? as usize)?;
        let value = if node.first == SOURCE {
            let (start, end) = value_range(node.start, node.end, style);
            &self.text[start as usize..end as usize]
        } else {
            &self.owned[node.first as usize]
        };
        let tag = node
            .payload()
            .checked_sub(1)
            .map(|t| &*self.tags[t as usize]);
        Some(Scalar { value, style, tag })
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
        self.children(id, MAP).map_or(&[], |r| &self.entries[r])
    }

    pub fn items(&self, id: NodeId) -> &[NodeId] {
        self.children(id, SEQ).map_or(&[], |r| &self.items[r])
    }

    pub fn is_map(&self, id: NodeId) -> bool {
        self.nodes[id.0 as usize].shape() == MAP
    }

    pub fn is_seq(&self, id: NodeId) -> bool {
        self.nodes[id.0 as usize].shape() == SEQ
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
