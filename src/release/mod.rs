//! The Git layer behind release-aware analysis (design: Releases): which revision a release
//! is compared against, what changed since it, and the files under the root as they were
//! at it, read into memory.
//!
//! synclint never writes to the repository it lints and never runs anything from it: this
//! module runs only read-only git commands (`rev-parse`, `merge-base`, `diff`,
//! `ls-files`, `ls-tree`, `cat-file`, `hash-object` without `-w`), with arguments as a
//! list, `--no-optional-locks` so not even the index's stat cache is written back, no
//! prompts, and a time limit on each command.
//!
//! ```text
//! let repo = Repo::open(root, Git::new())?;
//! let base = repo.detect_base(args.base.as_deref(), &CiEnv::from_process())?;
//! let changes = repo.changes_since(&base)?;
//! let files = repo.read_tree_filtered(&base, |path| path.ends_with(".sql"))?;
//! ```

mod base;
pub mod boundary;
mod changes;
mod error;
mod git;
mod repo;
pub mod snapshot;
mod tree;

pub use base::{Base, BaseSource, CiEnv};
pub use changes::{Change, ChangeKind};
pub use error::ReleaseError;
pub use git::Git;
pub use repo::Repo;
pub use tree::{BaseContent, BaseFile};

#[cfg(test)]
mod tests;
