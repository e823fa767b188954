//! The files under the root as they were at the base, read into memory from the object
//! database: one `git ls-tree` for the listing and one `git cat-file --batch` for the
//! contents, never a process per file and never a checkout.

use std::collections::HashMap;

use super::base::Base;
use super::changes::{path_string, split_nul};
use super::error::ReleaseError;
use super::repo::Repo;

/// One file under the root at the base.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseFile {
    /// Relative to the synclint root, `/`-separated.
    pub path: String,
    pub content: BaseContent,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BaseContent {
    /// A regular (or executable) file's bytes.
    File(Vec<u8>),
    /// A symbolic link, not followed and not read: the caller decides what it means.
    Symlink,
}

/// Tree entry modes (git's, in octal as ls-tree prints them).
const MODE_SYMLINK: &str = "120000";
const MODE_SUBMODULE: &str = "160000";

/// A blob the listing found, before its content is read.
struct Entry {
    path: String,
    object: String,
    symlink: bool,
}

impl Repo {
    /// Every file under the root at `base`, sorted by path. Submodules are skipped.
    pub fn read_tree(&self, base: &Base) -> Result<Vec<BaseFile>, ReleaseError> {
        self.read_tree_filtered(base, |_| true)
    }

    /// Like [`Repo::read_tree`], keeping only the paths (root-relative) for which `keep`
    /// is true, so only those are read.
    pub fn read_tree_filtered(
        &self,
        base: &Base,
        mut keep: impl FnMut(&str) -> bool,
    ) -> Result<Vec<BaseFile>, ReleaseError> {
        // Run in the root, ls-tree lists only the root's subtree, with paths relative to
        // it (so they stay exact whatever bytes the root's own path holds).
        let listing = self.run_ok(&["ls-tree", "-r", "-z", &base.commit], None)?;
        let mut entries = parse_listing(&listing)
            .filter(|entry| keep(&entry.path))
            .collect::<Vec<_>>();
        entries.sort_by(|a, b| a.path.cmp(&b.path));

        let mut contents = self.read_blobs(&entries)?;
        let mut files = Vec::with_capacity(entries.len());
        for entry in entries {
            let content = if entry.symlink {
                BaseContent::Symlink
            } else {
                BaseContent::File(contents.take(&entry.object))
            };
            files.push(BaseFile {
                path: entry.path,
                content,
            });
        }
        Ok(files)
    }

    /// The contents of the regular files' blobs, each object asked for once (identical
    /// files share one), through a single `cat-file --batch` process.
    fn read_blobs(&self, entries: &[Entry]) -> Result<Blobs, ReleaseError> {
        let mut uses: HashMap<String, usize> = HashMap::new();
        let mut request = Vec::new();
        let mut order = Vec::new();
        for entry in entries.iter().filter(|entry| !entry.symlink) {
            let count = uses.entry(entry.object.clone()).or_insert(0);
            if *count == 0 {
                request.extend_from_slice(entry.object.as_bytes());
                request.push(b'\n');
                order.push(entry.object.clone());
            }
            *count += 1;
        }
        if order.is_empty() {
            return Ok(Blobs::default());
        }
        let command = "git cat-file --batch";
        let output = self.run_ok(&["cat-file", "--batch", "--buffer"], Some(request))?;
        let bodies = parse_batch(&output, &order).map_err(|message| ReleaseError::GitFailed {
            command: command.to_string(),
            message,
        })?;
        let bytes = order.into_iter().zip(bodies).collect();
        Ok(Blobs { bytes, uses })
    }
}

/// Blob contents by object id, handed out by move on the last use.
#[derive(Default)]
struct Blobs {
    bytes: HashMap<String, Vec<u8>>,
    uses: HashMap<String, usize>,
}

impl Blobs {
    fn take(&mut self, object: &str) -> Vec<u8> {
        let last = match self.uses.get_mut(object) {
            Some(count) => {
                *count = count.saturating_sub(1);
                *count == 0
            }
            None => true,
        };
        if last {
            self.bytes.remove(object).unwrap_or_default()
        } else {
            self.bytes.get(object).cloned().unwrap_or_default()
        }
    }
}

