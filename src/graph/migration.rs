//! Is a Job, Pod or init container a database migration? (design: Migration Jobs)

use super::pod::Container;

pub const MIGRATION_ANNOTATION: &str = "synclint.io/migration";

/// Known migration tools, matched as token sequences in `command` + `args`.
/// `...` stands for any tokens in between.
const TOOLS: &[&str] = &[
    "manage.py migrate",
    "rails db:migrate",
    "rake db:migrate",
    "alembic upgrade",
    "flyway migrate",
    "liquibase update",
    "migrate ... up",
    "goose up",
    "goose ... up",
    "dbmate up",
    "dbmate migrate",
    "atlas migrate apply",
    "atlas schema apply",
    "prisma migrate deploy",
    "knex migrate",
    "sequelize db:migrate",
    "sequelize-cli db:migrate",
    "sqitch deploy",
    "diesel migration run",
    "sqlx migrate run",
    "mix ecto.migrate",
    "kong migrations",
    "flask db upgrade",
    "bundle exec rake db:migrate",
];

const DDL: &[&str] = &["create ", "alter ", "drop ", "rename ", "truncate "];

/// Migration patterns added by the config file (`migrations.commands`, `migrations.names`).
#[derive(Clone, Debug, Default)]
pub struct Patterns {
    pub commands: Vec<String>,
    pub names: Vec<String>,
    /// Migration directories from the config, tied to apps.
    pub directories: Vec<crate::config::MigrationDir>,
}

/// Why something was judged a migration, for messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    Annotation,
    Name(String),
    Command(String),
}

impl Reason {
    pub fn describe(&self) -> String {
        match self {
            Reason::Annotation => "annotated `synclint.io/migration: \"true\"`".into(),
            Reason::Name(n) => format!("its name `{n}` says so"),
            Reason::Command(c) => format!("it runs `{c}`"),
        }
    }
}

/// Kubernetes storage-version migrators (knative, kube-storage-version-migrator) move
/// stored API objects, not database schemas.
fn is_storage_migrator(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    t.contains("storage-version-migrat")
        || t.contains("storageversionmigrat")
        || t.contains("storage-migrat")
}

/// Classifies a Job or Pod: the annotation decides when present; then names, then the
/// commands of its (non-init) containers.
pub fn classify_workload(
    annotation: Option<&str>,
    names: &[&str],
    containers: &[Container],
    patterns: &Patterns,
) -> Option<Reason> {
    match annotation {
        Some("true") => return Some(Reason::Annotation),
        Some("false") => return None,
        _ => {}
    }
    let images = containers
        .iter()
        .filter_map(|c| c.image.as_ref())
        .map(|i| i.repository.as_str());
    if names.iter().copied().chain(images).any(is_storage_migrator) {
        return None;
    }
    for name in names {
        if let Some(reason) = by_name(name, patterns) {
            return Some(reason);
        }
    }
    containers
        .iter()
        .filter(|c| !c.init)
        .find_map(|c| by_command(&c.command_line, patterns))
}

/// Classifies an init container of a long-running workload.
pub fn classify_container(container: &Container, patterns: &Patterns) -> Option<Reason> {
    let image = container
        .image
        .as_ref()
        .map(|i| i.repository.as_str())
        .unwrap_or("");
    if is_storage_migrator(&container.name) || is_storage_migrator(image) {
        return None;
    }
    by_name(&container.name, patterns).or_else(|| by_command(&container.command_line, patterns))
}

fn by_name(name: &str, patterns: &Patterns) -> Option<Reason> {
    let lower = name.to_ascii_lowercase();
    (lower.contains("migrat")
        || patterns
            .names
            .iter()
            .any(|p| lower.contains(&p.to_ascii_lowercase())))
    .then(|| Reason::Name(name.to_string()))
}

fn by_command(command_line: &str, patterns: &Patterns) -> Option<Reason> {
    if command_line.is_empty() {
        return None;
    }
    let tokens: Vec<&str> = command_line
        .split_whitespace()
        .map(|t| t.rsplit('/').next().unwrap_or(t))
        .collect();
    for tool in TOOLS {
        if matches_tool(&tokens, tool) {
            return Some(Reason::Command(tool.replace(" ...", "").to_string()));
        }
    }
    if let Some(p) = patterns
        .commands
        .iter()
        .find(|p| command_line.contains(p.as_str()))
    {
        return Some(Reason::Command(p.clone()));
    }
    let lower = command_line.to_ascii_lowercase();
    if tokens.contains(&"psql")
        && (tokens.iter().any(|t| *t == "-f" || t.starts_with("--file"))
            || DDL.iter().any(|d| lower.contains(d)))
    {
        return Some(Reason::Command("psql".into()));
    }
    None
}

/// Whether the words of `tool` occur in order in `tokens`, adjacent unless separated
/// by `...` in the pattern. Shell scripts (`sh -c "..."`) are split into tokens too.
fn matches_tool(tokens: &[&str], tool: &str) -> bool {
    let words: Vec<&str> = tool.split(' ').collect();
    (0..tokens.len()).any(|start| match_from(tokens, start, &words))
}

fn match_from(tokens: &[&str], start: usize, words: &[&str]) -> bool {
    let Some((first, rest)) = words.split_first() else {
        return true;
    };
    if *first == "..." {
        return (start..=tokens.len()).any(|s| match_from(tokens, s, rest));
    }
    tokens
        .get(start)
        .is_some_and(|t| t.trim_matches(['"', '\'', ';', '&']) == *first)
        && match_from(tokens, start + 1, rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn container(name: &str, cmd: &str, image: &str) -> Container {
        Container {
            name: name.into(),
            name_node: None,
            init: false,
            index: 0,
            image: super::super::image::ImageRef::parse(image),
            image_node: None,
            command_line: cmd.into(),
        }
    }

    #[test]
    fn known_tools_and_names() {
        let p = Patterns::default();
        let c = [container(
            "app",
            "sh -c cd /app && python manage.py migrate --noinput",
            "acme/api",
        )];
        assert!(classify_workload(None, &["api-setup"], &c, &p).is_some());
        let c = [container(
            "app",
            "migrate -path /m -database $DB up",
            "migrate/migrate",
        )];
        assert!(classify_workload(None, &["x"], &c, &p).is_some());
        assert!(classify_workload(None, &["db-migrations"], &[], &p).is_some());
        let c = [container("backup", "pg_dump -f /b/dump.sql", "postgres")];
        assert!(classify_workload(None, &["db-backup"], &c, &p).is_none());
    }

    #[test]
    fn storage_version_migrations_are_not_database_migrations() {
        let c = [container(
            "migrate",
            "",
            "gcr.io/knative-releases/knative.dev/pkg/apiextensions/storageversion/cmd/migrate",
        )];
        assert!(
            classify_workload(
                None,
                &["storage-version-migration-serving"],
                &c,
                &Patterns::default()
            )
            .is_none()
        );
    }

    #[test]
    fn annotation_decides() {
        assert!(
            classify_workload(Some("false"), &["migrate"], &[], &Patterns::default()).is_none()
        );
        assert_eq!(
            classify_workload(Some("true"), &["x"], &[], &Patterns::default()),
            Some(Reason::Annotation)
        );
    }
}
