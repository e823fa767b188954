//! The application code each app rolls out, as workload images: at the base revision
//! (rendered from Git into memory, never checked out) and now. An app's code is in the
//! release when one of its non-migration workloads runs an image it did not run at the
//! base.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use super::tree::{BaseContent, BaseFile};
use crate::apps::{self, App, RepoIdentity};
use crate::config::Config;
use crate::graph::AppGraph;
use crate::graph::migration::Patterns;
use crate::load::Loaded;
use crate::render::files::Contents;

/// `kind/name/container` → image, per app name.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct WorkloadImages {
    pub by_app: HashMap<String, BTreeMap<String, String>>,
}

impl WorkloadImages {
    /// The images of the apps' non-migration workloads.
    pub fn of(apps: &[App], loaded: &Loaded, patterns: &Patterns) -> WorkloadImages {
        let mut by_app: HashMap<String, BTreeMap<String, String>> = HashMap::new();
        for app in apps {
            let graph = AppGraph::build(app, loaded, patterns);
            let images = by_app.entry(app.name.clone()).or_default();
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

/// Renders the repository as it was at the base (files read from Git) and returns its
/// workload images. Helm charts are rendered from a temporary copy; nothing is written
/// to the repository.
pub fn at_base(
    root: &Path,
    files: Vec<BaseFile>,
    config: &Config,
    helm: &crate::render::helm_source::HelmConfig,
) -> WorkloadImages {
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
    let mut loaded = crate::load::load(&discovery, &texts, "");
    let identity = RepoIdentity::new(root, config);
    let mut settings = apps::Settings::new(&identity, root);
    settings.contents = Contents::Memory(Arc::new(bytes));
    settings.helm = helm.clone();
    settings.charts = config.charts.clone();
    let resolved = apps::resolve(&mut loaded, &settings);
    let patterns = Patterns {
        commands: config.migration_commands.clone(),
        names: config.migration_names.clone(),
        directories: config.migration_dirs.clone(),
    };
    WorkloadImages::of(&resolved.apps, &loaded, &patterns)
}
