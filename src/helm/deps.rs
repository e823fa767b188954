//! Chart dependencies: which are vendored, building local `file://` ones offline, and
//! mapping `# Source:` paths (which name subcharts) back to files on disk.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::HelmError;
use crate::load::tree::{NodeId, Tree};
use crate::load::yaml::{Bounds, parse};
use crate::source::FileId;

/// Chart.yaml files larger than this are not read for dependencies (Helm will judge).
const MAX_CHART_YAML_BYTES: u64 = 1024 * 1024;

/// One item of Chart.yaml `dependencies` (apiVersion v2) or requirements.yaml (v1).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dependency {
    pub name: String,
    pub version: String,
    pub repository: String,
    pub alias: Option<String>,
    /// `condition`: comma-separated value paths; the first that is set decides.
    pub condition: Option<String>,
}

impl Dependency {
    /// The directory of a `file://` dependency, relative to the chart that declares it
    /// (Helm's `resolver.GetLocalPath`).
    pub fn local_path(&self, chart_dir: &Path) -> Option<PathBuf> {
        let path = self.repository.strip_prefix("file://")?;
        Some(chart_dir.join(path))
    }

    /// The name the subchart renders under (`<chart>/charts/<this>/...`).
    pub fn rendered_name(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.name)
    }
}

/// A YAML file's first document, parsed with our loader; `None` when unreadable.
fn read_yaml(path: &Path) -> Option<(Tree, NodeId)> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_CHART_YAML_BYTES {
        return None;
    }
    let text: Arc<str> = std::fs::read_to_string(path).ok()?.into();
    let parsed = parse(FileId(0), &text, Bounds::default());
    let root = parsed.documents.first().copied().flatten()?;
    Some((parsed.tree, root))
}

/// The chart's `name` from its Chart.yaml.
pub fn chart_name(chart_dir: &Path) -> Option<String> {
    let (tree, root) = read_yaml(&chart_dir.join("Chart.yaml"))?;
    tree.get_str(root, "name").map(str::to_string)
}

/// The chart's declared dependencies: requirements.yaml's when it lists any (Helm loads
/// it over Chart.yaml's field), else Chart.yaml's. Unreadable files give none: Helm then
/// reports the problem itself.
pub fn dependencies(chart_dir: &Path) -> Vec<Dependency> {
    for file in ["requirements.yaml", "Chart.yaml"] {
        let Some((tree, root)) = read_yaml(&chart_dir.join(file)) else {
            continue;
        };
        let Some(list) = tree.get(root, "dependencies") else {
            continue;
        };
        let text = |item: NodeId, key: &str| tree.get_str(item, key).unwrap_or("").to_string();
        return tree
            .items(list)
            .iter()
            .filter(|item| tree.is_map(**item))
            .map(|&item| Dependency {
                name: text(item, "name"),
                version: text(item, "version"),
                repository: text(item, "repository"),
                alias: tree
                    .get_str(item, "alias")
                    .filter(|a| !a.is_empty())
                    .map(str::to_string),
                condition: tree
                    .get_str(item, "condition")
                    .filter(|c| !c.is_empty())
                    .map(str::to_string),
            })
            .filter(|d| !d.name.is_empty())
            .collect();
    }
    Vec::new()
}

/// Whether `charts/` holds the dependency: a chart directory with that name (as folder
/// or in its Chart.yaml), or an archive `<name>-<version>.tgz`.
pub fn is_vendored(chart_dir: &Path, dependency: &Dependency) -> bool {
    vendored_dir(chart_dir, &dependency.name).is_some()
        || read_dir_names(&chart_dir.join("charts"))
            .iter()
            .any(|file| is_archive_of(file, &dependency.name))
}

fn is_archive_of(file_name: &str, chart: &str) -> bool {
    let Some(version) = file_name
        .strip_suffix(".tgz")
        .and_then(|stem| stem.strip_prefix(chart))
        .and_then(|rest| rest.strip_prefix('-'))
    else {
        return false;
    };
    let version = version.strip_prefix('v').unwrap_or(version);
    version.starts_with(|c: char| c.is_ascii_digit())
}

/// The unpacked subchart `name` under `chart_dir/charts/`.
fn vendored_dir(chart_dir: &Path, name: &str) -> Option<PathBuf> {
    let charts = chart_dir.join("charts");
    let direct = charts.join(name);
    if direct.join("Chart.yaml").is_file() {
        return Some(direct);
    }
    read_dir_names(&charts)
        .into_iter()
        .map(|entry| charts.join(entry))
        .find(|dir| dir.is_dir() && chart_name(dir).as_deref() == Some(name))
}

fn read_dir_names(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    names
}

