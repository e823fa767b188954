//! sql-syntax: a migration statement that does not parse (its effect is not checked; the
//! other statements still are), and migrations in a dialect synclint does not analyse.

use crate::diagnostic::{Diagnostic, Severity};
use crate::graph::AppGraph;
use crate::graph::sql::ScriptSource;
use crate::rules::{Check, Context, Rule};
use crate::sql::Dialect;

pub const RULE: Rule = Rule {
    id: "sql-syntax",
    severity: Severity::Note,
    page: include_str!("../../rules/sql-syntax.md"),
    check: Check::App(check),
};

fn check(graph: &AppGraph, ctx: &Context, out: &mut Vec<Diagnostic>) {
    for script in &graph.sql {
        let migration = &graph.resources[script.migration];
        let finding = |span, message: String| {
            Diagnostic::new(RULE.id, RULE.severity, message, graph.loaded.location(span))
                .with_object(migration.object_ref())
                .with_app(&graph.app.name)
        };
        if script.dialect(graph, ctx.patterns) == Dialect::MySql {
            out.push(
                finding(
                    script.span(graph, 0..0),
                    format!(
                        "the MySQL SQL that {} runs is not analysed: synclint parses PostgreSQL only, so destructive statements in it are not reported",
                        migration.describe()
                    ),
                )
                .with_help("Check this migration for destructive statements by hand, or tell synclint it is PostgreSQL with `dialect: postgres` in `migrations` of .synclint.yaml if it is.")
                .with_label("not analysed"),
            );
            continue;
        }
        for statement in &script.statements {
            let Some(error) = statement.errors.first() else {
                continue;
            };
            let at = error.offset.clamp(statement.span.start, statement.span.end);
            let what = match &script.source {
                ScriptSource::Command { container } => {
                    format!("in the command of container `{container}`")
                }
                ScriptSource::ConfigMap { key, .. } => format!("in ConfigMap key `{key}`"),
                ScriptSource::MigrationFile { .. } => "in this migration file".to_string(),
            };
            out.push(
                finding(
                    script.span(graph, at..at),
                    format!(
                        "a statement {what}, run by {}, does not parse ({}): synclint cannot tell what it changes; the other statements are still checked",
                        migration.describe(),
                        error.message
                    ),
                )
                .with_field(format!("sql:{}", statement.span.start))
                .with_help("Fix the statement, or if it is valid PostgreSQL that synclint's parser does not know, check it by hand; Postgres itself reports real errors when the migration runs.")
                .with_label("does not parse"),
            );
        }
    }
}
