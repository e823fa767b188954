use std::collections::HashMap;

use serde_json::json;

use super::repo::MemoryRepo;
use super::{field, names, spec_of};
use crate::appset::{Params, SuppliedParams, expand, git_repositories};

/// The layout of argo-cd's `applicationset/examples` used by the docs.
fn examples_repo() -> MemoryRepo {
    MemoryRepo::new(&[
        (
            "applicationset/examples/git-generator-directory/cluster-addons/argo-workflows/kustomization.yaml",
            "",
        ),
        (
            "applicationset/examples/git-generator-directory/cluster-addons/argo-workflows/sub/extra.yaml",
            "",
        ),
        (
            "applicationset/examples/git-generator-directory/cluster-addons/prometheus-operator/Chart.yaml",
            "",
        ),
        (
            "applicationset/examples/git-generator-directory/cluster-addons/.hidden/x.yaml",
            "",
        ),
        (
            "applicationset/examples/git-generator-directory/excludes/cluster-addons/argo-workflows/k.yaml",
            "",
        ),
        (
            "applicationset/examples/git-generator-directory/excludes/cluster-addons/exclude-helm-guestbook/Chart.yaml",
            "",
        ),
        (
            "applicationset/examples/git-generator-directory/excludes/cluster-addons/helm-guestbook/Chart.yaml",
            "",
        ),
        (
            "applicationset/examples/git-generator-files-discovery/cluster-config/engineering/dev/config.json",
            r#"{"aws_account": "123456", "asset_id": "11223344", "cluster": {"owner": "cluster-admin@company.com", "name": "engineering-dev", "address": "https://1.2.3.4"}}"#,
        ),
        (
            "applicationset/examples/git-generator-files-discovery/cluster-config/engineering/prod/config.json",
            r#"{"aws_account": "123456", "asset_id": "11223344", "cluster": {"owner": "cluster-admin@company.com", "name": "engineering-prod", "address": "https://2.4.6.8"}}"#,
        ),
        (
            "applicationset/examples/git-generator-files-discovery/apps/guestbook/kustomization.yaml",
            "",
        ),
        (
            "clusters/list.yaml",
            "- name: a\n  replicas: 2\n- name: b\n",
        ),
        (
            "applicationset/examples/matrix/cluster-addons/argo-workflows/kustomization.yaml",
            "",
        ),
        (
            "applicationset/examples/matrix/cluster-addons/prometheus-operator/Chart.yaml",
            "",
        ),
    ])
}

