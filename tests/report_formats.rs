//! Every report format, from one fixture of three YAML files and four findings, through
//! the public API only. SARIF is also checked by GitHub's validator and the 2.1.0 JSON
//! schema when the test tools are installed (`/work/shared/tools/install-test-tools.sh`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use serde_json::{Value, json};
use synclint::diagnostic::{self, Diagnostic, Location, ObjectRef, Severity};
use synclint::report::{self, Format, Report, Summary};
use synclint::rules::{Check, Rule};
use synclint::source::{SourceMap, Span};

const JOB: &str = "apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations:
    argocd.argoproj.io/hook: PreSync
spec:
  template:
    spec:
      containers:
        - {name: \"🚀 café\", image: \"registry/app:v1\"}
";

const DEPLOY: &str = "kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: registry/app:v2
";

const SECRET: &str = "kind: Secret
metadata:
  name: db
stringData:
  password: hunter2-s3cr3t
";

const PAGE: &str = "---
id: migration-image-mismatch
severity: error
summary: migration image differs from the app's image
---

# migration-image-mismatch

## What it checks

A migration whose image has the same repository as a workload but another tag.

## Use instead

Use the same tag in the migration and the workload.
";

const SHARED_PAGE: &str = "---
id: hook-secret-shared
severity: error
summary: hook Secret used by a workload
---

## What it checks

A Secret that is a hook and is used by a non-hook workload.

## Use instead

Make the Secret a normal resource.
";

static RULES: &[Rule] = &[
    Rule { id: "migration-image-mismatch", severity: Severity::Error, page: PAGE, check: Check::Stage },
    Rule { id: "hook-secret-shared", severity: Severity::Error, page: SHARED_PAGE, check: Check::Stage },
];

struct Fixture {
    sources: SourceMap,
    diagnostics: Vec<Diagnostic>,
    redactions: Vec<Span>,
    summary: Summary,
}

/// The span of the first `needle` in `text` (after `after`, to skip earlier matches).
fn find(sources: &SourceMap, file: synclint::source::FileId, after: &str, needle: &str) -> Span {
    let text = &sources.get(file).text;
    let from = text.find(after).unwrap();
    let start = from + text[from..].find(needle).unwrap();
    Span::new(file, start, start + needle.len())
}

fn fixture() -> Fixture {
    let mut sources = SourceMap::default();
    let job = sources.add("apps/db/job.yaml".into(), Arc::from(JOB));
    let deploy = sources.add("apps/web/deploy.yaml".into(), Arc::from(DEPLOY));
    let secret = sources.add("apps/db/my secret.yaml".into(), Arc::from(SECRET));
    let at = |file, after, needle| Location::resolve(&sources, find(&sources, file, after, needle));
    let job_ref = ObjectRef { group: "batch".into(), kind: "Job".into(), namespace: "db".into(), name: "migrate".into() };
    let mut diagnostics = vec![
        Diagnostic::new(
            "migration-image-mismatch",
            Severity::Error,
            "Job migrate runs registry/app:v1 but Deployment web runs registry/app:v2.".into(),
            at(job, "image", "registry/app:v1"),
        )
        .with_help("Use the same tag in both.")
        .with_related(at(deploy, "image", "registry/app:v2"), "the Deployment's image")
        .with_related(at(job, "name", "migrate"), "the migration Job")
        .with_object(job_ref.clone())
        .with_field("/spec/template/spec/containers/0/image"),
        Diagnostic::new(
            "hook-delete-policy",
            Severity::Warning,
            "Job migrate has no BeforeHookCreation delete policy.".into(),
            at(job, "hook", "PreSync"),
        )
        .with_object(job_ref),
        Diagnostic::new(
            "hook-secret-shared",
            Severity::Error,
            "Secret db is a hook and is used by Deployment web.".into(),
            at(secret, "password", "password"),
        ),
        // An empty span: SARIF must still get a region that is not empty.
        Diagnostic::new("sql-syntax", Severity::Note, "Statement does not parse.".into(), {
            let mut l = at(deploy, "kind", "kind");
            l.span.end = l.span.start;
            Location::resolve(&sources, l.span)
        }),
    ];
    diagnostics[0].app = Some("db".into());
    diagnostic::sort(&mut diagnostics);
    let redactions = vec![find(&sources, secret, "password", "hunter2-s3cr3t")];
    let summary = Summary { apps: 2, files: 3, external_sources: 0 };
    Fixture { sources, diagnostics, redactions, summary }
}

impl Fixture {
    fn report(&self) -> Report<'_> {
        Report {
            diagnostics: &self.diagnostics,
            sources: &self.sources,
            rules: RULES,
            summary: &self.summary,
            color: false,
            quiet: false,
            redactions: &self.redactions,
            tool_version: "1.2.3",
        }
    }
}