/// `git ls-tree -r -z` output: `<mode> <type> <object>\t<path>` entries. Submodules
/// (commits) and anything malformed are skipped.
fn parse_listing(listing: &[u8]) -> impl Iterator<Item = Entry> + '_ {
    split_nul(listing).filter_map(move |record| {
        let tab = record.iter().position(|&byte| byte == b'\t')?;
        let (meta, path) = (&record[..tab], &record[tab + 1..]);
        let meta = std::str::from_utf8(meta).ok()?;
        let mut fields = meta.split(' ');
        let (mode, kind, object) = (fields.next()?, fields.next()?, fields.next()?);
        if kind != "blob" || mode == MODE_SUBMODULE || path.is_empty() {
            return None;
        }
        Some(Entry {
            path: path_string(path),
            object: object.to_string(),
            symlink: mode == MODE_SYMLINK,
        })
    })
}

/// `git cat-file --batch` output for the objects in `order`: per object a header
/// `<object> blob <size>\n`, the bytes, and `\n`. Anything else (a `missing` object in a
/// partial clone, a short read) is an error naming what went wrong.
fn parse_batch(output: &[u8], order: &[String]) -> Result<Vec<Vec<u8>>, String> {
    let mut bodies = Vec::with_capacity(order.len());
    let mut rest = output;
    for object in order {
        let newline = rest
            .iter()
            .position(|&byte| byte == b'\n')
            .ok_or_else(|| format!("output ended before object {object}"))?;
        let header = String::from_utf8_lossy(&rest[..newline]);
        rest = &rest[newline + 1..];
        let mut fields = header.split(' ');
        let (name, kind, size) = (fields.next(), fields.next(), fields.next());
        if name != Some(object.as_str()) || kind != Some("blob") {
            return Err(format!(
                "object {object} is not readable ({header}); a partial clone may lack it"
            ));
        }
        let size: usize = size
            .and_then(|size| size.parse().ok())
            .ok_or_else(|| format!("bad header {header:?}"))?;
        let body = rest
            .get(..size)
            .ok_or_else(|| format!("output ended inside object {object}"))?;
        bodies.push(body.to_vec());
        rest = rest.get(size + 1..).unwrap_or_default();
    }
    Ok(bodies)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "1111111111111111111111111111111111111111";
    const B: &str = "2222222222222222222222222222222222222222";

    #[test]
    fn listing_keeps_blobs_and_skips_submodules() {
        let listing = format!(
            "100644 blob {A}\ta b.yaml\0\
             100755 blob {A}\trun.sh\0\
             120000 blob {B}\tlink\0\
             160000 commit {B}\tvendor\0\
             040000 tree {B}\tdir\0\
             garbage\0"
        );
        let entries: Vec<_> = parse_listing(listing.as_bytes())
            .map(|entry| (entry.path, entry.symlink))
            .collect();
        assert_eq!(
            entries,
            [
                ("a b.yaml".to_string(), false),
                ("run.sh".to_string(), false),
                ("link".to_string(), true),
            ]
        );
    }

    #[test]
    fn batch_output_is_split_by_the_sizes_in_the_headers() {
        let output = format!("{A} blob 3\nab\n\n{B} blob 0\n\n");
        let bodies = parse_batch(output.as_bytes(), &[A.to_string(), B.to_string()]);
        assert_eq!(bodies, Ok(vec![b"ab\n".to_vec(), Vec::new()]));
    }

    #[test]
    fn batch_output_that_is_missing_or_short_is_an_error() {
        let missing = format!("{A} missing\n");
        assert!(parse_batch(missing.as_bytes(), &[A.to_string()]).is_err());
        let short = format!("{A} blob 10\nab");
        assert!(parse_batch(short.as_bytes(), &[A.to_string()]).is_err());
        let huge = format!("{A} blob 99999999999999999999999\n");
        assert!(parse_batch(huge.as_bytes(), &[A.to_string()]).is_err());
        assert!(parse_batch(b"", &[A.to_string()]).is_err());
    }
}
