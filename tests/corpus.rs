//! The real-world corpus in `../shared/corpus/repos`: synclint must finish on every
//! repository without a panic, and the findings per rule are pinned in a snapshot, so a
//! new false positive (or a lost finding) shows up as a diff to review. Skips with a
//! message when the corpus is absent (it fails in CI, where it must be present).

use std::collections::BTreeMap;
use std::path::PathBuf;

use synclint::lint::{Options, lint};

#[test]
fn corpus_repositories_lint_cleanly_and_findings_are_pinned() {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/repos");
    let Ok(entries) = std::fs::read_dir(&corpus) else {
        if std::env::var_os("CI").is_some() {
            panic!("../shared/corpus/repos is required in CI");
        }
        eprintln!("skipped: ../shared/corpus/repos not found");
        return;
    };
    let mut repos: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    repos.sort();
    let mut report = String::new();
    for repo in repos {
        let name = repo.file_name().unwrap().to_string_lossy().to_string();
        let outcome = lint(&Options {
            root: repo.clone(),
            ..Options::default()
        })
        .unwrap();
        let mut counts: BTreeMap<(&str, String), usize> = BTreeMap::new();
        for d in &outcome.diagnostics {
            *counts.entry((d.rule, d.severity.to_string())).or_default() += 1;
        }
        report += &format!("{name}: {} apps, {} files\n", outcome.apps, outcome.files);
        for ((rule, severity), n) in counts {
            report += &format!("  {rule} {severity}: {n}\n");
        }
        // Every non-note finding, in full, so a reviewer sees what changed.
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
    }
    insta::assert_snapshot!("corpus", report);
}
