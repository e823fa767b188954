//! `.synclint.yaml`: rule severities, path ignores, repository URLs, migration patterns
//! and known external names. Parsed with our own YAML tree so every error has a line.

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::diagnostic::Severity;
use crate::load::tree::{NodeId, Tree};
use crate::load::yaml::{Bounds, parse};
use crate::source::{FileId, SourceFile};

/// A rule's configured level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Off,
    Severity(Severity),
}

#[derive(Debug, Default)]
pub struct Config {
    pub rules: Vec<(String, Level)>,
    pub ignore: Option<GlobSet>,
    pub per_path_ignores: Vec<(GlobSet, Vec<String>)>,
    /// Repository URLs that mean "this checkout".
    pub repositories: Vec<String>,
    pub migration_commands: Vec<String>,
    pub migration_names: Vec<String>,
    /// Names created outside the repository (by operators, by hand), by kind.
    pub external_secrets: Vec<String>,
    pub external_config_maps: Vec<String>,
    pub external_service_accounts: Vec<String>,
    pub external_pvcs: Vec<String>,
    /// Values for charts no Application covers (rendered as implicit apps).
    pub charts: Vec<ChartConfig>,
    /// Parameters for ApplicationSet generators that need a cluster or an API
    /// (`clusters`, `scmProvider`, `pullRequest`, `plugin`, `clusterDecisionResource`),
    /// by generator name: a list of parameter sets each.
    pub generator_params: Vec<(String, Vec<serde_json::Value>)>,
    /// Migration directories tied to apps (`migrations: [{path, app, dialect, tool}]`).
    pub migration_dirs: Vec<MigrationDir>,
}

/// How to render a chart that no Application covers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChartConfig {
    /// The chart directory, repository-relative.
    pub path: String,
    pub release_name: Option<String>,
    pub namespace: Option<String>,
    /// Values files, relative to the chart directory.
    pub value_files: Vec<String>,
    pub values: Option<serde_json::Value>,
}

/// A migration directory and the app whose releases ship it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MigrationDir {
    pub path: String,
    pub app: Option<String>,
    /// `postgres` (default) or `mysql`.
    pub dialect: Option<String>,
    /// `flyway`, `golang-migrate`, `goose`, `dbmate`, `atlas`, `sqitch`, `liquibase`.
    pub tool: Option<String>,
}

/// A config error with its place, printed as `path:line:col: error: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path, self.line, self.column, self.message
        )
    }
}

impl Config {
    pub fn level(&self, rule: &str) -> Option<Level> {
        self.rules
            .iter()
            .rev()
            .find(|(id, _)| id == rule)
            .map(|(_, l)| *l)
    }

    pub fn is_ignored_path(&self, rel: &str) -> bool {
        self.ignore.as_ref().is_some_and(|g| g.is_match(rel))
    }

    pub fn is_ignored_for(&self, rel: &str, rule: &str) -> bool {
        self.per_path_ignores.iter().any(|(glob, rules)| {
            glob.is_match(rel) && rules.iter().any(|r| r == rule || r == "all")
        })
    }