fn render(format: Format, report: &Report) -> String {
    let mut out = Vec::new();
    report::write(format, report, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn concise_lines() {
    let f = fixture();
    assert_eq!(
        render(Format::Concise, &f.report()),
        "apps/db/job.yaml:6:30: warning: Job migrate has no BeforeHookCreation delete policy. [hook-delete-policy]
apps/db/job.yaml:11:36: error: Job migrate runs registry/app:v1 but Deployment web runs registry/app:v2. [migration-image-mismatch]
apps/db/my secret.yaml:5:3: error: Secret db is a hook and is used by Deployment web. [hook-secret-shared]
apps/web/deploy.yaml:1:1: note: Statement does not parse. [sql-syntax]
2 errors, 1 warning, 1 note in 2 apps (3 files)
"
    );
    let mut quiet = f.report();
    quiet.quiet = true;
    assert_eq!(render(Format::Concise, &quiet).lines().count(), 4);
}

#[test]
fn json_schema() {
    let f = fixture();
    let out = render(Format::Json, &f.report());
    assert!(out.ends_with("}\n") && out.contains("\n  \"version\": 1,\n"));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["tool"], json!({"name": "synclint", "version": "1.2.3"}));
    assert_eq!(
        v["summary"],
        json!({"errors": 2, "warnings": 1, "notes": 1, "apps": 2, "files": 3, "external_sources": 0})
    );
    let d = &v["diagnostics"][1];
    let start = JOB.find("registry").unwrap();
    assert_eq!(
        *d,
        json!({
            "rule": "migration-image-mismatch",
            "severity": "error",
            "message": "Job migrate runs registry/app:v1 but Deployment web runs registry/app:v2.",
            "path": "apps/db/job.yaml",
            "line": 11, "column": 36, "end_line": 11, "end_column": 51,
            "start_byte": start, "end_byte": start + 15,
            "app": "db",
            "object": {"group": "batch", "kind": "Job", "namespace": "db", "name": "migrate"},
            "field": "/spec/template/spec/containers/0/image",
            "help": "Use the same tag in both.",
            "related": [
                {"path": "apps/web/deploy.yaml", "line": 9, "column": 18, "end_line": 9,
                 "end_column": 33, "label": "the Deployment's image"},
                {"path": "apps/db/job.yaml", "line": 4, "column": 9, "end_line": 4,
                 "end_column": 16, "label": "the migration Job"},
            ],
            "fingerprint": f.diagnostics[1].fingerprint(),
        })
    );
    assert!(v["diagnostics"][0]["object"]["kind"] == "Job" && v["diagnostics"][2]["object"].is_null());
}

#[test]
fn sarif_regions_use_utf16_columns() {
    let f = fixture();
    let v: Value = serde_json::from_str(&render(Format::Sarif, &f.report())).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    let driver = &run["tool"]["driver"];
    assert_eq!((driver["name"].as_str(), driver["version"].as_str()), (Some("synclint"), Some("1.2.3")));
    let ids: Vec<&str> = driver["rules"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    // Every known rule, then the ones only findings name, sorted.
    assert_eq!(ids, ["migration-image-mismatch", "hook-secret-shared", "hook-delete-policy", "sql-syntax"]);
    let rule = &driver["rules"][0];
    assert_eq!(rule["name"], "MigrationImageMismatch");
    assert_eq!(rule["shortDescription"]["text"], "migration image differs from the app's image");
    assert_eq!(rule["help"]["text"], "Use the same tag in the migration and the workload.");
    assert!(rule["help"]["markdown"].as_str().unwrap().starts_with("# migration-image-mismatch\n"));
    let r = &run["results"][1];
    assert_eq!((r["ruleId"].as_str(), r["ruleIndex"].as_u64()), (Some("migration-image-mismatch"), Some(0)));
    assert_eq!(r["message"]["text"], "Job migrate runs registry/app:v1 but Deployment web runs registry/app:v2. Use the same tag in both.");
    // `🚀` is one character but two UTF-16 code units: column 36 becomes 37.
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(loc["region"], json!({"startLine": 11, "startColumn": 37, "endLine": 11, "endColumn": 52}));
    assert_eq!(loc["artifactLocation"], json!({"uri": "apps/db/job.yaml", "uriBaseId": "%SRCROOT%"}));
    assert_eq!(r["relatedLocations"][0]["id"], 0);
    assert_eq!(r["relatedLocations"][1]["message"]["text"], "the migration Job");
    assert_eq!(r["partialFingerprints"]["synclintFingerprint/v1"], f.diagnostics[1].fingerprint());
    let secret = &run["results"][2]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(secret["uri"], "apps/db/my%20secret.yaml");
    let empty = &run["results"][3]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(*empty, json!({"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 2}));
}

#[test]
fn github_and_gitlab() {
    let f = fixture();
    let gh = render(Format::Github, &f.report());
    assert_eq!(
        gh.lines().nth(1).unwrap(),
        "::error file=apps/db/job.yaml,line=11,col=36,endLine=11,endColumn=51,title=migration-image-mismatch::\
         Job migrate runs registry/app:v1 but Deployment web runs registry/app:v2.%0AUse the same tag in both."
    );
    assert!(gh.lines().nth(3).unwrap().starts_with("::notice file=apps/web/deploy.yaml,line=1,col=1,"));
    let gl: Value = serde_json::from_str(&render(Format::Gitlab, &f.report())).unwrap();
    let severities: Vec<&str> = gl.as_array().unwrap().iter().map(|i| i["severity"].as_str().unwrap()).collect();
    assert_eq!(severities, ["minor", "major", "major", "info"]);
    assert_eq!(gl[2]["location"], json!({"path": "apps/db/my secret.yaml", "lines": {"begin": 5}}));
}

#[test]
fn human_snippet_labels_and_redaction() {
    let f = fixture();
    let out = render(Format::Human, &f.report());
    assert!(!out.contains("hunter2"), "a Secret value was printed:\n{out}");
    assert!(!out.contains('\x1b'), "colour off still printed escape codes");
    // The offending line, the primary label (the rule summary), the related labels.
    assert!(out.contains(" 11 │         - {name: \"🚀 café\", image: \"registry/app:v1\"}\n"));
    assert!(out.contains("╰── migration image differs from the app's image\n"));
    assert!(out.contains("╰── the migration Job\n"));
    assert!(out.contains("[apps/web/deploy.yaml:9:18]") && out.contains("☞ the Deployment's image\n"));
    assert!(out.contains("help: Use the same tag in both.\n"));
    assert!(out.contains("warning[hook-delete-policy]\n"));
    let secret = "error[hook-secret-shared]

  × Secret db is a hook and is used by Deployment web.
   ╭─[apps/db/my secret.yaml:5:3]
 4 │ stringData:
 5 │   password: **************
   ·   ────┬───
   ·       ╰── hook Secret used by a workload
   ╰────

";
    assert!(out.contains(secret), "{out}");
    assert!(out.ends_with("\n\n2 errors, 1 warning, 1 note in 2 apps (3 files)\n"));

    let mut quiet = f.report();
    quiet.quiet = true;
    assert!(!render(Format::Human, &quiet).contains("apps (3 files)"));
    let mut color = f.report();
    color.color = true;
    assert!(render(Format::Human, &color).contains('\x1b'));
}

#[test]
fn no_findings_summary() {
    let f = Fixture { diagnostics: vec![], summary: Summary { apps: 1, files: 1, external_sources: 2 }, ..fixture() };
    let expected = "no problems found in 1 app (1 file); 2 sources in other repositories not linted\n";
    assert_eq!(render(Format::Human, &f.report()), expected);
    assert_eq!(render(Format::Concise, &f.report()), expected);
}

#[test]
fn every_format_is_deterministic() {
    let f = fixture();
    for format in [Format::Human, Format::Concise, Format::Json, Format::Sarif, Format::Github, Format::Gitlab] {
        let again = fixture();
        assert_eq!(render(format, &f.report()), render(format, &again.report()), "{format:?}");
    }
}

/// `name` on PATH, if there.
fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|dir| dir.join(name)).find(|p| p.is_file())
}

fn write_sarif(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("synclint-{name}-{}.sarif", std::process::id()));
    std::fs::write(&path, render(Format::Sarif, &fixture().report())).unwrap();
    path
}

#[test]
fn sarif_passes_github_validation() {
    let Some(validate) = on_path("sarif-validate") else {
        eprintln!("skipped: sarif-validate not on PATH (run install-test-tools.sh)");
        return;
    };
    let file = write_sarif("github");
    let out = Command::new(validate).arg(&file).output().unwrap();
    let _ = std::fs::remove_file(&file);
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    eprintln!("{log}");
    assert!(out.status.success(), "sarif-validate failed:\n{log}");
}

#[test]
fn sarif_matches_json_schema() {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/schemas/sarif-schema-2.1.0.json");
    // The venv install-test-tools.sh makes sits beside the `bin/` that holds sarif-validate.
    let python = on_path("sarif-validate")
        .and_then(|v| Some(v.parent()?.parent()?.join("venv/bin/python")))
        .filter(|p| p.is_file());
    let (Some(python), true) = (python, schema.is_file()) else {
        eprintln!("skipped: sarif-validate not on PATH (no jsonschema venv) or no SARIF schema");
        return;
    };
    let file = write_sarif("schema");
    let script = "import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
log = json.load(open(sys.argv[2]))
errors = [e.message for e in jsonschema.Draft4Validator(schema).iter_errors(log)]
print('\\n'.join(errors))
sys.exit(1 if errors else 0)";
    let out = Command::new(python).args(["-c", script]).arg(&schema).arg(&file).output().unwrap();
    let _ = std::fs::remove_file(&file);
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "SARIF does not match the 2.1.0 schema:\n{log}");
}
