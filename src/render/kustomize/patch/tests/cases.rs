//! Kustomizations for the comparison with `kubectl kustomize`: a base and its patches.
//! The common cases are here, Kustomize's corner cases in `edge_cases`.

pub(super) struct Case {
    pub name: &'static str,
    pub base: &'static str,
    pub patches: &'static [PatchFile],
    /// Kustomize rejects the patches.
    pub fails: bool,
}

pub(super) struct PatchFile {
    pub text: &'static str,
    /// The `target:` of the `patches:` entry, in flow YAML.
    pub target: Option<&'static str>,
}

pub(super) const fn patch(text: &'static str) -> PatchFile {
    PatchFile { text, target: None }
}

const fn targeted(text: &'static str, target: &'static str) -> PatchFile {
    PatchFile {
        text,
        target: Some(target),
    }
}

pub(super) const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: front}
  finalizers: [a, b]
spec:
  replicas: 1
  template:
    metadata:
      labels: {app: web}
    spec:
      volumes:
      - name: data
        emptyDir: {}
      containers:
      - name: app
        image: app:1
        args: [serve, --port=80]
        env:
        - {name: A, value: '1'}
        - {name: B, value: '2'}
        ports:
        - {containerPort: 80, protocol: TCP}
        - {containerPort: 81}
        volumeMounts:
        - {name: data, mountPath: /data}
      - name: sidecar
        image: side:1
      securityContext: {runAsUser: 1, fsGroup: 2}
---
apiVersion: v1
kind: Service
metadata:
  name: web
  labels: {app: web}
spec:
  ports:
  - {name: http, port: 80, targetPort: 8080}
  - {name: https, port: 443, protocol: TCP}
---
apiVersion: example.com/v1
kind: Thing
metadata:
  name: thing
  finalizers: [a, b]
spec:
  items:
  - {name: a, v: 1}
  - {name: b, v: 2}
";

pub(super) const CASES: &[Case] = &[
    Case {
        name: "image-env-mounts-volumes",
        base: DEPLOYMENT,
        patches: &[patch(
            "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  template:
    spec:
      volumes:
      - name: cache
        emptyDir: {medium: Memory}
      containers:
      - name: app
        image: app:2
        args: [run]
        env:
        - {name: B, value: '3'}
        - {name: C, value: '4'}
        volumeMounts:
        - {name: cache, mountPath: /cache}
      - name: new
        image: new:1
",
        )],
        fails: false,
    },
    Case {
        name: "everyday-patches",
        base: "apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 1}
  template:
    spec:
      tolerations: [{key: a, operator: Exists}]
      containers:
      - name: api
        image: api:1
        resources: {limits: {cpu: 100m}, requests: {cpu: 50m}}
        env:
        - {name: MODE, value: slow}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: api}
spec:
  rules:
  - host: a.example.com
  - host: b.example.com
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: app}
spec:
  source:
    helm:
      parameters: [{name: a, value: '1'}, {name: b, value: '2'}]
