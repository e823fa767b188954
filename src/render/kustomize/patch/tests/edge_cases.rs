//! Corner cases of Kustomize's strategic merge, compared with `kubectl kustomize`:
//! lists the patch adds (merged with themselves), directives in nested lists, nulls in
//! the base, schemas of objects embedded in custom resources.

use super::cases::{Case, DEPLOYMENT, patch};

pub(super) const CASES: &[Case] = &[
    Case {
        name: "added-lists-merge-with-themselves",
        base: "apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - {name: a, image: a}
---
apiVersion: v1
kind: Node
metadata: {name: node1}
spec: {}
",
        patches: &[
            patch(
                "apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
  - {name: x, image: x1}
  - $patch: replace
  - {name: y, image: y1, env: [{name: E, value: '1'}, {name: E, value: '2'}]}
  - {name: x, image: x2}
  imagePullSecrets: [{name: s1}, {name: s1}]
  hostAliases:
  - {ip: 1.2.3.4, hostnames: [a]}
  - {ip: 1.2.3.4, hostnames: [b]}
",
            ),
            patch(
                "apiVersion: v1
kind: Node
metadata: {name: node1, finalizers: [x, z, x, null]}
spec:
  podCIDRs: [10.0.0.0/24, 10.0.0.0/24]
",
            ),
        ],
        fails: false,
    },
    Case {
        name: "element-directives-in-nested-lists",
        base: DEPLOYMENT,
        patches: &[patch(
            "apiVersion: apps/v1
kind: Deployment
metadata: {name: web, finalizers: [c, a]}
spec:
  template:
    spec:
      containers:
      - name: app
        env:
        - {name: A, $patch: delete}
        - {name: B, $patch: replace, valueFrom: {fieldRef: {fieldPath: x}}}
        - {name: D, $patch: merge, value: d}
        ports:
        - {containerPort: 81, protocol: TCP, name: p81}
        resources:
          $patch: merge
          limits: {cpu: 1}
",
        )],
        fails: false,
    },
    Case {
        name: "unknown-directive-fails",
        base: DEPLOYMENT,
        patches: &[patch(
            "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template: {$patch: sideways}
",
        )],
        fails: true,
    },
    Case {
        name: "unknown-directive-in-added-map-stays",
        base: DEPLOYMENT,
        patches: &[patch(
            "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  strategy: {$patch: sideways, type: Recreate}
",
        )],
        fails: false,
    },
    Case {
        name: "base-nulls-and-empty-lists",
        base: "apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  template: null
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ds}
spec:
  template:
    spec:
      containers: []
      volumes:
      - {name: v}
      - {}
      - {name: v, emptyDir: {}}
",
        patches: &[
            patch(
                "apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  template:
    spec:
      containers: [{name: db, image: pg}]
  volumeClaimTemplates:
  - metadata: {name: other}
",
            ),
            patch(
                "apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ds}
spec:
  template:
    spec:
      containers: [{name: c, image: c}]
      hostNetwork: true
",
            ),
        ],
        fails: false,
    },
    Case {
        name: "metadata-removed-then-name-restored",
        base: DEPLOYMENT,
        patches: &[patch(
            "apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: null, type: ClusterIP}
status: {loadBalancer: {}}
",
        )],
        fails: false,
    },
    Case {
        name: "embedded-object-in-custom-resource-uses-its-schema",
        base: "apiVersion: example.com/v1
kind: Wrapper
metadata: {name: w}
spec:
  inner:
    apiVersion: apps/v1
    kind: Deployment
    spec:
      template:
        spec:
          containers:
          - {name: a, image: a}
  plain:
    containers:
    - {name: a, image: a}
",
        patches: &[patch(
            "apiVersion: example.com/v1
kind: Wrapper
metadata: {name: w}
spec:
  inner:
    apiVersion: apps/v1
    kind: Deployment
    spec:
      template:
        spec:
          containers:
          - {name: b, image: b}
  plain:
    containers:
    - {name: b, image: b}
",
        )],
        fails: false,
    },
];
