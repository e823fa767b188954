use super::*;
use crate::helm::tempdir::TempDir;

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn chart_yaml(name: &str, deps: &str) -> String {
    format!("apiVersion: v2\nname: {name}\nversion: 0.1.0\n{deps}")
}

const APP_DEPS: &str = "dependencies:
  - name: commons
    version: 0.1.0
    repository: file://../commons
    alias: lib
  - name: postgresql
    version: 11.9.13
    repository: https://charts.bitnami.com/bitnami
    condition: postgresql.enabled
";

#[test]
fn dependencies_come_from_chart_yaml_or_requirements_yaml() {
    let tmp = TempDir::new().unwrap();
    write(tmp.path(), "app/Chart.yaml", &chart_yaml("app", APP_DEPS));
    let deps = dependencies(&tmp.path().join("app"));
    assert_eq!(deps.len(), 2);
    assert_eq!(deps[0].name, "commons");
    assert_eq!(deps[0].rendered_name(), "lib");
    assert_eq!(deps[1].repository, "https://charts.bitnami.com/bitnami");
    assert_eq!(deps[1].rendered_name(), "postgresql");

    write(
        tmp.path(),
        "v1/Chart.yaml",
        "apiVersion: v1\nname: v1\nversion: 1.0.0\n",
    );
    write(
        tmp.path(),
        "v1/requirements.yaml",
        "dependencies:\n- name: redis\n  version: 1.x\n  repository: '@stable'\n",
    );
    let deps = dependencies(&tmp.path().join("v1"));
    assert_eq!(deps.len(), 1);
    assert_eq!((&*deps[0].name, &*deps[0].repository), ("redis", "@stable"));

    write(tmp.path(), "bad/Chart.yaml", "dependencies: [ {name: x\n");
    assert!(dependencies(&tmp.path().join("bad")).is_empty());
    assert!(dependencies(&tmp.path().join("none")).is_empty());
}

#[test]
fn vendored_dependencies_are_folders_or_versioned_archives() {
    let tmp = TempDir::new().unwrap();
    let chart = tmp.path();
    let dep = |name: &str| Dependency {
        name: name.into(),
        ..Dependency::default()
    };
    write(chart, "charts/postgresql-11.9.13.tgz", "");
    write(chart, "charts/hydra-maester-0.62.1.tgz", "");
    write(chart, "charts/redis-v7.0.0.tgz", "");
    write(chart, "charts/direct/Chart.yaml", &chart_yaml("direct", ""));
    write(
        chart,
        "charts/folder/Chart.yaml",
        &chart_yaml("renamed", ""),
    );
    write(chart, "charts/empty/values.yaml", "");
    assert!(is_vendored(chart, &dep("postgresql")));
    assert!(is_vendored(chart, &dep("hydra-maester")));
    assert!(is_vendored(chart, &dep("redis")));
    assert!(is_vendored(chart, &dep("direct")));
    assert!(is_vendored(chart, &dep("renamed")));
    assert!(
        !is_vendored(chart, &dep("hydra")),
        "hydra-maester is another chart"
    );
    assert!(!is_vendored(chart, &dep("empty")), "no Chart.yaml");
    assert!(!is_vendored(chart, &dep("mysql")));
}

#[test]
fn remote_dependencies_that_are_not_vendored_are_missing() {
    let tmp = TempDir::new().unwrap();
    write(tmp.path(), "app/Chart.yaml", &chart_yaml("app", APP_DEPS));
    write(tmp.path(), "commons/Chart.yaml", &chart_yaml("commons", ""));
    let work = TempDir::new().unwrap();
    let err = prepare_chart(&tmp.path().join("app"), work.path(), &|_| false).unwrap_err();
    let HelmError::MissingDependency { name, repository } = err else {
        panic!("{err}");
    };
    assert_eq!(name, "postgresql");
    assert_eq!(repository, "https://charts.bitnami.com/bitnami");
}

#[test]
fn vendored_charts_are_rendered_in_place() {
    let tmp = TempDir::new().unwrap();
    let app = tmp.path().join("app");
    write(&app, "Chart.yaml", &chart_yaml("app", APP_DEPS));
    write(&app, "charts/commons-0.1.0.tgz", "");
    write(&app, "charts/postgresql-11.9.13.tgz", "");
    let work = TempDir::new().unwrap();
    assert_eq!(prepare_chart(&app, work.path(), &|_| false).unwrap(), app);
    assert!(std::fs::read_dir(work.path()).unwrap().next().is_none());
}

#[test]
fn local_dependencies_are_built_into_a_copy() {
    let tmp = TempDir::new().unwrap();
    let app = tmp.path().join("app");
    let deps =
        "dependencies:\n- name: commons\n  version: 0.1.0\n  repository: file://../commons\n";
    write(&app, "Chart.yaml", &chart_yaml("app", deps));
    write(&app, "templates/job.yaml", "kind: Job\n");
    write(tmp.path(), "commons/Chart.yaml", &chart_yaml("commons", ""));
    write(tmp.path(), "commons/templates/_h.tpl", "{{/* x */}}");
    let work = TempDir::new().unwrap();
    let prepared = prepare_chart(&app, work.path(), &|_| false).unwrap();
    assert!(prepared.starts_with(work.path()));
    assert!(prepared.join("templates/job.yaml").is_file());
    assert!(prepared.join("charts/commons/templates/_h.tpl").is_file());
    assert!(
        !app.join("charts").exists(),
        "the original chart is not touched"
    );

    std::fs::remove_dir_all(tmp.path().join("commons")).unwrap();
    let work = TempDir::new().unwrap();
    let err = prepare_chart(&app, work.path(), &|_| false).unwrap_err();
    assert!(
        matches!(&err, HelmError::MissingDependency { name, repository }
            if name == "commons" && repository == "file://../commons"),
        "{err}"
    );
}

#[test]
fn sources_map_to_templates_and_subcharts() {
    let tmp = TempDir::new().unwrap();
    let app = tmp.path().join("app");
    write(&app, "Chart.yaml", &chart_yaml("app", APP_DEPS));
    write(&app, "templates/job.yaml", "");
    write(&app, "crds/crd.yaml", "");
    write(&app, "charts/commons-0.1.0.tgz", "");
    write(&app, "charts/postgresql-11.9.13.tgz", "");
    write(&app, "charts/side/Chart.yaml", &chart_yaml("side", ""));
    write(&app, "charts/side/templates/cm.yaml", "");
    write(tmp.path(), "commons/Chart.yaml", &chart_yaml("commons", ""));
    write(tmp.path(), "commons/templates/sa.yaml", "");
    let sources = ChartSources::new(&app);
    let file = |s: &str| sources.file_for(s);
    assert_eq!(
        file("app/templates/job.yaml"),
        Some(app.join("templates/job.yaml"))
    );
    // The folder name does not matter: the first segment is the chart's name.
    assert_eq!(file("other/crds/crd.yaml"), Some(app.join("crds/crd.yaml")));
    assert_eq!(
        file("app/charts/side/templates/cm.yaml"),
        Some(app.join("charts/side/templates/cm.yaml"))
    );
    // Aliased and vendored as an archive: found through its file:// source.
    assert_eq!(
        file("app/charts/lib/templates/sa.yaml"),
        Some(app.join("../commons").join("templates/sa.yaml"))
    );
    assert_eq!(file("app/charts/postgresql/templates/sts.yaml"), None);
    assert_eq!(file("app/templates/missing.yaml"), None);
    assert_eq!(file("app/../app/templates/job.yaml"), None);
    assert_eq!(file("app"), None);
    assert_eq!(file(""), None);
}
