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
metadata: {name: web}
spec: {template: {spec: {containers: [{name: web, image: registry/app:v2}]}}}
";

const SECRET: &str = "kind: Secret
metadata:
  name: db
stringData:
  password: hunter2-s3cr3t
";

const PAGE: &str = "---\nid: migration-image-mismatch\nseverity: error\n\
    summary: migration image differs from the app's image\n---\n\n# migration-image-mismatch\n\n\
    ## What it checks\n\nA migration whose image has the same repository as a workload but \
    another tag.\n\n## Use instead\n\nUse the same tag in the migration and the workload.\n";

const SHARED_PAGE: &str = "---\nid: hook-secret-shared\nseverity: error\n\
    summary: hook Secret used by a workload\n---\n\n## What it checks\n\nA hook Secret used by a \
    non-hook workload.\n\n## Use instead\n\nMake the Secret a normal resource.\n";

const fn rule(id: &'static str, page: &'static str) -> Rule {
    Rule {
        id,
        severity: Severity::Error,
        page,
        check: Check::Stage,
    }
}

static RULES: &[Rule] = &[
    rule("migration-image-mismatch", PAGE),
    rule("hook-secret-shared", SHARED_PAGE),
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

const MISMATCH: &str = "Job migrate runs registry/app:v1 but Deployment web runs registry/app:v2.";

fn fixture() -> Fixture {
    use Severity::{Error, Note, Warning};
    let mut sources = SourceMap::default();
    let job = sources.add("apps/db/job.yaml".into(), Arc::from(JOB));
    let deploy = sources.add("apps/web/deploy.yaml".into(), Arc::from(DEPLOY));
    let secret = sources.add("apps/db/my secret.yaml".into(), Arc::from(SECRET));
    let at = |file, after, needle| Location::resolve(&sources, find(&sources, file, after, needle));
    let job_ref = ObjectRef {
        group: "batch".into(),
        kind: "Job".into(),
        namespace: "db".into(),
        name: "migrate".into(),
    };
    let (image, v2) = (
        at(job, "image", "registry/app:v1"),
        at(deploy, "image", "registry/app:v2"),
    );
    let (hook, key, empty) = (
        at(job, "hook", "PreSync"),
        at(secret, "pass", "password"),
        at(deploy, "kind", ""),
    );
    let new = |rule, severity, message: &str, location| {
        Diagnostic::new(rule, severity, message.into(), location)
    };
    let mut diagnostics = vec![
        new("migration-image-mismatch", Error, MISMATCH, image)
            .with_help("Use the same tag in both.")
            .with_related(v2, "the Deployment's image")
            .with_related(at(job, "name", "migrate"), "the migration Job")
            .with_object(job_ref.clone())
            .with_field("/spec/template/spec/containers/0/image"),
        new("hook-delete-policy", Warning, "No delete policy.", hook).with_object(job_ref),
        new("hook-secret-shared", Error, "Secret db is a hook.", key),
        // An empty span: SARIF must still get a region that is not empty.
        new("sql-syntax", Note, "Statement does not parse.", empty),
    ];
    diagnostics[0].app = Some("db".into());
    diagnostic::sort(&mut diagnostics);
    let redactions = vec![find(&sources, secret, "password", "hunter2-s3cr3t")];
    let summary = Summary {
        apps: 2,
        files: 3,
        external_sources: 0,
        release: None,
    };
    Fixture {
        sources,
        diagnostics,
        redactions,
        summary,
    }
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
        "apps/db/job.yaml:6:30: warning: No delete policy. [hook-delete-policy]
apps/db/job.yaml:11:36: error: Job migrate runs registry/app:v1 but Deployment web runs registry/app:v2. [migration-image-mismatch]
apps/db/my secret.yaml:5:3: error: Secret db is a hook. [hook-secret-shared]
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
    let counts = json!({"errors": 2, "warnings": 1, "notes": 1, "apps": 2, "files": 3, "external_sources": 0, "release": null});
    assert_eq!(v["summary"], counts);
    let start = JOB.find("registry").unwrap();
    assert_eq!(
        v["diagnostics"][1],
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
            "label": null,
            "related": [
                {"path": "apps/web/deploy.yaml", "line": 3, "column": 58, "end_line": 3,
                 "end_column": 73, "label": "the Deployment's image"},
                {"path": "apps/db/job.yaml", "line": 4, "column": 9, "end_line": 4,
                 "end_column": 16, "label": "the migration Job"},
            ],
            "fingerprint": f.diagnostics[1].fingerprint(),
        })
    );
    let secret = &v["diagnostics"][2];
    assert!(secret["object"].is_null() && secret["app"].is_null() && secret["help"].is_null());
}

