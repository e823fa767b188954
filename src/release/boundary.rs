//! The release being linted (design: Releases): the base it is compared against, the
//! files changed since, and each app's workload images then and now. Without a usable
//! base (no Git, not a repository), rules say that no release boundary is known.

use std::collections::HashMap;
use std::path::Path;

use super::snapshot::{self, ShippedSql, WorkloadImages};
use super::{Base, ChangeKind, CiEnv, Git, ReleaseError, Repo};
use crate::config::Config;
use crate::graph::AppGraph;
use crate::render::helm_source::HelmConfig;

/// A release with a known base.
#[derive(Debug)]
pub struct Boundary {
    pub base: Base,
    /// Root-relative path → how it changed since the base (uncommitted changes included).
    pub changes: HashMap<String, ChangeKind>,
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

/// Finds the release. An explicit `--base` that cannot be used is an error (the user
/// asked for it); otherwise a missing Git or repository means no boundary.
pub fn detect(inputs: &Inputs, git: Git) -> Result<Release, ReleaseError> {
    let repo = match Repo::open(inputs.root, git) {
        Ok(repo) => repo,
        Err(e) if inputs.explicit.is_none() => {
            return Ok(Release {
                boundary: Err(e.to_string()),
            });
        }
        Err(e) => return Err(e),
    };
    let found = repo
        .detect_base(inputs.explicit, inputs.env)
        .and_then(|base| Ok((repo.changes_since(&base)?, base)))
        .and_then(|(changes, base)| {
            let files = repo.read_tree_filtered(&base, wanted)?;
            Ok((changes, base, files))
        });
    let (changes, base, files) = match found {
        Ok(found) => found,
        Err(e) if inputs.explicit.is_none() => {
            return Ok(Release {
                boundary: Err(e.to_string()),
            });
        }
        Err(e) => return Err(e),
    };
    let at_base = snapshot::at_base(inputs.root, files, inputs.config, inputs.helm);
    let now_images = WorkloadImages::of(inputs.graphs);
    Ok(Release {
        boundary: Ok(Boundary {
            base,
            changes: changes.into_iter().map(|c| (c.path, c.kind)).collect(),
            base_images: at_base.images,
            now_images,
            base_sql: at_base.sql,
        }),
    })
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
