//! The release being linted (design: Releases): the base it is compared against, the
//! files changed since, and each app's workload images then and now. Without a usable
//! base (no Git, not a repository), rules say that no release boundary is known.

use std::collections::HashMap;
use std::path::Path;

use super::snapshot::{self, ShippedSql, WorkloadImages};
use super::{Base, BaseSource, ChangeKind, CiEnv, Git, ReleaseError, Repo};
use crate::config::Config;
use crate::graph::AppGraph;
use crate::render::helm_source::HelmConfig;

/// A release with a known base.
#[derive(Debug)]
pub struct Boundary {
    pub base: Base,
    /// Root-relative path → how it changed since the base (uncommitted changes included).
    pub changes: HashMap<String, ChangeKind>,
    /// Both empty when the release changes no file that holds SQL: then no statement is
    /// in the release, and nothing needs them.
    pub base_images: WorkloadImages,
    pub now_images: WorkloadImages,
    /// The statements of SQL in manifests (commands, ConfigMaps) the base already ran.
    pub base_sql: ShippedSql,
}

impl Boundary {
    /// Whether `rel` was added or modified since the base.
    pub fn changed(&self, rel: &str) -> bool {
        matches!(
            self.changes.get(rel),
            Some(ChangeKind::Added | ChangeKind::Modified)
        )
    }

    pub fn added(&self, rel: &str) -> bool {
        self.changes.get(rel) == Some(&ChangeKind::Added)
    }

    pub fn modified(&self, rel: &str) -> bool {
        self.changes.get(rel) == Some(&ChangeKind::Modified)
    }

    /// Whether `app`'s migrations already ran the statement with `key`
    /// ([`crate::graph::sql::statement_key`]) from a manifest at the base.
    pub fn shipped(&self, app: &str, key: &str) -> bool {
        self.base_sql.contains(app, key)
    }

    /// `kind/name/container` of the app's workloads whose image changed since the base.
    pub fn code_changes(&self, app: &str) -> Vec<&str> {
        self.now_images.changed_since(&self.base_images, app)
    }
}

/// The release: a boundary, or why none is known.
#[derive(Debug)]
pub struct Release {
    pub boundary: Result<Boundary, String>,
}

impl Release {
    /// One line for report headers: which base was used, or why none.
    pub fn describe(&self) -> String {
        match &self.boundary {
            Ok(b) => format!("release base {}", b.base),
            Err(why) => format!("no release boundary known: {why}"),
        }
    }

    /// The base as JSON/SARIF carry it.
    pub fn base(&self) -> Option<&Base> {
        self.boundary.as_ref().ok().map(|b| &b.base)
    }
}

/// What finding the release needs from the lint run.
pub struct Inputs<'a> {
    pub root: &'a Path,
    /// `--base`, which must exist when given.
    pub explicit: Option<&'a str>,
    pub env: &'a CiEnv,
    pub config: &'a Config,
    pub helm: &'a HelmConfig,
    /// The apps' graphs now (their workload images are the release's code).
    pub graphs: &'a [AppGraph<'a>],
}

/// Why no boundary is known, in a few words (the message's own detail, such as the
/// path, would make output depend on where the repository is).
fn short_reason(e: &ReleaseError) -> String {
    match e {
        ReleaseError::GitNotFound { .. } => "git is not installed".into(),
        ReleaseError::NotARepository { .. } => "not a Git checkout".into(),
        other => other.to_string(),
    }
}

/// Finds the release. A base the user asked for that cannot be used is an error: `--base`,
/// or a CI variable (`GITHUB_BASE_REF`, `CI_MERGE_REQUEST_DIFF_BASE_SHA`) naming a base
/// that a shallow clone lacks, since passing with notes would let a CI gate pass without
/// checking anything. Otherwise a missing Git, repository or history means no boundary.
pub fn detect(inputs: &Inputs, git: Git) -> Result<Release, ReleaseError> {
    let no_boundary = |e: ReleaseError| Release {
        boundary: Err(short_reason(&e)),
    };
    let repo = match Repo::open(inputs.root, git) {
        Ok(repo) => repo,
        Err(e) if inputs.explicit.is_none() => return Ok(no_boundary(e)),
        Err(e) => return Err(e),
    };
    let base = match repo.detect_base(inputs.explicit, inputs.env) {
        Ok(base) => base,
        Err(e) if asked_for(&e) => return Err(e),
        Err(e) => return Ok(no_boundary(e)),
    };
    let found = repo.changes_since(&base).and_then(|changes| {
        let changes: HashMap<String, ChangeKind> =
            changes.into_iter().map(|c| (c.path, c.kind)).collect();
        // Reading and rendering the base only tells which SQL of the release ships with
        // new code; a release that changes no file holding SQL needs neither.
        let files = match sql_changed(inputs.graphs, &changes) {
            true => Some(repo.read_tree_filtered(&base, wanted)?),
            false => None,
        };
        Ok((changes, files))
    });
    let (changes, files) = match found {
        Ok(found) => found,
        Err(e) if inputs.explicit.is_none() => return Ok(no_boundary(e)),
        Err(e) => return Err(e),
    };
    let (at_base, now_images) = match files {
        Some(files) => (
            snapshot::at_base(inputs.root, files, inputs.config, inputs.helm),
            WorkloadImages::of(inputs.graphs),
        ),
        None => Default::default(),
    };
    Ok(Release {
        boundary: Ok(Boundary {
            base,
            changes,
            base_images: at_base.images,
            now_images,
            base_sql: at_base.sql,
        }),
    })
}

/// Whether a file that holds SQL some migration runs was added or changed.
fn sql_changed(graphs: &[AppGraph], changes: &HashMap<String, ChangeKind>) -> bool {
    graphs.iter().any(|g| {
        g.sql.iter().any(|s| {
            matches!(
                changes.get(&g.loaded.file(s.file).rel),
                Some(ChangeKind::Added | ChangeKind::Modified)
            )
        })
    })
}

/// Checks that `--base` names a commit, for a run that needs no release (no SQL, or the
/// release rules are off): a wrong argument is an error whatever the repository holds.
pub fn check_explicit(root: &Path, rev: &str, git: Git) -> Result<(), ReleaseError> {
    let repo = Repo::open(root, git)?;
    repo.detect_base(Some(rev), &CiEnv::default()).map(|_| ())
}

/// Whether a base error is about a base the user or the CI named (not one synclint chose).
fn asked_for(e: &ReleaseError) -> bool {
    match e {
        ReleaseError::BaseNotFound { source, .. } => {
            matches!(
                source,
                BaseSource::Flag | BaseSource::GitHub | BaseSource::GitLab
            )
        }
        ReleaseError::NoMergeBase { .. } => true,
        _ => false,
    }
}

/// The files a base render needs: manifests, kustomizations and generator inputs, charts.
fn wanted(path: &str) -> bool {
    // Everything but obvious non-inputs: rendering may read any file (a generator's
    // `.env`, a chart's `files/`), and the base is read from Git in one pass anyway.
    let lower = path.to_ascii_lowercase();
    !(lower.ends_with(".png")
        || lower.ends_with(".jpg")
        || lower.ends_with(".gif")
        || lower.ends_with(".ico")
        || lower.ends_with(".pdf")
        || lower.ends_with(".zip")
        || lower.ends_with(".jar"))
}
