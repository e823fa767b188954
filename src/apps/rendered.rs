//! Rendered outputs join the loaded repository as virtual files: each holds the objects
//! one source rendered, in a tree whose nodes point back at the files they came from.

use std::collections::HashMap;

use crate::discover::FileKind;
use crate::load::{Loaded, LoadedFile, objects};
use crate::render::files::{ReadDuringRendering, source_file};
use crate::render::value::{Value, to_tree};
use crate::source::{FileId, Span};

/// One source's rendered objects, with the id allocated for their virtual file.
#[derive(Debug)]
pub struct RenderedOutput {
    pub id: FileId,
    /// What rendered it, for messages and the virtual file's name: `kustomize apps/web`.
    pub label: String,
    pub objects: Vec<Value>,
}

/// Adds what one round of rendering read and produced to `loaded`: files read for the
/// first time get final ids in path order, then the outputs in the order given. Spans
/// in the outputs are moved from temporary to final ids; the returned map does the
/// same for other spans (findings).
pub fn append(
    loaded: &mut Loaded,
    read: ReadDuringRendering,
    outputs: &mut [&mut RenderedOutput],
) -> HashMap<FileId, FileId> {
    for (id, text) in read.texts {
        loaded.set_text(id, text);
    }
    let prefix = loaded.display_prefix.clone();
    let mut remap: HashMap<FileId, FileId> = HashMap::new();
    for (temporary, rel, text) in read.new_files {
        let id = FileId(loaded.files.len() as u32);
        remap.insert(temporary, id);
        loaded.sources.push(source_file(id, &prefix, &rel, text));
        loaded
            .files
            .push(LoadedFile::unparsed(id, rel, FileKind::Other));
    }
    for output in outputs.iter_mut() {
        let id = FileId(loaded.files.len() as u32);
        output.id = id;
        for object in &mut output.objects {
            object.visit_spans_mut(&mut |span: &mut Span| {
                if let Some(to) = remap.get(&span.file) {
                    span.file = *to;
                }
            });
        }
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
    remap
}
