//! The SQL each migration of an app runs (design: graph, "the SQL each migration will
//! run"): inline in its command (`psql -c`, heredocs), in ConfigMaps mounted into it, and
//! in the migration directories tied to the app. Parsed once here; rules read the
//! statements and map their offsets to spans with [`Script::span`].

use super::embedded::Embedded;
use super::migration::{Patterns, classify_container};
use super::pod::Container;
use super::{AppGraph, Resource};
use crate::discover::FileKind;
use crate::load::tree::NodeId;
use crate::source::{FileId, Span};
use crate::sql::{self, Dialect, MigrationFile, Statement};

/// Where a script's text is written.
#[derive(Clone, Debug)]
pub enum ScriptSource {
    /// An argument of a container's `command` or `args`.
    Command { container: String },
    /// A key of a ConfigMap mounted into the migration (resource index, key).
    ConfigMap { config_map: usize, key: String },
    /// A file of a migration directory (`repeatable`: a Flyway `R__` file).
    MigrationFile {
        tool: sql::MigrationTool,
        repeatable: bool,
    },
}

/// One piece of SQL a migration runs, parsed.
#[derive(Clone, Debug)]
pub struct Script {
    /// The migration resource that runs it (its index in the graph).
    pub migration: usize,
    pub source: ScriptSource,
    /// The text statement offsets refer to.
    pub text: String,
    /// The file the text is written in (whether it changed decides the release).
    pub file: FileId,
    /// How offsets in `text` map to the file: the scalar it is in, or (for a file) none.
    scalar: Option<(NodeId, FileId)>,
    /// Added to offsets in `text` for a file's up-section, or an argument's SQL.
    base: usize,
    pub statements: Vec<Statement>,
    /// As the client, tool or path declares it; [`Script::dialect`] adds the config's.
    pub dialect: Dialect,
}

impl Script {
    /// The file span of `range` (offsets in `text`).
    pub fn span(&self, graph: &AppGraph, range: std::ops::Range<usize>) -> Span {
        let range = range.start + self.base..range.end + self.base;
        match self.scalar {
            None => Span::new(self.file, range.start, range.end),
            Some((node, tree_file)) => {
                let tree = graph.loaded.tree(tree_file);
                let span = tree.span(node);
                let value = tree.str(node).unwrap_or("");
                let file_text = &graph.loaded.sources.get(span.file).text;
                Embedded {
                    value,
                    span,
                    file_text,
                }
                .span_of(range)
            }
        }
    }

    /// `range` (offsets in `text`) as offsets in [`Script::source_text`].
    pub fn source_range(&self, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
        range.start + self.base..range.end + self.base
    }

    /// The text of `statement` (one of this script's) with whitespace runs folded to one
    /// space: the same statement written again, re-indented or re-wrapped, has the same key.
    pub fn statement_key(&self, statement: &Statement) -> String {
        statement_key(self.text.get(statement.span.clone()).unwrap_or(""))
    }

    /// The dialect the script is written in: for a migration file, the `dialect` of the
    /// innermost `migrations` entry of the config that holds it (`mysql`, `mariadb`,
    /// `postgres`, `postgresql`), else the one its client, tool or path declares.
    pub fn dialect(&self, graph: &AppGraph, patterns: &Patterns) -> Dialect {
        if !self.is_migration_file() {
            return self.dialect;
        }
        let rel = &graph.loaded.file(self.file).rel;
        let declared = patterns
            .directories
            .iter()
            .filter(|d| d.app.as_deref().is_none_or(|app| app == graph.app.name))
            .filter(|d| d.path.is_empty() || crate::discover::within(rel, &d.path))
            .max_by_key(|d| d.path.len())
            .and_then(|d| d.dialect.as_deref());
        match declared.map(str::to_ascii_lowercase).as_deref() {
            Some("mysql" | "mariadb") => Dialect::MySql,
            Some("postgres" | "postgresql") => Dialect::Postgres,
            _ => self.dialect,
        }
    }

    /// Whether this is a file of a migration directory.
    pub fn is_migration_file(&self) -> bool {
        matches!(self.source, ScriptSource::MigrationFile { .. })
    }

    /// The whole script's text as written (for suppression comments).
    pub fn source_text<'g>(&self, graph: &'g AppGraph) -> Option<&'g str> {
        match self.scalar {
            None => Some(&graph.loaded.sources.get(self.file).text),
            Some((node, tree_file)) => graph.loaded.tree(tree_file).str(node),
        }
    }
}

