//! report: print diagnostics in one of the output formats. Every format is a function of
//! the same [`Report`]; none of them reorders the diagnostics, so output is deterministic
//! as long as the input is sorted (see [`crate::diagnostic::sort`]).

mod concise;
mod github;
mod gitlab;
mod human;
mod json;
mod sarif;
mod snippet;

use std::io::{self, Write};

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::Rule;
use crate::source::{SourceMap, Span};

/// An output format, as named by `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Code snippets with labels and help, for people at a terminal.
    Human,
    /// `path:line:col: severity: message [rule]`, one line per finding, for editors.
    Concise,
    /// synclint's own JSON schema (version 1).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// GitLab Code Quality report.
    Gitlab,
}

/// Counts for the summary line.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    pub apps: usize,
    pub files: usize,
    pub external_sources: usize,
    /// The release the release-aware rules used (when some app runs SQL).
    pub release: Option<ReleaseSummary>,
}

/// Which base a release was compared against, or why none was known.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ReleaseSummary {
    /// One line: `release base HEAD~1 (abc1234, the previous commit)`.
    pub description: String,
    /// The base as named (`HEAD~1`, `origin/main`), when known.
    pub base: Option<String>,
    pub commit: Option<String>,
    /// How the base was chosen (`--base`, the pull request's base, ...).
    pub source: Option<String>,
}

impl ReleaseSummary {
    pub fn of(release: &crate::release::boundary::Release) -> ReleaseSummary {
        let base = release.base();
        ReleaseSummary {
            description: release.describe(),
            base: base.map(|b| b.rev.clone()),
            commit: base.map(|b| b.commit.clone()),
            source: base.map(|b| b.source.describe().to_string()),
        }
    }
}

/// Everything a format needs to print one run's findings.
pub struct Report<'a> {
    /// Already sorted deterministically.
    pub diagnostics: &'a [Diagnostic],
    pub sources: &'a SourceMap,
    /// All known rules (for SARIF `rules[]` metadata).
    pub rules: &'a [Rule],
    pub summary: &'a Summary,
    pub color: bool,
    /// `-q`: no summary line, no decorations beyond findings.
    pub quiet: bool,
    /// Byte ranges whose text must never be printed: Secret data/stringData values.
    pub redactions: &'a [Span],
    pub tool_version: &'a str,
}

/// Write `report` to `out` in `format`.
pub fn write(format: Format, report: &Report, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Human => human::write(report, out),
        Format::Concise => concise::write(report, out),
        Format::Json => json::write(report, out),
        Format::Sarif => sarif::write(report, out),
        Format::Github => github::write(report, out),
        Format::Gitlab => gitlab::write(report, out),
    }
}

/// Number of findings per severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

impl Counts {
    pub(crate) fn of(diagnostics: &[Diagnostic]) -> Counts {
        let mut counts = Counts::default();
        for d in diagnostics {
            match d.severity {
                Severity::Error => counts.errors += 1,
                Severity::Warning => counts.warnings += 1,
                Severity::Note => counts.notes += 1,
            }
        }
        counts
    }
}

/// `3 errors, 1 warning in 2 apps (57 files)`. It never contains a colon, so editor
/// problem matchers (gcc, errorformat) cannot mistake it for a finding.
pub(crate) fn summary_line(report: &Report) -> String {
    let counts = Counts::of(report.diagnostics);
    let parts: Vec<String> = [
        (counts.errors, "error", "errors"),
        (counts.warnings, "warning", "warnings"),
        (counts.notes, "note", "notes"),
    ]
    .iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|&(n, one, many)| plural(n, one, many))
    .collect();
    let found = if parts.is_empty() {
        "no problems found".to_string()
    } else {
        parts.join(", ")
    };
    let s = report.summary;
    let mut line = format!(
        "{found} in {} ({})",
        plural(s.apps, "app", "apps"),
        plural(s.files, "file", "files")
    );
    match s.external_sources {
        0 => {}
        1 => line.push_str("; 1 source in another repository not linted"),
        n => line.push_str(&format!("; {n} sources in other repositories not linted")),
    }
    line
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Message followed by the help text, for formats with a single text field.
pub(crate) fn message_with_help(d: &Diagnostic) -> String {
    match &d.help {
        Some(help) if !help.is_empty() => format!("{} {}", d.message, help),
        _ => d.message.clone(),
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    //! A tiny fixture shared by the per-format unit tests.
    use std::sync::Arc;

    use super::*;
    use crate::diagnostic::Location;
    use crate::rules::Check;

    pub const PAGE: &str = "---\nid: demo-rule\nseverity: error\nsummary: demo summary\n---\n\n\
        # demo-rule\n\n## What it checks\n\nIt checks demos.\n\n## Use instead\n\nDo it right.\n";
    pub static RULES: &[Rule] = &[Rule {
        id: "demo-rule",
        severity: Severity::Error,
        page: PAGE,
        check: Check::Stage,
    }];

    pub struct Fixture {
        pub sources: SourceMap,
        pub diagnostics: Vec<Diagnostic>,
        pub summary: Summary,
    }

    impl Fixture {
        /// One file `a.yaml` with one finding on `name` in line 2 and related `kind`.
        pub fn new() -> Fixture {
            let mut sources = SourceMap::default();
            let text = "kind: Job\nname: café migrate\n";
            let id = sources.add("dir/a b.yaml".into(), Arc::<str>::from(text));
            let at = |s: &str| {
                let start = text.find(s).unwrap();
                Location::resolve(&sources, Span::new(id, start, start + s.len()))
            };
            let d = Diagnostic::new(
                "demo-rule",
                Severity::Error,
                "Bad, bad: name.".into(),
                at("migrate"),
            )
            .with_help("Rename it.")
            .with_related(at("Job"), "the kind");
            let summary = Summary {
                apps: 1,
                files: 1,
                external_sources: 0,
                release: None,
            };
            Fixture {
                sources,
                diagnostics: vec![d],
                summary,
            }
        }

        pub fn report(&self) -> Report<'_> {
            Report {
                diagnostics: &self.diagnostics,
                sources: &self.sources,
                rules: RULES,
                summary: &self.summary,
                color: false,
                quiet: false,
                redactions: &[],
                tool_version: "0.1.0",
            }
        }
    }

    pub fn render(format: Format, report: &Report) -> String {
        let mut out = Vec::new();
        write(format, report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::*;
    use super::*;

    #[test]
    fn summary_line_plurals_and_external_sources() {
        let mut f = Fixture::new();
        assert_eq!(summary_line(&f.report()), "1 error in 1 app (1 file)");
        let mut warning = f.diagnostics[0].clone();
        warning.severity = Severity::Warning;
        f.diagnostics.extend([warning.clone(), warning]);
        f.summary = Summary {
            apps: 2,
            files: 57,
            external_sources: 3,
            release: None,
        };
        assert_eq!(
            summary_line(&f.report()),
            "1 error, 2 warnings in 2 apps (57 files); 3 sources in other repositories not linted"
        );
        f.diagnostics.clear();
        f.summary.external_sources = 1;
        assert_eq!(
            summary_line(&f.report()),
            "no problems found in 2 apps (57 files); 1 source in another repository not linted"
        );
    }
}
