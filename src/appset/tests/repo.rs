//! A checkout in memory.

use std::collections::BTreeMap;

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
