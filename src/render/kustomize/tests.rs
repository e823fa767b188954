//! Builds over an in-memory repository: features, spans, Argo CD options and failures.
//! The differential test (`tests/kustomize_diff.rs`) checks outputs against kubectl;
//! these check what kubectl cannot show (spans, notes, problems).

use std::collections::HashMap;
use std::sync::Arc;

use super::build;
use crate::render::files::{HelmChartRequest, Problem, RepoFiles};
use crate::render::value::Value;
use crate::source::{FileId, Span};

/// Files by repository-relative path; each gets the id of its position.
struct Repo {
    files: Vec<(String, Arc<str>)>,
}

impl Repo {
    fn new(files: &[(&str, &str)]) -> Repo {
        Repo {
            files: files
                .iter()
                .map(|(p, t)| (p.to_string(), Arc::from(*t)))
                .collect(),
        }
    }

    fn id(&self, rel: &str) -> Option<FileId> {
        self.files
            .iter()
            .position(|(p, _)| p == rel)
            .map(|i| FileId(i as u32))
    }

    /// The text a span covers.
    fn at(&self, span: Span) -> &str {
        let text = &self.files[span.file.0 as usize].1;
        &text[span.range()]
    }
}

impl RepoFiles for Repo {
    fn yaml(&self, rel: &str) -> Option<Result<Vec<Value>, String>> {
        let (id, text) = self.text(rel)?;
        let parsed = crate::load::yaml::parse(id, &text, Default::default());
        if let Some(e) = parsed.error {
            return Some(Err(e.message));
        }
        Some(Ok(parsed
            .documents
            .iter()
            .flatten()
            .map(|d| Value::from_tree(&parsed.tree, *d))
            .collect()))
    }

    fn text(&self, rel: &str) -> Option<(FileId, Arc<str>)> {
        let id = self.id(rel)?;
        Some((id, self.files[id.0 as usize].1.clone()))
    }

    fn is_dir(&self, rel: &str) -> bool {
        self.files
            .iter()
            .any(|(p, _)| crate::discover::within(p, rel))
    }

    fn files_in(&self, dir: &str) -> Vec<String> {
        let mut out: Vec<String> = self
            .files
            .iter()
            .filter(|(p, _)| crate::discover::parent(p) == dir)
            .map(|(p, _)| p.clone())
            .collect();
        out.sort();
        out
    }

    fn helm(&self, request: &HelmChartRequest) -> Result<Vec<Value>, Problem> {
        Err(Problem {
            span: request.at,
            message: format!("helm {}", request.chart_dir),
        })
    }
}

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
      - name: api
        image: registry/api:1.0
        envFrom:
        - configMapRef:
            name: settings
      - name: migrate
        image: registry/api:1.0
        volumeMounts:
        - name: sql
          mountPath: /sql
      volumes:
      - name: sql
        configMap:
          name: schema
";

fn object<'v>(objects: &'v [Value], kind: &str) -> &'v Value {
    objects
        .iter()
        .find(|o| o.get_str("kind") == Some(kind))
        .unwrap_or_else(|| panic!("no {kind}"))
}

#[test]
fn generated_values_and_renamed_references_keep_their_spans() {
    let repo = Repo::new(&[
        ("app/deployment.yaml", DEPLOYMENT),
        ("app/schema.sql", "CREATE TABLE t (id int);\n"),
        (
            "app/kustomization.yaml",
            "namePrefix: prod-\nnamespace: shop\nresources: [deployment.yaml]\nimages:\n- name: registry/api\n  newTag: \"2.0\"\nconfigMapGenerator:\n- name: schema\n  files: [schema.sql]\n- name: settings\n  literals: [MODE=live]\n",
        ),
    ]);
    let out = build(&repo, "app", None).unwrap();
    let deployment = object(&out.objects, "Deployment");
    let name = deployment.path(&["metadata", "name"]).unwrap();
    assert_eq!(name.as_str(), Some("prod-api"));
    // The renamed object is still written where its name was.
    assert_eq!(repo.at(name.span), "api");
    let containers = deployment
        .path(&["spec", "template", "spec", "containers"])
        .unwrap();
    let image = containers.items()[0].get("image").unwrap();
    assert_eq!(image.as_str(), Some("registry/api:2.0"));
    assert_eq!(repo.at(image.span), "\"2.0\"");
    let namespace = deployment.path(&["metadata", "namespace"]).unwrap();
    assert_eq!(repo.at(namespace.span), "shop");
    // The reference follows the generated name, and points at the reference as written.
    let volume = deployment
        .path(&["spec", "template", "spec", "volumes"])
        .unwrap()
        .items()[0]
        .path(&["configMap", "name"])
        .unwrap();
    let schema = out
        .objects
        .iter()
        .find(|o| {
            o.path_str(&["metadata", "name"])
                .is_some_and(|n| n.contains("schema"))
        })
        .unwrap();
    assert_eq!(volume.as_str(), schema.path_str(&["metadata", "name"]));
    assert!(volume.as_str().unwrap().starts_with("prod-schema-"));
    assert_eq!(repo.at(volume.span), "schema");
    // A file's content spans the whole file, so SQL inside it can be located.
    let sql = schema.path(&["data", "schema.sql"]).unwrap();
    assert_eq!(repo.at(sql.span), "CREATE TABLE t (id int);\n");
    assert_eq!(sql.span.file, repo.id("app/schema.sql").unwrap());
}

