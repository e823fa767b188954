//! load: read and parse every discovered YAML/JSON file (in parallel), find the
//! Kubernetes objects in it, and turn unreadable or unparsable input into `yaml-syntax`
//! diagnostics so the rest of the repository is still linted.

pub mod comments;
pub mod objects;
pub mod tree;
pub mod yaml;

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::discover::{DiscoveredFile, Discovery, FileKind};
use crate::source::{FileId, SourceFile, SourceMap, Span};
pub use comments::Comment;
pub use objects::Object;
use tree::{NodeId, Tree};
use yaml::Bounds;

/// Files larger than this are reported, not parsed.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

#[derive(Debug)]
pub struct LoadedFile {
    pub id: FileId,
    pub rel: String,
    pub kind: FileKind,
    pub tree: Tree,
    pub documents: Vec<Option<NodeId>>,
    pub objects: Vec<Object>,
    /// `# synclint: ...` comments, for the suppress stage.
    pub comments: Vec<Comment>,
    /// Whether the file failed to read or parse (completely).
    pub broken: bool,
}

impl LoadedFile {
    /// A file with no tree (yet).
    pub fn unparsed(id: FileId, rel: String, kind: FileKind) -> LoadedFile {
        LoadedFile {
            id,
            rel,
            kind,
            tree: Tree::default(),
            documents: Vec::new(),
            objects: Vec::new(),
            comments: Vec::new(),
            broken: false,
        }
    }
}

/// Everything read from the repository.
#[derive(Debug, Default)]
pub struct Loaded {
    pub sources: SourceMap,
    /// Indexed by `FileId`.
    pub files: Vec<LoadedFile>,
    pub diagnostics: Vec<Diagnostic>,
    /// Secret `data`/`stringData` values: never printed.
    pub redactions: Vec<Span>,
    /// File ids sorted by relative path, so a directory's subtree is one slice (files
    /// the walk found; rendered and later-read files are not in it).
    by_path: Vec<FileId>,
    /// What displayed paths start with (the root relative to the working directory).
    pub display_prefix: String,
}

impl Loaded {
    pub fn file(&self, id: FileId) -> &LoadedFile {
        &self.files[id.0 as usize]
    }
    pub fn tree(&self, id: FileId) -> &Tree {
        &self.file(id).tree
    }
    /// Every file below directory `dir` ("" for the whole repository), without a scan.
    pub fn subtree(&self, dir: &str) -> impl Iterator<Item = &LoadedFile> {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let rel = |id: &FileId| self.files[id.0 as usize].rel.as_str();
        let start = self.by_path.partition_point(|id| rel(id) < prefix.as_str());
        let len = self.by_path[start..].partition_point(|id| rel(id).starts_with(&prefix));
        self.by_path[start..start + len]
            .iter()
            .map(|id| &self.files[id.0 as usize])
    }

    /// The file at repository-relative path `rel`, if it was discovered.
    pub fn find(&self, rel: &str) -> Option<FileId> {
        let i = self
            .by_path
            .binary_search_by(|id| self.files[id.0 as usize].rel.as_str().cmp(rel))
            .ok()?;
        Some(self.by_path[i])
    }

    /// Whether `dir` holds any discovered file.
    pub fn is_dir(&self, dir: &str) -> bool {
        self.subtree(dir).next().is_some()
    }

    pub fn objects(&self) -> impl Iterator<Item = &Object> {
        self.files.iter().flat_map(|f| f.objects.iter())
    }
    /// A file with no content, for findings about a path itself (a symlink).
    pub fn add_virtual_file(&mut self, display_prefix: &str, rel: &str) -> FileId {
        let id = self.sources.next_id();
        self.sources.push(Arc::new(SourceFile::with_prefix(
            id,
            display_prefix,
            rel,
            "".into(),
        )));
        self.files.push(LoadedFile {
            id,
            rel: rel.to_string(),
            kind: FileKind::Manifest,
            tree: Tree::default(),
            documents: Vec::new(),
            objects: Vec::new(),
            comments: Vec::new(),
            broken: true,
        });
        id
    }

    /// The text of a file the loader did not read (SQL, a chart template), once read.
    pub fn set_text(&mut self, id: FileId, text: Arc<str>) {
        let old = self.sources.get(id);
        let file = SourceFile::with_prefix(
            id,
            &self.display_prefix,
            &self.files[id.0 as usize].rel,
            text,
        );
        debug_assert!(old.text.is_empty());
        self.sources.replace(Arc::new(file));
    }

    pub fn location(&self, span: Span) -> Location {
        Location::resolve(&self.sources, span)
    }
}

struct Outcome {
    source: Arc<SourceFile>,
    file: LoadedFile,
    diagnostics: Vec<Diagnostic>,
    redactions: Vec<Span>,
}

