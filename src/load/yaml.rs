//! Builds our [`Tree`] from `saphyr-parser` events, with byte spans, bounded nesting
//! and bounded alias expansion.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle as SaphyrStyle, Span as SaphyrSpan};

use super::tree::{Entry, Node, NodeId, NodeValue, Scalar, ScalarStyle, Tree};
use crate::source::{FileId, Span};

/// Limits that keep a hostile file from exhausting time or memory.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    pub max_depth: usize,
    /// Nodes a document may expand to through aliases, beyond its own node count.
    pub max_alias_expansion: u64,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds {
            max_depth: 200,
            max_alias_expansion: 1_000_000,
        }
    }
}

/// Why a file did not parse (completely), and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub offset: usize,
    pub message: String,
}

/// A parsed file: its documents (a `None` for an empty document) and, when parsing
/// stopped early, the error. Documents completed before the error are kept.
#[derive(Debug, Default)]
pub struct Parsed {
    pub tree: Tree,
    pub documents: Vec<Option<NodeId>>,
    pub error: Option<ParseError>,
}

enum Frame {
    Map {
        start: usize,
        anchor: usize,
        entries: Vec<Entry>,
        key: Option<NodeId>,
    },
    Seq {
        start: usize,
        anchor: usize,
        items: Vec<NodeId>,
    },
}

/// Character index to byte offset: saphyr's markers count characters.
struct Offsets<'a> {
    text: &'a str,
    table: Option<Vec<u32>>,
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str) -> Self {
        let table = (!text.is_ascii()).then(|| {
            let mut t: Vec<u32> = text.char_indices().map(|(b, _)| b as u32).collect();
            t.push(text.len() as u32);
            t
        });
        Offsets { text, table }
    }
    fn byte(&self, char_index: usize) -> usize {
        match &self.table {
            None => char_index.min(self.text.len()),
            Some(t) => t.get(char_index).copied().unwrap_or(self.text.len() as u32) as usize,
        }
    }
}

pub fn parse(file: FileId, text: &str, bounds: Bounds) -> Parsed {
    let offsets = Offsets::new(text);
    let mut out = Parsed::default();
    let mut builder = Builder {
        file,
        tree: &mut out.tree,
        stack: Vec::new(),
        anchors: HashMap::new(),
        sizes: Vec::new(),
        offsets: &offsets,
        bounds,
        doc_root: None,
    };
    let mut parser = Parser::new_from_str(text);
    loop {
        let (event, span) = match parser.next_event() {
            None => break,
            Some(Ok(ev)) => ev,
            Some(Err(e)) => {
                out.error = Some(ParseError {
                    offset: offsets.byte(e.marker().index()),
                    message: e.info().to_string(),
                });
                break;
            }
        };
        let result = match event {
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                builder.doc_root = None;
                builder.anchors.clear();
                Ok(())
            }
            Event::DocumentEnd => {
                // An empty document (`---` alone) arrives as a null scalar.
                let root = builder
                    .doc_root
                    .take()
                    .filter(|r| !builder.tree.is_null(*r));
                out.documents.push(root);
                Ok(())
            }
            other => builder.event(other, span),
        };
        if let Err(mut err) = result {
            if err.offset == usize::MAX {
                err.offset = offsets.byte(span.start.index());
            }
            out.error = Some(err);
            break;
        }
    }
    out
}

struct Builder<'t, 'o> {
    file: FileId,
    tree: &'t mut Tree,
    stack: Vec<Frame>,
    anchors: HashMap<usize, NodeId>,
    /// Expanded size (nodes, counting alias targets in full) of every node, by id.
    sizes: Vec<u64>,
    offsets: &'o Offsets<'o>,
    bounds: Bounds,
    doc_root: Option<NodeId>,
}

