//! Rendered outputs join the loaded repository as virtual files: each holds the objects
//! one source rendered, in a tree whose nodes point back at the files they came from.

use std::sync::Arc;

use crate::discover::FileKind;
use crate::load::{Loaded, LoadedFile, objects};
use crate::render::files::{ReadDuringRendering, source_file};
use crate::render::value::{Value, to_tree};
use crate::source::FileId;

/// One source's rendered objects, with the id allocated for their virtual file.
#[derive(Debug)]
pub struct RenderedOutput {
    pub id: FileId,
    /// What rendered it, for messages and the virtual file's name: `kustomize apps/web`.
    pub label: String,
    pub objects: Vec<Value>,
}

enum Pending {
    Text(String, Arc<str>),
    Rendered(RenderedOutput),
}

/// Adds what one round of rendering read and produced to `loaded`, in id order (ids
/// were handed out in parallel, so they arrive shuffled).
pub fn append(loaded: &mut Loaded, read: ReadDuringRendering, outputs: Vec<RenderedOutput>) {
    for (id, text) in read.texts {
        loaded.set_text(id, text);
    }
    let mut pending: Vec<(FileId, Pending)> = read
        .new_files
        .into_iter()
        .map(|(id, rel, text)| (id, Pending::Text(rel, text)))
        .chain(outputs.into_iter().map(|o| (o.id, Pending::Rendered(o))))
        .collect();
    pending.sort_by_key(|(id, _)| *id);
    for (id, item) in pending {
        debug_assert_eq!(id.0 as usize, loaded.files.len());
        let prefix = loaded.display_prefix.clone();
        match item {
            Pending::Text(rel, text) => {
                loaded
                    .sources
                    .push(source_file(id, &prefix, &rel, text.clone()));
                loaded
                    .files
                    .push(LoadedFile::unparsed(id, rel, FileKind::Other));
            }
            Pending::Rendered(output) => {
                let (tree, documents) = to_tree(&output.objects, id);
                let found = objects::extract(&tree, &documents, id, "rendered.yaml");
                loaded.redactions.extend(found.redactions);
                let rel = format!("<{}>", output.label);
                loaded
                    .sources
                    .push(source_file(id, &prefix, &rel, "".into()));
                let mut file = LoadedFile::unparsed(id, rel, FileKind::Rendered);
                file.tree = tree;
                file.documents = documents;
                file.objects = found.objects;
                loaded.files.push(file);
            }
        }
    }
}
