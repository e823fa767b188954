//! End-to-end tests of the `synclint` binary: every output format on the demo repository,
//! output files, exit codes, rule selection, file and stdin arguments, suppressions, config
//! errors and the `rules` / `explain` / `completions` subcommands.

mod common;

use std::path::PathBuf;

use serde_json::Value;

use common::{Output, TempDir, run_in};

const SHOP: &str = "testdata/repos/shop";
const SECRET_VALUE: &str = "hunter2";
const FORMATS: &[&str] = &["human", "concise", "json", "sarif", "github", "gitlab"];

/// The findings the demo repository is known to produce (concise location and rule).
const SHOP_FINDINGS: &[(&str, &str)] = &[
    (
        "testdata/repos/shop/apps/orders/migrate-job.yaml:8:44: warning",
        "hook-delete-policy",
    ),
    (
        "testdata/repos/shop/apps/orders/migrate-job.yaml:9:35: error",
        "annotation-not-string",
    ),
    (
        "testdata/repos/shop/apps/orders/migrate-job.yaml:10:1: error",
        "hook-active-deadline",
    ),
    (
        "testdata/repos/shop/apps/orders/migrate-job.yaml:10:1: error",
        "migration-backoff-limit",
    ),
    (
        "testdata/repos/shop/apps/orders/migrate-job.yaml:14:27: error",
        "hook-dependency-order",
    ),
    (
        "testdata/repos/shop/apps/orders/migrate-job.yaml:17:18: error",
        "migration-image-mismatch",
    ),
    (
        "testdata/repos/shop/apps/orders/migrate-job.yaml:21:23: error",
        "hook-dependency-order",
    ),
    (
        "testdata/repos/shop/apps/orders/secret.yaml:6:30: error",
        "hook-secret-shared",
    ),
];

// ---------------------------------------------------------------------------------------
// Harness

impl Output {
    /// Findings of concise output (every line but the summary).
    fn findings(&self) -> Vec<Finding> {
        let lines = self.lines();
        let (summary, findings) = lines
            .split_last()
            .expect("concise output has a summary line");
        assert!(
            !summary.contains(':'),
            "the summary line has no colon: {summary}"
        );
        findings.iter().map(|l| Finding::parse(l)).collect()
    }
}

fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> Output {
    run_in(&crate_root(), args, None)
}

/// One line of concise output: `path:line:col: severity: message [rule]`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Finding {
    path: String,
    line: u32,
    column: u32,
    severity: String,
    message: String,
    rule: String,
}

impl Finding {
    fn parse(line: &str) -> Finding {
        fn fail<T>(line: &str) -> T {
            panic!("not `path:line:col: severity: message [rule]`: {line:?}")
        }
        let (location, rest) = line.split_once(": ").unwrap_or_else(|| fail(line));
        let mut parts = location.rsplitn(3, ':');
        let column = parts
            .next()
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| fail(line));
        let line_no = parts
            .next()
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| fail(line));
        let path = parts
            .next()
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| fail(line))
            .to_string();
        let (severity, rest) = rest.split_once(": ").unwrap_or_else(|| fail(line));
        assert!(
            ["error", "warning", "note"].contains(&severity),
            "severity in {line:?}"
        );
        let rest = rest.strip_suffix(']').unwrap_or_else(|| fail(line));
        let open = rest.rfind(" [").unwrap_or_else(|| fail(line));
        let (message, rule) = (&rest[..open], &rest[open + 2..]);
        assert!(!message.trim().is_empty(), "empty message in {line:?}");
        assert!(
            !rule.is_empty()
                && rule
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "rule id is kebab-case in {line:?}"
        );
        assert!(line_no >= 1 && column >= 1, "1-based positions in {line:?}");
        Finding {
            path,
            line: line_no,
            column,
            severity: severity.to_string(),
            message: message.to_string(),
            rule: rule.to_string(),
        }
    }

    fn at(&self) -> String {
        format!("{}:{}:{}", self.path, self.line, self.column)
    }
}

fn rules_of(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.rule.as_str()).collect()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("invalid JSON ({e}):\n{text}"))
}

