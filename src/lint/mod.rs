//! The pipeline, end to end: discover → load → apps → graph → rules → suppress.
//! Report formatting is separate (`report`), so library users get plain diagnostics.

mod helm_values;
mod release;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::apps::{self, RepoIdentity};
use crate::config::{Config, ConfigError, Level};
use crate::diagnostic::{self, Diagnostic, Location, Severity};
use crate::discover::{self, FileKind};
use crate::graph::migration::Patterns;
use crate::graph::{AppGraph, RepoIndex};
use crate::load::{self, Loaded};
use crate::rules::{self, Check, Context};
use crate::source::Span;
use crate::suppress;

#[derive(Debug, Default)]
pub struct Options {
    /// The repository root.
    pub root: PathBuf,
    /// The config file; `None` means `<root>/.synclint.yaml` when it exists.
    pub config: Option<PathBuf>,
    /// Only these rules (empty: all).
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    /// File contents that replace what is on disk (an editor buffer), by relative path.
    pub overrides: HashMap<String, String>,
    /// Report only findings in these files (relative paths); `None`: all.
    pub only_files: Option<Vec<String>>,
    /// Prefix for displayed paths (the root relative to the working directory).
    pub display_prefix: String,
    /// The Helm binary (`--helm`); `None`: `helm` on PATH.
    pub helm: Option<PathBuf>,
    /// `--base`: the previous release's revision.
    pub base: Option<String>,
}

#[derive(Debug)]
pub enum Error {
    Config(ConfigError),
    Usage(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Config(e) => e.fmt(f),
            Error::Usage(s) => f.write_str(s),
        }
    }
}

pub struct Outcome {
    pub loaded: Loaded,
    pub diagnostics: Vec<Diagnostic>,
    pub apps: usize,
    pub files: usize,
    pub external_sources: usize,
    /// Walk problems that are not findings (loops, unreadable directories).
    pub warnings: Vec<String>,
    /// The release the release-aware rules compared against (when some app runs SQL).
    pub release: Option<crate::release::boundary::Release>,
}

pub fn load_config(options: &Options) -> Result<Config, Error> {
    let path = match &options.config {
        Some(p) => p.clone(),
        None => options.root.join(discover::CONFIG_FILE),
    };
    if options.config.is_none() && !path.exists() {
        return Ok(Config::default());
    }
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::Usage(format!("cannot read config file {}: {e}", path.display())))?;
    // Shown like diagnostic paths: relative to the working directory when under the root.
    let shown = match path.strip_prefix(&options.root) {
        Ok(rel) => format!("{}{}", options.display_prefix, rel.display()),
        Err(_) => path.display().to_string(),
    };
    Config::parse(&shown, &text, &|id| rules::find(id).is_some()).map_err(Error::Config)
}

pub fn lint(options: &Options) -> Result<Outcome, Error> {
    for id in options.select.iter().chain(&options.ignore) {
        if rules::find(id).is_none() {
            return Err(Error::Usage(format!(
                "unknown rule `{id}` (see `synclint rules`)"
            )));
        }
    }
    let mut timer = Timer::new();
    let config = load_config(options)?;
    let mut discovery = discover::discover(&options.root);
    timer.stage("discover");
    discovery.files.retain(|f| !config.is_ignored_path(&f.rel));
    // An editor buffer for a file not yet saved.
    for rel in options.overrides.keys() {
        if !config.is_ignored_path(rel) && !discovery.files.iter().any(|f| &f.rel == rel) {
            discovery.files.push(discover::DiscoveredFile {
                path: options.root.join(rel),
                rel: rel.clone(),
                kind: FileKind::Manifest,
            });
        }
    }
    let mut loaded = load::load(&discovery, &options.overrides, &options.display_prefix);
    timer.stage("load");
    let identity = RepoIdentity::new(&options.root, &config);
    let mut settings = apps::Settings::new(&identity, &options.root);
    if let Some(helm) = &options.helm {
        settings.helm.binary = Some(helm.clone());
    }
    settings.charts = config.charts.clone();
    settings.generator_params = config.generator_params.clone();
    let apps = apps::resolve(&mut loaded, &settings);
    timer.stage("apps and rendering");
    let patterns = Patterns {
        commands: config.migration_commands.clone(),
        names: config.migration_names.clone(),
        directories: config.migration_dirs.clone(),
    };
    release::read_migration_files(&mut loaded, &apps.apps, &patterns, &settings.contents);
    let repo = RepoIndex::build(&loaded);
    let enabled: Vec<&rules::Rule> = rules::REGISTRY
        .iter()
        .filter(|r| options.select.is_empty() || options.select.iter().any(|s| s == r.id))
        .filter(|r| !options.ignore.iter().any(|s| s == r.id))
        .filter(|r| config.level(r.id) != Some(Level::Off))
        .collect();
    let graphs: Vec<AppGraph> = apps
        .apps
        .par_iter()
        .map(|app| AppGraph::build(app, &loaded, &patterns))
        .collect();
    let release = release::detect_if_needed(
        &graphs,
        &enabled,
        &release::Needs {
            options,
            config: &config,
            helm: &settings.helm,
        },
    )?;
    let context = Context {
        loaded: &loaded,
        config: &config,
        repo: &repo,
        patterns: &patterns,
        release: release.as_ref(),
    };
    let mut diagnostics = run_rules(&graphs, &context, &enabled);
    drop(graphs);
    helm_values::explain(&mut diagnostics, &apps.apps, &loaded);
    timer.stage("graph and rules");
    diagnostics.extend(loaded.diagnostics.iter().cloned());
    diagnostics.extend(apps.diagnostics);
    let mut warnings = Vec::new();
    for problem in &discovery.problems {
        if problem.out_of_bounds_symlink {
            diagnostics.push(symlink_finding(
                &mut loaded,
                &problem.rel,
                &problem.message,
                &options.display_prefix,
            ));
        } else {
            warnings.push(format!(
                "{}: {}",
                display(&options.display_prefix, &problem.rel),
                problem.message
            ));
        }
    }
    finish(
        &mut diagnostics,
        &enabled,
        &config,
        &loaded,
        options.only_files.as_deref(),
    );
    timer.stage("suppress");
    diagnostic::sort(&mut diagnostics);
    diagnostics
        .dedup_by(|a, b| a.rule == b.rule && a.location == b.location && a.message == b.message);
    let files = loaded
        .files
        .iter()
        .filter(|f| f.kind != FileKind::Sql)
        .count();
    Ok(Outcome {
        apps: apps.apps.len(),
        files,
        external_sources: apps.external_sources,
        loaded,
        diagnostics,
        warnings,
        release,
    })
}

