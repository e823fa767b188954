//! Reading what a kustomization names: repository-relative paths (normalised, kept
//! inside the repository and, for files, inside the kustomization's directory as
//! Kustomize's default load restrictor demands), YAML documents, and YAML written inline
//! as a string (a `patch: |` block), whose spans are moved back into the file.

use std::sync::Arc;

use super::Builder;
use super::kustomization::{Text, problem};
use crate::render::files::Problem;
use crate::render::value::Value;
use crate::source::{FileId, Span};

/// `rel` joined to directory `dir`, with `.` and `..` resolved; `None` when the path
/// leaves the repository (or is absolute).
pub(super) fn join(dir: &str, rel: &str) -> Option<String> {
    if rel.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// Whether `path` is `dir` or below it.
pub(super) fn within(path: &str, dir: &str) -> bool {
    dir.is_empty() || path == dir || crate::discover::within(path, dir)
}

/// A resource Kustomize would fetch over the network (a Git repository or an URL).
pub(super) fn is_remote(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.contains("://")
        || lower.starts_with("git@")
        || lower.starts_with("git::")
        || lower.starts_with("github.com/")
        || lower.starts_with("gitlab.com/")
        || lower.starts_with("bitbucket.org/")
        || lower.contains("?ref=")
        || lower.contains("?version=")
        || lower.contains("?submodules=")
        || lower.contains("?timeout=")
}

pub(super) const KUSTOMIZATION_FILES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// A file id for YAML parsed from a string, before its spans are moved into the file
/// the string was written in.
const INLINE: FileId = FileId(u32::MAX);

fn parse_documents(id: FileId, text: &Arc<str>) -> Result<Vec<Value>, String> {
    let parsed = crate::load::yaml::parse(id, text, Default::default());
    if let Some(e) = parsed.error {
        return Err(format!("invalid YAML: {}", e.message));
    }
    Ok(parsed
        .documents
        .iter()
        .flatten()
        .map(|d| Value::from_tree(&parsed.tree, *d))
        .collect())
}

impl Builder<'_> {
    /// The text of a repository file, remembered so that inline YAML written in it can
    /// be located.
    pub(super) fn read_text(&mut self, rel: &str) -> Option<(FileId, Arc<str>)> {
        let (id, text) = self.files.text(rel)?;
        self.texts.insert(id, text.clone());
        Some((id, text))
    }

    /// The documents of a YAML file; `None` when there is no such file.
    pub(super) fn read_yaml(&mut self, rel: &str) -> Option<Result<Vec<Value>, String>> {
        let mut documents = match self.files.yaml(rel) {
            Some(documents) => documents,
            None => {
                let (id, text) = self.read_text(rel)?;
                parse_documents(id, &text)
            }
        };
        if let Ok(documents) = &mut documents
            && let Some((_, text)) = self.files.text(rel)
            && !text.is_empty()
            && !text.ends_with('\n')
            && let Some(last) = documents.last_mut()
        {
            trim_final_block_scalar(last, text.len() as u32);
        }
        Some(documents)
    }

    /// The kustomization file in `dir`, if there is exactly one.
    pub(super) fn kustomization_file(&self, dir: &str) -> Result<Option<String>, String> {
        let found: Vec<String> = KUSTOMIZATION_FILES
            .iter()
            .map(|name| join(dir, name).unwrap_or_default())
            .filter(|path| self.files.text(path).is_some())
            .collect();
        match found.len() {
            0 => Ok(None),
            1 => Ok(found.into_iter().next()),
            _ => Err(format!(
                "Found multiple kustomization files under: {}",
                super::kustomization::display_dir(dir)
            )),
        }
    }

    /// A file a kustomization in `dir` names: inside the repository, and inside `dir`
    /// (Kustomize's `LoadRestrictionsRootOnly`, the default Argo CD keeps).
    pub(super) fn file_in(&self, dir: &str, entry: &Text) -> Result<String, Problem> {
        let path = join(dir, &entry.value).ok_or_else(|| {
            problem(
                entry.span,
                format!("`{}` leads outside the repository", entry.value),
            )
        })?;
        if !within(&path, dir) {
            return Err(problem(
                entry.span,
                format!(
                    "security; file '{path}' is not in or below '{}'",
                    super::kustomization::display_dir(dir)
                ),
            ));
        }
        Ok(path)
    }

    /// Reads a whole file for a generator or a patch, by its entry in the kustomization.
    pub(super) fn load_file(
        &mut self,
        dir: &str,
        entry: &Text,
    ) -> Result<(String, FileId, Arc<str>), Problem> {
        if is_remote(&entry.value) {
            let message = format!("remote file `{}` is not fetched", entry.value);
            self.notes.push(problem(entry.span, message.clone()));
            return Err(problem(entry.span, message));
        }
        let path = self.file_in(dir, entry)?;
        let (id, text) = self.read_text(&path).ok_or_else(|| {
            problem(
                entry.span,
                format!("open {path}: no such file or directory"),
            )
        })?;
        Ok((path, id, text))
    }

    /// YAML written inside a string (`patch: |`), parsed, with spans pointing into the
    /// file the string is in; when the text cannot be located there, every node points
    /// at the string.
    pub(super) fn inline_yaml(&mut self, value: &Value) -> Result<Vec<Value>, String> {
        let text: Arc<str> = value.as_str().unwrap_or("").into();
        let mut documents = parse_documents(INLINE, &text)?;
        if !text.ends_with('\n')
            && let Some(last) = documents.last_mut()
        {
            trim_final_block_scalar(last, text.len() as u32);
        }
        let map = self
            .texts
            .get(&value.span.file)
            .and_then(|file| line_map(&text, file, value.span));
        for document in &mut documents {
            document.visit_spans_mut(&mut |span: &mut Span| {
                *span = match &map {
                    Some(map) => Span {
                        file: value.span.file,
                        start: map.locate(span.start as usize) as u32,
                        end: map.locate(span.end as usize) as u32,
                    },
                    None => value.span,
                };
            });
        }
        Ok(documents)
    }
}