/// The chart folder to run `helm template` on. Helm refuses a chart whose dependencies
/// are not all under `charts/`; Argo CD then runs `helm dependency build`. Offline, we
/// do what that does for local `file://` dependencies (copy the dependency chart into
/// `charts/`, without its own unvendored dependencies, as Helm's `tarFromLocalDir`
/// does), in a copy of the chart under `tmp`; any other missing dependency is an error.
///
/// A missing dependency whose `condition` is false for these values is not rendered
/// by Helm at all, but Helm still wants it present: it gets an empty stand-in chart.
pub(crate) fn prepare_chart(
    chart_dir: &Path,
    tmp: &Path,
    is_disabled: &dyn Fn(&Dependency) -> bool,
) -> Result<PathBuf, HelmError> {
    let mut to_build = Vec::new();
    let mut stand_ins = Vec::new();
    for dependency in dependencies(chart_dir) {
        if is_vendored(chart_dir, &dependency) {
            continue;
        }
        match dependency.local_path(chart_dir) {
            Some(local) if local.join("Chart.yaml").is_file() => to_build.push((dependency, local)),
            _ if is_disabled(&dependency) => stand_ins.push(dependency),
            _ => {
                return Err(HelmError::MissingDependency {
                    name: dependency.name,
                    repository: dependency.repository,
                });
            }
        }
    }
    if to_build.is_empty() && stand_ins.is_empty() {
        return Ok(chart_dir.to_path_buf());
    }
    let copy = tmp.join("chart");
    copy_dir(chart_dir, &copy)?;
    for (dependency, local) in to_build {
        copy_dir(&local, &copy.join("charts").join(&dependency.name))?;
    }
    for dependency in stand_ins {
        let dir = copy.join("charts").join(&dependency.name);
        let version = if dependency.version.is_empty() {
            "0.0.0"
        } else {
            dependency
                .version
                .trim_start_matches(['^', '~', '=', '>', '<', ' '])
        };
        let chart_yaml = format!(
            "apiVersion: v2\nname: {}\nversion: {}\ndescription: stand-in for a disabled dependency\n",
            dependency.name, version
        );
        std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::write(dir.join("Chart.yaml"), chart_yaml))
            .map_err(|e| HelmError::io("writing a stand-in chart", e))?;
    }
    Ok(copy)
}

/// Copies a folder. Symbolic links stay links, to their resolved target, so Helm
/// follows them as it would in the original (and a link loop costs us nothing).
fn copy_dir(from: &Path, to: &Path) -> Result<(), HelmError> {
    let context = || format!("copying chart {}", from.display());
    std::fs::create_dir_all(to).map_err(|e| HelmError::io(context(), e))?;
    let entries = std::fs::read_dir(from).map_err(|e| HelmError::io(context(), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| HelmError::io(context(), e))?;
        let kind = entry.file_type().map_err(|e| HelmError::io(context(), e))?;
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        if kind.is_symlink() {
            link(&source, &target);
        } else if kind.is_dir() {
            if entry.file_name() != ".git" {
                copy_dir(&source, &target)?;
            }
        } else if kind.is_file() {
            std::fs::copy(&source, &target).map_err(|e| HelmError::io(context(), e))?;
        }
    }
    Ok(())
}

#[cfg(unix)]
fn link(source: &Path, target: &Path) {
    // A dangling link is dropped: Helm would skip it too.
    if let Ok(resolved) = std::fs::canonicalize(source) {
        let _ = std::os::unix::fs::symlink(resolved, target);
    }
}

#[cfg(not(unix))]
fn link(source: &Path, target: &Path) {
    if std::fs::metadata(source).is_ok_and(|m| m.is_file()) {
        let _ = std::fs::copy(source, target);
    }
}

/// Maps `# Source:` paths of a chart's output to files on disk.
#[derive(Clone, Debug)]
pub struct ChartSources {
    root: PathBuf,
}

/// Subcharts nested deeper than this are not followed.
const MAX_SUBCHART_DEPTH: usize = 16;

impl ChartSources {
    pub fn new(chart_dir: &Path) -> ChartSources {
        ChartSources {
            root: chart_dir.to_path_buf(),
        }
    }

    /// The template file `source` was rendered from: `<chart>/templates/x.yaml` is
    /// `templates/x.yaml` in the chart; `<chart>/charts/<sub>/templates/y.yaml` is in the
    /// subchart's folder under `charts/`, or in its `file://` source when it is vendored
    /// as an archive (the archive is built from that folder). `None` when the file is
    /// only inside an archive, or does not exist.
    pub fn file_for(&self, source: &str) -> Option<PathBuf> {
        let segments: Vec<&str> = source.split('/').collect();
        if segments.len() < 2
            || segments
                .iter()
                .any(|s| s.is_empty() || *s == "." || *s == ".." || s.contains('\\'))
        {
            return None;
        }
        // The first segment is the top chart's name, whatever its folder is called.
        let mut dir = self.root.clone();
        let mut rest = &segments[1..];
        for _ in 0..MAX_SUBCHART_DEPTH {
            match rest {
                ["charts", sub, tail @ ..] if tail.len() >= 2 => {
                    dir = subchart_dir(&dir, sub)?;
                    rest = tail;
                }
                _ => {
                    let file = rest.iter().fold(dir, |path, s| path.join(s));
                    return file.is_file().then_some(file);
                }
            }
        }
        None
    }
}

/// The folder of the subchart rendered as `rendered_name` inside the chart at `dir`.
fn subchart_dir(dir: &Path, rendered_name: &str) -> Option<PathBuf> {
    let declared = dependencies(dir);
    let dependency = declared.iter().find(|d| d.rendered_name() == rendered_name);
    let name = dependency.map_or(rendered_name, |d| d.name.as_str());
    if let Some(found) = vendored_dir(dir, name) {
        return Some(found);
    }
    let local = dependency?.local_path(dir)?;
    local.join("Chart.yaml").is_file().then_some(local)
}

#[cfg(test)]
#[path = "deps_tests.rs"]
mod tests;