    /// Parses a config file; `known_rule` validates rule ids.
    pub fn parse(
        path: &str,
        text: &str,
        known_rule: &dyn Fn(&str) -> bool,
    ) -> Result<Config, ConfigError> {
        let source = SourceFile::new(FileId(0), path.to_string(), text.into());
        let parsed = parse(FileId(0), &std::sync::Arc::from(text), Bounds::default());
        let err = |offset: usize, message: String| {
            let p = source.position(offset);
            ConfigError {
                path: path.to_string(),
                line: p.line,
                column: p.column,
                message,
            }
        };
        if let Some(e) = parsed.error {
            return Err(err(e.offset, format!("invalid YAML: {}", e.message)));
        }
        let tree = &parsed.tree;
        let mut config = Config::default();
        let Some(root) = parsed.documents.first().copied().flatten() else {
            return Ok(config);
        };
        if !tree.is_map(root) {
            return Err(err(0, "the config file must be a mapping".into()));
        }
        let at = |id: NodeId| tree.span(id).start as usize;
        for entry in tree.entries(root) {
            let key = tree.str(entry.key).unwrap_or("");
            let value = entry.value;
            match key {
                "rules" => {
                    for rule in tree.entries(value) {
                        let id = tree.str(rule.key).unwrap_or("");
                        if !known_rule(id) {
                            return Err(err(at(rule.key), format!("unknown rule `{id}`")));
                        }
                        let level = match tree.str(rule.value) {
                            Some("off") => Level::Off,
                            Some(s) => Level::Severity(Severity::parse(s).ok_or_else(|| {
                                err(
                                    at(rule.value),
                                    format!("`{s}` is not one of off, error, warning, note"),
                                )
                            })?),
                            // YAML 1.1 reads an unquoted `off` as false.
                            None => {
                                return Err(err(
                                    at(rule.value),
                                    "expected off, error, warning or note".into(),
                                ));
                            }
                        };
                        config.rules.push((id.to_string(), level));
                    }
                }
                "ignore" => config.ignore = Some(globs(tree, value, &err)?),
                "per-path-ignores" => {
                    for item in tree.entries(value) {
                        let glob = globs_from(tree, &[item.key], &err)?;
                        let rules = strings(tree, item.value, &err)?;
                        for (id, node) in &rules {
                            if !known_rule(id) && id != "all" {
                                return Err(err(at(*node), format!("unknown rule `{id}`")));
                            }
                        }
                        config
                            .per_path_ignores
                            .push((glob, rules.into_iter().map(|r| r.0).collect()));
                    }
                }
                "repositories" => config.repositories = names(tree, value, &err)?,
                "migrations" if tree.is_seq(value) => {
                    config.migration_dirs = migration_dirs(tree, value, &err)?
                }
                "charts" => config.charts = charts(tree, value, &err)?,
                "generators" => {
                    for item in tree.entries(value) {
                        let name = tree.str(item.key).unwrap_or("").to_string();
                        let json = json(tree, item.value);
                        let Some(list) = json.as_array() else {
                            return Err(err(
                                at(item.value),
                                format!("`generators.{name}` must be a list of parameter sets"),
                            ));
                        };
                        config.generator_params.push((name, list.clone()));
                    }
                }
                "migrations" => {
                    for item in tree.entries(value) {
                        match tree.str(item.key).unwrap_or("") {
                            "commands" => {
                                config.migration_commands = names(tree, item.value, &err)?
                            }
                            "names" => config.migration_names = names(tree, item.value, &err)?,
                            "directories" => {
                                config.migration_dirs = migration_dirs(tree, item.value, &err)?
                            }
                            other => {
                                return Err(err(
                                    at(item.key),
                                    format!(
                                        "unknown key `migrations.{other}` (expected commands, names, directories)"
                                    ),
                                ));
                            }
                        }
                    }
                }
                "external" => {
                    for item in tree.entries(value) {
                        let list = names(tree, item.value, &err)?;
                        match tree.str(item.key).unwrap_or("") {
                            "secrets" => config.external_secrets = list,
                            "configmaps" => config.external_config_maps = list,
                            "serviceaccounts" => config.external_service_accounts = list,
                            "pvcs" => config.external_pvcs = list,
                            other => {
                                return Err(err(
                                    at(item.key),
                                    format!(
                                        "unknown key `external.{other}` (expected secrets, configmaps, serviceaccounts, pvcs)"
                                    ),
                                ));
                            }
                        }
                    }
                }
                other => {
                    return Err(err(
                        at(entry.key),
                        format!(
                            "unknown key `{other}` (expected rules, ignore, per-path-ignores, repositories, migrations, external, charts, generators)"
                        ),
                    ));
                }
            }
        }
        Ok(config)
    }
}

type ErrFn<'a> = dyn Fn(usize, String) -> ConfigError + 'a;

fn json(tree: &Tree, node: NodeId) -> serde_json::Value {
    crate::render::value::Value::from_tree(tree, node).to_json()
}

/// Reads a list of mappings, each through `item`, with errors at unknown keys.
fn mappings<T>(
    tree: &Tree,
    node: NodeId,
    err: &ErrFn,
    what: &str,
    keys: &[&str],
    mut item: impl FnMut(&str, NodeId, &mut T) -> Result<(), ConfigError>,
) -> Result<Vec<T>, ConfigError>
where
    T: Default,
{
    if !tree.is_seq(node) {
        return Err(err(
            tree.span(node).start as usize,
            format!("`{what}` must be a list"),
        ));
    }
    let mut out = Vec::new();
    for entry in tree.items(node) {
        let mut value = T::default();
        for e in tree.entries(*entry) {
            let key = tree.str(e.key).unwrap_or("");
            if !keys.contains(&key) {
                return Err(err(
                    tree.span(e.key).start as usize,
                    format!(
                        "unknown key `{key}` in `{what}` (expected {})",
                        keys.join(", ")
                    ),
                ));
            }
            item(key, e.value, &mut value)?;
        }
        out.push(value);
    }
    Ok(out)
}

fn string(tree: &Tree, node: NodeId, err: &ErrFn) -> Result<String, ConfigError> {
    tree.str(node)
        .map(str::to_string)
        .ok_or_else(|| err(tree.span(node).start as usize, "expected a string".into()))
}

fn migration_dirs(
    tree: &Tree,
    node: NodeId,
    err: &ErrFn,
) -> Result<Vec<MigrationDir>, ConfigError> {
    mappings(
        tree,
        node,
        err,
        "migrations",
        &["path", "app", "dialect", "tool"],
        |key, v, dir: &mut MigrationDir| {
            let s = string(tree, v, err)?;
            match key {
                "path" => dir.path = crate::apps::normalize_path(&s),
                "app" => dir.app = Some(s),
                "dialect" => dir.dialect = Some(s),
                _ => dir.tool = Some(s),
            }
            Ok(())
        },
    )
}

