use serde_json::json;

use crate::appset::fasttemplate::render;
use crate::appset::{Params, parse_yaml};

fn git_dir_params() -> Params {
    json!({
        "path": "applicationset/examples/cluster-addons/argo-workflows",
        "path.basename": "argo-workflows",
        "path.basenameNormalized": "argo-workflows",
        "path[0]": "applicationset",
        "path[3]": "argo-workflows",
        "values.cluster": "prod",
        "count": 3
    })
    .as_object()
    .cloned()
    .unwrap_or_default()
}

#[test]
fn replaces_string_parameters_with_or_without_spaces() {
    let p = git_dir_params();
    assert_eq!(render("{{path.basename}}", &p).unwrap(), "argo-workflows");
    assert_eq!(
        render("{{ path }}", &p).unwrap(),
        "applicationset/examples/cluster-addons/argo-workflows"
    );
    assert_eq!(
        render("{{path[0]}}-{{ values.cluster }}", &p).unwrap(),
        "applicationset-prod"
    );
    assert_eq!(
        render("a {{\tpath[3] }} b", &p).unwrap(),
        "a argo-workflows b"
    );
}

#[test]
fn unknown_and_non_string_tags_stay_verbatim() {
    let p = git_dir_params();
    assert_eq!(
        render("{{ unknown }}/{{path.basename}}", &p).unwrap(),
        "{{ unknown }}/argo-workflows"
    );
    assert_eq!(render("{{count}}", &p).unwrap(), "{{count}}");
    assert_eq!(render("{{}}{{ }}", &p).unwrap(), "{{}}{{ }}");
    assert_eq!(
        render("{{.path.basename}}", &p).unwrap(),
        "{{.path.basename}}"
    );
}

#[test]
fn unclosed_tags() {
    let p = git_dir_params();
    // No `{{...}}` on one line: Argo returns the text untouched.
    assert_eq!(render("{{ path\n}}", &p).unwrap(), "{{ path\n}}");
    assert_eq!(render("only {{ open", &p).unwrap(), "only {{ open");
    // With a complete tag somewhere, fasttemplate rejects the unclosed one.
    let e = render("{{path}} and {{ open", &p).unwrap_err();
    assert_eq!(e.offset, 13);
    // The first `}}` closes a tag, even after another `{{`.
    assert_eq!(render("{{a{{path}}", &p).unwrap(), "{{a{{path}}");
}

#[test]
fn yaml_reads_like_sigs_k8s_yaml() {
    let v = parse_yaml("a: yes\nb: 010\nc: '010'\nd: 1.5\ne: ~\nf: [1, x]\n7: seven\n")
        .unwrap()
        .unwrap();
    assert_eq!(
        v,
        json!({"a": true, "b": 8, "c": "010", "d": 1.5, "e": null, "f": [1, "x"], "7": "seven"})
    );
    assert_eq!(parse_yaml("").unwrap(), None);
    assert!(parse_yaml("a: [").is_err());
}
