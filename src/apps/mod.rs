//! apps: which Argo CD Application syncs which objects. Each Application's sources are
//! rendered (directory, Kustomize, Helm); Applications that rendering produces (an
//! app-of-apps chart) are resolved in the next round. Every manifest no Application
//! covers joins an implicit app: its Kustomize root, rendered, or its directory.

mod appsets;
mod implicit;
pub mod rendered;
pub mod repo_url;
mod source;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::load::tree::NodeId;
use crate::load::{Loaded, Object};
use crate::render::files::{Contents, ReadDuringRendering, Workspace};
use crate::render::helm_source::HelmConfig;
use crate::source::FileId;
use source::Draft;
pub use source::{is_namespaced, normalize_path};

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
struct Namespaces {
    by_name: HashMap<String, Arc<str>>,
}

impl Namespaces {
    fn get(&mut self, name: &str) -> Arc<str> {
        if let Some(ns) = self.by_name.get(name) {
            return ns.clone();
        }
        let ns: Arc<str> = Arc::from(name);
        self.by_name.insert(name.to_string(), ns.clone());
        ns
    }
}

#[derive(Clone, Debug)]
pub enum Origin {
    /// An Argo CD `Application` object (in a file, or rendered).
    Application { file: FileId, root: NodeId },
    /// Manifests outside any Application: a directory or a Kustomize root.
    Implicit { dir: String },
    /// An ApplicationSet: not an app, but the parent of the Applications it generates.
    ApplicationSet { file: FileId, root: NodeId },
}

#[derive(Clone, Debug)]
pub struct App {
    pub name: String,
    pub origin: Origin,
    pub members: Vec<Member>,
    /// What each Helm render of the app used (for findings in its templates).
    pub helm: Vec<crate::render::helm_source::Provenance>,
    /// The repository-relative directories its sources render (migration directories
    /// under them belong to the app).
    pub paths: Vec<String>,
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

/// What resolving apps needs besides the loaded files.
pub struct Settings<'s> {
    pub identity: &'s RepoIdentity,
    /// Where renderers read files the loader did not (generator inputs, templates).
    pub contents: Contents,
    pub helm: HelmConfig,
    /// Values for charts no Application covers (config `charts`).
    pub charts: Vec<crate::config::ChartConfig>,
    /// Parameters for ApplicationSet generators that need a cluster or an API.
    pub generator_params: Vec<(String, Vec<serde_json::Value>)>,
}

