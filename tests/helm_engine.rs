//! The Helm layer against a real Helm engine and the real charts in
//! `../shared/corpus/charts`: charts render as Argo CD would render them, migration hook
//! Jobs appear, and their `# Source:` paths map back to template files on disk.
//!
//! Skips with a message when no `helm` is on PATH (`../shared/tools/install-test-tools.sh`
//! provides one) or when the corpus is absent (the latter fails in CI).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use synclint::helm::{
    ChartSources, HelmError, HelmOptions, HelmParameter, RenderedDoc, TemplateLocator, ValueOrigin,
    find_helm, find_value_origin, render, values_refs, version,
};
use synclint::load::yaml::{Bounds, parse};
use synclint::source::FileId;

const TIMEOUT: Duration = Duration::from_secs(120);

/// The Helm binary and the corpus charts folder, or `None` (after saying why).
fn setup() -> Option<(PathBuf, PathBuf)> {
    let helm = match find_helm(None) {
        Ok(helm) if version(&helm, TIMEOUT).is_ok() => helm,
        _ => {
            eprintln!("skipped: helm not found (run ../shared/tools/install-test-tools.sh)");
            return None;
        }
    };
    // `../shared/corpus` next to the crate in CI; further up in a worktree.
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = crate_dir
        .ancestors()
        .skip(1)
        .map(|dir| dir.join("shared/corpus/charts"))
        .find(|dir| dir.is_dir());
    let Some(corpus) = corpus else {
        if std::env::var_os("CI").is_some() {
            panic!("../shared/corpus/charts is required in CI");
        }
        eprintln!("skipped: ../shared/corpus/charts not found");
        return None;
    };
    Some((helm, corpus))
}

fn set(name: &str, value: &str) -> HelmParameter {
    HelmParameter {
        name: name.into(),
        value: value.into(),
        force_string: false,
    }
}

/// Renders and reports the time taken, so the test log shows it per chart.
fn timed_render(
    helm: &Path,
    chart: &Path,
    options: &HelmOptions,
) -> Result<Vec<RenderedDoc>, HelmError> {
    let started = Instant::now();
    let result = render(helm, chart, options, TIMEOUT);
    let outcome = match &result {
        Ok(docs) => format!("{} documents", docs.len()),
        Err(e) => e.to_string(),
    };
    eprintln!(
        "{}: {outcome} in {} ms",
        chart.file_name().unwrap().to_string_lossy(),
        started.elapsed().as_millis()
    );
    result
}

fn kind_and_name(doc: &RenderedDoc) -> (String, String) {
    let text: Arc<str> = doc.text.as_str().into();
    let parsed = parse(FileId(0), &text, Bounds::default());
    let root = parsed
        .documents
        .first()
        .copied()
        .flatten()
        .expect("a document");
    let tree = &parsed.tree;
    let kind = tree.get_str(root, "kind").unwrap_or("").to_string();
    let name = tree
        .path_str(root, &["metadata", "name"])
        .unwrap_or("")
        .to_string();
    (kind, name)
}

/// The Jobs rendered from `template` (a path inside the chart), checking that every
/// document's source maps to a file on disk.
fn jobs_from(chart: &Path, docs: &[RenderedDoc], template: &str) -> Vec<RenderedDoc> {
    let sources = ChartSources::new(chart);
    for doc in docs {
        let file = sources.file_for(&doc.source);
        assert!(file.is_some(), "{} maps to no file", doc.source);
    }
    docs.iter()
        .filter(|d| {
            kind_and_name(d).0 == "Job"
                && sources.file_for(&d.source).as_deref() == Some(&chart.join(template))
        })
        .cloned()
        .collect()
}

