use serde_json::json;

use crate::appset::gotemplate::{MissingKey, render};
use crate::appset::{Params, slugify};

fn params(v: serde_json::Value) -> Params {
    v.as_object().cloned().unwrap_or_default()
}

/// The git directory generator's parameters for `applicationset/examples/cluster-addons/argo-workflows`.
pub(super) fn git_dir() -> Params {
    params(json!({
        "path": {
            "path": "applicationset/examples/cluster-addons/argo-workflows",
            "basename": "argo-workflows",
            "basenameNormalized": "argo-workflows",
            "segments": ["applicationset", "examples", "cluster-addons", "argo-workflows"]
        },
        "name": "In-Cluster_Prod",
        "replicas": 3,
        "big": 1000000,
        "labels": {"team": "a", "env": "prod"},
        "nothing": null,
        "empty": ""
    }))
}

fn ok(text: &str) -> String {
    render(text, &git_dir(), MissingKey::Default).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn err(text: &str) -> crate::appset::TemplateError {
    render(text, &git_dir(), MissingKey::Default).expect_err(text)
}

#[test]
fn fields_index_and_pipelines_from_the_docs() {
    assert_eq!(ok("{{.path.basename}}"), "argo-workflows");
    assert_eq!(
        ok("{{ .path.path }}"),
        "applicationset/examples/cluster-addons/argo-workflows"
    );
    assert_eq!(ok("{{ index .path.segments 1 }}"), "examples");
    assert_eq!(ok("{{ .name | normalize }}"), "in-cluster-prod");
    assert_eq!(
        ok("{{ normalize .name }}-{{ .path.basename }}"),
        "in-cluster-prod-argo-workflows"
    );
    assert_eq!(
        ok("{{ .path.segments }}"),
        "[applicationset examples cluster-addons argo-workflows]"
    );
    assert_eq!(ok("{{ .labels }}"), "map[env:prod team:a]");
    assert_eq!(
        ok("{{ (index .path.segments 2) | upper }}"),
        "CLUSTER-ADDONS"
    );
}

#[test]
fn numbers_print_as_go_float64() {
    assert_eq!(ok("{{ .replicas }}"), "3");
    assert_eq!(ok("{{ .big }}"), "1e+06");
    assert_eq!(
        ok("{{ 3 }} {{ 1.5 }} {{ 1e3 }} {{ 0x10 }} {{ 'a' }}"),
        "3 1.5 1000 16 97"
    );
    assert_eq!(ok("{{ add .replicas 2 }}"), "5");
    // float64 and int do not compare in Go templates.
    assert!(
        err("{{ eq .replicas 3 }}")
            .message
            .contains("incompatible types for comparison")
    );
    assert_eq!(ok("{{ eq .replicas 3.0 }}"), "true");
    assert_eq!(ok("{{ eq (int .replicas) 3 }}"), "true");
}

#[test]
fn missing_keys_print_no_value_or_fail_with_missingkey_error() {
    assert_eq!(ok("{{ .missing }}"), "<no value>");
    assert_eq!(ok("{{ .missing.deeper }}"), "<no value>");
    assert_eq!(ok("{{ .nothing }}"), "<no value>");
    assert_eq!(ok("{{ .missing | default \"dflt\" }}"), "dflt");
    let e = render("name: {{ .path.missing }}", &git_dir(), MissingKey::Error).unwrap_err();
    assert_eq!(e.message, "map has no entry for key \"missing\"");
    assert_eq!(e.offset, 9);
    assert!(render("{{ .missing.deeper }}", &git_dir(), MissingKey::Error).is_err());
    assert!(
        err("{{ .nothing.x }}")
            .message
            .contains("nil pointer evaluating")
    );
    assert!(
        err("{{ .name.x }}")
            .message
            .contains("can't evaluate field x in type string")
    );
}

#[test]
fn trim_markers_and_comments() {
    assert_eq!(ok("a  {{- .replicas -}}  b"), "a3b");
    assert_eq!(ok("a {{/* a comment */}} b"), "a  b");
    assert_eq!(ok("a \n{{- /* trimmed */ -}}\n b"), "ab");
    assert_eq!(ok("{{-3}}"), "-3");
    assert!(
        err("{{ /* not a comment */ }}")
            .message
            .contains("unexpected")
    );
}

#[test]
fn control_structures() {
    assert_eq!(
        ok("{{ if eq .path.basename \"x\" }}x{{ else if .replicas }}r{{ else }}e{{ end }}"),
        "r"
    );
    assert_eq!(ok("{{ if .empty }}full{{ else }}empty{{ end }}"), "empty");
    assert_eq!(
        ok("{{ range $i, $s := .path.segments }}{{ $i }}={{ $s }};{{ end }}"),
        "0=applicationset;1=examples;2=cluster-addons;3=argo-workflows;"
    );
    assert_eq!(
        ok("{{ range $k, $v := .labels }}{{ $k }}:{{ $v }},{{ end }}"),
        "env:prod,team:a,"
    );
    assert_eq!(
        ok(
            "{{ range .path.segments }}{{ if eq . \"examples\" }}{{ break }}{{ end }}{{ . }} {{ end }}"
        ),
        "applicationset "
    );
    assert_eq!(
        ok(
            "{{ range .path.segments }}{{ if eq . \"examples\" }}{{ continue }}{{ end }}{{ len . }} {{ end }}"
        ),
        "14 14 14 "
    );
    assert_eq!(ok("{{ range .missing }}x{{ else }}none{{ end }}"), "none");
    assert_eq!(
        ok("{{ with .path }}{{ .basename }} in {{ $.name }}{{ end }}"),
        "argo-workflows in In-Cluster_Prod"
    );
    assert_eq!(
        ok("{{ with .missing }}x{{ else with .labels }}{{ .team }}{{ end }}"),
        "a"
    );
    assert_eq!(
        ok("{{ $x := .path.basename }}{{ $x = upper $x }}{{ $x }}"),
        "ARGO-WORKFLOWS"
    );
    assert_eq!(ok("{{ range 3 }}{{ . }}{{ end }}"), "012");
    assert!(err("{{ if .x }}").message.contains("unexpected EOF"));
    assert!(err("{{ end }}").message.contains("unexpected {{end}}"));
    assert!(
        err("{{ $undefined }}")
            .message
            .contains("undefined variable")
    );
    assert!(err("{{ break }}").message.contains("outside {{range}}"));
}

#[test]
fn builtins() {
    assert_eq!(
        ok("{{ and .replicas .empty }}|{{ or .empty .name }}|{{ not .empty }}"),
        "|In-Cluster_Prod|true"
    );
    assert_eq!(ok("{{ len .path.segments }} {{ len .name }}"), "4 15");
    assert_eq!(
        ok("{{ printf \"%s-%d-%05.1f-%q-%v\" .name 7 .replicas \"q\" .labels }}"),
        "In-Cluster_Prod-7-003.0-\"q\"-map[env:prod team:a]"
    );
    assert_eq!(ok("{{ printf \"%d\" .replicas }}"), "%!d(float64=3)");
    assert_eq!(ok("{{ print \"a\" 1 2 \"b\" }}"), "a1 2b");
    assert_eq!(ok("{{ println 1 \"x\" }}"), "1 x\n");
    assert_eq!(
        ok("{{ html \"<a href='x'>\" }}"),
        "&lt;a href=&#39;x&#39;&gt;"
    );
    assert_eq!(ok("{{ js \"it's <b>\" }}"), "it\\'s \\u003Cb\\u003E");
    assert_eq!(ok("{{ urlquery \"a b&c\" }}"), "a+b%26c");
    assert_eq!(
        ok("{{ lt 1 2 }} {{ ge \"b\" \"a\" }} {{ ne .name \"x\" }}"),
        "true true true"
    );
    assert_eq!(ok("{{ slice .name 3 10 }}"), "Cluster");
    assert!(
        err("{{ index .path.segments 9 }}")
            .message
            .contains("index out of range: 9")
    );
    assert!(
        err("{{ nosuchfunc .name }}")
            .message
            .contains("function \"nosuchfunc\" not defined")
    );
}

#[test]
fn sprig_strings() {
    assert_eq!(
        ok("{{ default \"d\" .empty }} {{ default \"d\" .name }}"),
        "d In-Cluster_Prod"
    );
    assert_eq!(
        ok(
            "{{ empty .empty }} {{ coalesce .empty .missing \"c\" }} {{ ternary \"y\" \"n\" true }}"
        ),
        "true c y"
    );
    assert_eq!(
        ok("{{ lower .name }} {{ upper \"a\" }} {{ title \"hello wide-world\" }}"),
        "in-cluster_prod A Hello Wide-World"
    );
    assert_eq!(
        ok(
            "{{ trim \"  x \" }}{{ trimPrefix \"v\" \"v1.2\" }}{{ trimSuffix \".yaml\" \"a.yaml\" }}{{ trimAll \"$\" \"$5$\" }}"
        ),
        "x1.2a5"
    );
    assert_eq!(
        ok("{{ replace \"-\" \"_\" .path.basename }}"),
        "argo_workflows"
    );
    assert_eq!(
        ok(
            "{{ contains \"argo\" .path.basename }} {{ hasPrefix \"argo\" .path.basename }} {{ hasSuffix \"x\" .name }}"
        ),
        "true true false"
    );
    assert_eq!(
        ok("{{ quote .name \"a\\\"b\" }} {{ squote .replicas }}"),
        "\"In-Cluster_Prod\" \"a\\\"b\" '3'"
    );
    assert_eq!(ok("{{ cat \"a\" .replicas .missing \"b\" }}"), "a 3 b");
    assert_eq!(
        ok("{{ join \"/\" .path.segments }}"),
        "applicationset/examples/cluster-addons/argo-workflows"
    );
    assert_eq!(
        ok("{{ (split \"-\" .path.basename)._1 }} {{ splitList \"-\" .path.basename }}"),
        "workflows [argo workflows]"
    );
    assert_eq!(
        ok(
            "{{ trunc 4 .path.basename }} {{ trunc -4 .path.basename }} {{ substr 0 4 .path.basename }}"
        ),
        "argo lows argo"
    );
    assert_eq!(
        ok("{{ toString .replicas }} {{ int \"42\" }} {{ atoi \"7\" }} {{ atoi \"x\" }}"),
        "3 42 7 0"
    );
    assert_eq!(
        ok(
            "{{ sub 10 3 }} {{ mul 2 3 4 }} {{ div 7 2 }} {{ mod 7 2 }} {{ add1 1 }} {{ max 1 5 2 }}"
        ),
        "7 24 3 1 2 5"
    );
    assert!(err("{{ div 1 0 }}").message.contains("divide by zero"));
    assert!(
        err("{{ lower .replicas }}")
            .message
            .contains("expected string; got float64")
    );
    assert_eq!(
        ok("{{ \"x\" | repeat 3 }}{{ indent 2 \"a\\nb\" }}"),
        "xxx  a\n  b"
    );
}

#[test]
fn sprig_collections_and_encodings() {
    assert_eq!(
        ok(
            "{{ $d := dict \"a\" 1 \"b\" \"two\" }}{{ $_ := set $d \"c\" true }}{{ $d }} {{ get $d \"b\" }} {{ hasKey $d \"c\" }} {{ keys $d }}"
        ),
        "map[a:1 b:two c:true] two true [a b c]"
    );
    assert_eq!(
        ok("{{ list 1 \"a\" .replicas }} {{ first .path.segments }} {{ last .path.segments }}"),
        "[1 a 3] applicationset argo-workflows"
    );
    assert_eq!(
        ok("{{ toJson .labels }} {{ toJson (list \"<a>\" 1.5 .big) }}"),
        "{\"env\":\"prod\",\"team\":\"a\"} [\"\\u003ca\\u003e\",1.5,1000000]"
    );
    assert_eq!(
        ok("{{ (fromJson \"{\\\"a\\\": {\\\"b\\\": 2}}\").a.b }}"),
        "2"
    );
    assert_eq!(ok("{{ toYaml .labels }}"), "env: prod\nteam: a");
    assert_eq!(
        ok(
            "{{ toYaml (dict \"list\" (list \"x\" \"true\" 3) \"map\" (dict \"k\" \"a: b\") \"text\" \"l1\\nl2\\n\") }}"
        ),
        "list:\n- x\n- \"true\"\n- 3\nmap:\n  k: 'a: b'\ntext: |\n  l1\n  l2"
    );
    assert_eq!(ok("{{ (fromYaml \"a:\\n  - 1\\n  - x\").a }}"), "[1 x]");
    assert_eq!(
        ok("{{ b64enc \"argo\" }} {{ b64dec \"YXJnbw==\" }} {{ b64dec \"!\" }}"),
        "YXJnbw== argo illegal base64 data at input byte 0"
    );
    assert_eq!(
        ok("{{ sha256sum \"abc\" }}"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        ok(
            "{{ uniq (list 1 1 2) }} {{ compact (list \"\" \"a\") }} {{ has \"examples\" .path.segments }}"
        ),
        "[1 2] [a] true"
    );
}

#[test]
fn slugify_follows_argo_cd() {
    assert_eq!(ok("{{ slugify .name }}"), "in-cluster-prod");
    assert_eq!(
        ok("{{ slugify 12 true \"hello world of argo\" }}"),
        "hello-world"
    );
    assert_eq!(
        ok("{{ slugify 12 false \"hello world of argo\" }}"),
        "hello-world"
    );
    assert_eq!(ok("{{ slugify 7 false \"hello world\" }}"), "hello-w");
    assert_eq!(
        slugify("Feature/JIRA-123_my.branch", 50, true),
        "feature-jira-123-my-branch"
    );
    assert_eq!(
        slugify("a-very-long-branch-name-that-goes-on", 20, true),
        "a-very-long-branch"
    );
}

#[test]
fn hostile_templates_stay_bounded() {
    let nested = "{{ range .path.segments }}".repeat(200);
    assert!(err(&nested).message.contains("nests deeper"));
    let data = params(json!({"xs": (0..400).collect::<Vec<_>>()}));
    let quadruple = "{{ range .xs }}{{ range $.xs }}{{ range $.xs }}{{ range $.xs }}x{{ end }}{{ end }}{{ end }}{{ end }}";
    let e = render(quadruple, &data, MissingKey::Default).unwrap_err();
    assert!(
        e.message.contains("budget") || e.message.contains("exceeds"),
        "{e}"
    );
    assert!(
        err("{{ repeat 100000000 \"xxxxxxxxxx\" }}")
            .message
            .contains("exceed")
    );
    assert!(
        err("{{ printf \"%999999999d\" 1 }}")
            .message
            .contains("too large")
    );
    assert!(
        err("{{ $d := dict }}{{ range 300 }}{{ $d = dict \"x\" $d }}{{ end }}")
            .message
            .contains("nested too deeply")
    );
    assert!(err("{{").message.contains("unclosed action"));
    assert!(err("{{ \"abc }}").message.contains("unterminated"));
    assert!(err("{{ (1 }}").message.contains("unclosed left paren"));
    for text in [
        "{{ . | . }}",
        "{{ $ := 1 }}",
        "{{ range $a, $b, $c := . }}{{end}}",
        "{{ 1.2.3 }}",
        "{{ index }}",
        "{{ slice .name 5 2 }}",
        "{{ else }}",
        "{{ .a.b.c.d.e.f }}{{ nil }}",
    ] {
        let _ = render(text, &git_dir(), MissingKey::Error);
    }
}
