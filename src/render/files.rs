//! What renderers read from the repository: parsed YAML with spans, and the raw text of
//! any other file (Kustomize generator inputs, Helm templates, SQL), read on demand.
//!
//! Renderers run in parallel and never write anywhere; a file read here for the first
//! time gets a [`FileId`] so that findings can point into it, and is added to the
//! source map once rendering is done ([`Workspace::finish`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::value::Value;
use crate::discover::FileKind;
use crate::load::{Loaded, LoadedFile};
use crate::source::{FileId, SourceFile};

/// A problem a renderer reports, where it is met (the `resources:` entry that names a
/// missing directory, the patch that does not apply).
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub span: crate::source::Span,
    pub message: String,
}

/// A Helm chart a kustomization's `helmCharts` asks for.
#[derive(Clone, Debug)]
pub struct HelmChartRequest {
    /// The chart's directory, repository-relative.
    pub chart_dir: String,
    pub release_name: String,
    pub namespace: String,
    /// Values files, repository-relative, in order.
    pub values_files: Vec<String>,
    /// `valuesInline`, if any.
    pub values_inline: Option<Value>,
    pub include_crds: bool,
    /// The `helmCharts` entry, for problems.
    pub at: crate::source::Span,
}

/// The repository as renderers see it.
pub trait RepoFiles: Sync {
    /// The documents of a YAML file (`None`: no such file; `Err`: it does not parse,
    /// which the loader already reports as `yaml-syntax`).
    fn yaml(&self, rel: &str) -> Option<Result<Vec<Value>, String>>;
    /// The text of any file inside the repository, with the id spans into it use.
    fn text(&self, rel: &str) -> Option<(FileId, Arc<str>)>;
    /// The raw bytes of a file (for binary generator inputs); `None` when unknown.
    fn bytes(&self, rel: &str) -> Option<Vec<u8>> {
        let _ = rel;
        None
    }
    /// Whether `rel` is a directory holding at least one file.
    fn is_dir(&self, rel: &str) -> bool;
    /// The files directly in directory `dir` (repository-relative paths, sorted).
    fn files_in(&self, dir: &str) -> Vec<String>;
    /// Renders a chart for a kustomization's `helmCharts`.
    fn helm(&self, request: &HelmChartRequest) -> Result<Vec<Value>, Problem> {
        Err(Problem {
            span: request.at,
            message: format!("Helm chart `{}` cannot be rendered here", request.chart_dir),
        })
    }
}

/// Where file contents come from: the checkout on disk, or a revision read from Git
/// into memory (the base of a release).
#[derive(Clone, Debug)]
pub enum Contents {
    Disk(PathBuf),
    Memory(Arc<HashMap<String, Arc<[u8]>>>),
}

impl Contents {
    /// The bytes of a repository-relative path, never outside the repository.
    pub fn read(&self, rel: &str) -> Option<Vec<u8>> {
        if rel.split('/').any(|p| p == ".." || p.is_empty()) {
            return None;
        }
        match self {
            Contents::Disk(root) => {
                let path = root.join(rel);
                // A symlink may not lead out of the repository (Argo CD refuses that too).
                let canonical = path.canonicalize().ok()?;
                let canonical_root = root.canonicalize().ok()?;
                if !canonical.starts_with(&canonical_root) {
                    return None;
                }
                let meta = std::fs::metadata(&canonical).ok()?;
                if !meta.is_file() || meta.len() > crate::load::MAX_FILE_BYTES {
                    return None;
                }
                std::fs::read(&canonical).ok()
            }
            Contents::Memory(files) => files.get(rel).map(|b| b.to_vec()),
        }
    }

    pub fn root(&self) -> Option<&Path> {
        match self {
            Contents::Disk(root) => Some(root),
            Contents::Memory(_) => None,
        }
    }
}

/// Ids of files first read during a round of rendering start here. Threads read them
/// in any order; after the round they get final ids in path order, so output does not
/// depend on scheduling.
pub const TEMPORARY_IDS: u32 = 1 << 31;

/// Files first read during rendering, and rendered outputs, waiting to join `Loaded`.
#[derive(Default)]
struct Added {
    next_id: u32,
    /// Text read for a file the loader knows but did not read (SQL, chart files).
    texts: HashMap<FileId, Arc<str>>,
    /// Files the loader never saw (a generator's `.env`): id, path, text.
    new_files: Vec<(FileId, String, Arc<str>)>,
    by_rel: HashMap<String, FileId>,
    /// Loaded files a renderer read: covered by the app that rendered them.
    touched: Vec<FileId>,
}

/// What [`Workspace::finish`] hands back to be added to the loaded repository.
pub struct ReadDuringRendering {
    /// Text for files the loader knows but did not read.
    pub texts: HashMap<FileId, Arc<str>>,
    /// Files the loader never saw, with temporary ids: id, path, text.
    pub new_files: Vec<(FileId, String, Arc<str>)>,
    /// Loaded files some renderer read.
    pub touched: Vec<FileId>,
}

