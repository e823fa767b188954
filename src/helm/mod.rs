//! helm: render a chart with the user's Helm binary the way Argo CD does, and map what
//! it rendered back to the chart's files.
//!
//! - [`template_args`] / [`run_template`] / [`render`]: `helm template` with Argo CD's
//!   arguments (`util/helm/cmd.go`, `reposerver/repository/repository.go`), offline, with a
//!   timeout, in a private temporary folder; never writes into the chart.
//! - [`deps`]: vendored dependencies are checked before Helm runs; local `file://`
//!   dependencies are built into a temporary copy of the chart, as `helm dependency
//!   build` would; remote ones that are not vendored are a [`HelmError::MissingDependency`].
//! - [`split_output`] cuts the output into documents by their `# Source:` comments, and
//!   [`ChartSources`] maps those paths to template files on disk.
//! - [`TemplateLocator`] finds the template line of each rendered key; [`values_refs`] and
//!   [`find_value`] say which values a template line reads and where they are set.

mod args;
pub mod deps;
mod locate;
mod output;
mod run;
pub(crate) mod tempdir;
mod template_lines;
mod values;

use std::fmt;
use std::path::PathBuf;

pub use args::{HelmFileParameter, HelmOptions, HelmParameter, envsubst, template_args};
pub use deps::{ChartSources, Dependency};
pub use locate::{KeyLocation, PathSegment, TemplateLocator};
pub use output::{RenderedDoc, split_output};
pub use run::{DEFAULT_TIMEOUT, find_helm, render, run_template, version};
pub use values::{ValueOrigin, find_value, find_value_origin, values_refs};

/// Lines of Helm's stderr kept in [`HelmError::Failed`].
const STDERR_LINES: usize = 6;
/// Characters kept of each of those lines.
const STDERR_LINE_CHARS: usize = 300;

/// Why a chart could not be rendered. Every message is one line.
#[derive(Debug)]
pub enum HelmError {
    /// No Helm binary at the given path or on PATH.
    NotFound {
        helm: PathBuf,
    },
    Timeout {
        seconds: u64,
    },
    /// Helm exited with an error; `stderr` holds its first lines, trimmed (never stdout,
    /// which may hold rendered Secrets).
    Failed {
        code: Option<i32>,
        stderr: String,
    },
    /// A dependency that is neither vendored under `charts/` nor a local `file://` chart.
    MissingDependency {
        name: String,
        repository: String,
    },
    MissingValueFile {
        path: PathBuf,
    },
    Io {
        context: String,
        error: std::io::Error,
    },
}

impl HelmError {
    pub(crate) fn io(context: impl Into<String>, error: std::io::Error) -> HelmError {
        HelmError::Io {
            context: context.into(),
            error,
        }
    }

    /// A `Failed` error from Helm's raw stderr: the first non-empty lines, each cut short.
    pub(crate) fn failed(code: Option<i32>, stderr: &str) -> HelmError {
        let lines: Vec<String> = stderr
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .take(STDERR_LINES)
            .map(|l| match l.char_indices().nth(STDERR_LINE_CHARS) {
                Some((cut, _)) => format!("{}…", &l[..cut]),
                None => l.to_string(),
            })
            .collect();
        HelmError::Failed {
            code,
            stderr: lines.join("\n"),
        }
    }
}

impl fmt::Display for HelmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HelmError::NotFound { helm } => write!(
                f,
                "Helm not found (`{}`): install Helm or pass --helm PATH",
                helm.display()
            ),
            HelmError::Timeout { seconds } => {
                write!(f, "`helm template` did not finish within {seconds} s")
            }
            HelmError::Failed { code, stderr } => {
                let status = code.map_or("was killed".to_string(), |c| format!("exited with {c}"));
                let stderr = stderr.lines().collect::<Vec<_>>().join(" | ");
                if stderr.is_empty() {
                    write!(f, "`helm template` {status}")
                } else {
                    write!(f, "`helm template` {status}: {stderr}")
                }
            }
            HelmError::MissingDependency { name, repository } => {
                let from = if repository.is_empty() {
                    String::new()
                } else {
                    format!(" from {repository}")
                };
                write!(
                    f,
                    "chart dependency `{name}`{from} is not vendored under charts/ \
                     (run `helm dependency build` and commit charts/, or render it elsewhere)"
                )
            }
            HelmError::MissingValueFile { path } => {
                write!(f, "values file {} does not exist", path.display())
            }
            HelmError::Io { context, error } => write!(f, "{context}: {error}"),
        }
    }
}

impl std::error::Error for HelmError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            HelmError::Io { error, .. } => Some(error),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_keeps_the_first_lines_trimmed_and_displays_one_line() {
        let stderr = format!(
            "Error: boom\n\n  at line 2  \n{}\n4\n5\n6\n7\n8",
            "x".repeat(400)
        );
        let HelmError::Failed { stderr, .. } = HelmError::failed(Some(1), &stderr) else {
            panic!("not Failed");
        };
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), STDERR_LINES);
        assert_eq!(lines[1], "at line 2");
        assert_eq!(lines[2].chars().count(), STDERR_LINE_CHARS + 1);
        let shown = HelmError::failed(Some(1), "Error: a\nb").to_string();
        assert_eq!(shown, "`helm template` exited with 1: Error: a | b");
    }

    #[test]
    fn every_message_is_one_line() {
        let errors = [
            HelmError::NotFound {
                helm: "helm".into(),
            },
            HelmError::Timeout { seconds: 60 },
            HelmError::failed(None, ""),
            HelmError::MissingDependency {
                name: "postgresql".into(),
                repository: "https://charts.bitnami.com/bitnami".into(),
            },
            HelmError::MissingValueFile {
                path: "/x/values.yaml".into(),
            },
            HelmError::io("reading Chart.yaml", std::io::Error::other("denied")),
        ];
        for e in errors {
            let s = e.to_string();
            assert!(!s.contains('\n') && !s.is_empty(), "{s}");
        }
    }
}
