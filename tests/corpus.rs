//! The real-world corpus in `../shared/corpus`: synclint must finish on every repository
//! without a panic, and the findings per rule are pinned in snapshots, so a new false
//! positive (or a lost finding) shows up as a diff to review. The repositories and the
//! charts are rendered with Helm, so these tests need it (`../shared/tools/
//! install-test-tools.sh`); they skip with a message when the corpus or Helm is absent
//! (and fail in CI, where both must be present).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use synclint::lint::{Options, lint};

fn corpus(part: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(part);
    let ci = std::env::var_os("CI").is_some();
    if !path.is_dir() {
        assert!(!ci, "../shared/corpus/{part} is required in CI");
        eprintln!("skipped: ../shared/corpus/{part} not found");
        return None;
    }
    if synclint::helm::find_helm(None).is_err() {
        assert!(!ci, "helm is required in CI (.ci/run installs it)");
        eprintln!("skipped: helm not found (run ../shared/tools/install-test-tools.sh)");
        return None;
    }
    Some(path)
}

/// Findings per rule and severity, then every non-note finding in full.
fn summarize(name: &str, root: &Path, config: Option<PathBuf>) -> String {
    let outcome = lint(&Options {
        root: root.to_path_buf(),
        config,
        ..Options::default()
    })
    .unwrap();
    let mut counts: BTreeMap<(&str, String), usize> = BTreeMap::new();
    for d in &outcome.diagnostics {
        *counts.entry((d.rule, d.severity.to_string())).or_default() += 1;
    }
    let mut report = format!("{name}: {} apps, {} files\n", outcome.apps, outcome.files);
    for ((rule, severity), n) in counts {
        report += &format!("  {rule} {severity}: {n}\n");
    }
    for d in outcome
        .diagnostics
        .iter()
        .filter(|d| d.severity.to_string() != "note")
    {
        report += &format!(
            "    {}:{}: {} [{}]\n",
            d.location.path, d.location.line, d.message, d.rule
        );
    }
    report
}

#[test]
fn corpus_repositories_lint_cleanly_and_findings_are_pinned() {
    let Some(corpus) = corpus("repos") else {
        return;
    };
    let mut repos: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    repos.sort();
    let mut report = String::new();
    for repo in repos {
        let name = repo.file_name().unwrap().to_string_lossy().to_string();
        // What a repository's users would configure (values of a bootstrap chart
        // installed outside Git): testdata/corpus/<name>.synclint.yaml.
        let config = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/corpus")
            .join(format!("{name}.synclint.yaml"));
        report += &summarize(&name, &repo, config.is_file().then_some(config));
    }
    insta::assert_snapshot!("corpus", report);
}

/// The charts with migration hooks, with the values each needs (testdata/corpus).
#[test]
fn corpus_charts_render_and_their_hooks_are_linted() {
    let Some(charts) = corpus("charts") else {
        return;
    };
    let config =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/corpus/charts.synclint.yaml");
    insta::assert_snapshot!("charts", summarize("charts", &charts, Some(config)));
}
