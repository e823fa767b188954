//! A private temporary folder, removed when dropped: Helm's home, the inline values file
//! and chart copies live here, never in the repository being linted.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::HelmError;

pub(crate) struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// A new, empty folder `synclint-helm-<pid>-<n>` under the system temporary folder,
    /// readable by the current user only (it may hold values with secrets).
    pub(crate) fn new() -> Result<TempDir, HelmError> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let base = std::env::temp_dir();
        let mut last_error = None;
        // Another process may hold a name (a pid reused after a crash): try a few.
        for _ in 0..16 {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = base.join(format!("synclint-helm-{}-{n}", std::process::id()));
            match create_private_dir(&path) {
                Ok(()) => return Ok(TempDir { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last_error = Some(e),
                Err(e) => return Err(HelmError::io("creating a temporary folder", e)),
            }
        }
        Err(HelmError::io(
            "creating a temporary folder",
            last_error.unwrap_or_else(|| std::io::Error::other("no free name")),
        ))
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(unix)]
fn create_private_dir(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().mode(0o700).create(path)
}

#[cfg(not(unix))]
fn create_private_dir(path: &Path) -> std::io::Result<()> {
    std::fs::create_dir(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_unique_and_removed_on_drop() {
        let a = TempDir::new().unwrap();
        let b = TempDir::new().unwrap();
        assert_ne!(a.path(), b.path());
        std::fs::write(a.path().join("f"), "x").unwrap();
        let kept = a.path().to_path_buf();
        drop(a);
        assert!(!kept.exists());
        assert!(b.path().is_dir());
    }
}
