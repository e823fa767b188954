use serde_json::json;

use super::{BASE, PATCH, at, base, file_of, key_file_of, patch};
use crate::render::kustomize::patch::{
    SmpOptions, strategic_merge, strategic_merge_deletes_object, strategic_merge_with,
};

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  finalizers: [a, b]
spec:
  replicas: 1
  template:
    spec:
      volumes:
      - {name: data, emptyDir: {}}
      containers:
      - name: app
        image: app:1
        args: [serve]
        env:
        - {name: A, value: '1'}
        - {name: B, value: '2'}
      - name: sidecar
        image: side:1
";

fn merged(patch_text: &str) -> crate::render::value::Value {
    let mut object = base(DEPLOYMENT);
    strategic_merge(&mut object, &patch(patch_text)).unwrap();
    object
}

#[test]
fn container_image_by_name_keeps_the_rest_of_the_base() {
    let object = merged(
        "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - {name: sidecar, image: side:2}
",
    );
    let containers = at(&object, "spec.template.spec.containers");
    // Kustomize puts the patch's elements first.
    assert_eq!(
        containers.to_json(),
        json!([
            {"name": "sidecar", "image": "side:2"},
            {"name": "app", "image": "app:1", "args": ["serve"],
             "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]}
        ])
    );
    assert_eq!(file_of(containers, "0.image"), PATCH);
    assert_eq!(
        file_of(containers, "0"),
        BASE,
        "merged into the base's element"
    );
    assert_eq!(file_of(containers, "1.args.0"), BASE);
    assert_eq!(file_of(&object, "spec.replicas"), BASE);
}

#[test]
fn env_merges_by_name() {
    let object = merged(
        "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - name: app
        env:
        - {name: B, value: '3'}
        - {name: C, value: '4'}
",
    );
    let env = at(&object, "spec.template.spec.containers.0.env");
    assert_eq!(
        env.to_json(),
        json!([
            {"name": "B", "value": "3"},
            {"name": "C", "value": "4"},
            {"name": "A", "value": "1"}
        ])
    );
    assert_eq!(file_of(env, "0.value"), PATCH);
    assert_eq!(file_of(env, "1"), PATCH);
    assert_eq!(file_of(env, "2.value"), BASE);
}

#[test]
fn a_new_volume_comes_from_the_patch() {
    let object = merged(
        "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      volumes:
      - {name: cache, emptyDir: {medium: Memory}}
",
    );
    let volumes = at(&object, "spec.template.spec.volumes");
    assert_eq!(
        volumes.to_json(),
        json!([
            {"name": "cache", "emptyDir": {"medium": "Memory"}},
            {"name": "data", "emptyDir": {}}
        ])
    );
    assert_eq!(file_of(volumes, "0.emptyDir.medium"), PATCH);
    assert_eq!(file_of(volumes, "1"), BASE);
}

#[test]
fn patch_delete_removes_a_container() {
    let object = merged(
        "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - {name: sidecar, $patch: delete}
",
    );
    let names: Vec<_> = at(&object, "spec.template.spec.containers")
        .items()
        .iter()
        .map(|c| c.get_str("name").unwrap())
        .collect();
    assert_eq!(names, ["app"]);
}

#[test]
fn lists_of_custom_resources_are_replaced_as_written() {
    let mut object = base(
        "apiVersion: example.com/v1
kind: Thing
metadata: {name: t, finalizers: [a]}
spec:
  items: [{name: a, v: 1}, {name: b, v: 2}]
",
    );
    let thing = patch(
        "apiVersion: example.com/v1
kind: Thing
metadata: {name: t, finalizers: [b]}
spec:
  items: [{name: a, v: 3}]
",
    );
    strategic_merge(&mut object, &thing).unwrap();
    assert_eq!(
        at(&object, "spec.items").to_json(),
        json!([{"name": "a", "v": 3}])
    );
    assert_eq!(at(&object, "metadata.finalizers").to_json(), json!(["b"]));
    assert_eq!(file_of(&object, "spec.items"), PATCH);
}

#[test]
fn finalizers_of_known_kinds_merge_as_a_set() {
    let object = merged(
        "apiVersion: apps/v1
kind: Deployment
metadata: {name: web, finalizers: [c, a]}
",
    );
    let finalizers = at(&object, "metadata.finalizers");
    assert_eq!(finalizers.to_json(), json!(["c", "a", "b"]));
    assert_eq!(file_of(finalizers, "0"), PATCH);
    // An element in both lists is the base's.
    assert_eq!(file_of(finalizers, "1"), BASE);
}

#[test]
fn nulls_delete_and_new_keys_point_at_the_patch() {
    let object = merged(
        "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: null
  paused: true
",
    );
    assert!(object.path(&["spec", "replicas"]).is_none());
    assert_eq!(file_of(&object, "spec.paused"), PATCH);
    assert_eq!(key_file_of(&object, "spec.paused"), PATCH);
    assert_eq!(key_file_of(&object, "spec.template"), BASE);
}

#[test]
fn map_replace_directive_drops_the_base_fields() {
    let object = merged(
        "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    $patch: replace
    metadata: {labels: {app: web}}
",
    );
    assert_eq!(
        at(&object, "spec.template").to_json(),
        json!({"metadata": {"labels": {"app": "web"}}})
    );
    assert_eq!(file_of(&object, "spec.template"), PATCH);
}

#[test]
fn the_object_keeps_its_identity() {
    let renamed = patch(
        "apiVersion: apps/v1beta1
kind: StatefulSet
metadata: {name: other, namespace: elsewhere, labels: {x: y}}
",
    );
    let mut object = base(DEPLOYMENT);
    strategic_merge(&mut object, &renamed).unwrap();
    assert_eq!(object.get_str("apiVersion"), Some("apps/v1"));
    assert_eq!(object.get_str("kind"), Some("Deployment"));
    assert_eq!(object.path_str(&["metadata", "name"]), Some("web"));
    assert_eq!(file_of(&object, "metadata.name"), BASE);
    assert!(object.path(&["metadata", "namespace"]).is_none());
    assert_eq!(file_of(&object, "metadata.labels.x"), PATCH);

    let mut object = base(DEPLOYMENT);
    let options = SmpOptions {
        allow_name_change: true,
        allow_kind_change: true,
    };
    strategic_merge_with(&mut object, &renamed, options).unwrap();
    assert_eq!(object.path_str(&["metadata", "name"]), Some("other"));
    assert_eq!(object.get_str("kind"), Some("StatefulSet"));
}

#[test]
fn deleting_the_object_is_signalled_not_applied() {
    let delete =
        patch("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n$patch: delete\n");
    assert!(strategic_merge_deletes_object(&delete));
    let mut object = base(DEPLOYMENT);
    assert!(strategic_merge(&mut object, &delete).is_err());
    assert_eq!(object, base(DEPLOYMENT));
    assert!(!strategic_merge_deletes_object(&patch(
        "metadata: {name: web}\n"
    )));
}

#[test]
fn errors_leave_the_target_unchanged() {
    let mut object = base(DEPLOYMENT);
    for bad in [
        "spec: {replicas: {x: 1}}\n",
        "spec: {template: {$patch: sideways}}\n",
        "- not a map\n",
    ] {
        let error = strategic_merge(&mut object, &patch(bad));
        assert!(error.is_err(), "{bad}");
        assert_eq!(object, base(DEPLOYMENT));
    }
    let error = strategic_merge(&mut object, &patch("spec: {replicas: [1]}\n")).unwrap_err();
    assert!(error.starts_with("wrong node kind"), "{error}");
}