fn registered_rules() -> Vec<String> {
    let out = run(&["rules", "--format", "json"]);
    out.expect(0);
    json(&out.stdout)
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------
// Formats

fn check_shop(format: &str) -> Output {
    run(&["check", SHOP, "--format", format, "--color", "never"])
}

#[test]
fn every_format_exits_1_and_is_deterministic() {
    for format in FORMATS {
        let first = check_shop(format);
        first.expect(1);
        assert!(!first.stdout.is_empty(), "{format}: empty output");
        let second = check_shop(format);
        second.expect(1);
        assert_eq!(
            first.stdout.as_bytes(),
            second.stdout.as_bytes(),
            "{format}: output differs between runs"
        );
        assert!(
            !first.stdout.contains('\u{1b}'),
            "{format}: escape codes with --color never"
        );
    }
}

#[test]
fn secret_values_never_appear_in_any_format() {
    // Sanity: the value really is in the repository.
    let secret =
        std::fs::read_to_string(crate_root().join(SHOP).join("apps/orders/secret.yaml")).unwrap();
    assert!(secret.contains(SECRET_VALUE));
    for format in FORMATS {
        for color in ["never", "always"] {
            let out = run(&["check", SHOP, "--format", format, "--color", color]);
            out.expect(1);
            assert!(
                !out.stdout.contains(SECRET_VALUE),
                "{format} (color {color}) prints the Secret value"
            );
            assert!(
                !out.stderr.contains(SECRET_VALUE),
                "{format} (color {color}) logs the Secret value"
            );
        }
    }
    // Human output shows snippets of secret.yaml, still without the value.
    let human = check_shop("human");
    assert!(
        human.stdout.contains("apps/orders/secret.yaml:6:30"),
        "{}",
        human.stdout
    );
    // And a finding on the Secret's data line itself.
    let repo = TempDir::repo("secret-snippet");
    repo.write(
        "secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  labels: {tier: 1}\nstringData:\n  url: postgres://u:hunter2@db/x\n",
    );
    for format in FORMATS {
        let out = run_in(
            repo.path(),
            &["check", ".", "--format", format, "--color", "never"],
            None,
        );
        out.expect(1);
        assert!(
            !out.stdout.contains(SECRET_VALUE),
            "{format} prints the Secret value:\n{}",
            out.stdout
        );
    }
}

#[test]
fn concise_lines_have_the_documented_shape() {
    let out = check_shop("concise");
    out.expect(1);
    let findings = out.findings();
    let got: Vec<String> = findings
        .iter()
        .map(|f| format!("{}: {} [{}]", f.at(), f.severity, f.rule))
        .collect();
    for (at, rule) in SHOP_FINDINGS {
        let want = format!("{at} [{rule}]");
        assert!(got.contains(&want), "missing `{want}` in:\n{}", out.stdout);
    }
    // Paths are relative to the working directory and open from there.
    for f in &findings {
        assert!(
            crate_root().join(&f.path).is_file(),
            "{} does not exist",
            f.path
        );
    }
    // Sorted by path, line, column, rule.
    let keys: Vec<_> = findings
        .iter()
        .map(|f| (f.path.clone(), f.line, f.column, f.rule.clone()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    // The summary counts what was printed.
    let errors = findings.iter().filter(|f| f.severity == "error").count();
    let warnings = findings.iter().filter(|f| f.severity == "warning").count();
    assert_eq!(errors, 7);
    assert_eq!(warnings, 1);
    assert_eq!(out.summary(), "7 errors, 1 warning in 3 apps (7 files)");
    // Default format when stdout is not a terminal is concise.
    let default = run(&["check", SHOP]);
    default.expect(1);
    assert_eq!(default.stdout, out.stdout);
}

#[test]
fn json_has_the_documented_fields() {
    let concise = check_shop("concise");
    let out = check_shop("json");
    out.expect(1);
    let v = json(&out.stdout);
    assert_eq!(v["version"], 1);
    assert_eq!(v["tool"]["name"], "synclint");
    assert_eq!(v["tool"]["version"], env!("CARGO_PKG_VERSION"));
    let summary = &v["summary"];
    assert_eq!(summary["errors"], 7);
    assert_eq!(summary["warnings"], 1);
    assert_eq!(summary["notes"], 0);
    assert_eq!(summary["apps"], 3);
    assert_eq!(summary["files"], 7);
    assert_eq!(summary["external_sources"], 0);
    let diagnostics = v["diagnostics"].as_array().unwrap();
    let findings = concise.findings();
    assert_eq!(diagnostics.len(), findings.len());
    for (d, f) in diagnostics.iter().zip(&findings) {
        for key in [
            "rule",
            "severity",
            "message",
            "path",
            "line",
            "column",
            "end_line",
            "end_column",
            "start_byte",
            "end_byte",
            "app",
            "object",
            "field",
            "help",
            "related",
            "fingerprint",
        ] {
            assert!(d.get(key).is_some(), "diagnostic without `{key}`: {d}");
        }
        assert_eq!(d["rule"], f.rule.as_str());
        assert_eq!(d["severity"], f.severity.as_str());
        assert_eq!(d["path"], f.path.as_str());
        assert_eq!(d["line"], f.line);
        assert_eq!(d["column"], f.column);
        assert_eq!(d["message"], f.message.as_str());
        assert!(d["start_byte"].as_u64().unwrap() <= d["end_byte"].as_u64().unwrap());
        let fp = d["fingerprint"].as_str().unwrap();
        assert!(
            fp.len() == 16 && fp.bytes().all(|b| b.is_ascii_hexdigit()),
            "fingerprint {fp}"
        );
        assert!(d["related"].is_array());
        assert!(d["field"].is_string());
    }
    // One finding in full: the image mismatch, with its related Deployment.
    let mismatch = diagnostics
        .iter()
        .find(|d| d["rule"] == "migration-image-mismatch")
        .unwrap();
    assert_eq!(mismatch["app"], "orders");
    assert_eq!(mismatch["object"]["group"], "batch");
    assert_eq!(mismatch["object"]["kind"], "Job");
    assert_eq!(mismatch["object"]["namespace"], "orders");
    assert_eq!(mismatch["object"]["name"], "orders-migrate");
    assert!(mismatch["help"].as_str().is_some_and(|h| !h.is_empty()));
    let related = mismatch["related"].as_array().unwrap();
    assert!(
        related.iter().any(
            |r| r["path"] == "testdata/repos/shop/apps/orders/deployment.yaml"
                && r["line"].as_u64().is_some()
                && r["label"].as_str().is_some_and(|l| !l.is_empty())
        ),
        "{mismatch}"
    );
    let backoff = diagnostics
        .iter()
        .find(|d| d["rule"] == "migration-backoff-limit")
        .unwrap();
    assert_eq!(backoff["field"], "/spec/backoffLimit");
}

#[test]
fn sarif_github_and_gitlab_carry_every_finding() {
    let findings = check_shop("concise").findings();

    let sarif = check_shop("sarif");
    sarif.expect(1);
    let v = json(&sarif.stdout);
    assert_eq!(v["version"], "2.1.0");
    let run0 = &v["runs"][0];
    assert_eq!(run0["tool"]["driver"]["name"], "synclint");
    let results = run0["results"].as_array().unwrap();
    assert_eq!(results.len(), findings.len());
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    for (r, f) in results.iter().zip(&findings) {
        assert_eq!(r["ruleId"], f.rule.as_str());
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], f.rule.as_str());
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], f.path.as_str());
        assert_eq!(loc["region"]["startLine"], f.line);
        // ASCII files: UTF-16 columns equal character columns.
        assert_eq!(loc["region"]["startColumn"], f.column);
        let level = if f.severity == "warning" {
            "warning"
        } else {
            "error"
        };
        assert_eq!(r["level"], level);
    }

    let github = check_shop("github");
    github.expect(1);
    let commands: Vec<&str> = github
        .stdout
        .lines()
        .filter(|l| l.starts_with("::"))
        .collect();
    assert_eq!(commands.len(), findings.len(), "{}", github.stdout);
    for (c, f) in commands.iter().zip(&findings) {
        let head = format!(
            "::{} file={},line={},col={},",
            f.severity, f.path, f.line, f.column
        );
        assert!(c.starts_with(&head), "{c} does not start with {head}");
        assert!(c.contains(&format!("title={}::", f.rule)), "{c}");
    }

    let gitlab = check_shop("gitlab");
    gitlab.expect(1);
    let issues = json(&gitlab.stdout);
    let issues = issues.as_array().unwrap();
    assert_eq!(issues.len(), findings.len());
    for (i, f) in issues.iter().zip(&findings) {
        assert_eq!(i["check_name"], f.rule.as_str());
        assert_eq!(i["location"]["path"], f.path.as_str());
        assert_eq!(i["location"]["lines"]["begin"], f.line);
        assert!(i["fingerprint"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(
            ["info", "minor", "major", "critical", "blocker"]
                .contains(&i["severity"].as_str().unwrap())
        );
    }

    let human = check_shop("human");
    human.expect(1);
    for f in &findings {
        assert!(
            human.stdout.contains(&format!("[{}]", f.at())),
            "human output lacks {}",
            f.at()
        );
    }
    assert!(
        human.stdout.contains("7 errors, 1 warning"),
        "{}",
        human.stdout
    );
}

// ---------------------------------------------------------------------------------------
// Output files

#[test]
fn output_file_gets_the_report_and_stdout_stays_empty() {
    let dir = TempDir::new("output");
    let expected = check_shop("json").stdout;
    for format in ["json", "human", "concise"] {
        let file = dir.path().join(format!("report.{format}"));
        let out = run(&[
            "check",
            SHOP,
            "--format",
            format,
            "--output",
            file.to_str().unwrap(),
        ]);
        out.expect(1);
        assert_eq!(out.stdout, "", "{format}: stdout is not empty");
        let written = std::fs::read_to_string(&file).unwrap();
        assert!(!written.contains('\u{1b}'), "{format}: colour in a file");
        if format == "json" {
            assert_eq!(written, expected);
        } else {
            assert!(
                written.contains("migrate-job.yaml:10:1"),
                "{format}:\n{written}"
            );
        }
    }
    // The short flag.
    let file = dir.path().join("short.txt");
    run(&["check", SHOP, "-o", file.to_str().unwrap()]).expect(1);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        check_shop("concise").stdout
    );
    // A directory that does not exist: one-line error, exit 2.
    let missing = dir.path().join("no/such/dir/report.json");
    let out = run(&["check", SHOP, "--output", missing.to_str().unwrap()]);
    out.expect(2);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    assert!(out.stderr.starts_with("synclint: error:"), "{}", out.stderr);
}

