//! The Git repository that holds a synclint root, and the small queries the other parts
//! share.

use std::path::{Path, PathBuf};

use super::error::ReleaseError;
use super::git::{Git, GitOutput};

/// A synclint root inside a Git work tree. Every git command runs in the root itself, so
/// git limits what it lists to the root and prints paths relative to it.
#[derive(Clone, Debug)]
pub struct Repo {
    git: Git,
    root: PathBuf,
    toplevel: PathBuf,
    prefix: String,
    shallow: bool,
}

impl Repo {
    /// Finds the work tree that holds `root` (a directory). Fails with
    /// [`ReleaseError::NotARepository`] when there is none, and
    /// [`ReleaseError::GitNotFound`] when git cannot be run.
    pub fn open(root: &Path, git: Git) -> Result<Repo, ReleaseError> {
        // A missing directory would otherwise look like a missing git program (both are
        // "not found" when spawning).
        if !root.is_dir() {
            return Err(ReleaseError::NotARepository {
                root: root.to_path_buf(),
            });
        }
        let output = git.run(
            root,
            &[
                "rev-parse",
                "--show-toplevel",
                "--show-prefix",
                "--is-shallow-repository",
            ],
            None,
        )?;
        if !output.success {
            let stderr = String::from_utf8_lossy(&output.stderr);
            // "not a git repository", or "must be run in a work tree" (a bare repository
            // or the .git directory itself).
            if stderr.contains("not a git repository") || stderr.contains("work tree") {
                return Err(ReleaseError::NotARepository {
                    root: root.to_path_buf(),
                });
            }
            return Err(output.failure());
        }
        // Three lines; the top level comes first and is the only one that could hold a
        // newline, so read from the end.
        let text = String::from_utf8_lossy(&output.stdout);
        let mut lines = text.trim_end_matches('\n').rsplitn(3, '\n');
        let (Some(shallow), Some(prefix), Some(toplevel)) =
            (lines.next(), lines.next(), lines.next())
        else {
            return Err(ReleaseError::GitFailed {
                command: output.command,
                message: format!("unexpected output: {text:?}"),
            });
        };
        Ok(Repo {
            git,
            root: root.to_path_buf(),
            toplevel: PathBuf::from(toplevel),
            prefix: prefix.to_string(),
            shallow: shallow == "true",
        })
    }

    /// The synclint root this was opened on.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The top of the Git work tree.
    pub fn toplevel(&self) -> &Path {
        &self.toplevel
    }

    /// The root relative to the top of the work tree, with a trailing `/`; empty when
    /// the root is the top.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Whether the clone is shallow (CI checkouts often are), so old commits are missing.
    pub fn is_shallow(&self) -> bool {
        self.shallow
    }

    pub(crate) fn git(&self) -> &Git {
        &self.git
    }

    pub(crate) fn run_ok(
        &self,
        args: &[&str],
        input: Option<Vec<u8>>,
    ) -> Result<Vec<u8>, ReleaseError> {
        self.git.run_ok(&self.root, args, input)
    }

    /// The full id of the commit `rev` names, or `None` when it names none.
    pub(crate) fn resolve_commit(&self, rev: &str) -> Result<Option<String>, ReleaseError> {
        // An option is not a revision; refuse it rather than let git parse it as one.
        if rev.is_empty() || rev.starts_with('-') {
            return Ok(None);
        }
        let peeled = format!("{rev}^{{commit}}");
        let output = self.git.run(
            &self.root,
            &["rev-parse", "--verify", "--quiet", &peeled],
            None,
        )?;
        if !output.success {
            // --quiet: exit 1 and silence for "no such commit"; anything on stderr is a
            // real failure.
            return if output.code == Some(1) && output.stderr.is_empty() {
                Ok(None)
            } else {
                Err(output.failure())
            };
        }
        object_id(&output).map(Some)
    }

    /// The id of the empty tree in this repository's hash (SHA-1 or SHA-256), computed,
    /// not written.
    pub(crate) fn empty_tree(&self) -> Result<String, ReleaseError> {
        let output = self.git.run(
            &self.root,
            &["hash-object", "-t", "tree", "--stdin"],
            Some(Vec::new()),
        )?;
        if !output.success {
            return Err(output.failure());
        }
        object_id(&output)
    }
}

/// The one object id a command printed (rev-parse, merge-base).
pub(crate) fn object_id(output: &GitOutput) -> Result<String, ReleaseError> {
    let id = String::from_utf8_lossy(&output.stdout).trim().to_string();
    if id.is_empty() || !id.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return Err(ReleaseError::GitFailed {
            command: output.command.clone(),
            message: format!("unexpected output: {id:?}"),
        });
    }
    Ok(id)
}
