//! json: synclint's own machine-readable format. The schema is stable: fields are only
//! ever added, and a breaking change bumps `version`.
//!
//! ```text
//! {
//!   "version": 1,                          // schema version
//!   "tool": { "name": "synclint", "version": "0.1.0" },
//!   "summary": {
//!     "errors": 3, "warnings": 1, "notes": 0,  // findings by severity
//!     "apps": 2,                           // Argo CD apps (and implicit apps) linted
//!     "files": 57,                         // files read
//!     "external_sources": 0,               // app sources in other repositories, not linted
//!     "release": {                         // null unless some app runs SQL (release rules)
//!       "description": "release base HEAD~1 (abc1234, the previous commit)",
//!       "base": "HEAD~1" | null,           // null: no release boundary known
//!       "commit": "abc1234..." | null,
//!       "source": "the previous commit" | null
//!     } | null
//!   },
//!   "diagnostics": [                       // sorted by path, line, column, rule
//!     {
//!       "rule": "migration-backoff-limit", // kebab-case rule id
//!       "severity": "error",               // "error" | "warning" | "note"
//!       "message": "...",                  // one sentence
//!       "path": "apps/db/job.yaml",        // relative to the repository root, `/` separated
//!       "line": 12, "column": 3,           // 1-based; column in characters
//!       "end_line": 12, "end_column": 9,   // exclusive end, same units
//!       "start_byte": 301, "end_byte": 307,// byte range in the file
//!       "app": "db" | null,                // Application (or implicit app) name
//!       "object": { "group": "batch", "kind": "Job", "namespace": "db", "name": "migrate" }
//!                 | null,                  // empty strings for the core group / no namespace
//!       "field": "/spec/backoffLimit",     // JSON pointer inside the object, "" if none
//!       "help": "..." | null,              // how to fix it
//!       "label": "no backoffLimit" | null, // a few words for the primary span
//!       "related": [                       // other places involved, each with a label
//!         { "path": "...", "line": 3, "column": 5, "end_line": 3, "end_column": 20,
//!           "label": "the Deployment whose image should match" }
//!       ],
//!       "fingerprint": "0123456789abcdef"  // stable across line moves (baselines)
//!     }
//!   ]
//! }
//! ```
//!
//! Pretty-printed with two-space indentation and a trailing newline; keys in the order
//! above.

use std::io::{self, Write};

use serde::Serialize;

use super::{Counts, Report};
use crate::diagnostic::{Diagnostic, ObjectRef, Severity};

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    tool: Tool<'a>,
    summary: SummaryOut<'a>,
    diagnostics: Vec<DiagnosticOut<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
struct SummaryOut<'a> {
    errors: usize,
    warnings: usize,
    notes: usize,
    apps: usize,
    files: usize,
    external_sources: usize,
    release: Option<&'a super::ReleaseSummary>,
}

#[derive(Serialize)]
struct DiagnosticOut<'a> {
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    path: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    start_byte: u32,
    end_byte: u32,
    app: Option<&'a str>,
    object: Option<&'a ObjectRef>,
    field: &'a str,
    help: Option<&'a str>,
    label: Option<&'a str>,
    related: Vec<RelatedOut<'a>>,
    fingerprint: String,
}

#[derive(Serialize)]
struct RelatedOut<'a> {
    path: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    label: &'a str,
}

pub(crate) fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let counts = Counts::of(report.diagnostics);
    let s = report.summary;
    let output = Output {
        version: 1,
        tool: Tool {
            name: "synclint",
            version: report.tool_version,
        },
        summary: SummaryOut {
            errors: counts.errors,
            warnings: counts.warnings,
            notes: counts.notes,
            apps: s.apps,
            files: s.files,
            external_sources: s.external_sources,
            release: s.release.as_ref(),
        },
        diagnostics: report.diagnostics.iter().map(diagnostic).collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &output)?;
    writeln!(out)
}

fn diagnostic(d: &Diagnostic) -> DiagnosticOut<'_> {
    let l = &d.location;
    DiagnosticOut {
        rule: d.rule,
        severity: d.severity,
        message: &d.message,
        path: &l.path,
        line: l.line,
        column: l.column,
        end_line: l.end_line,
        end_column: l.end_column,
        start_byte: l.start_byte,
        end_byte: l.end_byte,
        app: d.app.as_deref(),
        object: d.object.as_ref(),
        field: &d.field,
        help: d.help.as_deref(),
        label: d.label.as_deref(),
        related: d
            .related
            .iter()
            .map(|r| RelatedOut {
                path: &r.location.path,
                line: r.location.line,
                column: r.location.column,
                end_line: r.location.end_line,
                end_column: r.location.end_column,
                label: &r.label,
            })
            .collect(),
        fingerprint: d.fingerprint(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::Format;
    use super::super::testutil::*;

    #[test]
    fn schema_fields_and_order() {
        let f = Fixture::new();
        let out = render(Format::Json, &f.report());
        assert!(out.ends_with("}\n"));
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["version"], 1);
        assert_eq!(v["tool"]["name"], "synclint");
        assert_eq!(v["summary"]["errors"], 1);
        let d = &v["diagnostics"][0];
        assert_eq!(d["rule"], "demo-rule");
        assert_eq!(
            (d["line"].as_u64(), d["column"].as_u64()),
            (Some(2), Some(12))
        );
        assert_eq!(
            (d["end_line"].as_u64(), d["end_column"].as_u64()),
            (Some(2), Some(19))
        );
        assert!(d["object"].is_null() && d["app"].is_null());
        assert_eq!(d["related"][0]["label"], "the kind");
        assert_eq!(d["fingerprint"], f.diagnostics[0].fingerprint());
        // Keys come in the documented order, not sorted.
        let keys = [
            "\"rule\"",
            "\"severity\"",
            "\"message\"",
            "\"path\"",
            "\"fingerprint\"",
        ];
        let at: Vec<usize> = keys.iter().map(|k| out.find(k).unwrap()).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]));
    }
}