",
        patches: &[
            patch(
                "apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  strategy: {type: Recreate}
  template:
    spec:
      tolerations: [{key: b, operator: Exists}]
      containers:
      - name: api
        resources: {limits: {memory: 1Gi}}
        env:
        - name: MODE
          valueFrom: {configMapKeyRef: {name: cfg, key: mode}}
",
            ),
            patch(
                "apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: api}
spec:
  rules:
  - host: c.example.com
",
            ),
            patch(
                "apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: app}
spec:
  source:
    helm:
      parameters: [{name: b, value: '3'}]
",
            ),
        ],
        fails: false,
    },
    Case {
        name: "directives",
        base: DEPLOYMENT,
        patches: &[patch(
            "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - name: sidecar
        $patch: delete
      - name: app
        $patch: replace
        image: replaced
      securityContext:
        $patch: replace
        runAsNonRoot: true
      volumes:
      - $patch: delete
",
        )],
        fails: false,
    },
    Case {
        name: "list-replace-and-merge-directives",
        base: DEPLOYMENT,
        patches: &[
            patch(
                "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - $patch: replace
      - {name: only, image: only:1}
",
            ),
            patch(
                "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - $patch: merge
      - {name: second, image: s:1}
",
            ),
        ],
        fails: false,
    },
    Case {
        name: "custom-resource-lists-are-replaced",
        base: DEPLOYMENT,
        patches: &[patch(
            "apiVersion: example.com/v1
kind: Thing
metadata:
  name: thing
  finalizers: [c]
spec:
  items:
  - $patch: replace
  - {name: a, v: 3}
",
        )],
        fails: false,
    },
    Case {
        name: "ports-with-two-merge-keys",
        base: DEPLOYMENT,
        patches: &[
            patch(
                "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - name: app
        ports:
        - {containerPort: 80, name: http}
        - {containerPort: 82}
",
            ),
            patch(
                "apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports:
  - {name: http, port: 80, targetPort: 9090}
  - {port: 8443, protocol: UDP}
",
            ),
        ],
        fails: false,
    },
    Case {
        name: "nulls",
        base: "apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
  labels: {a: null, b: null, d: null, e: null}
data: {}
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: a
    env:
    - {name: X, value: null}
",
        patches: &[
            patch(
                "apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
  labels: {b: null, c: null, d: {x: 1}, e: '5'}
  annotations: {n: null, m: '1'}
data: {k: null}
newmap:
  a: null
  b: 1
  sub: {c: null, $patch: replace}
  del: {$patch: delete, z: 1}
",
            ),
            patch(
                "apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
  - name: i
    env: null
    args: [a, null]
    resources: {limits: {cpu: null}}
  - {name: j, $patch: delete}
  - {name: i, image: second}
  containers:
  - {name: b, env: null, command: ~}
  - {name: a, image: null, ports: null}
",
            ),
        ],
        fails: false,
    },
    Case {
        name: "unsupported-directives-stay-as-fields",
        base: DEPLOYMENT,
        patches: &[patch(
            "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      $setElementOrder/containers: [{name: app}]
      $retainKeys: [containers]
      $deleteFromPrimitiveList/finalizers: [x]
",
        )],
        fails: false,
    },
    Case {
        name: "targets-keep-names-and-merge-finalizers-of-known-kinds",
        base: "apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: hpa, finalizers: [a, b]}
---
apiVersion: autoscaling/v2beta2
kind: HorizontalPodAutoscaler
metadata: {name: hpa-old, finalizers: [a, b]}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cj, finalizers: [a, b]}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - {name: a, image: a}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: pdb, namespace: prod, finalizers: [a, b]}
",
        patches: &[targeted(
            "apiVersion: any/v1
kind: Any
metadata:
  name: any
  namespace: elsewhere
  finalizers: [c, a]
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - {name: b, image: b}
",
            "{name: '.*'}",
        )],
        fails: false,
    },
    Case {
        name: "selectors",
        base: DEPLOYMENT,
        patches: &[
            targeted(
                "apiVersion: v1
kind: Any
metadata: {name: any, annotations: {patched: 'yes'}}
",
                "{labelSelector: 'app in (web), tier notin (back)'}",
            ),
            targeted(
                "- {op: add, path: /metadata/labels/selected, value: 'true'}
",
                "{kind: Service, name: 'w.b'}",
            ),
            targeted(
                "- {op: add, path: /metadata/labels/core, value: 'true'}
",
                "{group: apps, version: v1, namespace: default}",
            ),
        ],
        fails: false,
    },
    Case {
        name: "json6902",
        base: DEPLOYMENT,
        patches: &[targeted(
            "- {op: replace, path: /spec/template/spec/containers/0/image, value: app:9}
- {op: add, path: /spec/template/spec/containers/0/args/-, value: --verbose}
- {op: add, path: /spec/template/spec/containers/0/args/0, value: first}
- {op: remove, path: /spec/template/spec/containers/1}
- {op: test, path: /spec/replicas, value: 1}
- {op: copy, from: /metadata/labels, path: /spec/template/metadata/labels}
- {op: move, from: /metadata/finalizers, path: /spec/moved}
- {op: add, path: /metadata/labels/a~1b, value: slash}
- {op: replace, path: /spec/missing, value: added}
- {op: add, path: /spec/template/spec/volumes/-1, value: {name: last}}
",
            "{kind: Deployment}",
        )],
        fails: false,
    },
    Case {
        name: "json6902-failed-test",
        base: DEPLOYMENT,
        patches: &[targeted(
            "- {op: test, path: /spec/replicas, value: '1'}
",
            "{kind: Deployment}",
        )],
        fails: true,
    },
    Case {
        name: "json6902-missing-path",
        base: DEPLOYMENT,
        patches: &[targeted(
            "- {op: remove, path: /spec/nothing}
",
            "{kind: Deployment}",
        )],
        fails: true,
    },
    Case {
        name: "kind-mismatch",
        base: DEPLOYMENT,
        patches: &[patch(
            "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {replicas: {x: 1}}
",
        )],
        fails: true,
    },
    Case {
        name: "delete-object-and-emptied-list",
        base: DEPLOYMENT,
        patches: &[
            patch(
                "apiVersion: v1
kind: Service
metadata: {name: web}
$patch: delete
",
            ),
            patch(
                "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - {name: app, $patch: delete}
      - {name: sidecar, $patch: delete}
      initContainers: []
",
            ),
        ],
        fails: false,
    },
];