#[test]
fn sarif_output_is_written_in_addition_to_the_main_format() {
    let dir = TempDir::new("sarif-output");
    let sarif_file = dir.path().join("out.sarif");
    let out = run(&[
        "check",
        SHOP,
        "--format",
        "concise",
        "--sarif-output",
        sarif_file.to_str().unwrap(),
    ]);
    out.expect(1);
    assert_eq!(out.stdout, check_shop("concise").stdout);
    let written = std::fs::read_to_string(&sarif_file).unwrap();
    assert_eq!(written, check_shop("sarif").stdout);
    assert_eq!(
        json(&written)["runs"][0]["results"]
            .as_array()
            .unwrap()
            .len(),
        SHOP_FINDINGS.len()
    );

    // Both files at once, nothing on stdout; the SARIF has no colour even with --color always.
    let main_file = dir.path().join("out.json");
    let out = run(&[
        "check",
        SHOP,
        "--format",
        "json",
        "--color",
        "always",
        "--output",
        main_file.to_str().unwrap(),
        "--sarif-output",
        sarif_file.to_str().unwrap(),
    ]);
    out.expect(1);
    assert_eq!(out.stdout, "");
    assert_eq!(
        json(&std::fs::read_to_string(&main_file).unwrap())["summary"]["errors"],
        7
    );
    let sarif = std::fs::read_to_string(&sarif_file).unwrap();
    assert!(!sarif.contains('\u{1b}'));
    assert_eq!(json(&sarif)["version"], "2.1.0");
}

// ---------------------------------------------------------------------------------------
// Exit codes and rule selection

