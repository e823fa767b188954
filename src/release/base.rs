//! Which revision the release is compared against (design: Releases).
//!
//! In order: `--base REV`; a GitHub pull request's target branch (`GITHUB_BASE_REF`,
//! through the merge base with HEAD); a GitLab merge request's diff base
//! (`CI_MERGE_REQUEST_DIFF_BASE_SHA`); `HEAD` when the root has uncommitted changes (the
//! pre-commit case); else `HEAD~1`. A repository whose HEAD has no parent (the first
//! commit, or no commit yet) has no previous release: the base is then the empty tree,
//! so every file counts as new.

use std::fmt;

use super::error::ReleaseError;
use super::repo::{Repo, object_id};

/// The CI variables base detection reads, passed in so the logic never reads the
/// process environment itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CiEnv {
    /// `GITHUB_BASE_REF`: the target branch of a pull request.
    pub github_base_ref: Option<String>,
    /// `CI_MERGE_REQUEST_DIFF_BASE_SHA`: the commit a GitLab merge request's diff starts at.
    pub gitlab_diff_base_sha: Option<String>,
}

impl CiEnv {
    /// Reads the variables through `lookup` (a variable name to its value). Empty values
    /// count as unset: GitHub sets `GITHUB_BASE_REF` to "" on push events.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> CiEnv {
        let read = |name: &str| {
            lookup(name)
                .map(|value| value.trim().to_string())
                .filter(|value| !value.is_empty())
        };
        CiEnv {
            github_base_ref: read("GITHUB_BASE_REF"),
            gitlab_diff_base_sha: read("CI_MERGE_REQUEST_DIFF_BASE_SHA"),
        }
    }

    /// The variables of this process.
    pub fn from_process() -> CiEnv {
        CiEnv::from_lookup(|name| std::env::var(name).ok())
    }
}

/// Where the base came from, in detection order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BaseSource {
    /// `--base REV`.
    Flag,
    /// The merge base of HEAD and the pull request's target branch (`GITHUB_BASE_REF`).
    GitHub,
    /// The merge request's diff base (`CI_MERGE_REQUEST_DIFF_BASE_SHA`).
    GitLab,
    /// `HEAD`: the root has uncommitted changes, and they are the release.
    Uncommitted,
    /// `HEAD~1`: the last commit is the release.
    PreviousCommit,
    /// The empty tree: HEAD has no parent (or there is no commit yet), so everything is
    /// new.
    NoPreviousCommit,
}

impl BaseSource {
    /// Why this base, for a report header.
    pub fn describe(self) -> &'static str {
        match self {
            BaseSource::Flag => "given with --base",
            BaseSource::GitHub => "merge base with the pull request's target branch",
            BaseSource::GitLab => "the merge request's diff base",
            BaseSource::Uncommitted => "the last commit; uncommitted changes are the release",
            BaseSource::PreviousCommit => "the previous commit",
            BaseSource::NoPreviousCommit => "no previous commit, so every file is new",
        }
    }
}

/// The revision a release is compared against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Base {
    /// The revision as named: the `--base` value, `origin/main`, a SHA, `HEAD`, `HEAD~1`,
    /// or `empty tree`.
    pub rev: String,
    /// Its full object id: a commit, or the empty tree for
    /// [`BaseSource::NoPreviousCommit`]. Both work wherever git takes a tree.
    pub commit: String,
    pub source: BaseSource,
}

impl Base {
    /// The id shortened to the usual seven digits, for people.
    pub fn short_commit(&self) -> &str {
        self.commit.get(..7).unwrap_or(&self.commit)
    }
}

/// `HEAD~1 (abc1234, the previous commit)`.
impl fmt::Display for Base {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}, {})",
            self.rev,
            self.short_commit(),
            self.source.describe()
        )
    }
}

