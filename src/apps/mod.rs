//! apps: which Argo CD Application syncs which objects. Applications with directory
//! sources in this repository are resolved through `render`; every manifest no
//! Application covers joins an implicit app (its Kustomize root, or its directory).

pub mod repo_url;
mod source;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Severity};
use crate::discover::{FileKind, parent};
use crate::load::tree::NodeId;
use crate::load::{Loaded, Object};
use crate::source::FileId;

/// One object of an app, with the namespace Argo CD would apply it in.
#[derive(Clone, Debug)]
pub struct Member {
    pub file: FileId,
    /// Index into the file's `objects`.
    pub index: usize,
    /// Effective namespace ("" for cluster-scoped objects or when unknown), shared by
    /// every member in it.
    pub namespace: Arc<str>,
}

/// One shared copy of each namespace name: most objects of an app are in its
/// destination namespace, so members share a name instead of each copying it.
#[derive(Default)]
struct Namespaces<'l> {
    by_name: HashMap<&'l str, Arc<str>>,
}

impl<'l> Namespaces<'l> {
    fn get(&mut self, name: &'l str) -> Arc<str> {
        self.by_name
            .entry(name)
            .or_insert_with(|| Arc::from(name))
            .clone()
    }
}

/// Which files some Application's sources cover, indexed by `FileId`.
type Covered = Vec<bool>;

#[derive(Clone, Debug)]
pub enum Origin {
    /// An Argo CD `Application` object.
    Application { file: FileId, root: NodeId },
    /// Manifests outside any Application: a directory or a Kustomize root.
    Implicit { dir: String },
}

#[derive(Clone, Debug)]
pub struct App {
    pub name: String,
    pub origin: Origin,
    pub members: Vec<Member>,
}

#[derive(Debug, Default)]
pub struct Apps {
    pub apps: Vec<App>,
    pub diagnostics: Vec<Diagnostic>,
    /// Sources in other repositories (or Helm repositories), counted, not linted.
    pub external_sources: usize,
}

/// How a repoURL is judged to be this checkout.
pub struct RepoIdentity {
    urls: Vec<String>,
}

impl RepoIdentity {
    pub fn new(root: &Path, config: &Config) -> RepoIdentity {
        let urls = repo_url::git_remotes(root)
            .iter()
            .chain(config.repositories.iter())
            .map(|u| repo_url::normalize(u))
            .collect();
        RepoIdentity { urls }
    }

    /// `Some(true/false)` when remotes are known; `None` when the path decides.
    pub fn is_this(&self, repo_url: &str) -> Option<bool> {
        if self.urls.is_empty() {
            return None;
        }
        Some(self.urls.contains(&repo_url::normalize(repo_url)))
    }
}

pub fn resolve(loaded: &Loaded, identity: &RepoIdentity) -> Apps {
    // Sized once: growing these lists step by step would touch fresh memory at each
    // step, and first touches of memory are a large part of this stage's time.
    let count = |kind: &str| loaded.objects().filter(|o| is_argo(o, kind)).count();
    let applications = count("Application");
    let application_sets = count("ApplicationSet");
    let mut out = Apps {
        apps: Vec::with_capacity(applications),
        // Room for one finding per Application (a source it cannot render) or set.
        diagnostics: Vec::with_capacity(applications + application_sets),
        external_sources: 0,
    };
    let mut covered: Covered = vec![false; loaded.files.len()];
    let mut namespaces = Namespaces::default();
    for file in &loaded.files {
        for (index, object) in file.objects.iter().enumerate() {
            if is_argo(object, "Application") {
                let app = source::application(
                    loaded,
                    identity,
                    file.id,
                    index,
                    &mut out,
                    &mut covered,
                    &mut namespaces,
                );
                out.apps.push(app);
            } else if is_argo(object, "ApplicationSet") {
                out.diagnostics.push(source::applicationset_not_expanded(
                    loaded,
                    file.id,
                    object.root,
                ));
            }
        }
    }
    implicit_apps(loaded, &covered, &mut namespaces, &mut out);
    out
}

/// An Argo CD object of `kind` (`Application`, `ApplicationSet`).
fn is_argo(object: &Object, kind: &str) -> bool {
    object.kind == kind && object.group() == "argoproj.io"
}

/// Groups uncovered manifests: by nearest Kustomize root (not rendered yet: a note), or
/// by directory.
fn implicit_apps<'l>(
    loaded: &'l Loaded,
    covered: &Covered,
    namespaces: &mut Namespaces<'l>,
    out: &mut Apps,
) {
    let kustomize_roots: BTreeMap<&str, FileId> = loaded
        .files
        .iter()
        .filter(|f| f.kind == FileKind::Kustomization)
        .map(|f| (parent(&f.rel), f.id))
        .collect();
    let mut by_dir: BTreeMap<String, Vec<Member>> = BTreeMap::new();
    let mut unrendered: BTreeMap<&str, usize> = BTreeMap::new();
    for file in &loaded.files {
        if file.kind != FileKind::Manifest || covered[file.id.0 as usize] || file.objects.is_empty()
        {
            continue;
        }
        let dir = parent(&file.rel);
        if let Some(root) = nearest_root(&kustomize_roots, dir) {
            *unrendered.entry(root).or_default() += file.objects.len();
            continue;
        }
        let members = by_dir.entry(dir.to_string()).or_default();
        for (index, object) in file.objects.iter().enumerate() {
            members.push(Member {
                file: file.id,
                index,
                namespace: namespaces.get(object.namespace.as_deref().unwrap_or("")),
            });
        }
    }
    for (root, objects) in unrendered {
        let kustomization = kustomize_roots[root];
        let location = loaded.location(crate::source::Span::new(kustomization, 0, 0));
        out.diagnostics.push(
            Diagnostic::new(
                "render-failed",
                Severity::Note,
                format!(
                    "Kustomize root `{}` is not rendered yet, so its {objects} object(s) are not linted",
                    if root.is_empty() { "." } else { root }
                ),
                location,
            )
            .with_help("Kustomize rendering is coming; until then synclint lints plain manifests only.")
            .with_label("not rendered yet"),
        );
    }
    for chart in loaded
        .files
        .iter()
        .filter(|f| f.kind == FileKind::ChartYaml && !covered[f.id.0 as usize])
    {
        let dir = parent(&chart.rel);
        out.diagnostics.push(
            Diagnostic::new(
                "render-failed",
                Severity::Note,
                format!(
                    "Helm chart `{}` is not rendered yet, so its templates are not linted",
                    if dir.is_empty() { "." } else { dir }
                ),
                loaded.location(crate::source::Span::new(chart.id, 0, 0)),
            )
            .with_help("Helm rendering is coming; until then synclint lints plain manifests only.")
            .with_label("not rendered yet"),
        );
    }
    out.apps.reserve_exact(by_dir.len());
    for (dir, members) in by_dir {
        let name = if dir.is_empty() {
            ".".to_string()
        } else {
            dir.clone()
        };
        out.apps.push(App {
            name,
            origin: Origin::Implicit { dir },
            members,
        });
    }
}

fn nearest_root<'a>(roots: &BTreeMap<&'a str, FileId>, mut dir: &str) -> Option<&'a str> {
    loop {
        if let Some((root, _)) = roots.get_key_value(dir) {
            return Some(root);
        }
        if dir.is_empty() {
            return None;
        }
        dir = parent(dir);
    }
}
