use serde_json::json;

use super::repo::MemoryRepo;
use super::{field, names, spec_of};
use crate::appset::{
    FieldSource, MissingKey, Params, SuppliedParams, Templating, apply_template_patch, expand,
    render_template,
};

fn source_of(out: &crate::appset::Expansion, app: usize, output: &str) -> String {
    out.applications[app]
        .fields
        .iter()
        .find(|f| f.output == output)
        .map_or_else(|| "<none>".to_string(), |f| f.source.clone())
}

fn run(yaml: &str) -> crate::appset::Expansion {
    expand(
        &spec_of(yaml),
        &MemoryRepo::default(),
        &SuppliedParams::default(),
    )
}

#[test]
fn template_patch_from_the_docs() {
    let out = run(r#"
spec:
  goTemplate: true
  generators:
  - list:
      elements:
      - cluster: engineering-dev
        url: https://kubernetes.default.svc
        autoSync: true
        prune: true
        valueFiles:
          - values.large.yaml
          - values.debug.yaml
  template:
    metadata:
      name: '{{.cluster}}-deployment'
    spec:
      project: "default"
      source:
        repoURL: https://github.com/infra-team/cluster-deployments.git
        targetRevision: HEAD
        path: guestbook/{{ .cluster }}
      destination:
        server: '{{.url}}'
        namespace: guestbook
  templatePatch: |
    spec:
      project: sneaky
      source:
        helm:
          valueFiles:
          {{- range $valueFile := .valueFiles }}
            - {{ $valueFile }}
          {{- end }}
    {{- if .autoSync }}
      syncPolicy:
        automated:
          prune: {{ .prune }}
    {{- end }}
"#);
    assert_eq!(out.errors, vec![]);
    let app = &out.applications[0].application;
    assert_eq!(
        app.pointer("/spec/source/helm/valueFiles"),
        Some(&json!(["values.large.yaml", "values.debug.yaml"]))
    );
    assert_eq!(
        app.pointer("/spec/syncPolicy/automated/prune"),
        Some(&json!(true))
    );
    assert_eq!(
        app.pointer("/spec/source/path"),
        Some(&json!("guestbook/engineering-dev"))
    );
    // A patch cannot move the Application to another project.
    assert_eq!(app.pointer("/spec/project"), Some(&json!("default")));
    assert_eq!(
        source_of(&out, 0, "/spec/syncPolicy/automated/prune"),
        "/templatePatch"
    );
    assert_eq!(source_of(&out, 0, "/spec/syncPolicy"), "/templatePatch");
    assert_eq!(source_of(&out, 0, "/spec/source/helm"), "/templatePatch");
    assert_eq!(
        source_of(&out, 0, "/spec/source/helm/valueFiles/1"),
        "/templatePatch"
    );
    assert_eq!(
        source_of(&out, 0, "/spec/source/path"),
        "/template/spec/source/path"
    );
    assert_eq!(
        source_of(&out, 0, "/spec/project"),
        "/template/spec/project"
    );
}

#[test]
fn generator_template_overrides_the_base_and_fields_keep_their_origin() {
    let out = run(r#"
spec:
  generators:
  - list:
      elements:
      - cluster: dev
      template:
        metadata:
          labels:
            tier: '{{cluster}}'
        spec:
          project: special
  template:
    metadata:
      name: '{{cluster}}-app'
      labels:
        team: core
    spec:
      project: default
      source:
        path: apps/{{cluster}}
"#);
    assert_eq!(out.errors, vec![]);
    assert_eq!(field(&out, 0, "/spec/project"), "special");
    assert_eq!(field(&out, 0, "/metadata/name"), "dev-app");
    assert_eq!(field(&out, 0, "/metadata/labels/tier"), "dev");
    assert_eq!(field(&out, 0, "/metadata/labels/team"), "core");
    assert_eq!(
        source_of(&out, 0, "/spec/project"),
        "/generators/0/list/template/spec/project"
    );
    assert_eq!(
        source_of(&out, 0, "/metadata/labels/tier"),
        "/generators/0/list/template/metadata/labels/tier"
    );
    assert_eq!(
        source_of(&out, 0, "/metadata/labels/team"),
        "/template/metadata/labels/team"
    );
    assert_eq!(
        source_of(&out, 0, "/spec/source/path"),
        "/template/spec/source/path"
    );
    // Argo CD adds the resources finalizer; it has no source in the spec.
    assert_eq!(
        field(&out, 0, "/metadata/finalizers/0"),
        "resources-finalizer.argocd.argoproj.io"
    );
    assert_eq!(source_of(&out, 0, "/metadata/finalizers/0"), "<none>");
}

#[test]
fn keys_are_templated_and_metadata_is_what_argo_copies() {
    let out = run(r#"
spec:
  syncPolicy:
    preserveResourcesOnDeletion: true
  generators:
  - list:
      elements:
      - cluster: dev
  template:
    metadata:
      name: '{{cluster}}'
      generateName: dropped-
      annotations:
        'example.com/{{cluster}}': 'yes-{{cluster}}'
    spec:
      source:
        helm:
          valuesObject:
            replicas: 2
            '{{cluster}}': true
"#);
    let app = &out.applications[0].application;
    assert_eq!(
        app.pointer("/metadata/annotations"),
        Some(&json!({"example.com/dev": "yes-dev"}))
    );
    assert_eq!(app.pointer("/metadata/generateName"), None);
    assert_eq!(app.pointer("/metadata/finalizers"), None);
    assert_eq!(
        app.pointer("/spec/source/helm/valuesObject"),
        Some(&json!({"replicas": 2, "dev": true}))
    );
    assert_eq!(
        source_of(&out, 0, "/metadata/annotations/example.com~1dev"),
        "/template/metadata/annotations/example.com~1{{cluster}}"
    );
}

#[test]
fn template_errors_point_at_the_field_and_offset() {
    let out = run(r#"
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
  - list:
      elements:
      - cluster: dev
  template:
    metadata:
      name: 'app-{{ .clusterName }}'
"#);
    assert_eq!(out.applications.len(), 0);
    assert_eq!(out.errors.len(), 1);
    assert_eq!(out.errors[0].pointer, "/template/metadata/name");
    assert_eq!(out.errors[0].offset, Some(7));
    assert!(
        out.errors[0]
            .message
            .contains("map has no entry for key \"clusterName\"")
    );
    let bad_option =
        run("spec:\n  goTemplate: true\n  goTemplateOptions: [\"missingkey=maybe\"]\n");
    assert_eq!(bad_option.errors[0].pointer, "/goTemplateOptions");
}

#[test]
fn duplicate_names_and_empty_parameter_sets() {
    let out = run(r#"
spec:
  generators:
  - list:
      elements:
      - cluster: a
      - cluster: a
      - {}
  template:
    metadata:
      name: 'app-{{cluster}}'
"#);
    assert_eq!(names(&out), ["app-a", "app-a", "app-{{cluster}}"]);
    // An empty parameter set leaves the template as it is, finalizer included.
    assert_eq!(field(&out, 2, "/metadata/finalizers"), "<absent>");
    assert_eq!(out.errors.len(), 1);
    assert_eq!(out.errors[0].pointer, "/template/metadata/name");
    assert!(
        out.errors[0]
            .message
            .contains("more than one Application named \"app-a\"")
    );
}

#[test]
fn unknown_generators_are_noted() {
    let out = run("spec:\n  generators:\n  - bogus: {}\n");
    assert_eq!(out.notes[0].pointer, "/generators/0");
    assert!(
        out.notes[0]
            .message
            .contains("unrecognized generator (bogus)")
    );
}

#[test]
fn public_render_template_and_patch() {
    let params: Params = json!({"name": "web", "path": {"basename": "web"}})
        .as_object()
        .cloned()
        .unwrap_or_default();
    let go = Templating {
        go_template: true,
        missing_key: MissingKey::Default,
    };
    let template = json!({"metadata": {"name": "{{ .name }}"}, "spec": {"list": ["{{ .path.basename | upper }}", 3]}});
    let rendered = render_template(&template, &params, &go).unwrap();
    assert_eq!(
        rendered.value,
        json!({"metadata": {"name": "web"}, "spec": {"list": ["WEB", 3]}})
    );
    assert!(rendered.fields.contains(&FieldSource {
        output: "/spec/list/0".into(),
        source: "/spec/list/0".into()
    }));
    let mut app = rendered.value;
    let touched = apply_template_patch(
        &mut app,
        "metadata:\n  labels:\n    app: '{{ .name }}'\n  name: null\n",
        &params,
        &go,
    )
    .unwrap();
    assert_eq!(
        app,
        json!({"metadata": {"labels": {"app": "web"}}, "spec": {"list": ["WEB", 3]}})
    );
    assert_eq!(
        touched,
        ["/metadata/labels", "/metadata/labels/app", "/metadata/name"]
    );
    let flat = Templating::default();
    assert_eq!(
        flat.render("{{name}}/{{ path }}", &params).unwrap(),
        "web/{{ path }}"
    );
}
