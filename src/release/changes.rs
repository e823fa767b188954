//! What changed under the root between the base and the work tree as it is now:
//! committed, staged, unstaged and untracked (not ignored) changes alike.

use std::collections::BTreeMap;

use super::base::Base;
use super::error::ReleaseError;
use super::repo::Repo;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
}

/// One changed path. A rename is a deletion and an addition: the release sees the new
/// file as new.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Relative to the synclint root, `/`-separated.
    pub path: String,
    pub kind: ChangeKind,
}

impl Repo {
    /// Every path under the root that differs between `base` and the work tree, sorted by
    /// path.
    pub fn changes_since(&self, base: &Base) -> Result<Vec<Change>, ReleaseError> {
        let diff = self.run_ok(
            &[
                "diff",
                "--name-status",
                "-z",
                "--no-renames",
                "--relative",
                "--no-color",
                "--no-ext-diff",
                "--no-textconv",
                "--ignore-submodules=dirty",
                &base.commit,
                "--",
                ".",
            ],
            None,
        )?;
        let mut changes: BTreeMap<String, ChangeKind> = parse_name_status(&diff).collect();
        for path in self.untracked_paths()? {
            changes
                .entry(path)
                // Untracked yet deleted in the diff: removed from the index (`git rm
                // --cached`) but still on disk, so it exists and may differ.
                .and_modify(|kind| {
                    if *kind == ChangeKind::Deleted {
                        *kind = ChangeKind::Modified;
                    }
                })
                .or_insert(ChangeKind::Added);
        }
        Ok(changes
            .into_iter()
            .map(|(path, kind)| Change { path, kind })
            .collect())
    }

    /// Untracked files under the root that no ignore rule covers, relative to the root.
    pub(crate) fn untracked_paths(&self) -> Result<Vec<String>, ReleaseError> {
        let listing = self.run_ok(&["ls-files", "--others", "--exclude-standard", "-z"], None)?;
        Ok(split_nul(&listing)
            // `dir/`: a nested repository, whose files are not this repository's.
            .filter(|path| !path.ends_with(b"/"))
            .map(path_string)
            .collect())
    }
}

/// `git diff --name-status -z` output: a status letter and a path per change. Without
/// rename detection every entry has one path. A malformed tail is dropped.
fn parse_name_status(output: &[u8]) -> impl Iterator<Item = (String, ChangeKind)> + '_ {
    let mut fields = split_nul(output);
    std::iter::from_fn(move || {
        let status = fields.next()?;
        let path = fields.next()?;
        let kind = match status.first() {
            Some(b'A') => ChangeKind::Added,
            Some(b'D') => ChangeKind::Deleted,
            // M, T (type change), U (unmerged), and anything newer: the path exists
            // on both sides and differs.
            _ => ChangeKind::Modified,
        };
        Some((path_string(path), kind))
    })
}

/// The non-empty fields of NUL-separated output.
pub(crate) fn split_nul(output: &[u8]) -> impl Iterator<Item = &[u8]> {
    output
        .split(|&byte| byte == 0)
        .filter(|field| !field.is_empty())
}

/// A path as git printed it. Paths that are not UTF-8 are kept lossily: synclint names
/// files with strings, and a replacement character still shows which file it is.
pub(crate) fn path_string(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_status_maps_every_letter() {
        let output = b"A\0new.sql\0M\0dir/changed file.yaml\0D\0gone.yaml\0T\0link\0U\0x\0";
        let parsed: Vec<_> = parse_name_status(output).collect();
        assert_eq!(
            parsed,
            [
                ("new.sql".to_string(), ChangeKind::Added),
                ("dir/changed file.yaml".to_string(), ChangeKind::Modified),
                ("gone.yaml".to_string(), ChangeKind::Deleted),
                ("link".to_string(), ChangeKind::Modified),
                ("x".to_string(), ChangeKind::Modified),
            ]
        );
    }

    #[test]
    fn name_status_survives_a_truncated_or_empty_output() {
        assert_eq!(parse_name_status(b"").count(), 0);
        assert_eq!(parse_name_status(b"M\0a\0D").count(), 1);
        assert_eq!(parse_name_status(b"\0\0\0").count(), 0);
    }
}
