//! Builds our [`Tree`] from `saphyr-parser` events, with byte spans, bounded nesting
//! and bounded alias expansion.

use std::collections::HashMap;
use std::sync::Arc;

use saphyr_parser::{Event, Parser, ScalarStyle as SaphyrStyle, Span as SaphyrSpan};

use super::tree::{Entry, MAX_CHILDREN, NodeId, ScalarStyle, Tree};
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

/// An open collection. Its children so far sit at `scratch[first..]` (items, or key and
/// value pairs for a mapping), so nesting never allocates per collection.
struct Frame {
    start: usize,
    anchor: usize,
    first: usize,
    map: bool,
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

/// The builder's working buffers, kept per thread and reused from file to file. The
/// tree is built here too and copied out at its exact size.
#[derive(Default)]
struct Buffers {
    tree: Tree,
    stack: Vec<Frame>,
    scratch: Vec<NodeId>,
    entries: Vec<Entry>,
    anchors: HashMap<usize, NodeId>,
    sizes: Vec<u32>,
}

thread_local! {
    static BUFFERS: std::cell::RefCell<Buffers> = std::cell::RefCell::default();
}

pub fn parse(file: FileId, text: &Arc<str>, bounds: Bounds) -> Parsed {
    let mut buffers = BUFFERS.with(|b| std::mem::take(&mut *b.borrow_mut()));
    let parsed = parse_with(file, text, bounds, &mut buffers);
    buffers.stack.clear();
    buffers.scratch.clear();
    buffers.entries.clear();
    buffers.anchors.clear();
    buffers.sizes.clear();
    BUFFERS.with(|b| *b.borrow_mut() = buffers);
    parsed
}

fn parse_with(file: FileId, text: &Arc<str>, bounds: Bounds, buffers: &mut Buffers) -> Parsed {
    let offsets = Offsets::new(text);
    let mut out = Parsed::default();
    buffers.tree.reset(file, text.clone());
    let mut builder = Builder {
        file,
        tree: &mut buffers.tree,
        stack: &mut buffers.stack,
        scratch: &mut buffers.scratch,
        entries: &mut buffers.entries,
        anchors: &mut buffers.anchors,
        sizes: &mut buffers.sizes,
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
    out.tree = buffers.tree.take_compact();
    out
}

struct Builder<'t, 'o> {
    file: FileId,
    tree: &'t mut Tree,
    stack: &'t mut Vec<Frame>,
    /// Children of every open collection, innermost last.
    scratch: &'t mut Vec<NodeId>,
    /// A mapping's entries while it is built.
    entries: &'t mut Vec<Entry>,
    anchors: &'t mut HashMap<usize, NodeId>,
    /// Expanded size (nodes, counting alias targets in full) of every node, by id.
    sizes: &'t mut Vec<u32>,
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
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                let span = self.span(span.start.index(), span.end.index());
                let id = self.tree.push_scalar(span, &value, style, tag);
                self.sizes.push(1);
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
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if self.stack.len() >= self.bounds.max_depth {
                    return Err(Self::error(format!(
                        "nesting is deeper than {} levels",
                        self.bounds.max_depth
                    )));
                }
                let map = matches!(event, Event::MappingStart(..));
                self.stack.push(Frame {
                    start: span.start.index(),
                    anchor,
                    first: self.scratch.len(),
                    map,
                });
                Ok(())
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let frame = self
                    .stack
                    .pop()
                    .ok_or_else(|| Self::error("unbalanced collection".into()))?;
                let children = &self.scratch[frame.first..];
                let size = children
                    .iter()
                    .fold(1u32, |acc, c| acc.saturating_add(self.sizes[c.0 as usize]));
                // Checked before the node is built (`attach` would say the same), as it
                // also keeps child counts within what a node holds.
                self.check_size(size)?;
                let end = span.end.index().max(frame.start);
                let span = self.span(frame.start, end);
                let id = if frame.map {
                    self.entries.clear();
                    self.entries
                        .extend(children.chunks_exact(2).map(|pair| Entry {
                            key: pair[0],
                            value: pair[1],
                        }));
                    apply_merge_keys(self.tree, self.entries);
                    Self::check_children(self.entries.len())?;
                    self.tree.push_map(span, self.entries)
                } else {
                    Self::check_children(children.len())?;
                    self.tree.push_seq(span, children)
                };
                self.scratch.truncate(frame.first);
                self.sizes.push(size);
                self.anchor(frame.anchor, id);
                self.attach(id)
            }
            _ => Ok(()),
        }
    }

    fn anchor(&mut self, anchor: usize, id: NodeId) {
        if anchor != 0 {
            self.anchors.insert(anchor, id);
        }
    }

    fn check_size(&self, size: u32) -> Result<(), ParseError> {
        if u64::from(size) > self.bounds.max_alias_expansion {
            return Err(Self::error(format!(
                "aliases expand to more than {} nodes (an alias bomb?)",
                self.bounds.max_alias_expansion
            )));
        }
        Ok(())
    }

    /// Only reachable with a raised `max_alias_expansion`: the size check comes first.
    fn check_children(len: usize) -> Result<(), ParseError> {
        if len > MAX_CHILDREN {
            return Err(Self::error(format!(
                "a collection has more than {MAX_CHILDREN} children"
            )));
        }
        Ok(())
    }

    fn attach(&mut self, id: NodeId) -> Result<(), ParseError> {
        self.check_size(self.sizes[id.0 as usize])?;
        if self.stack.is_empty() {
            self.doc_root = Some(id);
        } else {
            self.scratch.push(id);
        }
        Ok(())
    }
}