#[test]
fn argo_cd_options_apply_to_the_top_kustomization() {
    let repo = Repo::new(&[
        ("app/deployment.yaml", DEPLOYMENT),
        (
            "app/kustomization.yaml",
            "resources: [deployment.yaml]\ncommonLabels: {team: a}\n",
        ),
        (
            "argo.yaml",
            "kustomize:\n  images: [registry/api=mirror/api:3.1]\n  namePrefix: x-\n  namespace: argo\n  commonLabels: {env: prod}\n  replicas: [{name: api, count: 4}]\n",
        ),
    ]);
    let argo = repo.yaml("argo.yaml").unwrap().unwrap().remove(0);
    let options = argo.get("kustomize").unwrap();
    let out = build(&repo, "app", Some(options)).unwrap();
    let deployment = object(&out.objects, "Deployment");
    assert_eq!(deployment.path_str(&["metadata", "name"]), Some("x-api"));
    assert_eq!(
        deployment.path_str(&["metadata", "namespace"]),
        Some("argo")
    );
    assert_eq!(
        deployment.path_str(&["metadata", "labels", "env"]),
        Some("prod")
    );
    assert_eq!(
        deployment.path_str(&["metadata", "labels", "team"]),
        Some("a")
    );
    let replicas = deployment.path(&["spec", "replicas"]).unwrap();
    assert_eq!(replicas.as_i64(), Some(4));
    assert_eq!(repo.at(replicas.span), "4");
    let image = deployment
        .path(&["spec", "template", "spec", "containers"])
        .unwrap()
        .items()[1]
        .get("image")
        .unwrap();
    assert_eq!(image.as_str(), Some("mirror/api:3.1"));
    assert_eq!(repo.at(image.span), "registry/api=mirror/api:3.1");
}

#[test]
fn remote_resources_are_notes_and_missing_ones_problems() {
    let repo = Repo::new(&[(
        "app/kustomization.yaml",
        "resources:\n- https://github.com/x/y//base?ref=v1\n- missing.yaml\n",
    )]);
    let problem = build(&repo, "app", None).unwrap_err();
    assert_eq!(repo.at(problem.span), "missing.yaml");
    let repo = Repo::new(&[(
        "app/kustomization.yaml",
        "resources:\n- github.com/x/y/base?ref=v1\n",
    )]);
    let out = build(&repo, "app", None).unwrap();
    assert!(out.objects.is_empty());
    assert_eq!(out.notes.len(), 1);
    assert_eq!(repo.at(out.notes[0].span), "github.com/x/y/base?ref=v1");
}

#[test]
fn cycles_escapes_and_unsupported_fields_are_problems() {
    let repo = Repo::new(&[
        ("a/kustomization.yaml", "resources: [../b]\n"),
        ("b/kustomization.yaml", "resources: [../a]\n"),
    ]);
    let problem = build(&repo, "a", None).unwrap_err();
    assert!(problem.message.contains("cycle"), "{}", problem.message);
    let repo = Repo::new(&[("a/kustomization.yaml", "resources: [../../x]\n")]);
    let problem = build(&repo, "a", None).unwrap_err();
    assert!(problem.message.contains("outside the repository"));
    let repo = Repo::new(&[("a/kustomization.yaml", "generators: [plugin.yaml]\n")]);
    let problem = build(&repo, "a", None).unwrap_err();
    assert!(problem.message.contains("`generators` is not supported"));
    assert_eq!(repo.at(problem.span), "plugin.yaml");
    // A file outside the kustomization's directory: Kustomize's load restrictor.
    let repo = Repo::new(&[
        ("a/kustomization.yaml", "resources: [../shared/cm.yaml]\n"),
        (
            "shared/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
        ),
    ]);
    let problem = build(&repo, "a", None).unwrap_err();
    assert!(
        problem.message.contains("is not in or below"),
        "{}",
        problem.message
    );
}