/// Loads every file of the discovery; `overrides` replaces a file's content (an editor
/// buffer read from stdin), keyed by relative path.
pub fn load(
    discovery: &Discovery,
    overrides: &HashMap<String, String>,
    display_prefix: &str,
) -> Loaded {
    // The files are collected straight into their final vector (exact size, written in
    // place): growing it, or moving each file out of a vector of outcomes, would copy
    // megabytes into fresh pages.
    let (files, rest): (Vec<LoadedFile>, Vec<_>) = discovery
        .files
        .par_iter()
        .enumerate()
        .map(|(i, f)| {
            let o = load_one(FileId(i as u32), f, overrides.get(&f.rel), display_prefix);
            (o.file, (o.source, o.diagnostics, o.redactions))
        })
        .unzip();
    let mut loaded = Loaded {
        files,
        display_prefix: display_prefix.to_string(),
        ..Loaded::default()
    };
    for (source, diagnostics, redactions) in rest {
        loaded.sources.push(source);
        loaded.diagnostics.extend(diagnostics);
        loaded.redactions.extend(redactions);
    }
    loaded.by_path = (0..loaded.files.len() as u32).map(FileId).collect();
    loaded.by_path.sort_by(|a, b| {
        loaded.files[a.0 as usize]
            .rel
            .cmp(&loaded.files[b.0 as usize].rel)
    });
    loaded
}

pub fn parses_as_yaml(kind: FileKind) -> bool {
    matches!(
        kind,
        FileKind::Manifest | FileKind::Kustomization | FileKind::ArgocdSource | FileKind::Config
    )
}

fn load_one(
    id: FileId,
    f: &DiscoveredFile,
    override_text: Option<&String>,
    display_prefix: &str,
) -> Outcome {
    let mut problem: Option<(usize, String)> = None;
    let text: Arc<str> = if let Some(t) = override_text {
        t.as_str().into()
    } else if !parses_as_yaml(f.kind) {
        // SQL and chart files are read by later stages when they need them.
        "".into()
    } else {
        match read_bounded(&f.path) {
            Err(message) => {
                problem = Some((0, message));
                "".into()
            }
            Ok(bytes) => decode(bytes, &mut problem),
        }
    };
    let source = Arc::new(SourceFile::with_prefix(
        id,
        display_prefix,
        &f.rel,
        text.clone(),
    ));
    let mut file = LoadedFile {
        id,
        rel: f.rel.clone(),
        kind: f.kind,
        tree: Tree::default(),
        documents: Vec::new(),
        objects: Vec::new(),
        comments: Vec::new(),
        broken: problem.is_some(),
    };
    let mut diagnostics = Vec::new();
    let mut redactions = Vec::new();
    let syntax = |offset: usize, message: String| {
        let span = Span::new(id, offset, offset);
        let location = Location::resolve_in(&source, span);
        Diagnostic::new("yaml-syntax", Severity::Error, message, location)
            .with_help("Fix the file so that it parses as YAML; Argo CD fails to generate manifests for the whole app otherwise.")
            .with_label("the file stops parsing here")
    };
    if let Some((offset, message)) = problem {
        diagnostics.push(syntax(offset, message));
    } else if parses_as_yaml(f.kind) {
        let parsed = yaml::parse(id, &text, Bounds::default());
        file.tree = parsed.tree;
        file.documents = parsed.documents;
        file.comments = comments::scan(id, &text);
        if let Some(err) = parsed.error {
            file.broken = true;
            diagnostics.push(syntax(err.offset, format!("invalid YAML: {}", err.message)));
        }
        if f.kind == FileKind::Manifest {
            let found = objects::extract(&file.tree, &file.documents, id, &f.rel);
            file.objects = found.objects;
            redactions = found.redactions;
            diagnostics.extend(found.problems.into_iter().map(|(span, message)| {
                let location = Location::resolve_in(&source, span);
                Diagnostic::new("yaml-syntax", Severity::Error, message, location)
                    .with_help("Make every document a complete Kubernetes object (apiVersion, kind, metadata.name), or move non-manifest YAML out of the synced path.")
                    .with_label("not a complete Kubernetes object")
            }));
        }
    }
    Outcome {
        source,
        file,
        diagnostics,
        redactions,
    }
}

/// The file's bytes, unless it is over the size bound (checked on the open file, so the
/// walk needs no extra `stat` per file).
fn read_bounded(path: &std::path::Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(|e| format!("cannot read file: {e}"))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size > MAX_FILE_BYTES {
        return Err(format!(
            "file is {} MB, over the {} MB limit; not linted",
            size / 1_048_576,
            MAX_FILE_BYTES / 1_048_576
        ));
    }
    let mut bytes = Vec::with_capacity(size as usize + 1);
    file.read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read file: {e}"))?;
    Ok(bytes)
}

/// UTF-8 text, or the lossy text plus a problem at the first bad byte.
fn decode(bytes: Vec<u8>, problem: &mut Option<(usize, String)>) -> Arc<str> {
    if bytes.iter().take(8192).any(|b| *b == 0) {
        *problem = Some((0, "binary file, not YAML".into()));
        return "".into();
    }
    match String::from_utf8(bytes) {
        Ok(s) => s.into(),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            *problem = Some((at, "file is not valid UTF-8".into()));
            String::from_utf8_lossy(e.as_bytes()).into_owned().into()
        }
    }
}
