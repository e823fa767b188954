//! Real Git repositories in temporary folders for release tests, and running the binary
//! in them with full control over the environment (CI variables included).
//!
//! Include it with `#[path = "common/git.rs"] mod git;` beside `mod common;`: it uses
//! [`super::common`] for temporary folders and output.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::common::{Output, TempDir, run_command};

/// A fixed identity and date, and no user or system configuration.
const IDENTITY: &[(&str, &str)] = &[
    ("GIT_AUTHOR_NAME", "Release Test"),
    ("GIT_AUTHOR_EMAIL", "release@example.invalid"),
    ("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z"),
    ("GIT_COMMITTER_NAME", "Release Test"),
    ("GIT_COMMITTER_EMAIL", "release@example.invalid"),
    ("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z"),
];

/// Environment variables every child process gets: no user or system git configuration,
/// and no repository search above the temporary folder.
fn hermetic(command: &mut Command) {
    command
        .env_clear()
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CEILING_DIRECTORIES", std::env::temp_dir())
        .env("LC_ALL", "C");
    for name in ["PATH", "HOME", "TMPDIR"] {
        if let Some(value) = std::env::var_os(name) {
            command.env(name, value);
        }
    }
}

/// Whether `git` can be run; prints why the caller skips when it cannot.
pub fn available(test: &str) -> bool {
    let found = Command::new("git")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        eprintln!("{test}: skipped: git not found");
    }
    found
}

/// A Git repository in a temporary folder, removed on drop.
pub struct GitRepo {
    dir: TempDir,
}

impl GitRepo {
    /// An empty repository on branch `main`.
    pub fn init(name: &str) -> GitRepo {
        let repo = GitRepo {
            dir: TempDir::new(name),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    /// A folder that is not a repository (no `.git`, and git does not look above it).
    pub fn plain(name: &str) -> GitRepo {
        GitRepo {
            dir: TempDir::new(name),
        }
    }

    /// A folder with an empty `.git` directory: a repository root to synclint, not a
    /// repository to git.
    pub fn empty_dot_git(name: &str) -> GitRepo {
        GitRepo {
            dir: TempDir::repo(name),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `contents` to `rel`, creating parent folders.
    pub fn write(&self, rel: &str, contents: &str) -> PathBuf {
        self.dir.write(rel, contents)
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel)).unwrap()
    }

    /// Runs git; panics when it fails. Returns stdout without the final newline.
    pub fn git(&self, args: &[&str]) -> String {
        let mut command = Command::new("git");
        hermetic(&mut command);
        command.envs(IDENTITY.iter().copied());
        let output = command
            .args(args)
            .current_dir(self.path())
            .stdin(Stdio::null())
            .output()
            .expect("run git");
        assert!(
            output.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout)
            .unwrap()
            .trim_end()
            .to_string()
    }

    /// Stages everything and commits it; returns the new commit's id.
    pub fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }

    /// Runs `synclint args` in the repository with a clean environment (PATH and HOME
    /// kept, no CI variables) plus `env`; killed after `common::TIMEOUT`.
    pub fn synclint(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_synclint"));
        hermetic(&mut command);
        command.envs(env.iter().copied());
        run_command(command, self.path(), args, None)
    }
}
