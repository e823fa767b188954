//! gitlab: a GitLab Code Quality report (a subset of the Code Climate issue format), for
//! `artifacts:reports:codequality`. GitLab merges issues by fingerprint, so each issue
//! must have its own: repeats of a fingerprint get a counter mixed in.

use std::collections::HashMap;
use std::io::{self, Write};

use serde::Serialize;

use super::{Report, message_with_help};
use crate::diagnostic::{Severity, fnv1a64};

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: IssueLocation<'a>,
}

#[derive(Serialize)]
struct IssueLocation<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
}

pub(crate) fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut seen: HashMap<String, u32> = HashMap::new();
    let issues: Vec<Issue> = report
        .diagnostics
        .iter()
        .map(|d| {
            let base = d.fingerprint();
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            let fingerprint = match *n {
                1 => base,
                n => format!("{:016x}", fnv1a64(format!("{base}\0{n}").as_bytes())),
            };
            Issue {
                description: message_with_help(d),
                check_name: d.rule,
                fingerprint,
                severity: match d.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                    Severity::Note => "info",
                },
                location: IssueLocation {
                    path: &d.location.path,
                    lines: Lines {
                        begin: d.location.line,
                    },
                },
            }
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::super::Format;
    use super::super::testutil::*;
    use serde_json::{Value, json};

    #[test]
    fn code_quality_issues_with_unique_fingerprints() {
        let mut f = Fixture::new();
        f.diagnostics.push(f.diagnostics[0].clone());
        let v: Value = serde_json::from_str(&render(Format::Gitlab, &f.report())).unwrap();
        let fp = f.diagnostics[0].fingerprint();
        assert_eq!(
            v[0],
            json!({
                "description": "Bad, bad: name. Rename it.",
                "check_name": "demo-rule",
                "fingerprint": fp,
                "severity": "major",
                "location": { "path": "dir/a b.yaml", "lines": { "begin": 2 } },
            })
        );
        assert_ne!(v[1]["fingerprint"], fp);
        assert_eq!(
            render(
                Format::Gitlab,
                &Fixture {
                    diagnostics: vec![],
                    ..f
                }
                .report()
            ),
            "[]\n"
        );
    }
}
