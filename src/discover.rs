//! discover: walk the repository (gitignore-aware, never leaving the root through a
//! symlink) and classify every file by what it is to a GitOps sync.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::WalkBuilder;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// `.yaml`, `.yml` or `.json` that may hold Kubernetes objects.
    Manifest,
    /// `kustomization.yaml`, `kustomization.yml` or `Kustomization`.
    Kustomization,
    /// A Helm chart's `Chart.yaml`.
    ChartYaml,
    /// Anything inside a Helm chart other than `Chart.yaml`: templates are Go templates,
    /// not YAML, and values files are not objects.
    ChartFile,
    /// `.argocd-source.yaml` / `.argocd-source-<app>.yaml` parameter overrides.
    ArgocdSource,
    /// `.synclint.yaml`.
    Config,
    Sql,
    /// A file read during rendering that the walk does not classify (a Kustomize
    /// generator's `.env` or `.properties`).
    Other,
    /// The objects one source rendered (Kustomize, Helm, an ApplicationSet): a virtual
    /// file whose tree points back at the files each field came from.
    Rendered,
}

#[derive(Clone, Debug)]
pub struct DiscoveredFile {
    pub path: PathBuf,
    /// Relative to the repository root, `/`-separated.
    pub rel: String,
    pub kind: FileKind,
}

/// A problem met while walking: a symlink out of the repository, a loop, an unreadable
/// directory. `rel` is the path where it was met.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WalkProblem {
    pub rel: String,
    pub message: String,
    /// Argo CD itself refuses repositories with out-of-bounds symlinks.
    pub out_of_bounds_symlink: bool,
}

#[derive(Debug, Default)]
pub struct Discovery {
    pub root: PathBuf,
    pub files: Vec<DiscoveredFile>,
    pub problems: Vec<WalkProblem>,
}

pub const CONFIG_FILE: &str = ".synclint.yaml";

pub fn discover(root: &Path) -> Discovery {
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let problems = Arc::new(Mutex::new(Vec::new()));
    let filter_problems = Arc::clone(&problems);
    let filter_root = canonical_root.clone();
    let walk_root = root.to_path_buf();
    let walker = WalkBuilder::new(root)
        .hidden(false)
        .follow_links(true)
        .git_global(false)
        .require_git(false)
        .filter_entry(move |entry| {
            if entry.file_name() == ".git" {
                return false;
            }
            if !entry.path_is_symlink() {
                return true;
            }
            match entry.path().canonicalize() {
                Ok(target) if target.starts_with(&filter_root) => true,
                Ok(target) => {
                    filter_problems.lock().unwrap().push(WalkProblem {
                        rel: relative(&walk_root, entry.path()),
                        message: format!(
                            "symlink points outside the repository (to {})",
                            target.display()
                        ),
                        out_of_bounds_symlink: true,
                    });
                    false
                }
                Err(e) => {
                    filter_problems.lock().unwrap().push(WalkProblem {
                        rel: relative(&walk_root, entry.path()),
                        message: format!("broken symlink: {e}"),
                        out_of_bounds_symlink: false,
                    });
                    false
                }
            }
        })
        .build_parallel();

    // Walk on every core; the order is restored by sorting, so output stays deterministic.
    let found = Mutex::new(Vec::new());
    walker.run(|| {
        let found = &found;
        let problems = &problems;
        Box::new(move |entry| {
            match entry {
                Ok(entry) => {
                    if entry.file_type().is_some_and(|t| t.is_file()) {
                        found.lock().unwrap().push(entry.into_path());
                    }
                }
                Err(err) => problems.lock().unwrap().push(WalkProblem {
                    rel: walk_error_path(&err)
                        .map(|p| relative(root, &p))
                        .unwrap_or_default(),
                    message: one_line(&err.to_string()),
                    out_of_bounds_symlink: false,
                }),
            }
            ignore::WalkState::Continue
        })
    });
    let mut paths: Vec<(PathBuf, String)> = found
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|p| {
            let rel = relative(root, &p);
            (p, rel)
        })
        .collect();
    paths.sort_by(|a, b| a.1.cmp(&b.1));

    let chart_roots: Vec<String> = paths
        .iter()
        .filter(|(_, rel)| file_name(rel) == "Chart.yaml")
        .map(|(_, rel)| parent(rel).to_string())
        .collect();

    let files = paths
        .into_iter()
        .filter_map(|(path, rel)| {
            let kind = classify(&rel, &chart_roots)?;
            Some(DiscoveredFile { path, rel, kind })
        })
        .collect();
    let mut problems = std::mem::take(&mut *problems.lock().unwrap());
    problems.sort_by(|a, b| (&a.rel, &a.message).cmp(&(&b.rel, &b.message)));
    problems.dedup();
    Discovery {
        root: root.to_path_buf(),
        files,
        problems,
    }
}

