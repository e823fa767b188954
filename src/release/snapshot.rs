//! The application code each app rolls out, as workload images: at the base revision
//! (rendered from Git into memory, never checked out) and now. An app's code is in the
//! release when one of its non-migration workloads runs an image it did not run at the
//! base. The base also tells which statements of SQL written in manifests (commands,
//! ConfigMaps) its migrations already ran.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use super::tree::{BaseContent, BaseFile};
use crate::apps::{self, RepoIdentity};
use crate::config::Config;
use crate::discover::FileKind;
use crate::graph::AppGraph;
use crate::graph::migration::Patterns;
use crate::render::files::Contents;

/// `kind/name/container` → image, per app name.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct WorkloadImages {
    pub by_app: HashMap<String, BTreeMap<String, String>>,
}

impl WorkloadImages {
    /// The images of the non-migration workloads of the apps `graphs` hold.
    pub fn of(graphs: &[AppGraph]) -> WorkloadImages {
        let mut by_app: HashMap<String, BTreeMap<String, String>> = HashMap::new();
        for graph in graphs {
            let images = by_app.entry(graph.app.name.clone()).or_default();
            for r in &graph.resources {
                if !(r.is_workload() || r.kind == "CronJob") || r.migration.is_some() {
                    continue;
                }
                let Some(pod) = &r.pod else { continue };
                for c in &pod.containers {
                    if let (Some(node), false) = (c.image_node, c.init) {
                        let image = graph.tree(r).str(node).unwrap_or("").to_string();
                        images.insert(format!("{}/{}/{}", r.kind, r.name, c.name), image);
                    }
                }
            }
        }
        WorkloadImages { by_app }
    }

    /// The workloads (`kind/name/container`) of `app` whose image is new since `base`.
    pub fn changed_since<'a>(&'a self, base: &WorkloadImages, app: &str) -> Vec<&'a str> {
        let Some(now) = self.by_app.get(app) else {
            return Vec::new();
        };
        let before = base.by_app.get(app);
        now.iter()
            .filter(|(key, image)| before.and_then(|b| b.get(*key)) != Some(*image))
            .map(|(key, _)| key.as_str())
            .collect()
    }
}

/// The statements of SQL written in manifests (a migration's command, a mounted
/// ConfigMap) that each app's migrations ran at the base, whitespace-normalised
/// ([`crate::graph::sql::statement_key`]). Such SQL is rewritten in place, release after
/// release (a ConfigMap gains a key, a command a statement): what the base already ran is
/// not part of the release.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ShippedSql {
    pub by_app: HashMap<String, HashSet<String>>,
}

impl ShippedSql {
    pub fn of(graphs: &[AppGraph]) -> ShippedSql {
        let mut by_app: HashMap<String, HashSet<String>> = HashMap::new();
        for graph in graphs {
            for script in graph.sql.iter().filter(|s| !s.is_migration_file()) {
                let keys = by_app.entry(graph.app.name.clone()).or_default();
                keys.extend(script.statements.iter().map(|st| script.statement_key(st)));
            }
        }
        ShippedSql { by_app }
    }

    /// Whether `app`'s migrations ran the statement with this key at the base.
    pub fn contains(&self, app: &str, key: &str) -> bool {
        self.by_app.get(app).is_some_and(|keys| keys.contains(key))
    }
}

/// The repository as it was at the base, as far as a release needs it.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub images: WorkloadImages,
    pub sql: ShippedSql,
}

/// Renders the repository as it was at the base (files read from Git) and returns its
/// workload images and the SQL its manifests ran. Helm charts are rendered from a
/// temporary copy; nothing is written to the repository. Migration files are not parsed:
/// whether one is in the release is decided by its path alone.
pub fn at_base(
    root: &Path,
    files: Vec<BaseFile>,
    config: &Config,
    helm: &crate::render::helm_source::HelmConfig,
) -> Snapshot {
    let mut texts: HashMap<String, String> = HashMap::new();
    let mut bytes: HashMap<String, Arc<[u8]>> = HashMap::new();
    for file in files {
        if let BaseContent::File(content) = file.content {
            if let Ok(text) = std::str::from_utf8(&content) {
                texts.insert(file.path.clone(), text.to_string());
            }
            bytes.insert(file.path, content.into());
        }
    }
    let mut rels: Vec<String> = texts.keys().cloned().collect();
    rels.retain(|rel| !config.is_ignored_path(rel));
    let discovery = crate::discover::listed(root, rels);
    // Migration files stay unread (empty), as the loader leaves them: nothing at the base
    // needs their statements. Their bytes stay available to Helm (`.Files.Get`).
    for f in discovery.files.iter().filter(|f| f.kind == FileKind::Sql) {
        texts.remove(&f.rel);
    }
    let mut loaded = crate::load::load(&discovery, &texts, "");
    drop(texts);
    let identity = RepoIdentity::new(root, config);
    let mut settings = apps::Settings::new(&identity, root);
    settings.contents = Contents::Memory(Arc::new(bytes));
    settings.helm = helm.clone();
    settings.charts = config.charts.clone();
    // Generated Applications at the base use the same generator parameters as now.
    settings.generator_params = config.generator_params.clone();
    let resolved = apps::resolve(&mut loaded, &settings);
    let patterns = Patterns {
        commands: config.migration_commands.clone(),
        names: config.migration_names.clone(),
        directories: config.migration_dirs.clone(),
    };
    let graphs: Vec<AppGraph> = resolved
        .apps
        .par_iter()
        .map(|app| AppGraph::build(app, &loaded, &patterns))
        .collect();
    Snapshot {
        images: WorkloadImages::of(&graphs),
        sql: ShippedSql::of(&graphs),
    }
}