/// Every enabled app rule over every app's graph, apps in parallel.
fn run_rules(graphs: &[AppGraph], context: &Context, enabled: &[&rules::Rule]) -> Vec<Diagnostic> {
    graphs
        .par_iter()
        .flat_map_iter(|graph| {
            let mut out = Vec::new();
            for rule in enabled {
                if let Check::App(check) = rule.check {
                    check(graph, context, &mut out);
                }
            }
            out
        })
        .collect()
}

/// Keeps what the user asked for: enabled rules at their configured severity, not
/// suppressed, in the files named on the command line.
fn finish(
    diagnostics: &mut Vec<Diagnostic>,
    enabled: &[&rules::Rule],
    config: &Config,
    loaded: &Loaded,
    only_files: Option<&[String]>,
) {
    let enabled_ids: HashSet<&str> = enabled.iter().map(|r| r.id).collect();
    diagnostics.retain(|d| enabled_ids.contains(d.rule));
    for d in diagnostics.iter_mut() {
        if let Some(Level::Severity(s)) = config.level(d.rule) {
            d.severity = s;
        }
    }
    diagnostics.retain(|d| !suppress::is_suppressed(d, loaded, config));
    if let Some(only) = only_files {
        diagnostics.retain(|d| {
            let rel = &loaded.file(d.location.span.file).rel;
            only.iter().any(|f| rel == f || discover::within(rel, f))
        });
    }
}

fn display(prefix: &str, rel: &str) -> String {
    format!("{prefix}{rel}")
}

/// Argo CD refuses a repository with a symlink out of it; the finding sits on the link.
fn symlink_finding(loaded: &mut Loaded, rel: &str, message: &str, prefix: &str) -> Diagnostic {
    let id = loaded.add_virtual_file(prefix, rel);
    let location = Location::resolve(&loaded.sources, Span::new(id, 0, 0));
    Diagnostic::new(
        "render-failed",
        Severity::Error,
        format!("{message}: synclint does not follow it, and Argo CD refuses to generate manifests from a repository with out-of-bounds symlinks"),
        location,
    )
    .with_help("Replace the symlink with the file it points to, or point it inside the repository.")
    .with_label("leaves the repository")
}

/// Finds the repository root for a path: the nearest ancestor with `.git` or the config
/// file, else the path itself (or its directory).
pub fn find_root(path: &Path) -> PathBuf {
    let start = if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let start = if start.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        start
    };
    let mut dir = start.clone();
    loop {
        if dir.join(".git").exists() || dir.join(discover::CONFIG_FILE).exists() {
            return dir;
        }
        match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => dir = p.to_path_buf(),
            _ => break,
        }
    }
    start
}

/// Stage timings on stderr when `SYNCLINT_TIMINGS` is set, for profiling a slow repo.
struct Timer {
    last: Option<std::time::Instant>,
}

impl Timer {
    fn new() -> Timer {
        let on = std::env::var_os("SYNCLINT_TIMINGS").is_some();
        Timer {
            last: on.then(std::time::Instant::now),
        }
    }

    fn stage(&mut self, name: &str) {
        if let Some(last) = self.last {
            // Peak resident memory so far (Linux), to see which stage holds the memory.
            let peak = std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|s| {
                    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
                    Some(line[6..].trim().to_string())
                })
                .unwrap_or_default();
            let ms = last.elapsed().as_secs_f64() * 1000.0;
            eprintln!("synclint: {name}: {ms:.1} ms, peak {peak}");
            self.last = Some(std::time::Instant::now());
        }
    }
}