#[test]
fn fail_on_thresholds() {
    // The demo has errors and a warning.
    for (fail_on, code) in [("error", 1), ("warning", 1), ("note", 1), ("never", 0)] {
        run(&["check", SHOP, "--fail-on", fail_on]).expect(code);
    }
    // Only the warning.
    for (fail_on, code) in [("error", 0), ("warning", 1), ("note", 1), ("never", 0)] {
        let out = run(&[
            "check",
            SHOP,
            "--select",
            "hook-delete-policy",
            "--fail-on",
            fail_on,
        ]);
        out.expect(code);
        assert_eq!(rules_of(&out.findings()), ["hook-delete-policy"]);
    }
    // Only a note (severity changed by config).
    let repo = small_repo("fail-on-note");
    repo.write(
        ".synclint.yaml",
        "rules:\n  hook-active-deadline: note\n  migration-backoff-limit: \"off\"\n  annotation-not-string: \"off\"\n",
    );
    for (fail_on, code) in [("error", 0), ("warning", 0), ("note", 1), ("never", 0)] {
        let out = run_in(repo.path(), &["check", "--fail-on", fail_on], None);
        out.expect(code);
        let findings = out.findings();
        assert_eq!(rules_of(&findings), ["hook-active-deadline"]);
        assert_eq!(findings[0].severity, "note");
    }
    // An unknown threshold is a usage error.
    run(&["check", SHOP, "--fail-on", "loud"]).expect(2);
}

#[test]
fn select_and_ignore_filter_rules() {
    let all = check_shop("concise").findings();
    let out = run(&[
        "check",
        SHOP,
        "--select",
        "hook-dependency-order,hook-secret-shared",
    ]);
    out.expect(1);
    let got = out.findings();
    let want: Vec<Finding> = all
        .iter()
        .filter(|f| f.rule == "hook-dependency-order" || f.rule == "hook-secret-shared")
        .cloned()
        .collect();
    assert_eq!(got, want);
    assert_eq!(got.len(), 3);

    // Repeated flags add up, spaces after commas are fine.
    let out = run(&[
        "check",
        SHOP,
        "--select",
        "hook-dependency-order",
        "--select",
        " hook-secret-shared",
    ]);
    assert_eq!(out.findings(), want);

    let out = run(&[
        "check",
        SHOP,
        "--ignore",
        "hook-dependency-order, migration-image-mismatch",
    ]);
    out.expect(1);
    let got = out.findings();
    let want: Vec<Finding> = all
        .iter()
        .filter(|f| f.rule != "hook-dependency-order" && f.rule != "migration-image-mismatch")
        .cloned()
        .collect();
    assert_eq!(got, want);
    assert_eq!(got.len(), 5);

    // --ignore wins over --select.
    let out = run(&[
        "check",
        SHOP,
        "--select",
        "hook-secret-shared,hook-delete-policy",
        "--ignore",
        "hook-secret-shared",
    ]);
    assert_eq!(rules_of(&out.findings()), ["hook-delete-policy"]);
}

#[test]
fn unknown_rule_ids_are_usage_errors() {
    for flag in ["--select", "--ignore"] {
        let out = run(&["check", SHOP, flag, "hook-secret-shared,no-such-rule"]);
        out.expect(2);
        assert_eq!(out.stdout, "", "{flag}");
        assert_eq!(out.stderr.lines().count(), 1, "{flag}: {}", out.stderr);
        assert!(out.stderr.starts_with("synclint: error:"), "{}", out.stderr);
        assert!(out.stderr.contains("no-such-rule"), "{}", out.stderr);
    }
}

// ---------------------------------------------------------------------------------------
// File, directory and stdin arguments

#[test]
fn a_file_argument_limits_findings_but_keeps_cross_file_context() {
    let out = run(&["check", "testdata/repos/shop/apps/orders/secret.yaml"]);
    out.expect(1);
    let findings = out.findings();
    assert_eq!(findings.len(), 1, "{}", out.stdout);
    // hook-secret-shared needs the Deployment in deployment.yaml.
    assert_eq!(
        findings[0].at(),
        "testdata/repos/shop/apps/orders/secret.yaml:6:30"
    );
    assert_eq!(findings[0].rule, "hook-secret-shared");
    assert!(
        findings[0].message.contains("orders-api"),
        "{}",
        findings[0].message
    );
    // The whole repository was read.
    assert_eq!(out.summary(), "1 error in 3 apps (7 files)");

    // A file without findings: exit 0, even though the repository has some.
    let out = run(&["check", "testdata/repos/shop/apps/orders/deployment.yaml"]);
    out.expect(0);
    assert!(out.findings().is_empty());

    // Two files, and a directory.
    let out = run(&[
        "check",
        "testdata/repos/shop/apps/orders/secret.yaml",
        "testdata/repos/shop/apps/orders/deployment.yaml",
    ]);
    assert_eq!(rules_of(&out.findings()), ["hook-secret-shared"]);
    let out = run(&["check", "testdata/repos/shop/apps/orders"]);
    assert_eq!(out.findings(), check_shop("concise").findings());
    let out = run(&["check", "testdata/repos/shop/apps/billing"]);
    out.expect(0);
    assert!(
        out.summary().starts_with("no problems found"),
        "{}",
        out.stdout
    );

    // Run from inside the repository with a relative path.
    let out = run_in(
        &crate_root().join(SHOP),
        &["check", "apps/orders/secret.yaml"],
        None,
    );
    out.expect(1);
    assert_eq!(out.findings()[0].at(), "apps/orders/secret.yaml:6:30");
}

const JOB_PATH: &str = "testdata/repos/shop/apps/orders/migrate-job.yaml";

