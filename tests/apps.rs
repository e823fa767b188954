//! Which Application syncs which objects: app-of-apps, directory options, destination
//! namespaces, sources in other repositories, and implicit apps.

use std::collections::HashMap;
use std::path::PathBuf;

use synclint::apps::{self, Origin, RepoIdentity};
use synclint::config::Config;
use synclint::discover::discover;
use synclint::lint::{Options, lint};
use synclint::load::load;

fn platform() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/repos/platform")
}

/// App name → sorted `kind/name@namespace` of its objects.
fn resolved() -> (HashMap<String, Vec<String>>, apps::Apps) {
    let root = platform();
    let mut loaded = load(&discover(&root), &HashMap::new(), "");
    let config = Config {
        repositories: vec!["https://github.com/acme/platform".into()],
        ..Config::default()
    };
    let resolved = apps::resolve(
        &mut loaded,
        &apps::Settings::new(&RepoIdentity::new(&root, &config), &root),
    );
    let mut by_app = HashMap::new();
    for app in &resolved.apps {
        let mut objects: Vec<String> = app
            .members
            .iter()
            .map(|m| {
                let o = &loaded.file(m.file).objects[m.index];
                format!("{}/{}@{}", o.kind, o.name, m.namespace)
            })
            .collect();
        objects.sort();
        by_app.insert(app.name.clone(), objects);
    }
    (by_app, resolved)
}

#[test]
fn app_of_apps_children_are_resources_of_the_parent_and_apps_of_their_own() {
    let (apps, _) = resolved();
    assert_eq!(
        apps["root"],
        [
            "Application/chart@argocd",
            "Application/jobs@argocd",
            "Application/kust@argocd",
            "Application/web@argocd"
        ]
    );
    assert!(apps.contains_key("web") && apps.contains_key("jobs"));
}

#[test]
fn directory_recurse_exclude_and_destination_namespace() {
    let (apps, _) = resolved();
    // Namespaces are cluster-scoped; explicit namespaces win over the destination.
    assert_eq!(
        apps["web"],
        [
            "ConfigMap/web-settings@web-explicit",
            "Deployment/web@web",
            "Namespace/web@"
        ]
    );
}

#[test]
fn directory_include_selects_files() {
    let (apps, _) = resolved();
    assert_eq!(
        apps["jobs"],
        ["ConfigMap/migrate@jobs", "ConfigMap/worker@jobs"]
    );
}

#[test]
fn kustomize_and_helm_sources_are_rendered_and_other_repos_are_counted() {
    let (apps, resolved) = resolved();
    assert_eq!(apps["kust"], ["ConfigMap/kust-cm@kust"]);
    if helm_available() {
        // Release name = app name; the destination namespace applies.
        assert_eq!(apps["chart"], ["Job/chart-migrate@chart"]);
    } else {
        assert!(apps["chart"].is_empty());
        let failed: Vec<&str> = resolved
            .diagnostics
            .iter()
            .filter(|d| d.rule == "render-failed")
            .map(|d| d.message.as_str())
            .collect();
        assert!(
            failed
                .iter()
                .any(|m| m.contains("apps/chart") && m.contains("Helm not found")),
            "{failed:?}"
        );
    }
    // The Helm-repository chart and the other Git repository.
    assert_eq!(resolved.external_sources, 2);
}

fn helm_available() -> bool {
    let found = synclint::helm::find_helm(None).is_ok();
    if !found {
        eprintln!(
            "helm not found: checking the render-failed finding instead of the chart's objects"
        );
    }
    found
}

#[test]
fn manifests_outside_applications_form_implicit_apps() {
    let (apps, resolved) = resolved();
    assert_eq!(apps["loose"], ["ConfigMap/not-in-any-application@"]);
    assert!(
        resolved
            .apps
            .iter()
            .any(|a| matches!(&a.origin, Origin::Implicit { dir } if dir == "loose"))
    );
    // Files that an Application renders are not implicit apps too.
    assert!(!apps.contains_key("apps/web/base"));
    assert!(!apps.contains_key("apps/jobs"));
    // The Helm template is not parsed as YAML: no yaml-syntax finding for it.
    let outcome = lint(&Options {
        root: platform(),
        ..Options::default()
    })
    .unwrap();
    assert!(
        !outcome.diagnostics.iter().any(|d| d.rule == "yaml-syntax"),
        "{:?}",
        outcome.diagnostics
    );
}

#[test]
fn repo_url_without_known_remotes_falls_back_to_the_path() {
    let root = platform();
    let mut loaded = load(&discover(&root), &HashMap::new(), "");
    // No config and no .git: every source whose path exists in the checkout is local.
    let resolved = apps::resolve(
        &mut loaded,
        &apps::Settings::new(&RepoIdentity::new(&root, &Config::default()), &root),
    );
    let web = resolved.apps.iter().find(|a| a.name == "web").unwrap();
    assert_eq!(web.members.len(), 3);
    // `manifests` of acme/other-repo does not exist here, the chart has no path.
    assert_eq!(resolved.external_sources, 2);
}
