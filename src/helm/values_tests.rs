use super::*;
use crate::helm::args::HelmParameter;
use crate::helm::tempdir::TempDir;

#[test]
fn references_on_a_template_line() {
    let cases: [(&str, &[&str]); 9] = [
        (
            r#"image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}""#,
            &["image.repository", "image.tag"],
        ),
        ("{{- if $.Values.job.enabled }}", &["job.enabled"]),
        (
            "{{ toYaml $root.Values.resources | nindent 4 }}",
            &["resources"],
        ),
        (r#"{{ index .Values "db" "pass-word" }}"#, &["db.pass-word"]),
        (
            r#"{{ (index $.Values.secrets `api-key`) | b64enc }}"#,
            &["secrets.api-key"],
        ),
        ("{{/* .Values.commented.out */}} {{ .Values.a }}", &["a"]),
        ("name: .Values.not.in.an.action", &[]),
        ("{{ .Values }} {{ .Chart.Values.x }} {{ .ValuesX.y }}", &[]),
        (
            "{{ .Values.a }}{{ .Values.a }}{{- .Values.b_2 -}}",
            &["a", "b_2"],
        ),
    ];
    for (line, want) in cases {
        assert_eq!(values_refs(line), want, "{line}");
    }
    // Unterminated actions and odd bytes do not panic.
    assert_eq!(values_refs("{{ .Values.x"), ["x"]);
    assert_eq!(values_refs("{{ index .Values \"é"), Vec::<String>::new());
    assert!(values_refs("{{ .Values.").is_empty());
}

const VALUES: &str = "# defaults
image:
  repository: ory/hydra
  tag: v2.2.0
job:
  annotations:
    helm.sh/hook: pre-install
list:
  - name: a
  - name: b
";

#[test]
fn values_are_found_by_path() {
    let at = |path: &str| find_value(VALUES, path).map(|r| &VALUES[r]);
    assert_eq!(at("image.tag"), Some("tag"));
    assert_eq!(at("image"), Some("image"));
    assert_eq!(
        at("job.annotations.helm.sh/hook"),
        None,
        "dots split the path"
    );
    assert_eq!(at("list.1.name"), Some("name"));
    assert_eq!(
        find_value(VALUES, "list.1.name").unwrap().start,
        VALUES.rfind("name").unwrap()
    );
    assert_eq!(at("image.missing"), None);
    assert_eq!(at("image.tag.deeper"), None);
    assert_eq!(find_value("{broken", "a"), None);
    assert_eq!(find_value("", "a"), None);
}

#[test]
fn origins_follow_argo_cd_precedence() {
    let tmp = TempDir::new().unwrap();
    let chart = tmp.path();
    std::fs::write(chart.join("values.yaml"), VALUES).unwrap();
    let prod = chart.join("prod.yaml");
    std::fs::write(&prod, "image:\n  tag: v3\n").unwrap();
    let mut options = HelmOptions::new("r");
    let origin = |o: &HelmOptions, p: &str| find_value_origin(chart, o, p);

    let chart_values = chart.join("values.yaml");
    assert!(
        matches!(origin(&options, "image.tag"), Some(ValueOrigin::File { path, key }) if path == chart_values && &VALUES[key.clone()] == "tag")
    );
    options.value_files = vec![prod.clone()];
    assert!(
        matches!(origin(&options, "image.tag"), Some(ValueOrigin::File { path, .. }) if path == prod)
    );
    assert!(
        matches!(origin(&options, "image.repository"), Some(ValueOrigin::File { path, .. }) if path == chart_values)
    );
    options.values = "image:\n  tag: v4\n".into();
    assert_eq!(
        origin(&options, "image.tag"),
        Some(ValueOrigin::InlineValues { key: Some(9..12) })
    );
    options.values_object = Some(serde_json::json!({"image": {"tag": "v5"}}));
    assert_eq!(
        origin(&options, "image.tag"),
        Some(ValueOrigin::InlineValues { key: None })
    );
    options.parameters = vec![HelmParameter {
        name: "image".into(),
        value: "{}".into(),
        force_string: false,
    }];
    assert_eq!(
        origin(&options, "image.tag"),
        Some(ValueOrigin::Parameter { index: 0 })
    );
    assert_eq!(origin(&options, "imagePullPolicy"), None);
}
