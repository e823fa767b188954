//! sarif: SARIF 2.1.0 as GitHub code scanning ingests it. Rule metadata comes from the
//! rule pages; columns are UTF-16 code units (`columnKind`), as the spec's default and
//! GitHub expect. Keys are sorted (serde_json's map), so output is deterministic.

use std::collections::BTreeSet;
use std::io::{self, Write};

use serde_json::{Value, json};

use super::{Report, message_with_help};
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::rules::Rule;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/synclint/synclint";

pub(crate) fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let ids = rule_ids(report);
    let rules: Vec<Value> = ids.iter().map(|id| rule(id, report.rules)).collect();
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| result(d, ids.iter().position(|id| *id == d.rule)))
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "synclint",
                "version": report.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }},
            "columnKind": "utf16CodeUnits",
            "originalUriBaseIds": { "%SRCROOT%": {
                "description": { "text": "The root of the linted repository." },
            }},
            "results": results,
        }],
    });
    let mut log = log;
    if let Some(release) = &report.summary.release {
        log["runs"][0]["properties"] = json!({ "release": release });
    }
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

/// Every known rule in catalogue order, then ids that only findings name (a rule
/// registered without metadata must still get a `rules[]` entry for `ruleIndex`).
fn rule_ids<'a>(report: &Report<'a>) -> Vec<&'a str> {
    let mut ids: Vec<&str> = report.rules.iter().map(|r| r.id).collect();
    let known: BTreeSet<&str> = ids.iter().copied().collect();
    let extra: BTreeSet<&str> = report
        .diagnostics
        .iter()
        .map(|d| d.rule)
        .filter(|r| !known.contains(r))
        .collect();
    ids.extend(extra);
    ids
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn rule(id: &str, rules: &[Rule]) -> Value {
    let Some(rule) = rules.iter().find(|r| r.id == id) else {
        // GitHub requires descriptions and help on every rule; the id is all we have.
        return json!({
            "id": id,
            "name": pascal_case(id),
            "shortDescription": { "text": id },
            "fullDescription": { "text": id },
            "help": { "text": id },
        });
    };
    let non_empty = |s: Option<&'static str>| s.filter(|s| !s.is_empty());
    let summary = non_empty(Some(rule.summary())).unwrap_or(rule.id);
    let full = non_empty(rule.section("What it checks")).unwrap_or(summary);
    let fix = non_empty(rule.section("Use instead")).unwrap_or(summary);
    json!({
        "id": rule.id,
        "name": pascal_case(rule.id),
        "shortDescription": { "text": summary },
        "fullDescription": { "text": full },
        "help": { "text": fix, "markdown": rule.body() },
        "defaultConfiguration": { "level": level(rule.severity) },
        "properties": { "tags": tags(rule.id) },
    })
}

/// `migration-backoff-limit` → `MigrationBackoffLimit` (SARIF's `name` is an identifier).
fn pascal_case(id: &str) -> String {
    id.split(['-', '_'])
        .flat_map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase())
                .into_iter()
                .chain(chars)
        })
        .collect()
}

/// Tags GitHub shows as filters: the tool's domain, plus the rule's family (its id's
/// first word: `migration`, `hook`, `sql`, ...).
fn tags(id: &str) -> Vec<&str> {
    let family = id.split('-').next().unwrap_or(id);
    vec!["argocd", "gitops", family]
}

fn result(d: &Diagnostic, rule_index: Option<usize>) -> Value {
    let related: Vec<Value> = d
        .related
        .iter()
        .enumerate()
        .map(|(i, r)| {
            json!({
                "id": i,
                "message": { "text": r.label },
                "physicalLocation": physical_location(&r.location),
            })
        })
        .collect();
    let mut result = json!({
        "ruleId": d.rule,
        "level": level(d.severity),
        "message": { "text": message_with_help(d) },
        "locations": [{ "physicalLocation": physical_location(&d.location) }],
        "partialFingerprints": { "synclintFingerprint/v1": d.fingerprint() },
    });
    if let Some(index) = rule_index {
        result["ruleIndex"] = json!(index);
    }
    if !related.is_empty() {
        result["relatedLocations"] = Value::Array(related);
    }
    result
}

fn physical_location(l: &Location) -> Value {
    let (mut end_line, mut end_column) = (l.end_line, l.end_column_utf16);
    // An empty span would be an insertion point, which viewers cannot highlight:
    // widen it to one column.
    if end_line < l.line || (end_line == l.line && end_column <= l.column_utf16) {
        end_line = l.line;
        end_column = l.column_utf16 + 1;
    }
    json!({
        "artifactLocation": { "uri": uri(&l.path), "uriBaseId": "%SRCROOT%" },
        "region": {
            "startLine": l.line,
            "startColumn": l.column_utf16,
            "endLine": end_line,
            "endColumn": end_column,
        },
    })
}

/// A relative URI reference for `path`: RFC 3986 unreserved characters and `/` stay,
/// every other byte is percent-encoded (spaces, `%`, `#`, `?`, non-ASCII).
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::super::{Format, Severity};
    use super::*;

    #[test]
    fn names_and_uris() {
        assert_eq!(
            pascal_case("migration-backoff-limit"),
            "MigrationBackoffLimit"
        );
        assert_eq!(uri("dir/a b/é#1.yaml"), "dir/a%20b/%C3%A9%231.yaml");
    }

    #[test]
    fn result_regions_rules_and_fingerprints() {
        let mut f = Fixture::new();
        let mut unknown = f.diagnostics[0].clone();
        unknown.rule = "not-registered";
        unknown.severity = Severity::Note;
        unknown.location.end_byte = unknown.location.start_byte;
        unknown.location.end_column = unknown.location.column;
        unknown.location.end_column_utf16 = unknown.location.column_utf16;
        f.diagnostics.push(unknown);
        let v: Value = serde_json::from_str(&render(Format::Sarif, &f.report())).unwrap();
        let run = &v["runs"][0];
        let rules = &run["tool"]["driver"]["rules"];
        assert_eq!(rules[0]["name"], "DemoRule");
        assert_eq!(rules[0]["fullDescription"]["text"], "It checks demos.");
        assert_eq!(rules[0]["help"]["text"], "Do it right.");
        assert_eq!(rules[0]["defaultConfiguration"]["level"], "error");
        assert_eq!(rules[1]["id"], "not-registered");
        let r = &run["results"][0];
        assert_eq!(r["message"]["text"], "Bad, bad: name. Rename it.");
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "dir/a%20b.yaml");
        assert_eq!(
            loc["region"],
            json!({"startLine": 2, "startColumn": 12, "endLine": 2, "endColumn": 19})
        );
        assert_eq!(r["relatedLocations"][0]["message"]["text"], "the kind");
        let empty = &run["results"][1];
        assert_eq!(
            (empty["ruleIndex"].as_u64(), empty["level"].as_str()),
            (Some(1), Some("note"))
        );
        assert_eq!(
            empty["locations"][0]["physicalLocation"]["region"]["endColumn"],
            13
        );
    }
}
