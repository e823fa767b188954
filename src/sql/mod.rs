//! The SQL layer for `destructive-sql-single-release`: find the SQL a deploy runs, split it
//! into statements with exact byte spans, and say which statements break the code that is
//! still running while the migration applies.
//!
//! Pure functions over text: nothing here reads files or YAML. Every byte range is relative
//! to the string passed in, so the caller adds the file or manifest offset.
//!
//! - [`mod@neutralize`]: templates, placeholders and psql meta-commands out, offsets unchanged;
//! - [`mod@parse`]: statements, syntax errors, `DO` blocks and `EXECUTE '...'` strings;
//! - [`destructive`]: what each statement does (drops, renames, type changes, facts), with
//!   [`types`] for column types and the widenings Postgres makes in place;
//! - [`release`]: the findings of a whole release, in order, with its own tables excused,
//!   judged against the [`schema`] earlier migrations built;
//! - [`extract`]: SQL inside container commands (`psql -c`, heredocs) and ConfigMap values;
//! - [`migrations`]: which files of a migration directory run on `up`, in which order;
//! - [`suppress`]: `-- synclint: ignore[rule]` comments.

mod classify;
pub mod destructive;
pub mod extract;
mod guard;
pub mod migrations;
mod names;
pub mod neutralize;
pub mod parse;
mod plpgsql;
pub mod release;
pub mod schema;
mod sections;
mod shell;
mod sqitch;
pub mod suppress;
pub mod types;

#[cfg(test)]
mod corpus_tests;

pub use destructive::{Destructive, DestructiveKind, Effect};
pub use extract::{EmbeddedSql, looks_like_sql, sql_in_command};
pub use migrations::{MigrationFile, MigrationTool, migration_files};
pub use neutralize::neutralize;
pub use parse::{Origin, Statement, SyntaxIssue, parse, parse_sql};
pub use release::{ReleaseFinding, release_findings};
pub use schema::KnownSchema;
pub use suppress::{SqlSuppression, suppressed_rules, suppressions, suppressions_for};

/// A byte range in the text given to a function of this module.
pub type ByteRange = std::ops::Range<usize>;

/// The SQL dialect a piece of SQL is written in. Only Postgres is analysed; MySQL is
/// recognised so the caller can say it was not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Dialect {
    #[default]
    Postgres,
    MySql,
}

/// A table, view, type, schema or database name, as Postgres resolves it: quotes removed,
/// unquoted names folded to lower case (a template such as `{{ .Schema }}` is kept as
/// written). `schema` is `None` when the SQL did not qualify the name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QualifiedName {
    pub schema: Option<String>,
    pub name: String,
}

impl QualifiedName {
    pub fn new(schema: Option<&str>, name: &str) -> QualifiedName {
        QualifiedName {
            schema: schema.map(str::to_string),
            name: name.to_string(),
        }
    }

    /// Whether two names can denote the same object: equal names, and equal schemas when
    /// both are written (an unqualified name may resolve to any schema on the search path).
    pub fn same_object(&self, other: &QualifiedName) -> bool {
        self.name == other.name
            && match (&self.schema, &other.schema) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }
}

impl std::fmt::Display for QualifiedName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.schema {
            Some(schema) => write!(f, "{schema}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}