/// `text` with whitespace runs folded to one space and trimmed.
pub fn statement_key(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether a migration resource runs before or during the rollout (not after it).
pub fn runs_before_rollout(r: &Resource) -> bool {
    use super::hooks::Phase;
    let phases = r.sync_phases();
    !phases.is_empty()
        && phases
            .iter()
            .any(|p| matches!(p, Phase::PreSync | Phase::Sync))
}

/// Every script the app's migrations run. `dirs` are the migration directories tied to
/// the app (its source paths, and the config's), repository-relative.
pub fn scripts(graph: &AppGraph, dirs: &[String], patterns: &Patterns) -> Vec<Script> {
    let mut out = Vec::new();
    let migrations: Vec<usize> = graph
        .resources
        .iter()
        .enumerate()
        .filter(|(_, r)| r.migration.is_some() && !r.hook.dropped() && !r.hook.skip)
        .map(|(i, _)| i)
        .collect();
    for &m in &migrations {
        commands(graph, m, &|_| true, &mut out);
        config_maps(graph, m, &mut out);
    }
    // Workloads that migrate in an init container: its SQL runs as each pod starts.
    for (i, r) in graph.resources.iter().enumerate() {
        if r.migration.is_none() && r.is_workload() {
            let migrates = |c: &Container| c.init && classify_container(c, patterns).is_some();
            if r.pod.iter().flat_map(|p| &p.containers).any(migrates) {
                commands(graph, i, &migrates, &mut out);
            }
        }
    }
    // A migration directory runs in the app's first migration before the rollout (or
    // its first migration at all).
    let runner = migrations
        .iter()
        .copied()
        .find(|m| runs_before_rollout(&graph.resources[*m]))
        .or(migrations.first().copied());
    if let Some(runner) = runner {
        for file in migration_files(graph, dirs) {
            directory_script(graph, runner, file, &mut out);
        }
    }
    out
}

/// SQL in the command lines of migration `m`'s containers that `wanted` selects.
fn commands(
    graph: &AppGraph,
    m: usize,
    wanted: &dyn Fn(&Container) -> bool,
    out: &mut Vec<Script>,
) {
    let r = &graph.resources[m];
    let Some(pod) = &r.pod else { return };
    let tree = graph.tree(r);
    for c in pod.containers.iter().filter(|c| wanted(c)) {
        let list = if c.init {
            "initContainers"
        } else {
            "containers"
        };
        let Some(node) = tree
            .get(pod.node, list)
            .and_then(|l| tree.items(l).get(c.index).copied())
        else {
            continue;
        };
        let args: Vec<NodeId> = ["command", "args"]
            .iter()
            .filter_map(|k| tree.get(node, k))
            .flat_map(|l| tree.items(l).iter().copied())
            .collect();
        let argv: Vec<&str> = args.iter().map(|a| tree.str(*a).unwrap_or("")).collect();
        for found in sql::sql_in_command(&argv) {
            let arg = args[found.arg_index];
            let statements = parse(&found.text, found.dialect);
            out.push(Script {
                migration: m,
                source: ScriptSource::Command {
                    container: c.name.clone(),
                },
                file: tree.span(arg).file,
                scalar: Some((arg, r.file)),
                base: found.span.start,
                text: found.text,
                statements,
                dialect: found.dialect,
            });
        }
    }
}

/// SQL in the data of ConfigMaps mounted into migration `m`: keys ending in `.sql`, or
/// values that read as SQL.
fn config_maps(graph: &AppGraph, m: usize, out: &mut Vec<Script>) {
    use super::pod::{RefKind, RefSite};
    let r = &graph.resources[m];
    let Some(pod) = &r.pod else { return };
    for reference in &pod.references {
        let mounted = matches!(
            reference.site,
            RefSite::Volume { .. } | RefSite::Projected { .. }
        );
        if reference.kind != RefKind::ConfigMap || !mounted {
            continue;
        }
        let Some((index, cm)) = graph.resources.iter().enumerate().find(|(_, x)| {
            x.kind == "ConfigMap" && x.name == reference.name && x.namespace == r.namespace
        }) else {
            continue;
        };
        let tree = graph.tree(cm);
        let Some(data) = tree.get(cm.root, "data") else {
            continue;
        };
        for entry in tree.entries(data) {
            let (Some(key), Some(value)) = (tree.str(entry.key), tree.str(entry.value)) else {
                continue;
            };
            if !key.ends_with(".sql") && !sql::looks_like_sql(value) {
                continue;
            }
            out.push(Script {
                migration: m,
                source: ScriptSource::ConfigMap {
                    config_map: index,
                    key: key.to_string(),
                },
                file: tree.span(entry.value).file,
                scalar: Some((entry.value, cm.file)),
                base: 0,
                text: value.to_string(),
                statements: parse(value, Dialect::Postgres),
                dialect: Dialect::Postgres,
            });
        }
    }
}

/// The migration files under `dirs`, in apply order per directory tree.
fn migration_files(graph: &AppGraph, dirs: &[String]) -> Vec<(FileId, MigrationFile)> {
    let loaded = graph.loaded;
    let mut out = Vec::new();
    for dir in dirs {
        let files: Vec<String> = loaded
            .subtree(dir)
            .filter(|f| {
                f.kind == FileKind::Sql || crate::discover::file_name(&f.rel) == "atlas.sum"
            })
            .map(|f| f.rel.clone())
            .collect();
        if files.is_empty() {
            continue;
        }
        let found = sql::migration_files(&files, |rel| {
            let id = loaded.find(rel)?;
            let text = &loaded.sources.get(id).text;
            (!text.is_empty()).then(|| text.to_string())
        });
        for file in found {
            if let Some(id) = loaded.find(&file.path) {
                out.push((id, file));
            }
        }
    }
    out
}

fn directory_script(
    graph: &AppGraph,
    runner: usize,
    (id, file): (FileId, MigrationFile),
    out: &mut Vec<Script>,
) {
    let text = &graph.loaded.sources.get(id).text;
    for range in &file.up_ranges {
        let Some(section) = text.get(range.clone()) else {
            continue;
        };
        out.push(Script {
            migration: runner,
            source: ScriptSource::MigrationFile {
                tool: file.tool,
                repeatable: file.repeatable,
            },
            file: id,
            scalar: None,
            base: range.start,
            text: section.to_string(),
            // Parsed whatever the path says: the config may declare it PostgreSQL.
            statements: sql::parse_sql(section),
            dialect: file.dialect,
        });
    }
}

/// Postgres is analysed; MySQL is not (the rule says so instead of guessing).
fn parse(text: &str, dialect: Dialect) -> Vec<Statement> {
    match dialect {
        Dialect::Postgres => sql::parse_sql(text),
        Dialect::MySql => Vec::new(),
    }
}
