//! The rendering demo repositories in `testdata/repos/`: a Kustomize overlay repo, a Helm
//! chart repo and an ApplicationSet repo, linted end to end through the library, with
//! the findings each must (and must not) give and where they point.

use std::path::PathBuf;

use synclint::diagnostic::Diagnostic;
use synclint::lint::{Options, lint};

fn repo(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/repos")
        .join(name)
}

fn findings(name: &str) -> Vec<Diagnostic> {
    lint(&Options {
        root: repo(name),
        ..Options::default()
    })
    .unwrap()
    .diagnostics
}

fn at(d: &Diagnostic) -> String {
    format!("{}:{}", d.location.path, d.location.line)
}

fn helm_available() -> bool {
    let found = synclint::helm::find_helm(None).is_ok();
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "helm is required in CI (.ci/run installs it)"
        );
        eprintln!("skipped: helm not found (run ../shared/tools/install-test-tools.sh)");
    }
    found
}

#[test]
fn overlay_images_pin_both_and_a_deployment_only_patch_is_found_at_the_patch() {
    let all = findings("overlays");
    let mismatches: Vec<&Diagnostic> = all
        .iter()
        .filter(|d| d.rule == "migration-image-mismatch")
        .collect();
    // prod: `images:` sets 1.5.0 on the Deployment and the Job alike.
    assert!(
        mismatches
            .iter()
            .all(|d| d.app.as_deref() != Some("orders-prod")),
        "{mismatches:#?}"
    );
    // staging: only the Deployment is patched, to 1.6.0-rc1.
    let [staging] = mismatches.as_slice() else {
        panic!("expected one mismatch, got {mismatches:#?}");
    };
    assert_eq!(staging.app.as_deref(), Some("orders-staging"));
    assert_eq!(
        at(staging),
        "orders/overlays/staging/deployment-image.yaml:10"
    );
    assert!(staging.message.contains("1.6.0-rc1") && staging.message.contains("1.3.0"));
    assert!(
        staging
            .related
            .iter()
            .any(|r| r.location.path == "orders/base/migrate-job.yaml"),
        "{staging:#?}"
    );
    // Nothing else is wrong in this repository.
    let others: Vec<String> = all
        .iter()
        .filter(|d| d.rule != "migration-image-mismatch")
        .map(|d| format!("{} {}", at(d), d.message))
        .collect();
    assert!(others.is_empty(), "{others:#?}");
}

#[test]
fn helm_chart_findings_point_at_templates_and_name_their_values() {
    if !helm_available() {
        return;
    }
    let all = findings("helm-app");
    let summary: Vec<String> = all
        .iter()
        .map(|d| format!("{} [{}]", at(d), d.rule))
        .collect();
    assert_eq!(
        summary,
        [
            "charts/billing/templates/migrate-job.yaml:11 [hook-active-deadline]",
            "charts/billing/templates/migrate-job.yaml:18 [migration-image-mismatch]",
            "charts/billing/templates/secret.yaml:7 [hook-secret-shared]",
        ]
    );
    let mismatch = &all[1];
    let labels: Vec<String> = mismatch
        .related
        .iter()
        .map(|r| format!("{}:{} {}", r.location.path, r.location.line, r.label))
        .collect();
    assert!(
        labels.contains(&"charts/billing/values.yaml:9 value `migration.tag` is set here".into()),
        "{labels:#?}"
    );
    assert!(
        labels.contains(
            &"argocd/billing.yaml:19 value `image.tag` is set by this Application parameter".into()
        ),
        "{labels:#?}"
    );
}

#[test]
fn applicationsets_generate_the_apps_argo_cd_would() {
    let outcome = lint(&Options {
        root: repo("appset"),
        ..Options::default()
    })
    .unwrap();
    let summary: Vec<String> = outcome
        .diagnostics
        .iter()
        .map(|d| format!("{} [{}] {}", at(d), d.rule, d.app.as_deref().unwrap_or("")))
        .collect();
    // The api migration has no backoffLimit; both generated apps sync it (one finding).
    assert_eq!(
        summary,
        ["services/api/migrate.yaml:10 [migration-backoff-limit] api"]
    );
    // services, worker, canaries' api-canary, the argocd/ directory, and the
    // .archived directory (no Application generates it, so it is an implicit app).
    assert_eq!(outcome.apps, 5);
}