#[test]
fn stdin_buffer_replaces_the_file_on_disk() {
    let on_disk = std::fs::read_to_string(crate_root().join(JOB_PATH)).unwrap();
    assert!(!on_disk.contains("backoffLimit"));
    let fixed = on_disk.replace("\nspec:\n", "\nspec:\n  backoffLimit: 0\n");
    assert_ne!(fixed, on_disk);
    let out = run_in(
        &crate_root(),
        &["check", "-", "--stdin-filename", JOB_PATH],
        Some(&fixed),
    );
    out.expect(1);
    let findings = out.findings();
    assert!(
        findings.iter().all(|f| f.path == JOB_PATH),
        "{}",
        out.stdout
    );
    let rules = rules_of(&findings);
    assert!(
        !rules.contains(&"migration-backoff-limit"),
        "{}",
        out.stdout
    );
    assert!(rules.contains(&"hook-active-deadline"), "{}", out.stdout);
    // Lines after the inserted one moved: the buffer, not the disk, was linted.
    let at: Vec<String> = findings
        .iter()
        .map(|f| format!("{} {}", f.at(), f.rule))
        .collect();
    assert!(
        at.contains(&format!("{JOB_PATH}:15:27 hook-dependency-order")),
        "{at:?}"
    );
    assert!(
        at.contains(&format!("{JOB_PATH}:18:18 migration-image-mismatch")),
        "{at:?}"
    );
    assert_eq!(findings.len(), 6, "{}", out.stdout);

    // The unchanged buffer gives what linting the file gives.
    let same = run_in(
        &crate_root(),
        &["check", "-", "--stdin-filename", JOB_PATH],
        Some(&on_disk),
    );
    assert_eq!(same.stdout, run(&["check", JOB_PATH]).stdout);

    // A fully fixed Job: no findings in that file.
    let clean = on_disk
        .replace("HookSucceeded", "BeforeHookCreation,HookSucceeded")
        .replace("sync-wave: -1", "sync-wave: \"-1\"")
        .replace(
            "\nspec:\n",
            "\nspec:\n  backoffLimit: 0\n  activeDeadlineSeconds: 600\n",
        )
        .replace("orders:2.4.0", "orders:2.4.1")
        .replace("      serviceAccountName: orders\n", "")
        .replace("name: orders-db", "name: orders-db-migration");
    let out = run_in(
        &crate_root(),
        &["check", "-", "--stdin-filename", JOB_PATH],
        Some(&clean),
    );
    let findings = out.findings();
    let rules = rules_of(&findings);
    for rule in [
        "migration-backoff-limit",
        "hook-active-deadline",
        "migration-image-mismatch",
        "annotation-not-string",
    ] {
        assert!(
            !rules.contains(&rule),
            "{rule} still reported:\n{}",
            out.stdout
        );
    }
}

#[test]
fn stdin_buffer_for_a_new_file() {
    let job = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: orders-backfill-migration\n  annotations:\n    argocd.argoproj.io/hook: PreSync\n    argocd.argoproj.io/hook-delete-policy: BeforeHookCreation\nspec:\n  backoffLimit: 0\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n        - name: m\n          image: ghcr.io/acme/orders:2.4.1\n";
    for path in [
        "testdata/repos/shop/apps/orders/new-job.yaml",
        "testdata/repos/shop/apps/not-yet-created/new-job.yaml",
    ] {
        let out = run_in(
            &crate_root(),
            &["check", "-", "--stdin-filename", path],
            Some(job),
        );
        out.expect(1);
        let findings = out.findings();
        assert_eq!(
            rules_of(&findings),
            ["hook-active-deadline"],
            "{path}:\n{}",
            out.stdout
        );
        assert_eq!(findings[0].at(), format!("{path}:8:1"));
    }
    // `-` without a name is a usage error.
    let out = run_in(&crate_root(), &["check", "-"], Some(job));
    out.expect(2);
    assert!(
        out.stderr.starts_with("synclint: error:") && out.stderr.contains("--stdin-filename"),
        "{}",
        out.stderr
    );
}

// ---------------------------------------------------------------------------------------
// Suppressions