impl Builder<'_, '_> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, self.offsets.byte(start), self.offsets.byte(end))
    }

    fn error(message: String) -> ParseError {
        ParseError {
            offset: usize::MAX,
            message,
        }
    }

    fn event(&mut self, event: Event<'_>, span: SaphyrSpan) -> Result<(), ParseError> {
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                let style = match style {
                    SaphyrStyle::Plain => ScalarStyle::Plain,
                    SaphyrStyle::SingleQuoted => ScalarStyle::SingleQuoted,
                    SaphyrStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
                    SaphyrStyle::Literal => ScalarStyle::Literal,
                    SaphyrStyle::Folded => ScalarStyle::Folded,
                };
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix).into_boxed_str());
                let node = Node {
                    span: self.span(span.start.index(), span.end.index()),
                    value: NodeValue::Scalar(Scalar {
                        value: value.as_ref().into(),
                        style,
                        tag,
                    }),
                };
                let id = self.push(node, 1);
                self.anchor(anchor, id);
                self.attach(id)
            }
            Event::Alias(anchor) => {
                let id = *self
                    .anchors
                    .get(&anchor)
                    .ok_or_else(|| Self::error("alias to an unknown anchor".into()))?;
                self.attach(id)
            }
            Event::SequenceStart(anchor, _) => {
                self.enter()?;
                self.stack.push(Frame::Seq {
                    start: span.start.index(),
                    anchor,
                    items: Vec::new(),
                });
                Ok(())
            }
            Event::MappingStart(anchor, _) => {
                self.enter()?;
                self.stack.push(Frame::Map {
                    start: span.start.index(),
                    anchor,
                    entries: Vec::new(),
                    key: None,
                });
                Ok(())
            }
            Event::SequenceEnd => {
                let Some(Frame::Seq {
                    start,
                    anchor,
                    items,
                }) = self.stack.pop()
                else {
                    return Err(Self::error("unbalanced sequence".into()));
                };
                let size = 1 + items.iter().map(|i| self.size(*i)).sum::<u64>();
                let node = Node {
                    span: self.span(start, span.end.index()),
                    value: NodeValue::Seq(items),
                };
                let id = self.push(node, size);
                self.anchor(anchor, id);
                self.attach(id)
            }
            Event::MappingEnd => {
                let Some(Frame::Map {
                    start,
                    anchor,
                    entries,
                    ..
                }) = self.stack.pop()
                else {
                    return Err(Self::error("unbalanced mapping".into()));
                };
                let entries = self.apply_merge_keys(entries);
                let size = 1 + entries
                    .iter()
                    .map(|e| self.size(e.key) + self.size(e.value))
                    .sum::<u64>();
                let node = Node {
                    span: self.span(start, span.end.index().max(start)),
                    value: NodeValue::Map(entries),
                };
                let id = self.push(node, size);
                self.anchor(anchor, id);
                self.attach(id)
            }
            _ => Ok(()),
        }
    }

    fn enter(&self) -> Result<(), ParseError> {
        if self.stack.len() >= self.bounds.max_depth {
            return Err(Self::error(format!(
                "nesting is deeper than {} levels",
                self.bounds.max_depth
            )));
        }
        Ok(())
    }

    fn size(&self, id: NodeId) -> u64 {
        self.sizes[id.0 as usize]
    }

    fn push(&mut self, node: Node, size: u64) -> NodeId {
        self.sizes.push(size);
        self.tree.push(node)
    }

    fn anchor(&mut self, anchor: usize, id: NodeId) {
        if anchor != 0 {
            self.anchors.insert(anchor, id);
        }
    }

    fn attach(&mut self, id: NodeId) -> Result<(), ParseError> {
        let size = self.size(id);
        if size > self.bounds.max_alias_expansion {
            return Err(Self::error(format!(
                "aliases expand to more than {} nodes (an alias bomb?)",
                self.bounds.max_alias_expansion
            )));
        }
        match self.stack.last_mut() {
            None => self.doc_root = Some(id),
            Some(Frame::Seq { items, .. }) => items.push(id),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(id),
                Some(k) => entries.push(Entry { key: k, value: id }),
            },
        }
        Ok(())
    }

    /// `<<: *base` and `<<: [*a, *b]`: explicit keys win, then earlier merged maps.
    fn apply_merge_keys(&self, entries: Vec<Entry>) -> Vec<Entry> {
        let is_merge = |e: &Entry| {
            self.tree
                .scalar(e.key)
                .is_some_and(|s| s.style == ScalarStyle::Plain && &*s.value == "<<")
        };
        if !entries.iter().any(is_merge) {
            return entries;
        }
        let (merges, mut out): (Vec<Entry>, Vec<Entry>) = entries.into_iter().partition(is_merge);
        let key_of = |e: &Entry| self.tree.scalar(e.key).map(|s| s.value.clone());
        for merge in merges {
            let sources: Vec<NodeId> = if self.tree.is_seq(merge.value) {
                self.tree.items(merge.value).to_vec()
            } else {
                vec![merge.value]
            };
            for source in sources {
                for inherited in self.tree.entries(source) {
                    let k = key_of(inherited);
                    if !out.iter().any(|e| key_of(e) == k) {
                        out.push(*inherited);
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Parsed {
        let p = parse(FileId(0), text, Bounds::default());
        assert!(p.error.is_none(), "{:?}", p.error);
        p
    }

    #[test]
    fn spans_are_bytes_even_after_multibyte_chars() {
        let text = "a: \"é\"\nb: x\n";
        let p = parse_ok(text);
        let root = p.documents[0].unwrap();
        let b = p.tree.get(root, "b").unwrap();
        assert_eq!(&text[p.tree.span(b).range()], "x");
        let a = p.tree.get(root, "a").unwrap();
        assert_eq!(&text[p.tree.span(a).range()], "\"é\"");
    }

    #[test]
    fn merge_keys_and_aliases() {
        let p = parse_ok("base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n");
        let root = p.documents[0].unwrap();
        let d = p.tree.get(root, "d").unwrap();
        assert_eq!(p.tree.get_str(d, "x"), Some("1"));
        assert_eq!(p.tree.get_str(d, "y"), Some("3"));
    }

    #[test]
    fn multi_documents_and_empty_ones() {
        let p = parse_ok("a: 1\n---\n---\nb: 2\n");
        assert_eq!(p.documents.len(), 3, "{:?}", p.documents);
        assert!(p.documents[1].is_none());
    }

    #[test]
    fn alias_bomb_is_bounded() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = format!("*a{}", i - 1);
            text += &format!("a{i}: &a{i} [{}]\n", vec![prev; 10].join(", "));
        }
        let p = parse(FileId(0), &text, Bounds::default());
        assert!(p.error.unwrap().message.contains("alias"));
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let text = "[".repeat(10_000) + &"]".repeat(10_000);
        let p = parse(FileId(0), &text, Bounds::default());
        let e = p.error.unwrap();
        assert!(
            e.message.contains("nesting") || e.message.contains("recursion"),
            "{e:?}"
        );
    }

    #[test]
    fn tab_indentation_is_an_error_with_a_line() {
        let text = "a:\n\tb: 1\n";
        let p = parse(FileId(0), text, Bounds::default());
        assert!(p.error.is_some());
    }
}