#[test]
fn sarif_rules_results_and_utf16_columns() {
    let f = fixture();
    let v: Value = serde_json::from_str(&render(Format::Sarif, &f.report())).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["version"], "1.2.3");
    // Every known rule, then the ones only findings name, sorted.
    let ids = [
        "migration-image-mismatch",
        "hook-secret-shared",
        "hook-delete-policy",
        "sql-syntax",
    ];
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(
        rules
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ids
    );
    assert_eq!(
        rules[0],
        json!({
            "id": "migration-image-mismatch",
            "name": "MigrationImageMismatch",
            "shortDescription": {"text": "migration image differs from the app's image"},
            "fullDescription": {"text": "A migration whose image has the same repository as a workload but another tag."},
            "help": {"text": "Use the same tag in the migration and the workload.",
                     "markdown": PAGE.split_once("---\n\n").unwrap().1},
            "defaultConfiguration": {"level": "error"},
            "properties": {"tags": ["argocd", "gitops", "migration"]},
        })
    );
    let at = |path: &str, region: [u32; 4]| {
        let [start_line, start_column, end_line, end_column] = region;
        json!({
            "artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": start_line, "startColumn": start_column,
                       "endLine": end_line, "endColumn": end_column},
        })
    };
    // `🚀` is one character but two UTF-16 code units: column 36 becomes 37.
    assert_eq!(
        run["results"][1],
        json!({
            "ruleId": "migration-image-mismatch",
            "ruleIndex": 0,
            "level": "error",
            "message": {"text": "Job migrate runs registry/app:v1 but Deployment web runs registry/app:v2. Use the same tag in both."},
            "locations": [{"physicalLocation": at("apps/db/job.yaml", [11, 37, 11, 52])}],
            "relatedLocations": [
                {"id": 0, "message": {"text": "the Deployment's image"},
                 "physicalLocation": at("apps/web/deploy.yaml", [3, 58, 3, 73])},
                {"id": 1, "message": {"text": "the migration Job"},
                 "physicalLocation": at("apps/db/job.yaml", [4, 9, 4, 16])},
            ],
            "partialFingerprints": {"synclintFingerprint/v1": f.diagnostics[1].fingerprint()},
        })
    );
    let secret = &run["results"][2]["locations"][0]["physicalLocation"];
    assert_eq!(*secret, at("apps/db/my%20secret.yaml", [5, 3, 5, 11]));
    // The empty span still gets a non-empty region.
    let note = &run["results"][3];
    assert_eq!(
        (note["level"].as_str(), note["ruleIndex"].as_u64()),
        (Some("note"), Some(3))
    );
    let region = &note["locations"][0]["physicalLocation"];
    assert_eq!(*region, at("apps/web/deploy.yaml", [1, 1, 1, 2]));
}

#[test]
fn github_and_gitlab() {
    let f = fixture();
    let gh = render(Format::Github, &f.report());
    let lines: Vec<&str> = gh.lines().collect();
    assert_eq!(
        lines[1],
        "::error file=apps/db/job.yaml,line=11,col=36,endLine=11,endColumn=51,title=migration-image-mismatch::\
         Job migrate runs registry/app:v1 but Deployment web runs registry/app:v2.%0AUse the same tag in both."
    );
    assert!(lines[3].starts_with("::notice file=apps/web/deploy.yaml,line=1,col=1,"));
    assert_eq!(lines[4], "2 errors, 1 warning, 1 note in 2 apps (3 files)");
    let gl: Value = serde_json::from_str(&render(Format::Gitlab, &f.report())).unwrap();
    let severities = Value::from_iter(gl.as_array().unwrap().iter().map(|i| i["severity"].clone()));
    assert_eq!(severities, json!(["minor", "major", "major", "info"]));
    let location = json!({"path": "apps/db/my secret.yaml", "lines": {"begin": 5}});
    assert_eq!(gl[2]["location"], location);
    assert_eq!(gl[2]["check_name"], "hook-secret-shared");
}

