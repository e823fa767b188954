//! `resources` and `components`: files of objects, and directories holding other
//! kustomizations, accumulated the way Kustomize does.

use super::kustomization::{KustKind, Kustomization, Text, display_dir, problem};
use super::loader::{is_remote, join, within};
use super::resource::Resource;
use super::{Accumulator, Builder};
use crate::render::files::Problem;
use crate::render::value::Value;
use crate::source::Span;

/// The objects of a file's documents: empty documents are dropped, `...List` kinds with
/// `items` are expanded (their items go after the file's other documents, as in
/// Kustomize), and every object needs a kind and a name.
pub(super) fn objects_of(documents: Vec<Value>) -> Result<Vec<Value>, Problem> {
    let mut queue: std::collections::VecDeque<Value> = documents.into();
    let mut out = Vec::new();
    while let Some(document) = queue.pop_front() {
        if document.is_null() || (document.is_map() && document.entries().is_empty()) {
            continue;
        }
        if !document.is_map() {
            return Err(problem(
                document.span,
                "a document is not a map, so not a Kubernetes object",
            ));
        }
        let kind = document.get_str("kind").unwrap_or("");
        if kind.is_empty() {
            return Err(problem(document.span, "missing kind in object"));
        }
        if kind.ends_with("List") {
            match document.get("items") {
                None => {}
                Some(items) if items.is_null() => continue,
                Some(items) if items.is_seq() => {
                    queue.extend(items.items().iter().cloned());
                    continue;
                }
                Some(items) => {
                    return Err(problem(
                        items.span,
                        format!("expected array in {kind}/items"),
                    ));
                }
            }
        } else if document
            .path_str(&["metadata", "name"])
            .unwrap_or("")
            .is_empty()
        {
            return Err(problem(
                document.span,
                format!("missing metadata.name in object of kind {kind}"),
            ));
        }
        out.push(document);
    }
    Ok(out)
}

impl Builder<'_> {
    /// One `resources` entry: a file of objects, or a directory with a kustomization.
    pub(super) fn accumulate_resource(
        &mut self,
        k: &Kustomization,
        entry: &Text,
        accumulator: &mut Accumulator,
    ) -> Result<(), Problem> {
        if is_remote(&entry.value) {
            self.notes.push(problem(
                entry.span,
                format!(
                    "remote resource `{}` is not fetched; its objects are not linted",
                    entry.value
                ),
            ));
            return Ok(());
        }
        let path = join(&k.dir, &entry.value).ok_or_else(|| {
            problem(
                entry.span,
                format!("`{}` leads outside the repository", entry.value),
            )
        })?;
        if let Some(documents) = self.read_yaml(&path) {
            if !within(&path, &k.dir) {
                return Err(problem(
                    entry.span,
                    format!(
                        "accumulating resources: security; file '{path}' is not in or below '{}'",
                        display_dir(&k.dir)
                    ),
                ));
            }
            let documents = documents.map_err(|e| {
                problem(
                    entry.span,
                    format!("accumulating resources from '{}': {e}", entry.value),
                )
            })?;
            for object in objects_of(documents)? {
                accumulator.append(Resource::new(object), entry.span)?;
            }
            return Ok(());
        }
        if !self.files.is_dir(&path) {
            return Err(problem(
                entry.span,
                format!(
                    "accumulating resources: '{}': no such file or directory",
                    entry.value
                ),
            ));
        }
        let sub = self.enter_kustomization(&path, entry.span)?;
        if sub.kind == KustKind::Component {
            self.stack.pop();
            return Err(problem(
                entry.span,
                format!("expected kind != 'Component' for path '{path}'"),
            ));
        }
        let built = self.accumulate(&sub, Accumulator::default());
        self.stack.pop();
        accumulator.merge(built?, entry.span)
    }

    /// One `components` entry, applied to everything accumulated so far.
    pub(super) fn accumulate_component(
        &mut self,
        k: &Kustomization,
        entry: &Text,
        accumulator: Accumulator,
    ) -> Result<Accumulator, Problem> {
        if is_remote(&entry.value) {
            self.notes.push(problem(
                entry.span,
                format!(
                    "remote component `{}` is not fetched; its changes are not linted",
                    entry.value
                ),
            ));
            return Ok(accumulator);
        }
        let path = join(&k.dir, &entry.value).ok_or_else(|| {
            problem(
                entry.span,
                format!("`{}` leads outside the repository", entry.value),
            )
        })?;
        if !self.files.is_dir(&path) {
            return Err(problem(
                entry.span,
                format!(
                    "accumulating components: '{}' must be a directory",
                    entry.value
                ),
            ));
        }
        let sub = self.enter_kustomization(&path, entry.span)?;
        if sub.kind != KustKind::Component {
            self.stack.pop();
            return Err(problem(
                entry.span,
                format!("expected kind 'Component' for path '{path}' but got 'Kustomization'"),
            ));
        }
        let built = self.accumulate(&sub, accumulator);
        self.stack.pop();
        built
    }

    fn enter_kustomization(&mut self, dir: &str, at: Span) -> Result<Kustomization, Problem> {
        self.enter(dir, at)?;
        match self.load_kustomization(dir, at) {
            Ok(k) => Ok(k),
            Err(e) => {
                self.stack.pop();
                Err(e)
            }
        }
    }
}
