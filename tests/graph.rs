//! The resource graph of the demo: hooks, phases, waves and Argo CD's apply order.

use std::collections::HashMap;
use std::path::PathBuf;

use synclint::apps::{self, RepoIdentity};
use synclint::config::Config;
use synclint::discover::discover;
use synclint::graph::AppGraph;
use synclint::graph::hooks::{DeletePolicy, Phase};
use synclint::graph::migration::Patterns;
use synclint::graph::pod::RefKind;
use synclint::load::load;

#[test]
fn apply_order_is_phase_then_wave_then_kind_then_name() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/repos/shop");
    let mut loaded = load(&discover(&root), &HashMap::new(), "");
    let resolved = apps::resolve(
        &mut loaded,
        &apps::Settings::new(&RepoIdentity::new(&root, &Config::default()), &root),
    );
    let orders = resolved.apps.iter().find(|a| a.name == "orders").unwrap();
    let graph = AppGraph::build(orders, &loaded, &Patterns::default());

    let order: Vec<String> = graph
        .apply_order()
        .iter()
        .map(|(i, key)| {
            format!(
                "{} {} {}/{}",
                key.phase.name(),
                key.wave,
                graph.resources[*i].kind,
                graph.resources[*i].name
            )
        })
        .collect();
    assert_eq!(
        order,
        [
            // The unquoted `-1` still parses as a wave: Argo CD reads the string "-1".
            "PreSync -1 Job/orders-migrate",
            "PreSync 0 Secret/orders-db",
            "Sync 0 ServiceAccount/orders",
            "Sync 0 Deployment/orders-api",
        ]
    );

    let job = graph
        .resources
        .iter()
        .find(|r| r.name == "orders-migrate")
        .unwrap();
    assert_eq!(job.hook.phases, [Phase::PreSync]);
    assert_eq!(job.hook.delete_policies, [DeletePolicy::HookSucceeded]);
    assert!(job.migration.is_some());
    assert_eq!(
        job.namespace, "orders",
        "the destination namespace applies to namespaced objects"
    );
    let image = job.pod.as_ref().unwrap().containers[0]
        .image
        .as_ref()
        .unwrap();
    assert_eq!(
        (
            image.registry.as_str(),
            image.repository.as_str(),
            image.tag.as_deref()
        ),
        ("ghcr.io", "acme/orders", Some("2.4.0"))
    );

    let secret = graph
        .resources
        .iter()
        .find(|r| r.name == "orders-db")
        .unwrap();
    assert_eq!(
        secret.hook.delete_policies,
        [DeletePolicy::BeforeHookCreation],
        "Argo CD's default"
    );
    let api = graph
        .resources
        .iter()
        .find(|r| r.name == "orders-api")
        .unwrap();
    assert_eq!(api.replicas, Some(3));
    let refs: Vec<(RefKind, &str)> = api
        .pod
        .as_ref()
        .unwrap()
        .references
        .iter()
        .map(|r| (r.kind, r.name.as_str()))
        .collect();
    assert_eq!(
        refs,
        [
            (RefKind::Secret, "orders-db"),
            (RefKind::ServiceAccount, "orders"),
            (RefKind::Secret, "registry-credentials")
        ]
    );
}
