//! The ApplicationSets of the vehagn/homelab corpus repository, expanded against its
//! checkout. Each is a git directory generator over `k8s/<area>/*` with fasttemplate
//! `{{ path.basename }}` names; the expected names are the directories Argo CD's repo
//! server would list there (sorted, hidden ones skipped).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;

use super::names;
use super::repo::DiskRepo;
use crate::appset::{RepoView, SuppliedParams, expand, node_to_json};
use crate::load::yaml::{Bounds, parse};
use crate::source::FileId;

fn corpus_repo() -> Option<PathBuf> {
    let relative =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/repos/vehagn__homelab");
    let absolute = PathBuf::from("/work/shared/corpus/repos/vehagn__homelab");
    [relative, absolute].into_iter().find(|p| p.is_dir())
}

/// Every ApplicationSet in the repository: name, file, spec.
fn application_sets(repo: &DiskRepo) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for file in repo.list_files() {
        if !(file.ends_with(".yaml") || file.ends_with(".yml")) {
            continue;
        }
        let Some(text) = repo.read_file(&file) else {
            continue;
        };
        if !text.contains("kind: ApplicationSet") {
            continue;
        }
        let text: Arc<str> = Arc::from(text.as_str());
        let parsed = parse(FileId(0), &text, Bounds::default());
        for root in parsed.documents.iter().flatten() {
            let Ok(doc) = node_to_json(&parsed.tree, *root) else {
                continue;
            };
            if doc.get("kind").and_then(Value::as_str) != Some("ApplicationSet") {
                continue;
            }
            let name = doc
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            out.push((
                name,
                file.clone(),
                doc.get("spec").cloned().unwrap_or(Value::Null),
            ));
        }
    }
    out
}

#[test]
fn homelab_application_sets_expand_to_their_directories() {
    let Some(root) = corpus_repo() else {
        eprintln!("skipped: the vehagn__homelab corpus repository is not present");
        return;
    };
    let repo = DiskRepo { root };
    let expected: BTreeMap<&str, Vec<&str>> = BTreeMap::from([
        (
            "applications",
            vec!["dev", "external", "homepage", "media", "utils"],
        ),
        ("dev", vec!["s9n", "whoami"]),
        ("external", vec!["haos", "proxmox", "truenas"]),
        ("homepage", vec!["blog", "stonegarden"]),
        ("media", vec!["arr", "audiobookshelf", "jellyfin", "plex"]),
        ("utils", vec!["torrent", "unpoller", "unrar"]),
        (
            "infrastructure",
            vec![
                "auth",
                "controllers",
                "database",
                "monitoring",
                "network",
                "storage",
                "users",
                "vpn",
            ],
        ),
        ("auth", vec!["authelia", "lldap"]),
        (
            "controllers",
            vec![
                "argocd",
                "cert-manager",
                "intel-device-plugins",
                "node-feature-discovery",
                "sealed-secrets",
            ],
        ),
        ("database", vec!["cnpg"]),
        (
            "monitoring",
            vec!["grafana", "hubble", "kube-prometheus-stack"],
        ),
        ("network", vec!["cilium", "cloudflared", "dns", "gateway"]),
        ("storage", vec!["proxmox-csi"]),
        ("vpn", vec!["coturn", "netbird"]),
    ]);
    let sets = application_sets(&repo);
    let mut actual: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, file, spec) in &sets {
        let out = expand(spec, &repo, &SuppliedParams::default());
        assert_eq!(out.errors, vec![], "{file}");
        assert_eq!(out.notes, vec![], "{file}");
        let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
        for app in &out.applications {
            let basename = app
                .application
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            // `path: '{{ path }}'` renders to the directory the name came from.
            assert_eq!(
                app.application
                    .pointer("/spec/source/path")
                    .and_then(Value::as_str),
                Some(format!("{dir}/{basename}").as_str()),
                "{file}"
            );
            // Templates without finalizers get Argo CD's resources finalizer.
            assert_eq!(
                app.application
                    .pointer("/metadata/finalizers/0")
                    .and_then(Value::as_str),
                Some("resources-finalizer.argocd.argoproj.io"),
            );
        }
        eprintln!("{name} ({file}): {}", names(&out).join(", "));
        actual.insert(name.clone(), names(&out));
    }
    let expected: BTreeMap<String, Vec<String>> = expected
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.into_iter().map(str::to_string).collect()))
        .collect();
    assert_eq!(actual, expected);
}
