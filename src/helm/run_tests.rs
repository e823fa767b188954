//! `run_template` against small shell scripts standing in for Helm.

use std::os::unix::fs::PermissionsExt;

use super::*;

/// A chart folder and a fake `helm` running `script`, in one temporary folder.
struct Fixture {
    dir: TempDir,
}

impl Fixture {
    fn new(script: &str) -> Fixture {
        let dir = TempDir::new().unwrap();
        let chart = dir.path().join("chart");
        std::fs::create_dir(&chart).unwrap();
        std::fs::write(
            chart.join("Chart.yaml"),
            "apiVersion: v2\nname: c\nversion: 1.0.0\n",
        )
        .unwrap();
        let helm = dir.path().join("helm");
        std::fs::write(&helm, format!("#!/bin/sh\n{script}\n")).unwrap();
        std::fs::set_permissions(&helm, std::fs::Permissions::from_mode(0o755)).unwrap();
        Fixture { dir }
    }
    fn helm(&self) -> PathBuf {
        self.dir.path().join("helm")
    }
    fn chart(&self) -> PathBuf {
        self.dir.path().join("chart")
    }
    fn run(&self, options: &HelmOptions, timeout: Duration) -> Result<String, HelmError> {
        run_template(&self.helm(), &self.chart(), options, timeout)
    }
}

#[test]
fn a_missing_binary_says_how_to_get_one() {
    let err = run_template(
        Path::new("/nonexistent/helm"),
        Path::new("/"),
        &HelmOptions::new("a"),
        DEFAULT_TIMEOUT,
    )
    .unwrap_err();
    assert!(matches!(err, HelmError::NotFound { .. }), "{err}");
    assert!(err.to_string().contains("--helm PATH"));
    let err = find_helm(Some(Path::new("/nonexistent/helm"))).unwrap_err();
    assert!(matches!(err, HelmError::NotFound { .. }));
    // A bare name is looked up on PATH (`sh` is there on any Unix).
    assert!(find_helm(Some(Path::new("sh"))).is_ok());
    assert!(find_helm(Some(Path::new("no-such-helm-binary"))).is_err());
}

#[test]
fn the_child_is_killed_on_timeout() {
    let fixture = Fixture::new("exec sleep 30");
    let started = Instant::now();
    let err = fixture
        .run(&HelmOptions::new("a"), Duration::from_millis(300))
        .unwrap_err();
    assert!(matches!(err, HelmError::Timeout { seconds: 1 }), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn failures_carry_the_first_lines_of_stderr_only() {
    let fixture = Fixture::new(
        "echo 'kind: Secret' ; echo 'data: {password: c2VjcmV0}'
         for i in 1 2 3 4 5 6 7 8 9; do echo \"Error: line $i\" >&2; done; exit 3",
    );
    let err = fixture
        .run(&HelmOptions::new("a"), DEFAULT_TIMEOUT)
        .unwrap_err();
    let HelmError::Failed { code, stderr } = &err else {
        panic!("{err}");
    };
    assert_eq!(*code, Some(3));
    assert!(stderr.starts_with("Error: line 1\n") && !stderr.contains("line 9"));
    assert!(!err.to_string().contains("c2VjcmV0"));
}

#[test]
fn large_output_on_both_pipes_does_not_deadlock() {
    // 2 MB on stderr before stdout: a child writing to a pipe nobody reads would block.
    let fixture = Fixture::new(
        "head -c 2000000 /dev/zero | tr '\\0' e >&2; head -c 3000000 /dev/zero | tr '\\0' o",
    );
    let out = fixture
        .run(&HelmOptions::new("a"), DEFAULT_TIMEOUT)
        .unwrap();
    assert_eq!(out.len(), 3_000_000);
}

#[test]
fn helm_gets_argo_arguments_a_private_home_and_the_inline_values() {
    // Prints its arguments, its environment's Helm paths and the inline values file.
    let fixture = Fixture::new(
        "echo \"cwd=$(pwd)\"; for a in \"$@\"; do echo \"arg=$a\"; done
         echo \"repos=$HELM_REPOSITORY_CONFIG\"; echo \"cache=$HELM_CACHE_HOME\"
         while [ $# -gt 0 ]; do
           if [ \"$1\" = --values ]; then echo \"values=$2\"; cat \"$2\"; echo; fi; shift
         done",
    );
    let values_file = fixture.dir.path().join("prod.yaml");
    std::fs::write(&values_file, "a: 1\n").unwrap();
    let options = HelmOptions {
        value_files: vec![values_file.clone()],
        values: "ignored: true".into(),
        values_object: Some(serde_json::json!({"image": {"tag": "v2"}})),
        ..HelmOptions::new("shop")
    };
    let out = fixture.run(&options, DEFAULT_TIMEOUT).unwrap();
    let chart = fixture.chart();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], format!("cwd={}", chart.display()));
    assert_eq!(
        &lines[1..4],
        [
            "arg=template",
            "arg=shop",
            &format!("arg={}", chart.display())
        ]
    );
    let tmp = lines
        .iter()
        .find_map(|l| l.strip_prefix("repos="))
        .map(|p| Path::new(p).ancestors().nth(2).unwrap().to_path_buf())
        .unwrap();
    assert!(tmp.starts_with(std::env::temp_dir()), "{}", tmp.display());
    assert!(!tmp.exists(), "the temporary folder is removed afterwards");
    assert!(lines.contains(&format!("values={}", values_file.display()).as_str()));
    assert!(lines.contains(&r#"{"image":{"tag":"v2"}}"#), "{out}");
    assert!(!out.contains("ignored"));
    assert!(lines.contains(&"arg=--include-crds"));
}

#[test]
fn missing_value_files_are_errors_unless_ignored() {
    let fixture = Fixture::new("for a in \"$@\"; do echo \"$a\"; done");
    let missing = fixture.dir.path().join("missing.yaml");
    let mut options = HelmOptions {
        value_files: vec![missing.clone()],
        ..HelmOptions::new("a")
    };
    let err = fixture.run(&options, DEFAULT_TIMEOUT).unwrap_err();
    assert!(matches!(&err, HelmError::MissingValueFile { path } if *path == missing));
    assert!(err.to_string().contains("missing.yaml"));
    options.ignore_missing_value_files = true;
    let out = fixture.run(&options, DEFAULT_TIMEOUT).unwrap();
    assert!(!out.contains("--values"), "{out}");
}

#[test]
fn missing_dependencies_stop_before_helm_runs() {
    let fixture = Fixture::new("echo ran > \"$0.ran\"");
    std::fs::write(
        fixture.chart().join("Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 1.0.0\ndependencies:\n\
         - name: pg\n  version: 1.0.0\n  repository: oci://registry.example/charts\n",
    )
    .unwrap();
    let err = fixture
        .run(&HelmOptions::new("a"), DEFAULT_TIMEOUT)
        .unwrap_err();
    assert!(matches!(&err, HelmError::MissingDependency { name, .. } if name == "pg"));
    assert!(!fixture.dir.path().join("helm.ran").exists());
}