/// `<<: *base` and `<<: [*a, *b]`: explicit keys win, then earlier merged maps.
fn apply_merge_keys(tree: &Tree, entries: &mut Vec<Entry>) {
    let is_merge = |e: &Entry| {
        tree.scalar(e.key)
            .is_some_and(|s| s.style == ScalarStyle::Plain && s.value == "<<")
    };
    if !entries.iter().any(is_merge) {
        return;
    }
    let (merges, mut out): (Vec<Entry>, Vec<Entry>) = entries.drain(..).partition(is_merge);
    let key_of = |e: &Entry| tree.scalar(e.key).map(|s| s.value);
    for merge in merges {
        let sources: Vec<NodeId> = if tree.is_seq(merge.value) {
            tree.items(merge.value).to_vec()
        } else {
            vec![merge.value]
        };
        for source in sources {
            for inherited in tree.entries(source) {
                let k = key_of(inherited);
                if !out.iter().any(|e| key_of(e) == k) {
                    out.push(*inherited);
                }
            }
        }
    }
    *entries = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Parsed {
        let p = parse(FileId(0), &Arc::from(text), Bounds::default());
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
    fn scalars_keep_style_tag_and_value() {
        let text = "a: 'x'\nb: \"y\\n\"\nc: !!str 5\nd: |\n  lit\ne: ''\nf: [1, {g: h}]\n";
        // Not file 0: spans take their file from the tree.
        let p = parse(FileId(7), &Arc::from(text), Bounds::default());
        let root = p.documents[0].unwrap();
        let scalar = |k: &str| p.tree.scalar(p.tree.get(root, k).unwrap()).unwrap();
        let (a, b, c, d, e) = (
            scalar("a"),
            scalar("b"),
            scalar("c"),
            scalar("d"),
            scalar("e"),
        );
        assert_eq!(
            (a.value, a.style, a.tag),
            ("x", ScalarStyle::SingleQuoted, None)
        );
        assert_eq!((b.value, b.style), ("y\n", ScalarStyle::DoubleQuoted));
        assert_eq!((c.value, c.style), ("5", ScalarStyle::Plain));
        assert!(c.tag.is_some_and(|t| t.ends_with("str")));
        assert_eq!((d.value, d.style), ("lit\n", ScalarStyle::Literal));
        assert_eq!((e.value, e.style), ("", ScalarStyle::SingleQuoted));
        let f = p.tree.get(root, "f").unwrap();
        assert!(p.tree.is_seq(f) && !p.tree.is_map(f) && p.tree.entries(f).is_empty());
        assert_eq!(&text[p.tree.span(f).range()], "[1, {g: h}]");
        assert_eq!(p.tree.span(f).file, FileId(7));
        let g = p.tree.items(f)[1];
        assert!(p.tree.is_map(g) && p.tree.items(g).is_empty());
        assert_eq!(p.tree.get_str(g, "g"), Some("h"));
        assert_eq!(p.tree.int(p.tree.items(f)[0]), Some(1));
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
        let p = parse(FileId(0), &Arc::from(text.as_str()), Bounds::default());
        assert!(p.error.unwrap().message.contains("alias"));
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let text = "[".repeat(10_000) + &"]".repeat(10_000);
        let p = parse(FileId(0), &Arc::from(text.as_str()), Bounds::default());
        let e = p.error.unwrap();
        assert!(
            e.message.contains("nesting") || e.message.contains("recursion"),
            "{e:?}"
        );
    }

    #[test]
    fn tab_indentation_is_an_error_with_a_line() {
        let text = "a:\n\tb: 1\n";
        let p = parse(FileId(0), &Arc::from(text), Bounds::default());
        assert!(p.error.is_some());
    }
}
