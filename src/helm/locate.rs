//! Finding where a rendered key is written in its template.
//!
//! Templates are text, not YAML, so this is a heuristic: walk the rendered document's
//! keys in order and, for each, scan the template forward for a line `key:` (or
//! `- key:`, quoted keys too) inside the block of the nearest ancestor key already found.
//! Lines that are only `{{ ... }}` actions vanish from the output, so they never end a
//! block. Keys the template does not spell out (from `include`, `toYaml`) are not found;
//! the caller then points at the template's first line.
//!
//! ```text
//! let mut locator = TemplateLocator::new(&template_text);
//! locator.start_document(Some("Job"));           // once per rendered document
//! for (path, scalar_value) in keys_in_document_order {
//!     let found = locator.locate(&path, scalar_value); // Option<KeyLocation>
//! }
//! // or, for our own trees: locator.locate_document(&tree, root)
//! ```

use std::ops::Range;

use crate::load::tree::{NodeId, Tree};

use super::template_lines::{Kind, Line, scan_lines};

/// One step of a key path in a rendered document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathSegment<'a> {
    Key(&'a str),
    Index(usize),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum OwnedSegment {
    Key(String),
    Index(usize),
}

impl OwnedSegment {
    fn matches(&self, other: &PathSegment<'_>) -> bool {
        match (self, other) {
            (OwnedSegment::Key(a), PathSegment::Key(b)) => a == b,
            (OwnedSegment::Index(a), PathSegment::Index(b)) => a == b,
            _ => false,
        }
    }
}

/// Where a key is written in the template: byte ranges in the template text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyLocation {
    /// The key itself (inside its quotes, when quoted).
    pub key: Range<usize>,
    /// The value written on the key's line: its first `{{ ... }}` expression when it is
    /// templated, else the value text. `None` when the value is on later lines.
    pub value: Option<Range<usize>>,
}

/// What a template line must have to be the one a rendered key came from.
struct Wanted<'a> {
    name: &'a str,
    /// The key's column, when known.
    column: Option<usize>,
    /// The rendered scalar value, compared with literal template values.
    value: Option<&'a str>,
}

/// A key found in the current document, as an ancestor for the keys after it.
struct Found {
    path: Vec<OwnedSegment>,
    line: usize,
}

/// Locates rendered keys in one template file; see the module documentation.
pub struct TemplateLocator {
    lines: Vec<Line>,
    /// Line ranges between `---` lines, and how often each was picked.
    sections: Vec<(Range<usize>, usize)>,
    last_section: Option<usize>,
    region: Range<usize>,
    cursor: usize,
    found: Vec<Found>,
}

/// Keys visited per document by [`TemplateLocator::locate_document`] (aliases could
/// make a small tree look huge).
const MAX_KEYS_PER_DOCUMENT: usize = 100_000;

impl TemplateLocator {
    pub fn new(template: &str) -> TemplateLocator {
        let lines = scan_lines(template);
        let mut sections = Vec::new();
        let mut start = 0;
        for (i, line) in lines.iter().enumerate() {
            if line.kind == Kind::Separator {
                sections.push((start..i, 0));
                start = i + 1;
            }
        }
        sections.push((start..lines.len(), 0));
        // Sections without YAML (a leading `{{- if }}` line) cannot be a document.
        sections.retain(|(r, _)| lines[r.clone()].iter().any(|l| l.kind == Kind::Yaml));
        let region = 0..lines.len();
        TemplateLocator {
            lines,
            sections,
            last_section: None,
            cursor: 0,
            region,
            found: Vec::new(),
        }
    }

    /// Starts the next rendered document from this template. Helm sorts documents by
    /// kind, so the template section (between `---` lines) is chosen by its literal
    /// `kind:`: the first one not used yet, else the last one used (a `range` can make
    /// many documents from one section); with no literal match, sections whose kind is
    /// templated or absent are chosen the same way.
    pub fn start_document(&mut self, kind: Option<&str>) {
        let literal_kind = |range: &Range<usize>| {
            self.lines[range.clone()]
                .iter()
                .find(|l| l.indent == 0 && l.key.as_ref().is_some_and(|k| k.name == "kind"))
                .and_then(|l| l.key.as_ref()?.plain_value.clone())
        };
        let kinds: Vec<Option<String>> =
            self.sections.iter().map(|(r, _)| literal_kind(r)).collect();
        let matching: Vec<usize> = (0..self.sections.len())
            .filter(|&i| kind.is_some() && kinds[i].as_deref() == kind)
            .collect();
        let candidates = if matching.is_empty() {
            (0..self.sections.len())
                .filter(|&i| kinds[i].is_none())
                .collect()
        } else {
            matching
        };
        let pick = candidates
            .iter()
            .copied()
            .find(|&i| self.sections[i].1 == 0)
            .or_else(|| self.last_section.filter(|l| candidates.contains(l)))
            .or_else(|| candidates.first().copied());
        self.region = match pick {
            Some(i) => {
                self.sections[i].1 += 1;
                self.last_section = Some(i);
                self.sections[i].0.clone()
            }
            None => 0..self.lines.len(),
        };
        self.cursor = self.region.start;
        self.found.clear();
    }