/// A hook migration Job with two findings on `spec:` (line 8), and a ConfigMap with an
/// unquoted annotation (line 5) in another file.
const JOB: &str = "apiVersion: batch/v1
kind: Job
metadata:
  name: db-migrate
  annotations:
    argocd.argoproj.io/hook: PreSync
    argocd.argoproj.io/hook-delete-policy: BeforeHookCreation
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: m
          image: app:1
          command: [\"python\", \"manage.py\", \"migrate\"]
";

const CONFIG_MAP: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  annotations: {replicas: 3}
";

fn small_repo(name: &str) -> TempDir {
    let repo = TempDir::repo(name);
    repo.write("app/job.yaml", JOB);
    repo.write("app/config.yaml", CONFIG_MAP);
    repo
}

fn findings_in(repo: &TempDir) -> Vec<String> {
    let out = run_in(repo.path(), &["check", "."], None);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    out.findings()
        .iter()
        .map(|f| format!("{}: {} [{}]", f.at(), f.severity, f.rule))
        .collect()
}

const DEADLINE: &str = "app/job.yaml:8:1: error [hook-active-deadline]";
const BACKOFF: &str = "app/job.yaml:8:1: error [migration-backoff-limit]";
const NOT_STRING: &str = "app/config.yaml:5:27: error [annotation-not-string]";

#[test]
fn small_repo_baseline() {
    let repo = small_repo("baseline");
    assert_eq!(findings_in(&repo), [NOT_STRING, DEADLINE, BACKOFF]);
}

#[test]
fn annotation_suppression() {
    let repo = small_repo("annotation");
    let job = JOB.replace(
        "  annotations:\n",
        "  annotations:\n    synclint.io/ignore: \"migration-backoff-limit -- the tool retries safely\"\n",
    );
    repo.write("app/job.yaml", &job);
    // The Job moved one line down; only the named rule is gone, and only on this object.
    assert_eq!(
        findings_in(&repo),
        [NOT_STRING, "app/job.yaml:9:1: error [hook-active-deadline]"]
    );

    // A list of rules.
    let job = JOB.replace(
        "  annotations:\n",
        "  annotations:\n    synclint.io/ignore: \"hook-active-deadline, migration-backoff-limit\"\n",
    );
    repo.write("app/job.yaml", &job);
    assert_eq!(findings_in(&repo), [NOT_STRING]);
}

#[test]
fn trailing_comment_suppression() {
    let repo = small_repo("trailing");
    repo.write(
        "app/job.yaml",
        &JOB.replace(
            "\nspec:\n",
            "\nspec: # synclint: ignore[hook-active-deadline] has a default\n",
        ),
    );
    assert_eq!(findings_in(&repo), [NOT_STRING, BACKOFF]);

    // A trailing comment on the line above applies to its own line only.
    let job = JOB.replace(
        "BeforeHookCreation\nspec:",
        "BeforeHookCreation # synclint: ignore[hook-active-deadline]\nspec:",
    );
    repo.write("app/job.yaml", &job);
    assert_eq!(findings_in(&repo), [NOT_STRING, DEADLINE, BACKOFF]);
}

#[test]
fn own_line_comment_suppression() {
    let repo = small_repo("own-line");
    let job = JOB.replace(
        "\nspec:\n",
        "\n# synclint: ignore[migration-backoff-limit, hook-active-deadline] legacy\nspec:\n",
    );
    repo.write("app/job.yaml", &job);
    assert_eq!(findings_in(&repo), [NOT_STRING]);

    // Two lines above is too far.
    let job = JOB.replace(
        "\nspec:\n",
        "\n# synclint: ignore[migration-backoff-limit]\n\nspec:\n",
    );
    repo.write("app/job.yaml", &job);
    assert_eq!(
        findings_in(&repo),
        [
            NOT_STRING,
            "app/job.yaml:10:1: error [hook-active-deadline]",
            "app/job.yaml:10:1: error [migration-backoff-limit]"
        ]
    );

    // Another rule's name does not silence this one.
    let job = JOB.replace(
        "\nspec:\n",
        "\n# synclint: ignore[hook-delete-policy]\nspec:\n",
    );
    repo.write("app/job.yaml", &job);
    assert_eq!(
        findings_in(&repo),
        [
            NOT_STRING,
            "app/job.yaml:9:1: error [hook-active-deadline]",
            "app/job.yaml:9:1: error [migration-backoff-limit]"
        ]
    );
}

#[test]
fn ignore_file_comment_suppression() {
    let repo = small_repo("ignore-file");
    repo.write(
        "app/job.yaml",
        &format!("{JOB}# synclint: ignore-file[hook-active-deadline]\n"),
    );
    assert_eq!(findings_in(&repo), [NOT_STRING, BACKOFF]);
    // The other file is not affected by this file's comment.
    repo.write(
        "app/job.yaml",
        &format!("# synclint: ignore-file[annotation-not-string]\n{JOB}"),
    );
    assert_eq!(
        findings_in(&repo),
        [
            NOT_STRING,
            "app/job.yaml:9:1: error [hook-active-deadline]",
            "app/job.yaml:9:1: error [migration-backoff-limit]"
        ]
    );
}

#[test]
fn config_rule_off_and_severity_override() {
    let repo = small_repo("config-rules");
    repo.write(
        ".synclint.yaml",
        "rules:\n  migration-backoff-limit: \"off\"\n",
    );
    assert_eq!(findings_in(&repo), [NOT_STRING, DEADLINE]);
    // Unquoted `off` (a YAML 1.1 boolean) means the same.
    repo.write(".synclint.yaml", "rules:\n  migration-backoff-limit: off\n");
    assert_eq!(findings_in(&repo), [NOT_STRING, DEADLINE]);

    repo.write(
        ".synclint.yaml",
        "rules:\n  hook-active-deadline: warning\n  annotation-not-string: note\n",
    );
    assert_eq!(
        findings_in(&repo),
        [
            "app/config.yaml:5:27: note [annotation-not-string]",
            "app/job.yaml:8:1: warning [hook-active-deadline]",
            BACKOFF
        ]
    );
    let out = run_in(repo.path(), &["check", ".", "--format", "json"], None);
    let v = json(&out.stdout);
    assert_eq!(
        (
            v["summary"]["errors"].as_u64(),
            v["summary"]["warnings"].as_u64(),
            v["summary"]["notes"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(v["diagnostics"][1]["severity"], "warning");
}

#[test]
fn config_per_path_ignores() {
    let repo = small_repo("per-path");
    repo.write(
        ".synclint.yaml",
        "per-path-ignores:\n  \"app/job.yaml\": [hook-active-deadline]\n",
    );
    assert_eq!(findings_in(&repo), [NOT_STRING, BACKOFF]);
    repo.write(
        ".synclint.yaml",
        "per-path-ignores:\n  \"app/*.yaml\": hook-active-deadline, annotation-not-string\n",
    );
    assert_eq!(findings_in(&repo), [BACKOFF]);
    repo.write(
        ".synclint.yaml",
        "per-path-ignores:\n  app/config.yaml: [all]\n",
    );
    assert_eq!(findings_in(&repo), [DEADLINE, BACKOFF]);
    // A glob that matches nothing silences nothing.
    repo.write(".synclint.yaml", "per-path-ignores:\n  other/**: [all]\n");
    assert_eq!(findings_in(&repo), [NOT_STRING, DEADLINE, BACKOFF]);
}

#[test]
fn config_ignore_globs() {
    let repo = small_repo("ignore-globs");
    repo.write("vendor/job.yaml", JOB);
    assert_eq!(findings_in(&repo).len(), 5);
    repo.write(".synclint.yaml", "ignore: [vendor]\n");
    assert_eq!(findings_in(&repo), [NOT_STRING, DEADLINE, BACKOFF]);
    repo.write(
        ".synclint.yaml",
        "ignore:\n  - \"**/config.yaml\"\n  - vendor/**\n",
    );
    assert_eq!(findings_in(&repo), [DEADLINE, BACKOFF]);
    // An editor buffer for an ignored file is not linted either.
    repo.write(".synclint.yaml", "ignore: [vendor]\n");
    let out = run_in(
        repo.path(),
        &["check", "-", "--stdin-filename", "vendor/job.yaml"],
        Some(JOB),
    );
    out.expect(0);
    assert!(out.findings().is_empty(), "{}", out.stdout);
}

#[test]
fn explicit_config_file() {
    let repo = small_repo("explicit-config");
    let other = TempDir::new("explicit-config-file");
    let config = other.write("strict.yaml", "rules:\n  hook-active-deadline: \"off\"\n");
    let out = run_in(
        repo.path(),
        &["check", ".", "--config", config.to_str().unwrap()],
        None,
    );
    out.expect(1);
    assert_eq!(
        rules_of(&out.findings()),
        ["annotation-not-string", "migration-backoff-limit"]
    );
    // A config file that does not exist is an error, not a silent default.
    let out = run_in(
        repo.path(),
        &["check", ".", "--config", "missing.yaml"],
        None,
    );
    out.expect(2);
    assert!(
        out.stderr.starts_with("synclint: error:") && out.stderr.contains("missing.yaml"),
        "{}",
        out.stderr
    );
}

// ---------------------------------------------------------------------------------------
// Config errors

#[test]
fn config_errors_name_the_place() {
    let cases = [
        ("bogus: 1\n", ".synclint.yaml:1:1:", "bogus"),
        (
            "rules:\n  no-such-rule: error\n",
            ".synclint.yaml:2:3:",
            "no-such-rule",
        ),
        (
            "rules:\n  hook-active-deadline: loud\n",
            ".synclint.yaml:2:25:",
            "loud",
        ),
        (
            "# comment\nper-path-ignores:\n  app/**: [hook-active-deadline, nope]\n",
            ".synclint.yaml:3:34:",
            "nope",
        ),
        ("migrations:\n  cmds: [x]\n", ".synclint.yaml:2:3:", "cmds"),
        ("ignore: [\"a\n", ".synclint.yaml:1:", "invalid YAML"),
    ];
    for (text, place, word) in cases {
        let repo = small_repo("config-error");
        repo.write(".synclint.yaml", text);
        let out = run_in(repo.path(), &["check", "."], None);
        out.assert_one_line_error(&format!("{text:?}"), place);
        assert!(
            out.stderr.contains(word),
            "{text:?}: expected {word} in {}",
            out.stderr
        );

        // From elsewhere, the path is relative to the working directory.
        let parent = repo.path().parent().unwrap();
        let name = repo.path().file_name().unwrap().to_str().unwrap();
        let out = run_in(parent, &["check", name], None);
        out.expect(2);
        assert!(
            out.stderr.contains(&format!("{name}/{place}")),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn empty_configs_are_accepted() {
    for text in ["", "{}\n", "# nothing configured\n", "---\n"] {
        let repo = small_repo("empty-config");
        repo.write(".synclint.yaml", text);
        assert_eq!(
            findings_in(&repo),
            [NOT_STRING, DEADLINE, BACKOFF],
            "{text:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Clean repositories

#[test]
fn a_clean_repository_exits_0() {
    let repo = TempDir::repo("clean");
    repo.write(".synclint.yaml", "{}\n");
    repo.write(
        "app/job.yaml",
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: db-migrate\n  annotations:\n    argocd.argoproj.io/hook: PreSync\n    argocd.argoproj.io/hook-delete-policy: BeforeHookCreation\nspec:\n  backoffLimit: 0\n  activeDeadlineSeconds: 600\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n        - name: m\n          image: app:1\n          command: [\"python\", \"manage.py\", \"migrate\"]\n",
    );
    repo.write(
        "app/config.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata: {a: b}\n",
    );
    for fail_on in ["note", "warning", "error"] {
        let out = run_in(repo.path(), &["check", ".", "--fail-on", fail_on], None);
        out.expect(0);
        assert_eq!(out.stdout, "no problems found in 1 app (3 files)\n");
    }
    let out = run_in(
        repo.path(),
        &["check", ".", "--format", "human", "--color", "never"],
        None,
    );
    out.expect(0);
    assert!(out.stdout.contains("no problems found"), "{}", out.stdout);
    let out = run_in(repo.path(), &["check", "--format", "json"], None);
    out.expect(0);
    let v = json(&out.stdout);
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 0);
    assert_eq!(v["summary"]["errors"], 0);
    // -q: no summary.
    let out = run_in(repo.path(), &["check", "-q"], None);
    out.expect(0);
    assert_eq!(out.stdout, "");
}

// ---------------------------------------------------------------------------------------
// Other subcommands

#[test]
fn rules_table_and_json() {
    let ids = registered_rules();
    for id in [
        "yaml-syntax",
        "annotation-not-string",
        "hook-annotation-invalid",
        "hook-active-deadline",
        "migration-backoff-limit",
        "migration-image-mismatch",
        "hook-secret-shared",
        "hook-dependency-order",
        "migration-order",
        "migration-in-init-container",
        "migration-concurrency",
        "hook-delete-policy",
        "duplicate-resource",
        "unresolved-reference",
        "render-failed",
    ] {
        assert!(
            ids.iter().any(|i| i == id),
            "`rules --format json` lacks {id}"
        );
    }
    let json_out = run(&["rules", "--format", "json"]);
    for rule in json(&json_out.stdout).as_array().unwrap() {
        assert!(
            ["error", "warning", "note"].contains(&rule["severity"].as_str().unwrap()),
            "{rule}"
        );
        assert!(
            rule["summary"].as_str().is_some_and(|s| !s.is_empty()),
            "{rule}"
        );
    }
    let table = run(&["rules"]);
    table.expect(0);
    let lines = table.lines();
    assert_eq!(lines.len(), ids.len(), "{}", table.stdout);
    for (line, id) in lines.iter().zip(&ids) {
        let mut cols = line.split_whitespace();
        assert_eq!(cols.next(), Some(id.as_str()), "{line}");
        assert!(
            ["error", "warning", "note"].contains(&cols.next().unwrap_or("")),
            "{line}"
        );
        assert!(cols.next().is_some(), "no summary: {line}");
    }
    let deadline = lines
        .iter()
        .find(|l| l.starts_with("hook-active-deadline "))
        .unwrap();
    let cols: Vec<&str> = deadline.split_whitespace().collect();
    assert_eq!(cols[1], "error", "{deadline}");
    assert!(
        deadline.contains("has no activeDeadlineSeconds"),
        "{deadline}"
    );
}

#[test]
fn explain_prints_the_rule_page() {
    let out = run(&["explain", "hook-active-deadline"]);
    out.expect(0);
    let page = std::fs::read_to_string(crate_root().join("rules/hook-active-deadline.md")).unwrap();
    for section in [
        "## What it checks",
        "## Why it matters",
        "## Example",
        "## Use instead",
        "## How to suppress",
    ] {
        assert!(out.stdout.contains(section), "missing {section}");
        assert!(page.contains(section));
    }
    assert!(out.stdout.contains("activeDeadlineSeconds"));
    assert!(out.stdout.contains("# hook-active-deadline"));
    // Every rule has a page.
    for id in registered_rules() {
        let out = run(&["explain", &id]);
        out.expect(0);
        assert!(out.stdout.contains("## What it checks"), "{id}");
    }
}

#[test]
fn explain_unknown_rule_is_an_error() {
    let out = run(&["explain", "nope"]);
    out.expect(2);
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    assert!(
        out.stderr.starts_with("synclint: error:") && out.stderr.contains("nope"),
        "{}",
        out.stderr
    );
    // A near miss gets a hint.
    let out = run(&["explain", "active-deadline"]);
    out.expect(2);
    assert!(
        out.stderr.contains("hook-active-deadline"),
        "{}",
        out.stderr
    );
}

#[test]
fn completions_print_a_script() {
    let out = run(&["completions", "bash"]);
    out.expect(0);
    assert!(out.stdout.contains("_synclint()"), "{}", out.stdout);
    assert!(
        out.stdout.contains("complete "),
        "bash script registers itself"
    );
    assert!(out.stdout.contains("--stdin-filename"));
    for shell in ["zsh", "fish"] {
        let out = run(&["completions", shell]);
        out.expect(0);
        assert!(out.stdout.contains("synclint"), "{shell}");
    }
    run(&["completions", "cmd.exe"]).expect(2);
}

#[test]
fn usage_errors_exit_2() {
    let out = run(&["check", "testdata/repos/does-not-exist"]);
    out.expect(2);
    assert_eq!(
        out.stderr,
        "synclint: error: path `testdata/repos/does-not-exist` does not exist\n"
    );
    run(&["check", SHOP, "--format", "xml"]).expect(2);
    run(&["frobnicate"]).expect(2);
}

#[test]
fn baseline_hides_accepted_findings_wherever_synclint_runs() {
    let tmp = TempDir::new("baseline");
    let baseline = tmp.path().join("baseline.json");
    let baseline_arg = baseline.to_str().unwrap();
    let wrote = run(&[
        "check",
        "testdata/repos/shop",
        "--write-baseline",
        baseline_arg,
    ]);
    assert_eq!(wrote.code, Some(0), "{}", wrote.stderr);
    assert!(
        wrote.stderr.contains("wrote 8 finding(s)"),
        "{}",
        wrote.stderr
    );
    // Read from inside the repository: paths print as `../..`, fingerprints do not change.
    let inside = crate_root().join("testdata/repos/shop/apps/orders");
    let out = run_in(
        &inside,
        &[
            "check",
            "../..",
            "--baseline",
            baseline_arg,
            "--format",
            "concise",
        ],
        None,
    );
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.starts_with("no problems found"),
        "{}",
        out.stdout
    );
    let bad = tmp.write("bad.json", "{\"findings\": 3}");
    let out = run(&[
        "check",
        "testdata/repos/shop",
        "--baseline",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.code, Some(2));
}

#[test]
fn paths_are_relative_to_the_working_directory() {
    let inside = crate_root().join("testdata/repos/shop/apps/orders");
    let out = run_in(
        &inside,
        &["check", "secret.yaml", "--format", "concise"],
        None,
    );
    assert!(
        out.stdout
            .starts_with("../../apps/orders/secret.yaml:6:30: error:"),
        "{}",
        out.stdout
    );
}

#[test]
fn readme_shows_the_real_demo_output() {
    let readme = std::fs::read_to_string(crate_root().join("README.md")).unwrap();
    let concise = run(&["check", "testdata/repos/shop", "--format", "concise"]);
    assert!(
        readme.contains(&concise.stdout),
        "README.md's concise demo output is stale; paste this:\n{}",
        concise.stdout
    );
    let human = run(&[
        "check",
        "testdata/repos/shop",
        "--format",
        "human",
        "--color",
        "never",
    ]);
    let summary = human.stdout.lines().last().unwrap();
    assert!(
        readme.contains(summary),
        "README.md lacks the summary line `{summary}`"
    );
}