#[test]
fn human_snippet_labels_and_redaction() {
    let f = fixture();
    let out = render(Format::Human, &f.report());
    assert!(
        !out.contains("hunter2"),
        "a Secret value was printed:\n{out}"
    );
    assert!(
        !out.contains('\x1b'),
        "colour off, yet escape codes:\n{out}"
    );
    // The offending line, the primary label (the rule summary), the related labels.
    assert!(out.contains(" 11 │         - {name: \"🚀 café\", image: \"registry/app:v1\"}\n"));
    assert!(out.contains("╰── migration image differs from the app's image\n"));
    assert!(out.contains("╰── the migration Job\n"));
    assert!(out.contains("☞ the Deployment's image\n"));
    assert!(out.contains("[apps/web/deploy.yaml:3:58]"));
    assert!(out.contains("help: Use the same tag in both.\n"));
    assert!(out.contains("warning[hook-delete-policy]\n"));
    let secret = "error[hook-secret-shared]

  × Secret db is a hook.
   ╭─[apps/db/my secret.yaml:5:3]
 4 │ stringData:
 5 │   password: **************
   ·   ────┬───
   ·       ╰── hook Secret used by a workload
   ╰────
";
    assert!(out.contains(secret), "{out}");
    let summary = "\n2 errors, 1 warning, 1 note in 2 apps (3 files)\n";
    assert!(out.ends_with(&format!("╰────\n{summary}")));
    let mut quiet = f.report();
    quiet.quiet = true;
    assert_eq!(render(Format::Human, &quiet), out.replace(summary, ""));
    let mut color = f.report();
    color.color = true;
    assert!(render(Format::Human, &color).contains('\x1b'));
}

#[test]
fn no_findings_summary() {
    let mut f = fixture();
    f.diagnostics.clear();
    f.summary.external_sources = 2;
    let expected =
        "no problems found in 2 apps (3 files); 2 sources in other repositories not linted\n";
    assert_eq!(render(Format::Human, &f.report()), expected);
    assert_eq!(render(Format::Concise, &f.report()), expected);
    assert_eq!(render(Format::Gitlab, &f.report()), "[]\n");
}

#[test]
fn every_format_is_deterministic() {
    use Format::*;
    let (f, again) = (fixture(), fixture());
    for format in [Human, Concise, Json, Sarif, Github, Gitlab] {
        let (one, two) = (render(format, &f.report()), render(format, &again.report()));
        assert_eq!(one, two, "{format:?}");
    }
}

/// `name` on PATH, if there.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Run `command` on the fixture's SARIF (path appended): success, and what it printed.
fn check_sarif(name: &str, command: &mut Command) -> (bool, String) {
    let file = std::env::temp_dir().join(format!("synclint-{name}-{}.sarif", std::process::id()));
    std::fs::write(&file, render(Format::Sarif, &fixture().report())).unwrap();
    let out = command.arg(&file).output().unwrap();
    let _ = std::fs::remove_file(&file);
    let text = [out.stdout, out.stderr].map(|b| String::from_utf8_lossy(&b).into_owned());
    (out.status.success(), text.concat())
}

#[test]
fn sarif_passes_github_validation_and_json_schema() {
    let Some(validate) = on_path("sarif-validate") else {
        eprintln!("skipped: sarif-validate not on PATH (run install-test-tools.sh)");
        return;
    };
    let (ok, log) = check_sarif("github", &mut Command::new(&validate));
    assert!(ok, "sarif-validate failed:\n{log}");
    // install-test-tools.sh puts the jsonschema venv beside the `bin/` of sarif-validate.
    let python = validate
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .join("venv/bin/python");
    let schema =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/schemas/sarif-schema-2.1.0.json");
    if !python.is_file() || !schema.is_file() {
        eprintln!("skipped: no jsonschema venv at {python:?} or no schema at {schema:?}");
        return;
    }
    let script = "import json, sys, jsonschema
schema, log = (json.load(open(p, encoding='utf-8')) for p in sys.argv[1:3])
errors = [e.message for e in jsonschema.Draft4Validator(schema).iter_errors(log)]
print('\\n'.join(errors))
sys.exit(1 if errors else 0)";
    let mut jsonschema = Command::new(python);
    let (ok, log) = check_sarif("schema", jsonschema.args(["-c", script]).arg(&schema));
    assert!(ok, "SARIF does not match the 2.1.0 schema:\n{log}");
}