/// A discovery of files known by path alone (a revision read from Git): classified
/// as the walk would classify them.
pub fn listed(root: &Path, mut rels: Vec<String>) -> Discovery {
    rels.sort();
    let chart_roots: Vec<String> = rels
        .iter()
        .filter(|rel| file_name(rel) == "Chart.yaml")
        .map(|rel| parent(rel).to_string())
        .collect();
    let files = rels
        .into_iter()
        .filter_map(|rel| {
            let kind = classify(&rel, &chart_roots)?;
            Some(DiscoveredFile {
                path: root.join(&rel),
                rel,
                kind,
            })
        })
        .collect();
    Discovery {
        root: root.to_path_buf(),
        files,
        problems: Vec::new(),
    }
}

fn classify(rel: &str, chart_roots: &[String]) -> Option<FileKind> {
    let name = file_name(rel);
    let lower = name.to_ascii_lowercase();
    if name == "Chart.yaml" {
        return Some(FileKind::ChartYaml);
    }
    if chart_roots.iter().any(|root| within(rel, root)) {
        return Some(FileKind::ChartFile);
    }
    match name {
        "kustomization.yaml" | "kustomization.yml" | "Kustomization" => {
            return Some(FileKind::Kustomization);
        }
        CONFIG_FILE if !rel.contains('/') => return Some(FileKind::Config),
        _ => {}
    }
    if name.starts_with(".argocd-source") && (lower.ends_with(".yaml") || lower.ends_with(".yml")) {
        return Some(FileKind::ArgocdSource);
    }
    if lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".json") {
        return Some(FileKind::Manifest);
    }
    if lower.ends_with(".sql") {
        return Some(FileKind::Sql);
    }
    None
}

/// Whether `rel` is inside directory `dir` ("" is the root).
pub fn within(rel: &str, dir: &str) -> bool {
    dir.is_empty()
        || (rel.len() > dir.len() && rel.starts_with(dir) && rel.as_bytes()[dir.len()] == b'/')
}

pub fn file_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}

/// The directory part of a relative path ("" for the root).
pub fn parent(rel: &str) -> &str {
    rel.rfind('/').map(|i| &rel[..i]).unwrap_or("")
}

pub fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut out = String::new();
    for (i, part) in rel.components().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(&part.as_os_str().to_string_lossy());
    }
    out
}

fn walk_error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } => walk_error_path(err),
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

fn one_line(s: &str) -> String {
    s.lines().next().unwrap_or("").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_chart_files_and_kustomizations() {
        let charts = vec!["charts/api".to_string()];
        assert_eq!(
            classify("charts/api/templates/job.yaml", &charts),
            Some(FileKind::ChartFile)
        );
        assert_eq!(
            classify("charts/api/Chart.yaml", &charts),
            Some(FileKind::ChartYaml)
        );
        assert_eq!(
            classify("base/kustomization.yaml", &charts),
            Some(FileKind::Kustomization)
        );
        assert_eq!(classify("apps/api.yml", &charts), Some(FileKind::Manifest));
        assert_eq!(classify(".synclint.yaml", &charts), Some(FileKind::Config));
        assert_eq!(classify("db/V1__init.sql", &charts), Some(FileKind::Sql));
        assert_eq!(classify("README.md", &charts), None);
    }

    #[test]
    fn within_respects_directory_boundaries() {
        assert!(within("a/b.yaml", "a"));
        assert!(!within("ab/c.yaml", "a"));
        assert!(within("x.yaml", ""));
    }
}