impl<'s> Settings<'s> {
    /// Settings for the checkout at `root`.
    pub fn new(identity: &'s RepoIdentity, root: &Path) -> Settings<'s> {
        Settings {
            identity,
            contents: Contents::Disk(root.to_path_buf()),
            helm: HelmConfig::default(),
            charts: Vec::new(),
            generator_params: Vec::new(),
        }
    }
}

/// Rounds of app-of-apps rendering before giving up (a chart that renders itself).
const MAX_ROUNDS: usize = 10;

/// An app resolved in some round, and where it came from.
struct Resolved {
    draft: Draft,
    /// The app whose rendered output holds this app's Application object.
    parent: Option<usize>,
    /// For an implicit app, its kustomization or Chart.yaml.
    implicit_root: Option<FileId>,
}

/// Resolves every app; rendered outputs are added to `loaded` as virtual files.
pub fn resolve(loaded: &mut Loaded, settings: &Settings) -> Apps {
    let mut resolved: Vec<Resolved> = Vec::new();
    // Rendered file → the app that rendered it.
    let mut owner: HashMap<FileId, usize> = HashMap::new();
    let mut covered: Vec<bool> = vec![false; loaded.files.len()];
    let mut round: Vec<(FileId, usize)> = applications_in(loaded, 0);
    let mut implicit_done = false;
    for _ in 0..MAX_ROUNDS {
        let first_new = loaded.files.len();
        let (drafts, touched, parents, roots) = if !round.is_empty() {
            let ws = Workspace::new(loaded, settings.contents.clone());
            let drafts: Vec<Draft> = round
                .par_iter()
                .map(|(file, index)| {
                    if is_argo(&loaded.file(*file).objects[*index], "ApplicationSet") {
                        appsets::expand(&ws, settings, *file, *index)
                    } else {
                        source::application(&ws, settings, *file, *index)
                    }
                })
                .collect();
            let read = ws.finish();
            let parents: Vec<Option<usize>> = round
                .iter()
                .map(|(file, _)| owner.get(file).copied())
                .collect();
            let (drafts, touched) = finish_round(loaded, read, drafts);
            (drafts, touched, parents, Vec::new())
        } else if !implicit_done {
            // Implicit roots wait until every Application in a file is known, and go
            // after them: an Application rendered later may still cover them (below).
            implicit_done = true;
            let roots = implicit::roots(loaded, &covered, &settings.charts);
            let ws = Workspace::new(loaded, settings.contents.clone());
            let drafts: Vec<Draft> = roots
                .par_iter()
                .map(|root| implicit::render(&ws, settings, root))
                .collect();
            let read = ws.finish();
            let (drafts, touched) = finish_round(loaded, read, drafts);
            let parents = vec![None; drafts.len()];
            (
                drafts,
                touched,
                parents,
                roots.iter().map(implicit::Root::file).collect(),
            )
        } else {
            break;
        };
        covered.resize(loaded.files.len(), false);
        let implicit_round = !roots.is_empty();
        for id in touched.iter().chain(drafts.iter().flat_map(|d| &d.covered)) {
            if !implicit_round {
                covered[id.0 as usize] = true;
            }
        }
        for (i, (draft, parent)) in drafts.into_iter().zip(parents).enumerate() {
            for id in &draft.rendered {
                owner.insert(*id, resolved.len());
            }
            resolved.push(Resolved {
                draft,
                parent,
                implicit_root: roots.get(i).copied(),
            });
        }
        round = applications_in(loaded, first_new);
    }
    let alive = alive(&resolved, loaded.files.len());
    let guessed = guessed_values(&resolved, &settings.charts, loaded);
    let mut out = Apps::default();
    let mut covered: Vec<bool> = vec![false; loaded.files.len()];
    for ((mut r, alive), guessed) in resolved.into_iter().zip(alive).zip(guessed) {
        if !alive {
            continue;
        }
        if guessed {
            soften(&mut r.draft.diagnostics);
        }
        for id in &r.draft.covered {
            covered[id.0 as usize] = true;
        }
        for m in &r.draft.app.members {
            covered[m.file.0 as usize] = true;
        }
        if matches!(r.draft.app.origin, Origin::ApplicationSet { .. }) {
            out.diagnostics.extend(r.draft.diagnostics);
        } else {
            merge(&mut out, r.draft);
        }
    }
    let mut namespaces = Namespaces::default();
    implicit::directories(loaded, &covered, &mut namespaces, &mut out);
    out
}

/// Apps that come from a chart rendered with its default values (no Application and no
/// config gave it values), directly or through the Applications it rendered.
fn guessed_values(
    resolved: &[Resolved],
    configured: &[crate::config::ChartConfig],
    loaded: &Loaded,
) -> Vec<bool> {
    let mut guessed: Vec<bool> = Vec::with_capacity(resolved.len());
    for r in resolved {
        let own = r.implicit_root.is_some_and(|root| {
            loaded.file(root).kind == crate::discover::FileKind::ChartYaml
                && !configured
                    .iter()
                    .any(|c| c.path == crate::discover::parent(&loaded.file(root).rel))
        });
        // Parents come before their children.
        let inherited = r.parent.is_some_and(|p| guessed[p]);
        guessed.push(own || inherited);
    }
    guessed
}

/// A render that fails with guessed values says little about what Argo CD renders: a
/// note, not an error.
fn soften(diagnostics: &mut [Diagnostic]) {
    for d in diagnostics.iter_mut().filter(|d| d.rule == "render-failed") {
        if d.severity == crate::diagnostic::Severity::Error {
            d.severity = crate::diagnostic::Severity::Note;
            d.message
                .push_str(" (this Application comes from a chart rendered with its default values; give that chart its real values under `charts` in .synclint.yaml)");
        }
    }
}

/// Which resolved apps are real. Rendering with guessed (default) values can produce
/// Applications that the real tree of apps also produces, or roots that an Application
/// covers after all: an implicit app whose root an Application covers is dropped, an
/// Application whose name an earlier app already has is dropped (two Applications of
/// one name are alternatives, such as two environments' bootstrap charts), and with
/// them everything they rendered.
fn alive(resolved: &[Resolved], files: usize) -> Vec<bool> {
    let n = resolved.len();
    let mut alive = vec![true; n];
    let descends_from = |mut i: usize, ancestor: usize| {
        while let Some(p) = resolved[i].parent {
            if p == ancestor {
                return true;
            }
            i = p;
        }
        false
    };
    loop {
        let mut changed = false;
        for i in 0..n {
            if alive[i] && resolved[i].parent.is_some_and(|p| !alive[p]) {
                alive[i] = false;
                changed = true;
            }
        }
        let mut names: HashSet<&str> = HashSet::new();
        for i in 0..n {
            let application = matches!(resolved[i].draft.app.origin, Origin::Application { .. });
            if alive[i] && application && !names.insert(resolved[i].draft.app.name.as_str()) {
                alive[i] = false;
                changed = true;
            }
        }
        for i in 0..n {
            let Some(root) = resolved[i].implicit_root.filter(|_| alive[i]) else {
                continue;
            };
            let mut covered = vec![false; files];
            for j in (0..n).filter(|j| {
                alive[*j] && resolved[*j].implicit_root.is_none() && !descends_from(*j, i)
            }) {
                for id in &resolved[j].draft.covered {
                    covered[id.0 as usize] = true;
                }
            }
            if covered[root.0 as usize] {
                alive[i] = false;
                changed = true;
            }
        }
        if !changed {
            return alive;
        }
    }
}

fn merge(out: &mut Apps, draft: Draft) {
    out.diagnostics.extend(draft.diagnostics);
    out.external_sources += draft.external_sources;
    out.apps.push(draft.app);
}

/// Adds a round's files and outputs to `loaded`, then gives each draft its members and
/// its findings as diagnostics.
fn finish_round(
    loaded: &mut Loaded,
    mut read: ReadDuringRendering,
    mut drafts: Vec<Draft>,
) -> (Vec<Draft>, Vec<FileId>) {
    let touched = std::mem::take(&mut read.touched);
    let remap = {
        let mut outputs: Vec<&mut rendered::RenderedOutput> = drafts
            .iter_mut()
            .flat_map(|d| d.outputs.iter_mut().map(|(_, o)| o))
            .collect();
        rendered::append(loaded, read, &mut outputs)
    };
    let mut namespaces = Namespaces::default();
    for draft in drafts.iter_mut() {
        let mut objects: Vec<(usize, FileId, usize)> = std::mem::take(&mut draft.files);
        for (source, output) in draft.outputs.drain(..) {
            draft.covered.push(output.id);
            draft.rendered.push(output.id);
            for i in 0..loaded.file(output.id).objects.len() {
                objects.push((source, output.id, i));
            }
        }
        draft.app.members = members(
            loaded,
            &objects,
            &draft.destination_namespace,
            &mut namespaces,
        );
        for mut finding in draft.findings.drain(..) {
            if let Some(to) = remap.get(&finding.span.file) {
                finding.span.file = *to;
            }
            let mut d = finding.into_diagnostic(loaded);
            d.app = Some(draft.app.name.clone());
            draft.diagnostics.push(d);
        }
    }
    (drafts, touched)
}

/// Members with Argo CD's namespaces; when two sources of a multi-source app render the
/// same object, the last source wins (argocd-semantics.md §4 "Multiple sources").
fn members(
    loaded: &Loaded,
    objects: &[(usize, FileId, usize)],
    destination_namespace: &str,
    namespaces: &mut Namespaces,
) -> Vec<Member> {
    // Sources in their order, so that "last" is the last source, whatever was rendered.
    let mut objects = objects.to_vec();
    objects.sort_by_key(|o| o.0);
    let mut out: Vec<Member> = Vec::with_capacity(objects.len());
    let mut by_identity: HashMap<(String, String, String, String), (usize, usize)> = HashMap::new();
    let multi_source = objects.iter().any(|o| o.0 != objects[0].0);
    for &(source, file, index) in &objects {
        let obj = &loaded.file(file).objects[index];
        let namespace = match &obj.namespace {
            Some(ns) => ns.as_str(),
            None if is_namespaced(&obj.kind) => destination_namespace,
            None => "",
        };
        let member = Member {
            file,
            index,
            namespace: namespaces.get(namespace),
        };
        if multi_source && !obj.generate_name {
            let identity = (
                obj.group().to_string(),
                obj.kind.clone(),
                namespace.to_string(),
                obj.name.clone(),
            );
            if let Some(&(earlier_source, at)) = by_identity.get(&identity)
                && earlier_source != source
            {
                out[at] = member;
                by_identity.insert(identity, (source, at));
                continue;
            }
            by_identity.insert(identity, (source, out.len()));
        }
        out.push(member);
    }
    out
}

/// Application and ApplicationSet objects in files from `first` on.
fn applications_in(loaded: &Loaded, first: usize) -> Vec<(FileId, usize)> {
    let mut found = Vec::new();
    for file in &loaded.files[first..] {
        for (index, object) in file.objects.iter().enumerate() {
            if is_argo(object, "Application") || is_argo(object, "ApplicationSet") {
                found.push((file.id, index));
            }
        }
    }
    found
}

/// An Argo CD object of `kind` (`Application`, `ApplicationSet`).
fn is_argo(object: &Object, kind: &str) -> bool {
    object.kind == kind && object.group() == "argoproj.io"
}