#[test]
fn git_directories_cluster_addons_with_go_template() {
    let spec = spec_of(
        r#"
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
  - git:
      repoURL: https://github.com/argoproj/argo-cd.git
      revision: HEAD
      directories:
      - path: applicationset/examples/git-generator-directory/cluster-addons/*
  template:
    metadata:
      name: '{{.path.basename}}'
    spec:
      project: "my-project"
      source:
        repoURL: https://github.com/argoproj/argo-cd.git
        targetRevision: HEAD
        path: '{{.path.path}}'
      destination:
        server: https://kubernetes.default.svc
        namespace: '{{.path.basename}}'
"#,
    );
    let out = expand(&spec, &examples_repo(), &SuppliedParams::default());
    assert_eq!(out.errors, vec![]);
    assert_eq!(names(&out), ["argo-workflows", "prometheus-operator"]);
    assert_eq!(
        field(&out, 1, "/spec/source/path"),
        "applicationset/examples/git-generator-directory/cluster-addons/prometheus-operator"
    );
    assert_eq!(
        field(&out, 0, "/spec/destination/namespace"),
        "argo-workflows"
    );
    assert_eq!(
        out.applications[0].params["path"]["segments"],
        json!([
            "applicationset",
            "examples",
            "git-generator-directory",
            "cluster-addons",
            "argo-workflows"
        ])
    );
    assert_eq!(out.applications[0].generator, "/generators/0/git");
}

#[test]
fn git_directories_exclude_wins_and_flat_parameters() {
    let spec = spec_of(
        r#"
spec:
  generators:
  - git:
      repoURL: https://github.com/argoproj/argo-cd.git
      revision: HEAD
      directories:
      - path: applicationset/examples/git-generator-directory/excludes/cluster-addons/exclude-helm-guestbook
        exclude: true
      - path: applicationset/examples/git-generator-directory/excludes/cluster-addons/*
      values:
        app: '{{path.basename}}-{{path[1]}}'
  template:
    metadata:
      name: '{{path.basename}}'
      labels:
        segment: '{{path[3]}}'
        app: '{{values.app}}'
    spec:
      source:
        path: '{{path}}'
"#,
    );
    let out = expand(&spec, &examples_repo(), &SuppliedParams::default());
    assert_eq!(names(&out), ["argo-workflows", "helm-guestbook"]);
    assert_eq!(field(&out, 0, "/metadata/labels/segment"), "excludes");
    assert_eq!(
        field(&out, 1, "/metadata/labels/app"),
        "helm-guestbook-examples"
    );
    let p = &out.applications[0].params;
    assert_eq!(p["path.basenameNormalized"], "argo-workflows");
    assert_eq!(p["path[0]"], "applicationset");
    assert_eq!(p["values.app"], "argo-workflows-examples");
}

const FILES_SPEC: &str = r#"
spec:
  goTemplate: true
  generators:
  - git:
      repoURL: https://github.com/argoproj/argo-cd.git
      revision: HEAD
      files:
      - path: "applicationset/examples/git-generator-files-discovery/cluster-config/**/config.json"
  template:
    metadata:
      name: '{{.cluster.name}}-guestbook'
    spec:
      project: default
      source:
        repoURL: https://github.com/argoproj/argo-cd.git
        targetRevision: HEAD
        path: "applicationset/examples/git-generator-files-discovery/apps/guestbook"
      destination:
        server: '{{.cluster.address}}'
        namespace: guestbook
"#;

#[test]
fn git_files_discovery_with_go_template() {
    let out = expand(
        &spec_of(FILES_SPEC),
        &examples_repo(),
        &SuppliedParams::default(),
    );
    assert_eq!(out.errors, vec![]);
    assert_eq!(
        names(&out),
        ["engineering-dev-guestbook", "engineering-prod-guestbook"]
    );
    assert_eq!(
        field(&out, 1, "/spec/destination/server"),
        "https://2.4.6.8"
    );
    let path = &out.applications[0].params["path"];
    assert_eq!(
        path["path"],
        "applicationset/examples/git-generator-files-discovery/cluster-config/engineering/dev"
    );
    assert_eq!(path["basename"], "dev");
    assert_eq!(path["filename"], "config.json");
    assert_eq!(path["filenameNormalized"], "config.json");
    // The new globbing agrees here, as `**` spans the two directories.
    let new_globbing = SuppliedParams {
        new_git_file_globbing: true,
        ..SuppliedParams::default()
    };
    assert_eq!(
        names(&expand(
            &spec_of(FILES_SPEC),
            &examples_repo(),
            &new_globbing
        ))
        .len(),
        2
    );
}

#[test]
fn git_files_flat_parameters_and_globbing_dialects() {
    let spec = spec_of(
        r#"
spec:
  generators:
  - git:
      repoURL: https://github.com/argoproj/argo-cd.git
      revision: HEAD
      files:
      - path: "applicationset/examples/git-generator-files-discovery/cluster-config/*/config.json"
  template:
    metadata:
      name: '{{cluster.name}}-{{path.basename}}-{{path[4]}}'
    spec:
      destination:
        server: '{{cluster.address}}'
"#,
    );
    // `git ls-files` pathspecs: `*` crosses directories.
    let out = expand(&spec, &examples_repo(), &SuppliedParams::default());
    assert_eq!(
        names(&out),
        [
            "engineering-dev-dev-engineering",
            "engineering-prod-prod-engineering"
        ]
    );
    assert_eq!(out.applications[0].params["aws_account"], "123456");
    assert_eq!(out.applications[0].params["path.filename"], "config.json");
    // doublestar: `*` stays within one directory, so nothing matches.
    let new_globbing = SuppliedParams {
        new_git_file_globbing: true,
        ..SuppliedParams::default()
    };
    assert_eq!(
        names(&expand(&spec, &examples_repo(), &new_globbing)).len(),
        0
    );
}

#[test]
fn git_file_holding_a_list_yields_one_set_per_item() {
    let spec = spec_of(
        r#"
spec:
  generators:
  - git:
      repoURL: https://example.com/repo.git
      files:
      - path: clusters/list.yaml
  template:
    metadata:
      name: '{{name}}-{{replicas}}'
"#,
    );
    let out = expand(&spec, &examples_repo(), &SuppliedParams::default());
    assert_eq!(names(&out), ["a-2", "b-{{replicas}}"]);
}

#[test]
fn list_generator_from_the_docs() {
    let spec = spec_of(
        r#"
spec:
  generators:
  - list:
      elements:
      - cluster: engineering-dev
        url: https://kubernetes.default.svc
        values:
          env: dev
      - cluster: engineering-prod
        url: https://kubernetes.default.svc
      elementsYaml: |
        - cluster: from-yaml
          url: https://9.9.9.9
  template:
    metadata:
      name: '{{cluster}}-guestbook'
    spec:
      project: "my-project"
      source:
        repoURL: https://github.com/argoproj/argo-cd.git
        targetRevision: HEAD
        path: applicationset/examples/list-generator/guestbook/{{cluster}}
      destination:
        server: '{{url}}'
        namespace: '{{values.env}}'
"#,
    );
    let out = expand(&spec, &examples_repo(), &SuppliedParams::default());
    assert_eq!(out.errors, vec![]);
    assert_eq!(
        names(&out),
        [
            "engineering-dev-guestbook",
            "engineering-prod-guestbook",
            "from-yaml-guestbook"
        ]
    );
    assert_eq!(
        field(&out, 0, "/spec/source/path"),
        "applicationset/examples/list-generator/guestbook/engineering-dev"
    );
    assert_eq!(field(&out, 0, "/spec/destination/namespace"), "dev");
    assert_eq!(
        field(&out, 1, "/spec/destination/namespace"),
        "{{values.env}}"
    );
}

#[test]
fn list_generator_flat_values_must_be_strings() {
    let spec = spec_of(
        "spec:\n  generators:\n  - list:\n      elements:\n      - cluster: a\n        replicas: 3\n  template:\n    metadata:\n      name: x\n",
    );
    let out = expand(&spec, &examples_repo(), &SuppliedParams::default());
    assert_eq!(out.errors.len(), 1);
    assert_eq!(
        out.errors[0].pointer,
        "/generators/0/list/elements/0/replicas"
    );
    assert!(
        out.errors[0]
            .message
            .contains("error parsing value as string")
    );
}

const MATRIX_SPEC: &str = r#"
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
  - matrix:
      generators:
      - git:
          repoURL: https://github.com/argoproj/argo-cd.git
          revision: HEAD
          directories:
          - path: applicationset/examples/matrix/cluster-addons/*
      - list:
          elements:
          - name: staging
            server: https://1.2.3.4
            config: '{{.path.basename}}-staging.yaml'
          - name: production
            server: https://2.4.6.8
            config: '{{.path.basename}}-production.yaml'
  template:
    metadata:
      name: '{{.path.basename}}-{{.name}}'
    spec:
      project: '{{index .path.segments 1}}'
      source:
        repoURL: https://github.com/argoproj/argo-cd.git
        targetRevision: HEAD
        path: '{{.path.path}}'
        helm:
          valueFiles: ['{{.config}}']
      destination:
        server: '{{.server}}'
        namespace: '{{.path.basename}}'
"#;

#[test]
fn matrix_git_and_list_with_interpolated_second_child() {
    let out = expand(
        &spec_of(MATRIX_SPEC),
        &examples_repo(),
        &SuppliedParams::default(),
    );
    assert_eq!(out.errors, vec![]);
    assert_eq!(
        names(&out),
        [
            "argo-workflows-staging",
            "argo-workflows-production",
            "prometheus-operator-staging",
            "prometheus-operator-production"
        ]
    );
    assert_eq!(
        field(&out, 3, "/spec/destination/server"),
        "https://2.4.6.8"
    );
    assert_eq!(
        field(&out, 2, "/spec/source/helm/valueFiles/0"),
        "prometheus-operator-staging.yaml"
    );
    assert_eq!(field(&out, 0, "/spec/project"), "examples");
    assert_eq!(out.applications[0].generator, "/generators/0/matrix");
}

#[test]
fn matrix_errors_and_flat_conflicts() {
    let one_child = spec_of(
        "spec:\n  generators:\n  - matrix:\n      generators:\n      - list:\n          elements: [{a: b}]\n",
    );
    let out = expand(&one_child, &examples_repo(), &SuppliedParams::default());
    assert!(
        out.errors[0]
            .message
            .contains("found less than two generators")
    );
    let conflict = spec_of(
        "spec:\n  generators:\n  - matrix:\n      generators:\n      - list:\n          elements: [{name: a}]\n      - list:\n          elements: [{name: b}]\n  template:\n    metadata:\n      name: '{{name}}'\n",
    );
    let out = expand(&conflict, &examples_repo(), &SuppliedParams::default());
    assert!(
        out.errors[0]
            .message
            .contains("found duplicate key name with different value"),
        "{:?}",
        out.errors
    );
    let too_deep = spec_of(
        "spec:\n  generators:\n  - matrix:\n      generators:\n      - matrix:\n          generators:\n          - matrix: {generators: []}\n          - list: {elements: [{}]}\n      - list: {elements: [{}]}\n",
    );
    let out = expand(&too_deep, &examples_repo(), &SuppliedParams::default());
    assert!(
        out.errors[0].message.contains("nest only one level deep"),
        "{:?}",
        out.errors
    );
}

#[test]
fn matrix_with_path_param_prefix() {
    let spec = spec_of(
        r#"
spec:
  generators:
  - matrix:
      generators:
      - git:
          repoURL: https://github.com/argoproj/argo-cd.git
          directories:
          - path: applicationset/examples/matrix/cluster-addons/*
          pathParamPrefix: addon
      - git:
          repoURL: https://github.com/argoproj/argo-cd.git
          files:
          - path: applicationset/examples/git-generator-files-discovery/cluster-config/engineering/dev/config.json
          pathParamPrefix: cfg
  template:
    metadata:
      name: '{{addon.path.basename}}-{{cfg.path.basename}}-{{cluster.name}}'
"#,
    );
    let out = expand(&spec, &examples_repo(), &SuppliedParams::default());
    assert_eq!(out.errors, vec![]);
    assert_eq!(
        names(&out),
        [
            "argo-workflows-dev-engineering-dev",
            "prometheus-operator-dev-engineering-dev"
        ]
    );
    assert_eq!(
        out.applications[0].params["addon.path[0]"],
        "applicationset"
    );
}

fn clusters() -> SuppliedParams {
    let cluster = |name: &str, server: &str, kafka: &str| -> Params {
        json!({"name": name, "nameNormalized": name, "server": server, "metadata": {"labels": {"use-kafka": kafka}}})
            .as_object()
            .cloned()
            .unwrap_or_default()
    };
    SuppliedParams {
        by_generator: HashMap::from([(
            "clusters".to_string(),
            vec![
                cluster("staging", "https://1.2.3.4", "false"),
                cluster("production", "https://2.4.6.8", "true"),
            ],
        )]),
        ..SuppliedParams::default()
    }
}

#[test]
fn merge_generator_from_the_docs_with_supplied_clusters() {
    let spec = spec_of(
        r#"
spec:
  generators:
  - merge:
      mergeKeys:
      - server
      generators:
      - clusters:
          values:
            kafka: 'true'
            redis: 'false'
      - clusters:
          selector:
            matchLabels:
              use-kafka: 'false'
          values:
            kafka: 'false'
      - list:
          elements:
          - server: https://2.4.6.8
            values.redis: 'true'
  template:
    metadata:
      name: '{{name}}'
    spec:
      source:
        helm:
          parameters:
          - name: kafka
            value: '{{values.kafka}}'
          - name: redis
            value: '{{values.redis}}'
"#,
    );
    let out = expand(&spec, &examples_repo(), &clusters());
    assert_eq!(out.errors, vec![]);
    assert_eq!(names(&out), ["staging", "production"]);
    assert_eq!(
        field(&out, 0, "/spec/source/helm/parameters/0/value"),
        "false"
    );
    assert_eq!(
        field(&out, 0, "/spec/source/helm/parameters/1/value"),
        "false"
    );
    assert_eq!(
        field(&out, 1, "/spec/source/helm/parameters/0/value"),
        "true"
    );
    assert_eq!(
        field(&out, 1, "/spec/source/helm/parameters/1/value"),
        "true"
    );
}

#[test]
fn merge_requires_keys_and_unique_sets() {
    let no_keys = spec_of(
        "spec:\n  generators:\n  - merge:\n      generators:\n      - list: {elements: [{a: x}]}\n      - list: {elements: [{a: x}]}\n",
    );
    let out = expand(&no_keys, &examples_repo(), &SuppliedParams::default());
    assert!(out.errors[0].message.contains("no merge keys"));
    let duplicate = spec_of(
        "spec:\n  generators:\n  - merge:\n      mergeKeys: [a]\n      generators:\n      - list: {elements: [{a: x}, {a: x}]}\n      - list: {elements: [{a: x}]}\n",
    );
    let out = expand(&duplicate, &examples_repo(), &SuppliedParams::default());
    assert!(
        out.errors[0]
            .message
            .contains("Duplicate key was {\"a\":\"x\"}"),
        "{:?}",
        out.errors
    );
}

#[test]
fn cluster_generators_without_parameters_are_skipped_with_a_note() {
    let spec = spec_of(
        "spec:\n  generators:\n  - clusters: {}\n  - matrix:\n      generators:\n      - list: {elements: [{a: x}]}\n      - pullRequest: {github: {owner: o, repo: r}}\n  - list:\n      elements: [{name: kept}]\n  template:\n    metadata:\n      name: '{{name}}'\n",
    );
    let out = expand(&spec, &examples_repo(), &SuppliedParams::default());
    assert_eq!(names(&out), ["kept"]);
    let pointers: Vec<&str> = out.notes.iter().map(|n| n.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        [
            "/generators/0/clusters",
            "/generators/1/matrix/generators/1/pullRequest"
        ]
    );
    assert_eq!(out.errors, vec![]);
}

#[test]
fn selectors_filter_parameter_sets() {
    let spec = spec_of(
        r#"
spec:
  goTemplate: true
  generators:
  - list:
      elements:
      - {name: a, env: prod, tier: {level: "1"}}
      - {name: b, env: dev, tier: {level: "2"}}
      - {name: c, env: prod, tier: {level: "2"}}
    selector:
      matchLabels: {env: prod}
      matchExpressions:
      - {key: tier.level, operator: In, values: ["2"]}
  template:
    metadata:
      name: '{{.name}}'
"#,
    );
    let out = expand(&spec, &examples_repo(), &SuppliedParams::default());
    assert_eq!(names(&out), ["c"]);
}

#[test]
fn git_repositories_are_listed_and_foreign_ones_skipped() {
    struct OnlyArgo(MemoryRepo);
    impl crate::appset::RepoView for OnlyArgo {
        fn list_dirs(&self) -> Vec<String> {
            self.0.list_dirs()
        }
        fn list_files(&self) -> Vec<String> {
            self.0.list_files()
        }
        fn read_file(&self, path: &str) -> Option<String> {
            self.0.read_file(path)
        }
        fn is_checkout(&self, repo_url: &str, _revision: &str) -> bool {
            repo_url.contains("argoproj")
        }
    }
    let spec = spec_of(MATRIX_SPEC);
    let repos = git_repositories(&spec);
    assert_eq!(repos.len(), 1);
    assert_eq!(repos[0].pointer, "/generators/0/matrix/generators/0/git");
    assert_eq!(repos[0].revision, "HEAD");
    let foreign = spec_of(&MATRIX_SPEC.replace(
        "argoproj/argo-cd.git\n          revision",
        "elsewhere/x.git\n          revision",
    ));
    let out = expand(
        &foreign,
        &OnlyArgo(examples_repo()),
        &SuppliedParams::default(),
    );
    assert_eq!(names(&out).len(), 0);
    assert_eq!(
        out.notes[0].pointer,
        "/generators/0/matrix/generators/0/git"
    );
}
