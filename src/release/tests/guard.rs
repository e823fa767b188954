//! Failures with clear errors, and the promise that nothing in the repository changes.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use super::fixture::{TempDir, TestRepo, V2, git_available, run_git, test_git};
use crate::release::{BaseSource, CiEnv, Git, ReleaseError, Repo};

#[test]
fn a_missing_git_program_is_reported() {
    let dir = TempDir::new("nogit");
    let absent = Git::new().with_program("/nonexistent/synclint-test/git");
    let error = Repo::open(&dir.0, absent).unwrap_err();
    assert!(matches!(error, ReleaseError::GitNotFound { .. }), "{error}");
    assert!(error.to_string().contains("install Git"), "{error}");

    // `git` looked up on a PATH without it.
    let empty_path = Git::new().with_env("PATH", &dir.0);
    let error = Repo::open(&dir.0, empty_path).unwrap_err();
    assert!(matches!(error, ReleaseError::GitNotFound { .. }), "{error}");
}

#[test]
fn a_folder_outside_any_repository_is_not_a_repository() {
    if !git_available() {
        return;
    }
    let dir = TempDir::new("plain");
    let error = Repo::open(&dir.0, test_git()).unwrap_err();
    assert_eq!(
        error,
        ReleaseError::NotARepository {
            root: dir.0.clone()
        }
    );
    assert!(error.to_string().contains("no release boundary"), "{error}");
    let missing = dir.0.join("missing");
    let error = Repo::open(&missing, test_git()).unwrap_err();
    assert!(
        matches!(error, ReleaseError::NotARepository { .. }),
        "{error}"
    );
}

#[test]
fn a_missing_base_is_named() {
    let Some(test) = TestRepo::new() else { return };
    test.releases();
    let repo = test.open("apps/shop");
    for rev in ["v9.9", "--output=/tmp/x", ""] {
        let error = repo.detect_base(Some(rev), &CiEnv::default()).unwrap_err();
        assert_eq!(
            error,
            ReleaseError::BaseNotFound {
                rev: rev.to_string(),
                source: BaseSource::Flag
            }
        );
        let message = error.to_string();
        assert!(message.contains(&format!("`{rev}`")), "{message}");
        assert!(message.contains("fetch-depth: 0"), "{message}");
    }
}

#[test]
fn a_shallow_clone_without_the_previous_commit_says_how_to_fetch_it() {
    let Some(test) = TestRepo::new() else { return };
    test.releases();
    let clones = TempDir::new("shallow");
    let url = format!("file://{}", test.path().display());
    run_git(&clones.0, &["clone", "-q", "--depth", "1", &url, "clone"]);
    let repo = Repo::open(&clones.0.join("clone/apps/shop"), test_git()).unwrap();
    assert!(repo.is_shallow());
    let error = repo.detect_base(None, &CiEnv::default()).unwrap_err();
    assert_eq!(
        error,
        ReleaseError::BaseNotFound {
            rev: "HEAD~1".to_string(),
            source: BaseSource::PreviousCommit
        }
    );
    assert!(error.to_string().contains("shallow"), "{error}");
    assert!(error.to_string().contains("GIT_DEPTH: 0"), "{error}");
}

#[cfg(unix)]
#[test]
fn a_hanging_git_is_stopped_after_the_time_limit() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("hang");
    let program = dir.0.join("git");
    // Stands for git waiting on a prompt that never comes.
    std::fs::write(&program, "#!/bin/sh\nexec sleep 30\n").unwrap();
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    let hanging = Git::new()
        .with_program(&program)
        .with_timeout(Duration::from_millis(300));

    let started = Instant::now();
    let error = Repo::open(&dir.0, hanging).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(matches!(error, ReleaseError::Timeout { .. }), "{error}");
    let message = error.to_string();
    assert!(message.contains("git rev-parse"), "{message}");
    assert!(message.contains("within 0.3 s"), "{message}");
}

/// Every file and folder under `dir`, with its size and modification time.
fn snapshot(dir: &Path) -> BTreeMap<String, (u64, SystemTime)> {
    let mut entries = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            let metadata = std::fs::symlink_metadata(&path).unwrap();
            if metadata.is_dir() {
                pending.push(path.clone());
            }
            let key = path.strip_prefix(dir).unwrap().display().to_string();
            entries.insert(key, (metadata.len(), metadata.modified().unwrap()));
        }
    }
    entries
}

#[test]
fn the_work_tree_index_and_refs_are_left_untouched() {
    let Some(test) = TestRepo::new() else { return };
    test.releases();
    test.write("apps/shop/deployment.yaml", "unstaged: true\n");
    test.write("apps/shop/migrations/V5__staged.sql", V2);
    test.git(&["add", "apps/shop/migrations/V5__staged.sql"]);
    test.write("apps/shop/untracked.sql", V2);
    // A file whose stat data no longer matches the index though its content does: a
    // command that refreshes the index would write it back.
    std::thread::sleep(Duration::from_millis(20));
    test.write("apps/shop/values.yaml", "replicas: 2\n");
    let status = || test.git(&["--no-optional-locks", "status", "--porcelain", "-z"]);
    let status_before = status();
    let files_before = snapshot(test.path());

    let repo = test.open("apps/shop");
    let base = repo.detect_base(None, &CiEnv::default()).unwrap();
    repo.changes_since(&base).unwrap();
    repo.read_tree(&base).unwrap();
    let previous = repo.detect_base(Some("HEAD~1"), &CiEnv::default()).unwrap();
    repo.changes_since(&previous).unwrap();
    repo.read_tree(&previous).unwrap();

    let files_after = snapshot(test.path());
    let differing: Vec<_> = files_before
        .keys()
        .chain(files_after.keys())
        .filter(|path| files_before.get(*path) != files_after.get(*path))
        .collect();
    assert!(differing.is_empty(), "changed: {differing:?}");
    assert_eq!(status(), status_before);
}
