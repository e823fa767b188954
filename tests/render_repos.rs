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

#[test]
fn argocd_source_overrides_are_merged_before_rendering() {
    use synclint::apps::{self, RepoIdentity};
    use synclint::config::Config;
    let root = repo("overlays");
    let mut loaded = synclint::load::load(
        &synclint::discover::discover(&root),
        &Default::default(),
        "",
    );
    let config = Config {
        repositories: vec!["https://github.com/acme/overlays".into()],
        ..Config::default()
    };
    let identity = RepoIdentity::new(&root, &config);
    let resolved = apps::resolve(&mut loaded, &apps::Settings::new(&identity, &root));
    let prod = resolved
        .apps
        .iter()
        .find(|a| a.name == "orders-prod")
        .unwrap();
    let mut images = Vec::new();
    for m in &prod.members {
        let object = &loaded.file(m.file).objects[m.index];
        let tree = loaded.tree(m.file);
        let pod = synclint::graph::pod::extract(tree, object.root, &object.kind);
        for c in pod.iter().flat_map(|p| &p.containers) {
            let node = c.image_node.unwrap();
            let span = tree.span(node);
            images.push((
                object.kind.clone(),
                tree.str(node).unwrap().to_string(),
                loaded.file(span.file).rel.clone(),
            ));
        }
    }
    images.sort();
    let from = "orders/overlays/prod/.argocd-source-orders-prod.yaml".to_string();
    assert_eq!(
        images,
        [
            (
                "Deployment".into(),
                "ghcr.io/acme/orders:1.5.1".into(),
                from.clone()
            ),
            ("Job".into(), "ghcr.io/acme/orders:1.5.1".into(), from),
        ]
    );
}

#[test]
fn multi_source_values_from_a_ref_and_the_last_source_wins() {
    if !helm_available() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("synclint-multi-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let write = |rel: &str, text: &str| {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        ".synclint.yaml",
        "repositories: [https://github.com/acme/multi]\n",
    );
    write(
        "argocd/api.yaml",
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: api}\nspec:\n  destination: {namespace: api}\n  sources:\n    - repoURL: https://github.com/acme/multi\n      path: charts/api\n      helm:\n        valueFiles: [$values/envs/prod.yaml]\n    - repoURL: https://github.com/acme/multi\n      ref: values\n    - repoURL: https://github.com/acme/multi\n      path: overrides\n",
    );
    write(
        "charts/api/Chart.yaml",
        "apiVersion: v2\nname: api\nversion: 0.1.0\n",
    );
    write("charts/api/values.yaml", "tag: dev\n");
    write(
        "charts/api/templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: api-config\ndata:\n  tag: {{ .Values.tag | quote }}\n",
    );
    write("envs/prod.yaml", "tag: prod\n");
    write(
        "overrides/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: api-config\ndata:\n  tag: override\n",
    );
    let mut loaded =
        synclint::load::load(&synclint::discover::discover(&dir), &Default::default(), "");
    let config = synclint::config::Config {
        repositories: vec!["https://github.com/acme/multi".into()],
        ..Default::default()
    };
    let identity = synclint::apps::RepoIdentity::new(&dir, &config);
    let resolved =
        synclint::apps::resolve(&mut loaded, &synclint::apps::Settings::new(&identity, &dir));
    let api = resolved.apps.iter().find(|a| a.name == "api").unwrap();
    let tags: Vec<String> = api
        .members
        .iter()
        .map(|m| {
            let o = &loaded.file(m.file).objects[m.index];
            let tree = loaded.tree(m.file);
            tree.path_str(o.root, &["data", "tag"]).unwrap().to_string()
        })
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    // The chart rendered `prod` from `$values/envs/prod.yaml`, and the later source's
    // ConfigMap of the same name replaced it (Argo CD's RepeatedResourceWarning).
    assert_eq!(tags, ["override"]);
    assert!(
        resolved.diagnostics.is_empty(),
        "{:?}",
        resolved.diagnostics
    );
}