    /// The template location of the key at the end of `path`, for keys given in
    /// document order. `rendered_value` is the key's value when it rendered to a scalar:
    /// a template line whose value is literal text must then say the same (so a list
    /// item left out by an `if` does not shift the ones after it). `None` when the path
    /// does not end in a key or the key is not written in the template.
    pub fn locate(
        &mut self,
        path: &[PathSegment<'_>],
        rendered_value: Option<&str>,
    ) -> Option<KeyLocation> {
        let (PathSegment::Key(name), parents) = path.split_last()? else {
            return None;
        };
        // Keep only ancestors of this key.
        while let Some(top) = self.found.last() {
            let is_prefix =
                top.path.len() < path.len() && top.path.iter().zip(path).all(|(a, b)| a.matches(b));
            if is_prefix {
                break;
            }
            self.found.pop();
        }
        let anchor = self.found.last().map(|f| (f.line, f.path.len()));
        let (block, between) = match anchor {
            Some((line, depth)) => (self.block_of(line), &parents[depth..]),
            None => (self.region.clone(), parents),
        };
        // With only sequence items between, the key is a direct child: it sits at the
        // block's first key column. Otherwise some ancestor was not found: any depth.
        let direct = between.iter().all(|s| matches!(s, PathSegment::Index(_)));
        let column = direct
            .then(|| self.first_key_column(block.clone()))
            .flatten();
        let from = self.cursor.max(block.start);
        let wanted = Wanted {
            name,
            column,
            value: rendered_value,
        };
        let line = self.find_key(from..block.end, &wanted).or_else(|| {
            // A later item of a list made by `range` repeats the same template lines.
            let in_sequence = between.iter().any(|s| matches!(s, PathSegment::Index(_)));
            in_sequence
                .then(|| self.find_key(block.start..from.min(block.end), &wanted))
                .flatten()
        })?;
        self.cursor = line + 1;
        self.found.push(Found {
            path: path
                .iter()
                .map(|s| match s {
                    PathSegment::Key(k) => OwnedSegment::Key(k.to_string()),
                    PathSegment::Index(i) => OwnedSegment::Index(*i),
                })
                .collect(),
            line,
        });
        let key = self.lines[line].key.as_ref()?;
        Some(KeyLocation {
            key: key.range.clone(),
            value: key.value.clone(),
        })
    }

    /// Locates every mapping key of the document at `root` (a rendered document in our
    /// tree) and returns each key node found with its template location. Starts a
    /// document of the tree's `kind` first.
    pub fn locate_document(&mut self, tree: &Tree, root: NodeId) -> Vec<(NodeId, KeyLocation)> {
        self.start_document(tree.get_str(root, "kind"));
        let mut out = Vec::new();
        let mut path = Vec::new();
        let mut budget = MAX_KEYS_PER_DOCUMENT;
        self.walk(tree, root, &mut path, &mut budget, &mut out);
        out
    }

    fn walk<'a>(
        &mut self,
        tree: &'a Tree,
        node: NodeId,
        path: &mut Vec<PathSegment<'a>>,
        budget: &mut usize,
        out: &mut Vec<(NodeId, KeyLocation)>,
    ) {
        if tree.is_map(node) {
            for entry in tree.entries(node) {
                let Some(key) = tree.scalar(entry.key).map(|s| s.value) else {
                    continue;
                };
                if *budget == 0 {
                    return;
                }
                *budget -= 1;
                path.push(PathSegment::Key(key));
                let value = tree.scalar(entry.value).map(|s| s.value);
                if let Some(found) = self.locate(path, value) {
                    out.push((entry.key, found));
                }
                self.walk(tree, entry.value, path, budget, out);
                path.pop();
            }
        } else if tree.is_seq(node) {
            for (i, item) in tree.items(node).iter().enumerate() {
                path.push(PathSegment::Index(i));
                self.walk(tree, *item, path, budget, out);
                path.pop();
            }
        }
    }

    /// The lines under the key on `line`: until a YAML line indented no deeper than the
    /// key (a `- ` item at the key's own column still belongs to it).
    fn block_of(&self, line: usize) -> Range<usize> {
        let column = self.lines[line].key.as_ref().map_or(0, |k| k.column);
        let end = (line + 1..self.region.end)
            .find(|&i| {
                let l = &self.lines[i];
                l.kind == Kind::Yaml && (l.indent < column || (l.indent == column && !l.dash))
            })
            .unwrap_or(self.region.end);
        line + 1..end
    }

    fn first_key_column(&self, lines: Range<usize>) -> Option<usize> {
        self.lines[lines]
            .iter()
            .find_map(|l| l.key.as_ref().map(|k| k.column))
    }

    fn find_key(&self, lines: Range<usize>, wanted: &Wanted<'_>) -> Option<usize> {
        let lines = lines.start.min(lines.end)..lines.end;
        lines.into_iter().find(|&i| {
            self.lines[i].key.as_ref().is_some_and(|k| {
                k.name == wanted.name
                    && wanted.column.is_none_or(|c| k.column == c)
                    && (k.plain_value.as_deref())
                        .zip(wanted.value)
                        .is_none_or(|(written, rendered)| written == rendered)
            })
        })
    }
}

#[cfg(test)]
#[path = "locate_tests.rs"]
mod tests;
