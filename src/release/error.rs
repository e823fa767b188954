//! Why the Git layer could not answer: one line each, saying what to do about it.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use super::base::BaseSource;

/// The CI settings that fetch the whole history, quoted by the errors about missing
/// commits (shallow clones are the usual cause).
const FULL_HISTORY_HINT: &str = "`fetch-depth: 0` in actions/checkout, `GIT_DEPTH: 0` in GitLab CI";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReleaseError {
    /// The git program could not be found.
    GitNotFound { program: String },
    /// The synclint root is not inside a Git work tree (or not a directory at all). The
    /// caller reports destructive SQL without a release boundary.
    NotARepository { root: PathBuf },
    /// Git refuses to read a repository owned by another user (`safe.directory`).
    UnsafeRepository { toplevel: String },
    /// The base revision does not name a commit in this clone.
    BaseNotFound { rev: String, source: BaseSource },
    /// The pull request's target branch and HEAD share no commit in this clone.
    NoMergeBase { target: String },
    /// A git command ran longer than the time limit and was stopped.
    Timeout { command: String, limit: Duration },
    /// A git command failed, or printed something this module does not understand.
    GitFailed { command: String, message: String },
}

impl fmt::Display for ReleaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReleaseError::GitNotFound { program } => write!(
                f,
                "git not found (`{program}`): install Git or put it on PATH to compare \
                 against a release base"
            ),
            ReleaseError::NotARepository { root } => write!(
                f,
                "{} is not in a Git work tree, so no release boundary is known: run \
                 synclint in a Git checkout or pass a root inside one",
                root.display()
            ),
            ReleaseError::UnsafeRepository { toplevel } => write!(
                f,
                "git refuses to read {toplevel} because another user owns it: run \
                 `git config --global --add safe.directory {toplevel}` if you trust it"
            ),
            ReleaseError::BaseNotFound { rev, source } => match source {
                BaseSource::Flag => write!(
                    f,
                    "base revision `{rev}` (--base) is not a commit in this clone: check \
                     the name, or fetch it (shallow CI clones need {FULL_HISTORY_HINT})"
                ),
                BaseSource::GitHub => write!(
                    f,
                    "pull request base branch `{rev}` (GITHUB_BASE_REF) is in this clone \
                     neither as `origin/{rev}` nor as `{rev}`: check out with \
                     `fetch-depth: 0` in actions/checkout, or pass --base"
                ),
                BaseSource::GitLab => write!(
                    f,
                    "merge request base `{rev}` (CI_MERGE_REQUEST_DIFF_BASE_SHA) is not in \
                     this clone: set `GIT_DEPTH: 0` in .gitlab-ci.yml, or pass --base"
                ),
                BaseSource::Uncommitted
                | BaseSource::PreviousCommit
                | BaseSource::NoPreviousCommit => write!(
                    f,
                    "base revision `{rev}` is not in this shallow clone: fetch the history \
                     ({FULL_HISTORY_HINT}), or pass --base"
                ),
            },
            ReleaseError::NoMergeBase { target } => write!(
                f,
                "HEAD and `{target}` share no commit in this clone (a shallow clone?): \
                 check out with `fetch-depth: 0` in actions/checkout, or pass --base"
            ),
            ReleaseError::Timeout { command, limit } => write!(
                f,
                "`{command}` did not finish within {} s and was stopped (waiting for a \
                 credential prompt or a network fetch?): check the repository with that \
                 command, or pass --base",
                limit.as_secs_f64()
            ),
            ReleaseError::GitFailed { command, message } => {
                write!(f, "`{command}` failed: {message}")
            }
        }
    }
}

impl std::error::Error for ReleaseError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_is_one_line() {
        let sources = [
            BaseSource::Flag,
            BaseSource::GitHub,
            BaseSource::GitLab,
            BaseSource::PreviousCommit,
        ];
        let mut errors = vec![
            ReleaseError::GitNotFound {
                program: "git".into(),
            },
            ReleaseError::NotARepository { root: "/r".into() },
            ReleaseError::UnsafeRepository {
                toplevel: "/r".into(),
            },
            ReleaseError::NoMergeBase {
                target: "origin/main".into(),
            },
            ReleaseError::Timeout {
                command: "git diff".into(),
                limit: Duration::from_secs(30),
            },
            ReleaseError::GitFailed {
                command: "git diff".into(),
                message: "bad".into(),
            },
        ];
        errors.extend(sources.map(|source| ReleaseError::BaseNotFound {
            rev: "v1".into(),
            source,
        }));
        for error in errors {
            let message = error.to_string();
            assert!(
                !message.contains('\n') && !message.contains("  "),
                "{message}"
            );
        }
    }
}