fn charts(tree: &Tree, node: NodeId, err: &ErrFn) -> Result<Vec<ChartConfig>, ConfigError> {
    mappings(
        tree,
        node,
        err,
        "charts",
        &["path", "releaseName", "namespace", "valueFiles", "values"],
        |key, v, chart: &mut ChartConfig| {
            match key {
                "path" => chart.path = crate::apps::normalize_path(&string(tree, v, err)?),
                "releaseName" => chart.release_name = Some(string(tree, v, err)?),
                "namespace" => chart.namespace = Some(string(tree, v, err)?),
                "valueFiles" => chart.value_files = names(tree, v, err)?,
                _ => chart.values = Some(json(tree, v)),
            }
            Ok(())
        },
    )
}

fn strings(tree: &Tree, node: NodeId, err: &ErrFn) -> Result<Vec<(String, NodeId)>, ConfigError> {
    if let Some(s) = tree.str(node) {
        // Also accept "a, b" for convenience.
        return Ok(s
            .split(',')
            .map(|p| (p.trim().to_string(), node))
            .filter(|p| !p.0.is_empty())
            .collect());
    }
    if !tree.is_seq(node) {
        return Err(err(
            tree.span(node).start as usize,
            "expected a list of strings".into(),
        ));
    }
    tree.items(node)
        .iter()
        .map(|i| {
            tree.str(*i)
                .map(|s| (s.to_string(), *i))
                .ok_or_else(|| err(tree.span(*i).start as usize, "expected a string".into()))
        })
        .collect()
}

fn names(tree: &Tree, node: NodeId, err: &ErrFn) -> Result<Vec<String>, ConfigError> {
    Ok(strings(tree, node, err)?.into_iter().map(|s| s.0).collect())
}

fn globs(tree: &Tree, node: NodeId, err: &ErrFn) -> Result<GlobSet, ConfigError> {
    let items: Vec<NodeId> = strings(tree, node, err)?.into_iter().map(|s| s.1).collect();
    globs_from(tree, &items, err)
}

fn globs_from(tree: &Tree, nodes: &[NodeId], err: &ErrFn) -> Result<GlobSet, ConfigError> {
    let mut builder = GlobSetBuilder::new();
    for node in nodes {
        let text = tree.str(*node).unwrap_or("");
        for pattern in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let glob = Glob::new(pattern).map_err(|e| {
                err(
                    tree.span(*node).start as usize,
                    format!("invalid glob `{pattern}`: {e}"),
                )
            })?;
            builder.add(glob);
            // `dir` also means everything below it, as in .gitignore.
            if !pattern.contains('*')
                && let Ok(g) = Glob::new(&format!("{}/**", pattern.trim_end_matches('/')))
            {
                builder.add(g);
            }
        }
    }
    builder
        .build()
        .map_err(|e| err(0, format!("invalid globs: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(id: &str) -> bool {
        id.starts_with("hook") || id.starts_with("migration")
    }

    #[test]
    fn parses_a_full_config() {
        let text = "rules:\n  hook-delete-policy: \"off\"\n  migration-concurrency: error\nignore: [vendor]\nper-path-ignores:\n  legacy/**: [hook-active-deadline]\nrepositories: [https://github.com/acme/gitops]\nmigrations:\n  commands: [bin/migrate]\nexternal:\n  secrets: [db]\n";
        let c = Config::parse(".synclint.yaml", text, &known).unwrap();
        assert_eq!(c.level("hook-delete-policy"), Some(Level::Off));
        assert!(c.is_ignored_path("vendor/x.yaml"));
        assert!(c.is_ignored_for("legacy/a/b.yaml", "hook-active-deadline"));
        assert_eq!(c.external_secrets, vec!["db"]);
    }

    #[test]
    fn parses_charts_generators_and_migration_directories() {
        let text = "charts:\n  - path: charts/boot/\n    values: {env: production}\ngenerators:\n  clusters: [{name: prod, server: https://k}]\nmigrations:\n  - {path: db/migrations, app: orders, tool: flyway}\n";
        let c = Config::parse(".synclint.yaml", text, &known).unwrap();
        assert_eq!(c.charts[0].path, "charts/boot");
        assert_eq!(
            c.charts[0].values,
            Some(serde_json::json!({"env": "production"}))
        );
        assert_eq!(c.generator_params[0].0, "clusters");
        assert_eq!(c.migration_dirs[0].app.as_deref(), Some("orders"));
        let e = Config::parse(".synclint.yaml", "charts:\n  - pth: x\n", &known).unwrap_err();
        assert_eq!((e.line, e.column), (2, 5));
    }

    #[test]
    fn errors_point_at_the_bad_line() {
        let e =
            Config::parse(".synclint.yaml", "rules:\n  no-such-rule: error\n", &known).unwrap_err();
        assert_eq!((e.line, e.column), (2, 3));
        let e = Config::parse(".synclint.yaml", "rules:\n  hook-x: loud\n", &known).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.to_string().starts_with(".synclint.yaml:2:"));
        let e = Config::parse(".synclint.yaml", "bogus: 1\n", &known).unwrap_err();
        assert_eq!(e.line, 1);
    }
}
