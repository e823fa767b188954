//! A checkout in memory, and a RepoView over a directory on disk.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::appset::RepoView;

/// Files by path; directories are their parents.
#[derive(Default)]
pub struct MemoryRepo {
    pub files: BTreeMap<String, String>,
}

impl MemoryRepo {
    pub fn new(files: &[(&str, &str)]) -> MemoryRepo {
        MemoryRepo {
            files: files
                .iter()
                .map(|(p, c)| (p.to_string(), c.to_string()))
                .collect(),
        }
    }
}

impl RepoView for MemoryRepo {
    fn list_dirs(&self) -> Vec<String> {
        let mut dirs = std::collections::BTreeSet::new();
        for path in self.files.keys() {
            let mut dir = path.as_str();
            while let Some(i) = dir.rfind('/') {
                dir = &dir[..i];
                dirs.insert(dir.to_string());
            }
        }
        dirs.into_iter().collect()
    }
    fn list_files(&self) -> Vec<String> {
        self.files.keys().cloned().collect()
    }
    fn read_file(&self, path: &str) -> Option<String> {
        self.files.get(path).cloned()
    }
}

/// A directory on disk (no symlinks followed).
pub struct DiskRepo {
    pub root: PathBuf,
}

fn walk(root: &Path, dir: &Path, dirs: &mut Vec<String>, files: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let rel = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        if kind.is_dir() {
            if rel == ".git" {
                continue;
            }
            dirs.push(rel);
            walk(root, &path, dirs, files);
        } else if kind.is_file() {
            files.push(rel);
        }
    }
}

impl RepoView for DiskRepo {
    fn list_dirs(&self) -> Vec<String> {
        let (mut dirs, mut files) = (Vec::new(), Vec::new());
        walk(&self.root, &self.root, &mut dirs, &mut files);
        dirs
    }
    fn list_files(&self) -> Vec<String> {
        let (mut dirs, mut files) = (Vec::new(), Vec::new());
        walk(&self.root, &self.root, &mut dirs, &mut files);
        files
    }
    fn read_file(&self, path: &str) -> Option<String> {
        std::fs::read_to_string(self.root.join(path)).ok()
    }
}
