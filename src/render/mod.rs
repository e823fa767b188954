//! render: turn an Argo CD source into the files whose objects it applies.
//!
//! Directory sources are rendered here; Kustomize, Helm and plugin sources are
//! recognised (as Argo CD decides) but not rendered yet, and say so.

pub mod files;
pub mod helm_source;
pub mod kustomize;
pub mod value;

use globset::{GlobBuilder, GlobMatcher};

use crate::discover::FileKind;
use crate::load::{Loaded, LoadedFile};
use crate::source::FileId;

/// Which tool Argo CD uses for a source (argocd-semantics.md §4 "Which tool renders a source").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    Directory,
    Kustomize,
    Helm,
    Plugin,
}

impl Tool {
    pub fn name(self) -> &'static str {
        match self {
            Tool::Directory => "directory",
            Tool::Kustomize => "Kustomize",
            Tool::Helm => "Helm",
            Tool::Plugin => "a config management plugin",
        }
    }
}

/// Files directly in `dir` decide between Helm, Kustomize and a plain directory;
/// Kustomize wins when both are present, because Argo CD walks it after Chart.yaml.
/// `subtree` is every file below `dir` (`Loaded::subtree`).
pub fn detect_tool<'f>(subtree: impl IntoIterator<Item = &'f LoadedFile>, dir: &str) -> Tool {
    let mut tool = Tool::Directory;
    for f in subtree {
        if crate::discover::parent(&f.rel) != dir {
            continue;
        }
        match f.kind {
            FileKind::Kustomization => return Tool::Kustomize,
            FileKind::ChartYaml => tool = Tool::Helm,
            _ => {}
        }
    }
    tool
}

/// A directory source's options (argocd-semantics.md §4 "Directory").
#[derive(Debug, Default)]
pub struct DirectoryOptions {
    pub recurse: bool,
    pub include: Option<String>,
    pub exclude: Option<String>,
}

/// Errors in include/exclude patterns, with the pattern.
#[derive(Debug)]
pub struct PatternError(pub String);

fn matcher(pattern: &str) -> Result<GlobMatcher, PatternError> {
    // gobwas globs (Argo CD) let `*` cross `/`, like globset's default; braces work too.
    GlobBuilder::new(pattern)
        .literal_separator(false)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| PatternError(format!("invalid glob `{pattern}`: {e}")))
}

/// The manifest files a directory source at `dir` applies, in path order; `subtree`
/// is every file below `dir` (`Loaded::subtree`).
pub fn directory_files<'f>(
    loaded: &Loaded,
    subtree: impl IntoIterator<Item = &'f LoadedFile>,
    dir: &str,
    options: &DirectoryOptions,
) -> Result<Vec<FileId>, PatternError> {
    let include = options
        .include
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(matcher)
        .transpose()?;
    let exclude = options
        .exclude
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(matcher)
        .transpose()?;
    let mut files = Vec::new();
    for f in subtree {
        if f.kind != FileKind::Manifest {
            continue;
        }
        let relative = if dir.is_empty() {
            &f.rel[..]
        } else {
            &f.rel[dir.len() + 1..]
        };
        if !options.recurse && relative.contains('/') {
            continue;
        }
        if exclude.as_ref().is_some_and(|m| m.is_match(relative)) {
            continue;
        }
        if include.as_ref().is_some_and(|m| !m.is_match(relative)) {
            continue;
        }
        if loaded
            .sources
            .get(f.id)
            .text
            .starts_with("# +argocd:skip-file-rendering")
        {
            continue;
        }
        files.push(f.id);
    }
    Ok(files)
}