impl Repo {
    /// Finds the base of the release in the order of the module documentation.
    /// `explicit` is the `--base` value.
    pub fn detect_base(&self, explicit: Option<&str>, env: &CiEnv) -> Result<Base, ReleaseError> {
        if let Some(rev) = explicit {
            return self.named_base(rev, BaseSource::Flag);
        }
        if let Some(branch) = &env.github_base_ref {
            return self.pull_request_base(branch);
        }
        if let Some(sha) = &env.gitlab_diff_base_sha {
            return self.named_base(sha, BaseSource::GitLab);
        }
        let Some(head) = self.resolve_commit("HEAD")? else {
            return self.empty_tree_base();
        };
        if self.has_uncommitted_changes()? {
            return Ok(Base {
                rev: "HEAD".to_string(),
                commit: head,
                source: BaseSource::Uncommitted,
            });
        }
        match self.resolve_commit("HEAD~1")? {
            Some(commit) => Ok(Base {
                rev: "HEAD~1".to_string(),
                commit,
                source: BaseSource::PreviousCommit,
            }),
            // In a shallow clone the parent exists but was not fetched: that is not a
            // first commit, and comparing against nothing would call everything new.
            None if self.is_shallow() => Err(ReleaseError::BaseNotFound {
                rev: "HEAD~1".to_string(),
                source: BaseSource::PreviousCommit,
            }),
            None => self.empty_tree_base(),
        }
    }

    fn named_base(&self, rev: &str, source: BaseSource) -> Result<Base, ReleaseError> {
        match self.resolve_commit(rev)? {
            Some(commit) => Ok(Base {
                rev: rev.to_string(),
                commit,
                source,
            }),
            None => Err(ReleaseError::BaseNotFound {
                rev: rev.to_string(),
                source,
            }),
        }
    }

    /// The merge base of HEAD and the target branch, as a remote-tracking branch
    /// (`origin/<branch>`, what CI checkouts have) or else a local one.
    fn pull_request_base(&self, branch: &str) -> Result<Base, ReleaseError> {
        let mut target = None;
        for candidate in [format!("origin/{branch}"), branch.to_string()] {
            if let Some(commit) = self.resolve_commit(&candidate)? {
                target = Some((candidate, commit));
                break;
            }
        }
        let Some((name, target_commit)) = target else {
            return Err(ReleaseError::BaseNotFound {
                rev: branch.to_string(),
                source: BaseSource::GitHub,
            });
        };
        let output = self
            .git()
            .run(self.root(), &["merge-base", "HEAD", &target_commit], None)?;
        if !output.success {
            // Exit 1 without a message: no common ancestor.
            return if output.code == Some(1) && output.stderr.is_empty() {
                Err(ReleaseError::NoMergeBase { target: name })
            } else {
                Err(output.failure())
            };
        }
        Ok(Base {
            rev: name,
            commit: object_id(&output)?,
            source: BaseSource::GitHub,
        })
    }

    fn empty_tree_base(&self) -> Result<Base, ReleaseError> {
        Ok(Base {
            rev: "empty tree".to_string(),
            commit: self.empty_tree()?,
            source: BaseSource::NoPreviousCommit,
        })
    }

    /// Whether a file synclint reads (manifests, kustomizations, charts, SQL) under the
    /// root differs from HEAD: staged, unstaged, or untracked and not ignored. A stray
    /// untracked `notes.txt` does not make the uncommitted changes the release.
    fn has_uncommitted_changes(&self) -> Result<bool, ReleaseError> {
        let changed = self.run_ok(
            &[
                "diff",
                "--name-only",
                "-z",
                "--no-ext-diff",
                "--no-textconv",
                "--ignore-submodules=dirty",
                "HEAD",
                "--",
                ".",
            ],
            None,
        )?;
        let changed = super::changes::split_nul(&changed)
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .chain(self.untracked_paths()?);
        Ok(changed.into_iter().any(|p| matters(&p)))
    }
}

/// Files whose change can change what a sync applies or which SQL it runs.
fn matters(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name == "kustomization"
        || [
            ".yaml",
            ".yml",
            ".json",
            ".sql",
            ".tpl",
            ".env",
            ".properties",
            "atlas.sum",
            "sqitch.plan",
        ]
        .iter()
        .any(|ext| name.ends_with(ext))
}