#[test]
fn inline_patches_keep_spans_in_the_kustomization() {
    let repo = Repo::new(&[(
        "k.yaml",
        "patch: |-\n  - op: replace\n    value: |\n      a\n      b\n",
    )]);
    let documents = repo.yaml("k.yaml").unwrap().unwrap();
    let inline = documents[0].get("patch").unwrap();
    let mut builder = super::Builder {
        files: &repo,
        notes: Vec::new(),
        stack: Vec::new(),
        texts: HashMap::new(),
    };
    let _ = builder.read_text("k.yaml");
    let parsed = builder.inline_yaml(inline).unwrap();
    let op = &parsed[0].items()[0];
    assert_eq!(repo.at(op.get("op").unwrap().span), "replace");
    // The inline text has no final line break, so neither has its last block scalar.
    assert_eq!(op.get_str("value"), Some("a\nb"));
}

#[test]
fn depth_is_bounded() {
    let mut files: Vec<(String, String)> = Vec::new();
    for i in 0..80 {
        files.push((
            format!("d{i}/kustomization.yaml"),
            format!("resources: [../d{}]\n", i + 1),
        ));
    }
    files.push(("d80/kustomization.yaml".into(), "namespace: x\n".into()));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let repo = Repo::new(&refs);
    let problem = build(&repo, "d0", None).unwrap_err();
    assert!(
        problem.message.contains("nested more than"),
        "{}",
        problem.message
    );
}

#[test]
fn patch_values_point_into_the_patch_file() {
    let repo = Repo::new(&[
        ("app/deployment.yaml", DEPLOYMENT),
        (
            "app/kustomization.yaml",
            "resources: [deployment.yaml]\npatches:\n- path: replicas.yaml\n",
        ),
        (
            "app/replicas.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: 3\n",
        ),
    ]);
    let out = build(&repo, "app", None).unwrap();
    let replicas = object(&out.objects, "Deployment")
        .path(&["spec", "replicas"])
        .unwrap();
    assert_eq!(replicas.span.file, repo.id("app/replicas.yaml").unwrap());
}

#[test]
fn helm_charts_are_asked_of_the_repository() {
    let repo = Repo::new(&[(
        "app/kustomization.yaml",
        "helmGlobals: {chartHome: ../charts}\nhelmCharts:\n- name: redis\n  repo: https://charts.example.com\n  version: 1.2.3\n  releaseName: cache\n",
    )]);
    let problem = build(&repo, "app", None).unwrap_err();
    // Kustomize pulls a versioned chart into `<chartHome>/<name>-<version>/<name>`.
    assert_eq!(problem.message, "helm charts/redis-1.2.3/redis");
    let repo = Repo::new(&[(
        "app/kustomization.yaml",
        "helmCharts:\n- name: redis\n  skipHooks: true\n",
    )]);
    let problem = build(&repo, "app", None).unwrap_err();
    assert!(problem.message.contains("`skipHooks` is not supported"));
    assert_eq!(repo.at(problem.span), "skipHooks");
}

#[test]
fn argo_labels_without_selector_leave_selectors_alone() {
    let repo = Repo::new(&[
        ("app/deployment.yaml", DEPLOYMENT),
        ("app/kustomization.yaml", "resources: [deployment.yaml]\n"),
        (
            "argo.yaml",
            "commonLabels: {env: prod}\nlabelWithoutSelector: true\nlabelIncludeTemplates: true\n",
        ),
    ]);
    let options = repo.yaml("argo.yaml").unwrap().unwrap().remove(0);
    let out = build(&repo, "app", Some(&options)).unwrap();
    let deployment = object(&out.objects, "Deployment");
    assert_eq!(
        deployment.path_str(&["metadata", "labels", "env"]),
        Some("prod")
    );
    assert_eq!(
        deployment.path_str(&["spec", "template", "metadata", "labels", "env"]),
        Some("prod")
    );
    assert!(deployment.path(&["spec", "selector"]).is_none());
}

