//! The release Git layer on a repository of realistic size: 1,000 commits and about 2,000
//! files, built with `git fast-import` in a temporary folder. Prints the time of base
//! detection, the change list and reading the tree at the base; run with `--nocapture`
//! (and `--release` for representative figures) to see them.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use synclint::release::{BaseContent, BaseSource, ChangeKind, CiEnv, Git, Repo};

const APPS: usize = 100;
const FILES_PER_APP: usize = 19;
const COMMITS: usize = 1000;

/// git with no user or system configuration, and an identity for commits.
fn git_command(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CEILING_DIRECTORIES", std::env::temp_dir())
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE");
    command
}

fn git(dir: &Path, args: &[&str], input: &[u8]) {
    let mut child = git_command(dir)
        .args(args)
        .stdin(Stdio::piped())
        .spawn()
        .expect("run git");
    child.stdin.take().unwrap().write_all(input).unwrap();
    assert!(child.wait().unwrap().success(), "git {args:?} failed");
}

fn inline_file(stream: &mut Vec<u8>, path: &str, content: &str) {
    stream
        .extend_from_slice(format!("M 100644 inline {path}\ndata {}\n", content.len()).as_bytes());
    stream.extend_from_slice(content.as_bytes());
    stream.push(b'\n');
}

fn deployment(app: usize, version: usize) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app{app}\nspec:\n  \
         template:\n    spec:\n      containers:\n        - name: app\n          \
         image: registry.example/app{app}:1.{version}\n"
    )
}

/// A values file of a typical size (about 2 KB).
fn values(app: usize) -> String {
    let mut text = format!("replicas: {}\nenv:\n", app % 5 + 1);
    for key in 0..40 {
        text.push_str(&format!(
            "  - name: SETTING_{key}\n    value: \"app{app}-{key}\"\n"
        ));
    }
    text
}

/// The fast-import stream: a first commit with every app, then commits that each change
/// one app's image and, every tenth, add a migration.
fn history() -> Vec<u8> {
    let mut stream = Vec::new();
    for commit in 1..=COMMITS {
        let message = format!("release {commit}");
        stream.extend_from_slice(
            format!(
                "commit refs/heads/main\nmark :{commit}\ncommitter CI <ci@example.invalid> {} +0000\ndata {}\n{message}\n",
                1_700_000_000 + commit * 60,
                message.len()
            )
            .as_bytes(),
        );
        if commit > 1 {
            stream.extend_from_slice(format!("from :{}\n", commit - 1).as_bytes());
        }
        if commit == 1 {
            for app in 0..APPS {
                let dir = format!("apps/app{app:03}");
                inline_file(
                    &mut stream,
                    &format!("{dir}/deployment.yaml"),
                    &deployment(app, 0),
                );
                inline_file(&mut stream, &format!("{dir}/values.yaml"), &values(app));
                inline_file(
                    &mut stream,
                    &format!("{dir}/kustomization.yaml"),
                    "resources:\n  - deployment.yaml\n",
                );
                inline_file(
                    &mut stream,
                    &format!("{dir}/README.md"),
                    &format!("# app {app}\n"),
                );
                for version in 1..=FILES_PER_APP - 4 {
                    let sql = format!("ALTER TABLE t{app} ADD COLUMN c{version} text;\n");
                    inline_file(
                        &mut stream,
                        &format!("{dir}/migrations/V{version}__step.sql"),
                        &sql,
                    );
                }
            }
        } else {
            let app = commit % APPS;
            let dir = format!("apps/app{app:03}");
            inline_file(
                &mut stream,
                &format!("{dir}/deployment.yaml"),
                &deployment(app, commit),
            );
            if commit % 10 == 0 {
                let sql = format!("ALTER TABLE t{app} DROP COLUMN c{commit};\n");
                inline_file(
                    &mut stream,
                    &format!("{dir}/migrations/V{commit}__contract.sql"),
                    &sql,
                );
            }
        }
        stream.push(b'\n');
    }
    stream
}

struct TempRepo(PathBuf);

impl Drop for TempRepo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn timed<T>(label: &str, figures: &mut Vec<(String, Duration)>, work: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let result = work();
    figures.push((label.to_string(), started.elapsed()));
    result
}

#[test]
fn a_thousand_commits_and_two_thousand_files_are_read_quickly() {
    if git_command(Path::new("."))
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: git not found");
        return;
    }
    let dir = TempRepo(
        std::env::temp_dir().join(format!("synclint-release-bench-{}", std::process::id())),
    );
    let _ = std::fs::remove_dir_all(&dir.0);
    std::fs::create_dir_all(&dir.0).unwrap();
    let build = Instant::now();
    git(&dir.0, &["init", "-q", "-b", "main"], b"");
    git(&dir.0, &["fast-import", "--quiet"], &history());
    git(&dir.0, &["reset", "-q", "--hard"], b"");
    let build = build.elapsed();

    let git = Git::new()
        .with_env("GIT_CONFIG_GLOBAL", "/dev/null")
        .with_env("GIT_CONFIG_NOSYSTEM", "1");
    let mut figures = Vec::new();
    let total = Instant::now();
    let repo = timed("open", &mut figures, || {
        Repo::open(&dir.0, git.clone()).unwrap()
    });
    let base = timed("detect base", &mut figures, || {
        repo.detect_base(None, &CiEnv::default()).unwrap()
    });
    let changes = timed("changes", &mut figures, || {
        repo.changes_since(&base).unwrap()
    });
    let files = timed("read tree (all)", &mut figures, || {
        repo.read_tree(&base).unwrap()
    });
    let total = total.elapsed();
    let sql = timed("read tree (*.sql)", &mut figures, || {
        repo.read_tree_filtered(&base, |path| path.ends_with(".sql"))
            .unwrap()
    });

    assert_eq!(base.source, BaseSource::PreviousCommit);
    // The last commit (1000) changed one image and added a migration.
    let kinds: Vec<_> = changes.iter().map(|change| change.kind).collect();
    assert_eq!(
        kinds,
        [ChangeKind::Modified, ChangeKind::Added],
        "{changes:?}"
    );
    // The base is commit 999: the first commit's files and a migration every tenth commit.
    let expected_files = APPS * FILES_PER_APP + (COMMITS - 1) / 10;
    assert_eq!(files.len(), expected_files);
    assert!(
        files
            .iter()
            .all(|file| matches!(file.content, BaseContent::File(ref bytes) if !bytes.is_empty()))
    );
    assert_eq!(sql.len(), expected_files - 4 * APPS);

    let bytes: usize = files
        .iter()
        .map(|file| match &file.content {
            BaseContent::File(bytes) => bytes.len(),
            BaseContent::Symlink => 0,
        })
        .sum();
    println!(
        "repository: {COMMITS} commits, {} files, {bytes} bytes at the base (built in {build:.2?})",
        files.len()
    );
    for (label, elapsed) in &figures {
        println!("  {label:<18} {elapsed:>10.2?}");
    }
    println!("  {:<18} {total:>10.2?}", "total (open..tree)");
    assert!(total < Duration::from_secs(20), "took {total:?}");
}