/// A block scalar that ends the text without a final line break has no trailing line
/// break (the YAML spec, yaml.v3 and PyYAML agree; our parser adds one). Inline patches
/// written as `patch: |-` end that way.
fn trim_final_block_scalar(value: &mut Value, text_end: u32) {
    use crate::load::tree::ScalarStyle;
    use crate::render::value::Node;
    match &mut value.node {
        Node::Map(entries) => {
            if let Some((_, last)) = entries.last_mut() {
                trim_final_block_scalar(last, text_end);
            }
        }
        Node::Seq(items) => {
            if let Some(last) = items.last_mut() {
                trim_final_block_scalar(last, text_end);
            }
        }
        Node::Scalar(scalar) => {
            if matches!(scalar.style, ScalarStyle::Literal | ScalarStyle::Folded)
                && value.span.end >= text_end
                && scalar.text.ends_with('\n')
            {
                scalar.text.pop();
            }
        }
    }
}

/// Where each line of a block scalar's value starts in the file.
struct LineMap {
    /// (offset in the value, offset in the file), by line.
    lines: Vec<(usize, usize)>,
}

impl LineMap {
    fn locate(&self, offset: usize) -> usize {
        let i = self.lines.partition_point(|(start, _)| *start <= offset);
        match i.checked_sub(1).and_then(|i| self.lines.get(i)) {
            Some((value_start, file_start)) => file_start + (offset - value_start),
            None => self.lines.first().map_or(0, |(_, f)| *f),
        }
    }
}

/// Finds each line of `value` in order within `file` from `span.start`: a literal block
/// scalar's lines are the file's lines minus their indentation.
fn line_map(value: &str, file: &str, span: Span) -> Option<LineMap> {
    let mut lines = Vec::new();
    let mut at = span.start as usize;
    let end = (span.end as usize).min(file.len());
    let mut value_offset = 0;
    for line in value.split_inclusive('\n') {
        let content = line.trim_end_matches('\n');
        if content.is_empty() {
            lines.push((value_offset, at.min(end)));
        } else {
            let found = file.get(at..end)?.find(content)?;
            // Only indentation may sit between the previous line and this one.
            if !file[at..at + found]
                .chars()
                .all(|c| c == ' ' || c == '\n' || c == '\r' || c == '\t')
            {
                return None;
            }
            lines.push((value_offset, at + found));
            at += found + content.len();
        }
        value_offset += line.len();
    }
    Some(LineMap { lines })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_normalise_and_stay_inside() {
        assert_eq!(join("a/b", "../c/./d.yaml").as_deref(), Some("a/c/d.yaml"));
        assert_eq!(join("", "x").as_deref(), Some("x"));
        assert_eq!(join("a", "../.."), None);
        assert_eq!(join("a", "/etc/passwd"), None);
        assert!(within("a/b/c", "a/b"));
        assert!(!within("a/bc", "a/b"));
    }

    #[test]
    fn remote_resources_are_recognised() {
        assert!(is_remote("https://github.com/x/y//base?ref=v1"));
        assert!(is_remote(
            "github.com/argoproj/argo-cd/manifests/cluster-install?ref=v2"
        ));
        assert!(is_remote("git@github.com:x/y.git"));
        assert!(!is_remote("../base"));
    }

    #[test]
    fn block_scalar_lines_are_found_in_the_file() {
        let file = "patch: |-\n  a: 1\n\n  b: 2\n";
        let value = "a: 1\n\nb: 2";
        let span = Span::new(FileId(0), 12, file.len());
        let map = line_map(value, file, span).unwrap();
        assert_eq!(&file[map.locate(0)..map.locate(4)], "a: 1");
        assert_eq!(&file[map.locate(6)..map.locate(10)], "b: 2");
    }
}