#[test]
fn malformed_input_gives_problems_not_panics() {
    let objects = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, labels: 5}\nspec: {template: {spec: {containers: [{name: x, image: {}}, 3, null]}}}\n";
    let cases = [
        "",
        "- a\n- b\n",
        "resources: foo\n",
        "resources: [1, {a: b}, null]\n",
        "resources: [objects.yaml]\nimages: [{name: {}}]\n",
        "resources: [objects.yaml]\nimages: [{name: x, newTag: '1'}]\n",
        "resources: [objects.yaml]\nimages: [{name: x}, 7]\n",
        "patches: [foo, {path: 3}, {patch: ''}]\n",
        "configMapGenerator: [{name: x, literals: ['=']}]\n",
        "configMapGenerator: [{name: x, files: [a=b=c]}, {name: y, envs: [missing.env]}]\n",
        "resources: [objects.yaml]\nreplacements: [{source: {kind: ConfigMap}, targets: [{select: {}, fieldPaths: ['a.[b=c].*.0']}]}]\n",
        "resources: [objects.yaml]\nreplacements: [{source: {kind: ConfigMap, fieldPath: data.a}, targets: [{select: {kind: Deployment}, fieldPaths: ['spec.*.x'], options: {create: true}}]}]\n",
        "resources: [objects.yaml]\nreplacements: [{source: {kind: ConfigMap, fieldPath: data.a, options: {delimiter: '.', index: 9}}, targets: []}]\n",
        "namespace: [a]\n",
        "commonLabels: [a]\n",
        "resources: [objects.yaml]\ncommonLabels: {a: b}\nnamePrefix: p-\nnamespace: n\n",
        "resources: [objects.yaml]\nvars: [{name: A}, {name: A}]\n",
        "resources: [objects.yaml]\nvars: [{name: A, objref: {kind: ConfigMap, name: c, apiVersion: v1}}]\n",
        "sortOptions: {order: x}\n",
        "resources: [objects.yaml]\nsortOptions: {order: legacy, legacySortOptions: {orderFirst: [Deployment], orderLast: 5}}\n",
        "transformers: [garbage, 'apiVersion: builtin\nkind: Nope\nmetadata: {name: n}\n']\n",
        "replicas: [{name: d, count: x}]\n",
        "resources: [objects.yaml]\nreplicas: [{name: nothing, count: 2}]\n",
        "components: [../nowhere]\n",
        "configurations: [objects.yaml]\n",
        "helmCharts: [{}, 3]\n",
        "kind: Nope\n",
        "apiVersion: v9\n",
        "resources: [objects.yaml, objects.yaml]\n",
        "patchesStrategicMerge: ['kind: X\nmetadata: {name: y}\n']\n",
    ];
    for case in cases {
        let repo = Repo::new(&[
            ("app/kustomization.yaml", case),
            ("app/objects.yaml", objects),
        ]);
        // Any outcome but a panic; a problem points into the repository.
        if let Err(problem) = build(&repo, "app", None) {
            assert!(!problem.message.is_empty(), "{case}");
        }
    }
}

#[test]
fn patches_keep_names_and_follow_original_names() {
    let repo = Repo::new(&[
        ("base/deployment.yaml", DEPLOYMENT),
        (
            "base/kustomization.yaml",
            "namePrefix: b-\nresources: [deployment.yaml]\n",
        ),
        (
            "app/kustomization.yaml",
            "resources: [../base]\npatches:\n- target: {kind: Deployment, name: api}\n  patch: |-\n    - op: add\n      path: /spec/replicas\n      value: 2\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: api, labels: {patched: 'yes'}}\n- target: {kind: Deployment}\n  patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: ignored}\n    spec: {paused: true}\n",
        ),
    ]);
    let out = build(&repo, "app", None).unwrap();
    let deployment = object(&out.objects, "Deployment");
    // Targets and untargeted patches find the object by its original name; the object
    // keeps its current name whatever the patch says.
    assert_eq!(deployment.path_str(&["metadata", "name"]), Some("b-api"));
    assert_eq!(
        deployment
            .path(&["spec", "replicas"])
            .and_then(Value::as_i64),
        Some(2)
    );
    assert_eq!(
        deployment.path_str(&["metadata", "labels", "patched"]),
        Some("yes")
    );
    assert_eq!(
        deployment
            .path(&["spec", "paused"])
            .and_then(Value::as_bool),
        Some(true)
    );
    // The inline patch's value points into the kustomization, at the patch text.
    let replicas = deployment.path(&["spec", "replicas"]).unwrap();
    assert_eq!(repo.at(replicas.span), "2");
    assert_eq!(
        replicas.span.file,
        repo.id("app/kustomization.yaml").unwrap()
    );
}

#[test]
fn a_delete_patch_removes_the_object() {
    let repo = Repo::new(&[
        ("app/deployment.yaml", DEPLOYMENT),
        (
            "app/kustomization.yaml",
            "resources: [deployment.yaml]\npatchesStrategicMerge:\n- |-\n  apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: api}\n  $patch: delete\n",
        ),
    ]);
    let out = build(&repo, "app", None).unwrap();
    assert!(out.objects.is_empty());
}
