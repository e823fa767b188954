use serde_json::json;

use super::{BASE, PATCH, at, base, file_of, key_file_of, patch};
use crate::render::kustomize::patch::json6902;
use crate::render::value::Value;

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations: {a/b: slash, t~n: tilde}
spec:
  replicas: 1
  template:
    spec:
      containers:
      - {name: app, image: app:1, args: [a, b, c]}
      - {name: sidecar, image: side:1}
";

fn patched(operations: &str) -> Result<Value, String> {
    let mut object = base(DEPLOYMENT);
    json6902(&mut object, &patch(operations))?;
    Ok(object)
}

fn args(object: &Value) -> serde_json::Value {
    at(object, "spec.template.spec.containers.0.args").to_json()
}

#[test]
fn replace_a_container_image_with_the_patch_value() {
    let object =
        patched("- {op: replace, path: /spec/template/spec/containers/0/image, value: app:2}\n")
            .unwrap();
    let containers = at(&object, "spec.template.spec.containers");
    assert_eq!(containers.to_json()[0]["image"], json!("app:2"));
    assert_eq!(file_of(containers, "0.image"), PATCH);
    assert_eq!(file_of(containers, "0.name"), BASE);
}

#[test]
fn add_appends_with_dash_and_inserts_at_an_index() {
    let object = patched(
        "- {op: add, path: /spec/template/spec/containers/0/args/-, value: d}
- {op: add, path: /spec/template/spec/containers/0/args/0, value: first}
- {op: add, path: /spec/template/spec/containers/0/args/-1, value: last}
",
    )
    .unwrap();
    assert_eq!(args(&object), json!(["first", "a", "b", "c", "d", "last"]));
    assert_eq!(
        file_of(&object, "spec.template.spec.containers.0.args.0"),
        PATCH
    );
    assert_eq!(
        file_of(&object, "spec.template.spec.containers.0.args.1"),
        BASE
    );
}

#[test]
fn add_creates_only_the_last_key() {
    let object = patched("- {op: add, path: /spec/paused, value: {since: today}}\n").unwrap();
    assert_eq!(
        at(&object, "spec.paused").to_json(),
        json!({"since": "today"})
    );
    assert_eq!(key_file_of(&object, "spec.paused"), PATCH);
    assert_eq!(file_of(&object, "spec.paused.since"), PATCH);
    let error = patched("- {op: add, path: /spec/nothing/here, value: 1}\n").unwrap_err();
    assert!(error.contains("doc is missing path"), "{error}");
    let error = patched("- {op: add, path: /spec/template/spec/containers/0/args/5, value: x}\n");
    assert!(error.unwrap_err().contains("invalid index"));
}

#[test]
fn remove_elements_and_keys() {
    let object = patched(
        "- {op: remove, path: /spec/template/spec/containers/1}
- {op: remove, path: /spec/template/spec/containers/0/args/-1}
- {op: remove, path: /spec/replicas}
",
    )
    .unwrap();
    assert_eq!(
        at(&object, "spec.template.spec.containers").items().len(),
        1
    );
    assert_eq!(args(&object), json!(["a", "b"]));
    assert!(object.path(&["spec", "replicas"]).is_none());
    let error = patched("- {op: remove, path: /spec/nothing}\n").unwrap_err();
    assert!(
        error.contains("Unable to remove nonexistent key: nothing"),
        "{error}"
    );
}

#[test]
fn replace_needs_the_parent_but_adds_a_missing_map_key() {
    let object = patched("- {op: replace, path: /spec/paused, value: true}\n").unwrap();
    assert_eq!(at(&object, "spec.paused").to_json(), json!(true));
    let error = patched("- {op: replace, path: /spec/nothing/here, value: 1}\n").unwrap_err();
    assert!(error.contains("doc is missing path"), "{error}");
    let error = patched("- {op: replace, path: /spec/template/spec/containers/2, value: {}}\n");
    assert!(error.unwrap_err().contains("doc is missing key"));
}

#[test]
fn a_failed_test_stops_the_patch_and_changes_nothing() {
    let mut object = base(DEPLOYMENT);
    let operations = patch(
        "- {op: replace, path: /spec/replicas, value: 5}
- {op: test, path: /spec/replicas, value: '5'}
",
    );
    let error = json6902(&mut object, &operations).unwrap_err();
    assert_eq!(error, "testing value /spec/replicas failed: test failed");
    assert_eq!(object, base(DEPLOYMENT));
    assert!(patched("- {op: test, path: /spec/replicas, value: 1}\n").is_ok());
    assert!(patched("- {op: test, path: /spec/absent, value: null}\n").is_ok());
    assert!(patched("- {op: test, path: /spec/absent, value: 0}\n").is_err());
}

#[test]
fn move_and_copy_keep_the_moved_values_spans() {
    let object = patched(
        "- {op: copy, from: /spec/template/spec/containers/0/image, path: /metadata/labels}
- {op: move, from: /spec/template/spec/containers/1, path: /spec/template/spec/containers/0}
- {op: copy, from: /spec/missing, path: /spec/copied}
",
    )
    .unwrap();
    assert_eq!(at(&object, "metadata.labels").to_json(), json!("app:1"));
    assert_eq!(file_of(&object, "metadata.labels"), BASE);
    assert_eq!(key_file_of(&object, "metadata.labels"), PATCH);
    assert_eq!(
        at(&object, "spec.template.spec.containers.0.name").to_json(),
        json!("sidecar")
    );
    assert_eq!(at(&object, "spec.copied").to_json(), json!(null));
    let error = patched("- {op: move, from: /spec/missing, path: /spec/x}\n").unwrap_err();
    assert!(
        error.contains("Unable to remove nonexistent key"),
        "{error}"
    );
}

#[test]
fn pointer_escapes() {
    let object = patched(
        "- {op: replace, path: /metadata/annotations/a~1b, value: s}
- {op: replace, path: /metadata/annotations/t~0n, value: t}
- {op: add, path: /metadata/annotations/~01, value: u}
",
    )
    .unwrap();
    assert_eq!(
        at(&object, "metadata.annotations").to_json(),
        json!({"a/b": "s", "t~n": "t", "~1": "u"})
    );
}

#[test]
fn whole_document_replace_and_malformed_operations() {
    let object = patched("- {op: replace, path: '', value: {kind: Other}}\n").unwrap();
    assert_eq!(object.to_json(), json!({"kind": "Other"}));
    for (operations, message) in [
        ("- {op: bogus, path: /spec}\n", "Unexpected kind: bogus"),
        ("- {op: add, value: 1}\n", "operation missing path field"),
        ("- {op: add, path: spec, value: 1}\n", "doc is missing path"),
        (
            "- {op: add, path: /spec/template/spec/containers/x, value: 1}\n",
            "not a proper array index",
        ),
        ("{op: add}\n", "must be a list"),
        ("- just text\n", "must be a map"),
    ] {
        let error = patched(operations).unwrap_err();
        assert!(error.contains(message), "{operations}: {error}");
    }
}
