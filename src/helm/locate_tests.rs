use std::sync::Arc;

use super::*;
use crate::load::yaml::{Bounds, parse};
use crate::source::FileId;

/// Shaped like ory hydra's templates/job-migration.yaml.
const TEMPLATE: &str = r#"{{- include "hydra.automigration.typeVerification" . -}}
{{- if and ( .Values.hydra.automigration.enabled ) ( eq .Values.hydra.automigration.type "job" ) }}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ include "hydra.fullname" . }}-automigrate
  {{- if .Release.Namespace }}
  namespace: {{ .Release.Namespace }}
  {{- end }}
  labels:
    {{- include "hydra.labels" . | nindent 4 }}
  annotations:
    {{- with .Values.job.annotations }}
      {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {{ include "hydra.fullname" . }}-automigrate
    spec:
      containers:
      - name: {{ .Chart.Name }}-automigrate
        image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
        command: ["hydra"]
        env:
          {{- range .Values.env }}
          - name: {{ .name }}
            value: {{ .value | quote }}
          {{- end }}
        resources:
          {{- toYaml .Values.job.resources | nindent 10 }}
      {{- if .Values.job.sidecar }}
      - name: sidecar
        image: busybox
      {{- end }}
      restartPolicy: Never
  backoffLimit: {{ .Values.job.backoffLimit }}
{{- end }}
"#;

const RENDERED: &str = r#"apiVersion: batch/v1
kind: Job
metadata:
  name: rel-hydra-automigrate
  namespace: ns
  labels:
    app.kubernetes.io/name: hydra
  annotations:
    helm.sh/hook: pre-install
spec:
  template:
    metadata:
      labels:
        app.kubernetes.io/name: rel-hydra-automigrate
    spec:
      containers:
      - name: hydra-automigrate
        image: "oryd/hydra:v2"
        command: ["hydra"]
        env:
          - name: A
            value: "1"
          - name: B
            value: "2"
        resources:
          limits:
            cpu: 1
      - name: sidecar
        image: busybox
      restartPolicy: Never
  backoffLimit: 3
"#;

/// The template line a key was found on, and the value text found there.
type Hit = Option<(String, Option<String>)>;

/// Each rendered key's path (dotted) with what was found for it.
fn located(template: &str, rendered: &str) -> Vec<(String, Hit)> {
    let text: Arc<str> = rendered.into();
    let parsed = parse(FileId(0), &text, Bounds::default());
    let tree = &parsed.tree;
    let root = parsed.documents[0].unwrap();
    let mut locator = TemplateLocator::new(template);
    let found = locator.locate_document(tree, root);
    // Every key in document order, found or not.
    let mut all = Vec::new();
    collect_keys(tree, root, String::new(), &mut all);
    all.into_iter()
        .map(|(node, path)| {
            let hit = found.iter().find(|(n, _)| *n == node).map(|(_, loc)| {
                let line_start = template[..loc.key.start].rfind('\n').map_or(0, |i| i + 1);
                let line_end = template[loc.key.start..]
                    .find('\n')
                    .map_or(template.len(), |i| loc.key.start + i);
                let value = loc.value.clone().map(|v| template[v].to_string());
                (template[line_start..line_end].trim().to_string(), value)
            });
            (path, hit)
        })
        .collect()
}

fn collect_keys(tree: &Tree, node: NodeId, prefix: String, out: &mut Vec<(NodeId, String)>) {
    for entry in tree.entries(node) {
        let path = format!("{prefix}{}", tree.scalar(entry.key).unwrap().value);
        out.push((entry.key, path.clone()));
        collect_keys(tree, entry.value, format!("{path}."), out);
    }
    for (i, item) in tree.items(node).iter().enumerate() {
        collect_keys(tree, *item, format!("{prefix}{i}."), out);
    }
}

#[test]
fn keys_are_found_on_their_template_lines() {
    let results = located(TEMPLATE, RENDERED);
    let line = |path: &str| {
        results
            .iter()
            .find(|(p, _)| p == path)
            .unwrap_or_else(|| panic!("no key {path}"))
            .1
            .clone()
    };
    let at = |path: &str| line(path).map(|(l, _)| l);
    let value = |path: &str| line(path).and_then(|(_, v)| v);
    assert_eq!(at("kind").as_deref(), Some("kind: Job"));
    assert_eq!(value("kind").as_deref(), Some("Job"));
    assert_eq!(
        value("metadata.name").as_deref(),
        Some(r#"{{ include "hydra.fullname" . }}"#)
    );
    assert_eq!(
        at("metadata.namespace").as_deref(),
        Some("namespace: {{ .Release.Namespace }}")
    );
    assert_eq!(at("metadata.labels").as_deref(), Some("labels:"));
    // Written by an include: not found, and not confused with the pod's label below.
    assert_eq!(at("metadata.labels.app.kubernetes.io/name"), None);
    assert_eq!(at("metadata.annotations.helm.sh/hook"), None);
    assert_eq!(
        at("spec.template.metadata.labels.app.kubernetes.io/name").as_deref(),
        Some(r#"app.kubernetes.io/name: {{ include "hydra.fullname" . }}-automigrate"#)
    );
    let c = "spec.template.spec.containers";
    assert_eq!(
        at(&format!("{c}.0.name")).as_deref(),
        Some("- name: {{ .Chart.Name }}-automigrate")
    );
    assert_eq!(
        value(&format!("{c}.0.image")).as_deref(),
        Some("{{ .Values.image.repository }}")
    );
    assert_eq!(
        value(&format!("{c}.0.command")).as_deref(),
        Some(r#"["hydra"]"#)
    );
    // Items made by `range` share their template lines.
    for i in 0..2 {
        assert_eq!(
            at(&format!("{c}.0.env.{i}.name")).as_deref(),
            Some("- name: {{ .name }}")
        );
        assert_eq!(
            value(&format!("{c}.0.env.{i}.value")).as_deref(),
            Some("{{ .value | quote }}")
        );
    }
    assert_eq!(
        at(&format!("{c}.0.resources")).as_deref(),
        Some("resources:")
    );
    assert_eq!(at(&format!("{c}.0.resources.limits")), None);
    assert_eq!(at(&format!("{c}.0.resources.limits.cpu")), None);
    assert_eq!(
        at(&format!("{c}.1.name")).as_deref(),
        Some("- name: sidecar")
    );
    assert_eq!(
        at(&format!("{c}.1.image")).as_deref(),
        Some("image: busybox")
    );
    assert_eq!(
        at("spec.template.spec.restartPolicy").as_deref(),
        Some("restartPolicy: Never")
    );
    assert_eq!(
        value("spec.backoffLimit").as_deref(),
        Some("{{ .Values.job.backoffLimit }}")
    );
}

#[test]
fn documents_pick_their_template_section_by_kind() {
    let template = "{{- if .Values.rbac }}\nkind: Role\nmetadata:\n  name: r\n---\n\
                    kind: ServiceAccount\nmetadata:\n  name: sa\n{{- end }}\n";
    let mut locator = TemplateLocator::new(template);
    let name = [PathSegment::Key("metadata"), PathSegment::Key("name")];
    let value_of = |loc: Option<KeyLocation>| loc.and_then(|l| l.value).map(|v| &template[v]);
    // Helm prints the ServiceAccount first (install order), although it comes second.
    locator.start_document(Some("ServiceAccount"));
    assert!(locator.locate(&name[..1], None).is_some());
    assert_eq!(value_of(locator.locate(&name, None)), Some("sa"));
    locator.start_document(Some("Role"));
    assert!(locator.locate(&name[..1], None).is_some());
    assert_eq!(value_of(locator.locate(&name, None)), Some("r"));
    // A kind the template does not spell out falls back to the whole text.
    locator.start_document(Some("ConfigMap"));
    assert!(locator.locate(&name[..1], None).is_some());
}

#[test]
fn paths_can_be_given_one_by_one() {
    let template = "metadata:\n  \"quoted\": x\n  'single': y\nspec:\n  - a: 1\n";
    let mut locator = TemplateLocator::new(template);
    let key_of = |loc: Option<KeyLocation>| loc.map(|l| &template[l.key]);
    use PathSegment::{Index, Key};
    assert_eq!(
        key_of(locator.locate(&[Key("metadata")], None)),
        Some("metadata")
    );
    assert_eq!(
        key_of(locator.locate(&[Key("metadata"), Key("quoted")], None)),
        Some("quoted")
    );
    assert_eq!(
        key_of(locator.locate(&[Key("metadata"), Key("single")], None)),
        Some("single")
    );
    // Paths must end in a key.
    assert_eq!(locator.locate(&[Key("spec"), Index(0)], None), None);
    assert_eq!(locator.locate(&[], None), None);
    assert_eq!(
        key_of(locator.locate(&[Key("spec"), Index(0), Key("a")], None)),
        Some("a")
    );
    // Already passed: the scan is forward only outside lists.
    assert_eq!(locator.locate(&[Key("metadata")], None), None);
}

#[test]
fn odd_templates_do_not_panic() {
    for template in [
        "",
        "\n",
        "---",
        "{{",
        "key: {{",
        "- - -",
        "\"a\\",
        "'",
        "a: |\n",
        "é: ü\n  ñ:",
    ] {
        let mut locator = TemplateLocator::new(template);
        locator.start_document(None);
        let _ = locator.locate(&[PathSegment::Key("a")], None);
        let _ = locator.locate(&[PathSegment::Key("é"), PathSegment::Key("ñ")], None);
    }
}

#[test]
fn literal_values_keep_list_items_from_shifting() {
    let template = "env:\n{{- if .Values.dsn }}\n- name: DSN\n  valueFrom:\n    key: dsn\n{{- end }}\n\
                    - name: SECRET\n  valueFrom:\n    key: secret\n";
    let rendered = "env:\n- name: SECRET\n  valueFrom:\n    key: secret\n";
    let results = located(template, rendered);
    let at = |path: &str| {
        let hit = results
            .iter()
            .find(|(p, _)| p == path)
            .and_then(|(_, h)| h.clone());
        hit.map(|(line, _)| line)
    };
    assert_eq!(at("env.0.name").as_deref(), Some("- name: SECRET"));
    assert_eq!(at("env.0.valueFrom.key").as_deref(), Some("key: secret"));
}
