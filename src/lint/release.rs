//! The release-aware part of the pipeline: migration files' text, and the release
//! (base, changes, workload images) when some app runs SQL that a release rule checks.

use crate::apps::App;
use crate::config::Config;
use crate::discover::FileKind;
use crate::graph::migration::Patterns;
use crate::graph::{AppGraph, migration_dirs};
use crate::load::Loaded;
use crate::release::boundary::{self, Release};
use crate::release::{CiEnv, Git};
use crate::render::files::Contents;
use crate::render::helm_source::HelmConfig;
use crate::rules::Rule;

use super::{Error, Options};

/// Reads the SQL files in the apps' migration directories (the loader leaves SQL to
/// whoever needs it).
pub fn read_migration_files(
    loaded: &mut Loaded,
    apps: &[App],
    patterns: &Patterns,
    contents: &Contents,
) {
    let mut wanted: Vec<crate::source::FileId> = Vec::new();
    for app in apps {
        for dir in migration_dirs(app, patterns) {
            wanted.extend(
                loaded
                    .subtree(&dir)
                    .filter(|f| f.kind == FileKind::Sql)
                    .filter(|f| loaded.sources.get(f.id).text.is_empty())
                    .map(|f| f.id),
            );
        }
    }
    wanted.sort();
    wanted.dedup();
    for id in wanted {
        let rel = loaded.file(id).rel.clone();
        if let Some(bytes) = contents.read(&rel)
            && let Ok(text) = String::from_utf8(bytes)
        {
            loaded.set_text(id, text.into());
        }
    }
}

/// What release detection reads from the lint run.
pub struct Needs<'a> {
    pub options: &'a Options,
    pub config: &'a Config,
    pub helm: &'a HelmConfig,
}

/// The release, when an enabled release-aware rule has SQL to judge. A `--base` that
/// cannot be used is a usage error; otherwise a missing Git means "no boundary".
pub fn detect_if_needed(
    graphs: &[AppGraph],
    enabled: &[&Rule],
    needs: &Needs,
) -> Result<Option<Release>, Error> {
    let release_rules = enabled
        .iter()
        .any(|r| matches!(r.id, "destructive-sql-single-release" | "migration-edited"));
    if !release_rules || graphs.iter().all(|g| g.sql.is_empty()) {
        if let Some(rev) = needs.options.base.as_deref() {
            boundary::check_explicit(&needs.options.root, rev, Git::new())
                .map_err(|e| Error::Usage(e.to_string()))?;
        }
        return Ok(None);
    }
    let inputs = boundary::Inputs {
        root: &needs.options.root,
        explicit: needs.options.base.as_deref(),
        env: &CiEnv::from_process(),
        config: needs.config,
        helm: needs.helm,
        graphs,
    };
    boundary::detect(&inputs, Git::new())
        .map(Some)
        .map_err(|e| Error::Usage(e.to_string()))
}