/// [`RepoFiles`] over the loaded repository.
pub struct Workspace<'l> {
    pub loaded: &'l Loaded,
    pub contents: Contents,
    added: Mutex<Added>,
}

impl<'l> Workspace<'l> {
    pub fn new(loaded: &'l Loaded, contents: Contents) -> Workspace<'l> {
        Workspace {
            loaded,
            contents,
            added: Mutex::new(Added {
                next_id: TEMPORARY_IDS,
                ..Added::default()
            }),
        }
    }

    /// What rendering read, to be added to the loaded repository: text for files the
    /// loader skipped, and new files in id order. Rendered files are added by the caller.
    pub fn finish(self) -> ReadDuringRendering {
        let added = self.added.into_inner().unwrap();
        let mut new_files = added.new_files;
        new_files.sort_by(|a, b| a.1.cmp(&b.1));
        ReadDuringRendering {
            texts: added.texts,
            new_files,
            touched: added.touched,
        }
    }
}

fn decode(bytes: Vec<u8>) -> Arc<str> {
    match String::from_utf8(bytes) {
        Ok(s) => s.into(),
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned().into(),
    }
}

impl RepoFiles for Workspace<'_> {
    fn yaml(&self, rel: &str) -> Option<Result<Vec<Value>, String>> {
        let file: &LoadedFile = self.loaded.file(self.loaded.find(rel)?);
        self.added.lock().unwrap().touched.push(file.id);
        if !matches!(
            file.kind,
            FileKind::Manifest | FileKind::Kustomization | FileKind::ArgocdSource
        ) {
            // Read but not parsed by the loader (inside a chart): parse it now.
            let (id, text) = self.text(rel)?;
            let parsed = crate::load::yaml::parse(id, &text, Default::default());
            if let Some(e) = parsed.error {
                return Some(Err(e.message));
            }
            return Some(Ok(parsed
                .documents
                .iter()
                .flatten()
                .map(|d| Value::from_tree(&parsed.tree, *d))
                .collect()));
        }
        if file.broken {
            return Some(Err(format!("`{rel}` does not parse as YAML")));
        }
        Some(Ok(file
            .documents
            .iter()
            .flatten()
            .map(|d| Value::from_tree(&file.tree, *d))
            .collect()))
    }

    fn text(&self, rel: &str) -> Option<(FileId, Arc<str>)> {
        if let Some(id) = self.loaded.find(rel) {
            self.added.lock().unwrap().touched.push(id);
            let known = &self.loaded.sources.get(id).text;
            // Parsed by the loader, or read by an earlier round of rendering.
            if crate::load::parses_as_yaml(self.loaded.file(id).kind) || !known.is_empty() {
                return Some((id, known.clone()));
            }
            // SQL and chart files: the loader leaves them to whoever needs them.
            let mut added = self.added.lock().unwrap();
            if let Some(t) = added.texts.get(&id) {
                return Some((id, t.clone()));
            }
            let text = decode(self.contents.read(rel)?);
            added.texts.insert(id, text.clone());
            return Some((id, text));
        }
        let mut added = self.added.lock().unwrap();
        if let Some(id) = added.by_rel.get(rel) {
            let id = *id;
            let text = added
                .new_files
                .iter()
                .find(|(i, _, _)| *i == id)
                .map(|(_, _, t)| t.clone())?;
            return Some((id, text));
        }
        let text = decode(self.contents.read(rel)?);
        let id = FileId(added.next_id);
        added.next_id += 1;
        added.by_rel.insert(rel.to_string(), id);
        added.new_files.push((id, rel.to_string(), text.clone()));
        Some((id, text))
    }

    fn bytes(&self, rel: &str) -> Option<Vec<u8>> {
        self.contents.read(rel)
    }

    fn is_dir(&self, rel: &str) -> bool {
        match &self.contents {
            Contents::Disk(root) => !rel.split('/').any(|p| p == "..") && root.join(rel).is_dir(),
            Contents::Memory(_) => self.loaded.is_dir(rel),
        }
    }

    fn files_in(&self, dir: &str) -> Vec<String> {
        match &self.contents {
            Contents::Disk(root) if !dir.split('/').any(|p| p == "..") => {
                let mut out: Vec<String> = std::fs::read_dir(root.join(dir))
                    .map(|entries| {
                        entries
                            .flatten()
                            .filter(|e| e.path().is_file())
                            .map(|e| {
                                let name = e.file_name().to_string_lossy().into_owned();
                                if dir.is_empty() {
                                    name
                                } else {
                                    format!("{dir}/{name}")
                                }
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                out.sort();
                out
            }
            _ => self
                .loaded
                .subtree(dir)
                .filter(|f| crate::discover::parent(&f.rel) == dir)
                .map(|f| f.rel.clone())
                .collect(),
        }
    }
}

/// A source file for text read during rendering, shown like the loader's files.
pub fn source_file(id: FileId, prefix: &str, rel: &str, text: Arc<str>) -> Arc<SourceFile> {
    Arc::new(SourceFile::with_prefix(id, prefix, rel, text))
}