#[test]
fn hydra_renders_its_migration_job_with_local_dependency_charts() {
    let Some((helm, corpus)) = setup() else {
        return;
    };
    let chart = corpus.join("ory__k8s/helm/charts/hydra");
    let options = HelmOptions {
        namespace: "auth".into(),
        parameters: vec![set("hydra.automigration.enabled", "true")],
        ..HelmOptions::new("hydra")
    };
    let docs = timed_render(&helm, &chart, &options).unwrap();
    let jobs = jobs_from(&chart, &docs, "templates/job-migration.yaml");
    assert_eq!(jobs.len(), 1, "{docs:#?}");
    assert_eq!(jobs[0].source, "hydra/templates/job-migration.yaml");
    assert_eq!(kind_and_name(&jobs[0]).1, "hydra-automigrate");
    // The CRD of the vendored hydra-maester archive maps to its file:// source folder.
    let sources = ChartSources::new(&chart);
    let crd = docs
        .iter()
        .find(|d| d.source.contains("/crds/"))
        .expect("a CRD");
    let crd_file = sources.file_for(&crd.source).unwrap();
    assert!(
        crd_file.starts_with(chart.join("../hydra-maester")),
        "{}",
        crd_file.display()
    );

    // Rendered keys map back to template lines, and the image to values.yaml.
    let template_path = chart.join("templates/job-migration.yaml");
    let template = std::fs::read_to_string(&template_path).unwrap();
    let text: Arc<str> = jobs[0].text.as_str().into();
    let parsed = parse(FileId(0), &text, Bounds::default());
    let root = parsed.documents[0].unwrap();
    let mut locator = TemplateLocator::new(&template);
    let found = locator.locate_document(&parsed.tree, root);
    let line_of = |key: &str| {
        found.iter().find_map(|(node, location)| {
            (parsed.tree.scalar(*node)?.value == key).then(|| {
                let start = template[..location.key.start]
                    .rfind('\n')
                    .map_or(0, |i| i + 1);
                template[start..]
                    .lines()
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_string()
            })
        })
    };
    assert_eq!(line_of("kind").as_deref(), Some("kind: Job"));
    let image_line = line_of("image").expect("the image key is in the template");
    let refs = values_refs(&image_line);
    assert!(
        refs.contains(&"image.repository".to_string()),
        "{image_line}"
    );
    match find_value_origin(&chart, &options, "image.repository") {
        Some(ValueOrigin::File { path, .. }) => assert_eq!(path, chart.join("values.yaml")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn local_file_dependencies_are_built_offline() {
    let Some((helm, corpus)) = setup() else {
        return;
    };
    // keto without its vendored archive: ory-commons must come from file://../ory-commons.
    let tmp = std::env::temp_dir().join(format!("synclint-helm-engine-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let charts = corpus.join("ory__k8s/helm/charts");
    copy_dir(&charts.join("keto"), &tmp.join("keto"), &["charts"]);
    copy_dir(&charts.join("ory-commons"), &tmp.join("ory-commons"), &[]);
    let chart = tmp.join("keto");
    let options = HelmOptions {
        parameters: vec![set("keto.automigration.enabled", "true")],
        ..HelmOptions::new("keto")
    };
    let result = timed_render(&helm, &chart, &options);
    let untouched = !chart.join("charts").exists();
    let _ = std::fs::remove_dir_all(&tmp);
    let docs = result.unwrap();
    assert!(untouched, "the chart folder is not written to");
    assert!(
        docs.iter()
            .any(|d| d.source == "keto/templates/job-migration.yaml")
    );
}

#[test]
fn kratos_and_keto_render_their_migration_jobs() {
    let Some((helm, corpus)) = setup() else {
        return;
    };
    for name in ["kratos", "keto"] {
        let chart = corpus.join("ory__k8s/helm/charts").join(name);
        let options = HelmOptions {
            parameters: vec![set(&format!("{name}.automigration.enabled"), "true")],
            ..HelmOptions::new(name)
        };
        let docs = timed_render(&helm, &chart, &options).unwrap();
        let jobs = jobs_from(&chart, &docs, "templates/job-migration.yaml");
        assert_eq!(jobs.len(), 1, "{name}");
    }
}

#[test]
fn zitadel_renders_its_setup_and_init_jobs() {
    let Some((helm, corpus)) = setup() else {
        return;
    };
    let chart = corpus.join("zitadel__zitadel-charts/charts/zitadel");
    let options = HelmOptions {
        parameters: vec![set("zitadel.masterkey", "x123456789012345678901234567890y")],
        // values.schema.json refers to schemas on the network; offline they cannot load.
        skip_schema_validation: true,
        ..HelmOptions::new("zitadel")
    };
    let docs = timed_render(&helm, &chart, &options).unwrap();
    for template in ["templates/job_init.yaml", "templates/job_setup.yaml"] {
        let jobs = jobs_from(&chart, &docs, template);
        assert_eq!(jobs.len(), 1, "{template}");
    }
}

#[test]
fn temporal_renders_its_schema_job_with_a_values_file() {
    let Some((helm, corpus)) = setup() else {
        return;
    };
    let chart = corpus.join("temporalio__helm-charts/charts/temporal");
    let options = HelmOptions {
        value_files: vec![chart.join("values/values.postgresql.yaml")],
        ..HelmOptions::new("temporal")
    };
    let docs = timed_render(&helm, &chart, &options).unwrap();
    let jobs = jobs_from(&chart, &docs, "templates/server-job.yaml");
    assert_eq!(jobs.len(), 1);
    assert!(jobs[0].text.contains("helm.sh/hook"));
}

#[test]
fn kong_needs_its_remote_postgresql_dependency_only_when_enabled() {
    let Some((helm, corpus)) = setup() else {
        return;
    };
    let chart = corpus.join("Kong__charts/charts/kong");
    // `postgresql.enabled` is false by default: Helm renders nothing of the dependency,
    // so an empty stand-in lets Kong render offline.
    let options = HelmOptions {
        parameters: vec![set("env.database", "postgres")],
        ..HelmOptions::new("kong")
    };
    let docs = timed_render(&helm, &chart, &options).unwrap();
    assert!(docs.iter().any(|d| d.source.ends_with("migrations.yaml")));
    let enabled = HelmOptions {
        parameters: vec![
            set("env.database", "postgres"),
            set("postgresql.enabled", "true"),
        ],
        ..HelmOptions::new("kong")
    };
    let err = timed_render(&helm, &chart, &enabled).unwrap_err();
    assert!(
        matches!(&err, HelmError::MissingDependency { name, repository }
            if name == "postgresql" && repository == "https://charts.bitnami.com/bitnami"),
        "{err}"
    );

    // With the dependency vendored (a stub: `postgresql.enabled` is false), Kong renders.
    let tmp = std::env::temp_dir().join(format!("synclint-helm-kong-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    copy_dir(&chart, &tmp, &[]);
    let stub = tmp.join("charts/postgresql");
    std::fs::create_dir_all(&stub).unwrap();
    std::fs::write(
        stub.join("Chart.yaml"),
        "apiVersion: v2\nname: postgresql\nversion: 11.9.13\n",
    )
    .unwrap();
    let result = timed_render(&helm, &tmp, &options);
    let jobs = result
        .as_ref()
        .map(|docs| jobs_from(&tmp, docs, "templates/migrations.yaml"));
    let _ = std::fs::remove_dir_all(&tmp);
    let jobs = jobs.unwrap();
    assert_eq!(jobs.len(), 1);
    assert!(jobs[0].text.contains("argocd.argoproj.io/hook"));
}

/// Copies a folder, leaving out top-level entries named in `skip`.
fn copy_dir(from: &Path, to: &Path, skip: &[&str]) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if skip.iter().any(|s| name == *s) {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(&name), &[]);
        } else {
            std::fs::copy(&path, to.join(&name)).unwrap();
        }
    }
}
