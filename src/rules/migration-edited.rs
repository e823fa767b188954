//! migration-edited: a migration file that an earlier release already shipped was
//! changed; migration tools never run an applied migration again.

use crate::diagnostic::{Diagnostic, Severity};
use crate::graph::AppGraph;
use crate::graph::sql::ScriptSource;
use crate::rules::{Check, Context, Rule};
use crate::source::Span;
use crate::sql::MigrationTool;

pub const RULE: Rule = Rule {
    id: "migration-edited",
    severity: Severity::Warning,
    page: include_str!("../../rules/migration-edited.md"),
    check: Check::App(check),
};

fn consequence(tool: MigrationTool) -> &'static str {
    match tool {
        MigrationTool::Flyway => {
            "Flyway's checksum validation then fails `migrate` on every database that applied the old version (and with validation off, the change never runs)"
        }
        MigrationTool::Liquibase => {
            "Liquibase's checksum validation then fails `update` on every database that ran the old changeset"
        }
        MigrationTool::Atlas => {
            "atlas.sum no longer matches, and databases that applied the old version never run the change"
        }
        _ => {
            "databases that applied the old version never run the change, so environments drift apart"
        }
    }
}

fn check(graph: &AppGraph, ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(boundary) = ctx.release.and_then(|r| r.boundary.as_ref().ok()) else {
        return;
    };
    let mut seen = Vec::new();
    for script in &graph.sql {
        let ScriptSource::MigrationFile { tool, repeatable } = script.source else {
            continue;
        };
        let rel = &graph.loaded.file(script.file).rel;
        // Repeatable migrations (Flyway `R__`) are meant to change: they run again.
        if repeatable || !boundary.modified(rel) || seen.contains(&script.file) {
            continue;
        }
        seen.push(script.file);
        let text = &graph.loaded.sources.get(script.file).text;
        let first_line = text.find('\n').unwrap_or(text.len());
        let migration = &graph.resources[script.migration];
        out.push(
            Diagnostic::new(
                RULE.id,
                RULE.severity,
                format!(
                    "migration file `{}` changed since {}, which already shipped it: {}",
                    crate::discover::file_name(rel),
                    boundary.base.rev,
                    consequence(tool)
                ),
                graph.loaded.location(Span::new(script.file, 0, first_line)),
            )
            .with_object(migration.object_ref())
            .with_app(&graph.app.name)
            .with_field(format!("file:{rel}"))
            .with_help("Leave shipped migrations as they are and add a new migration file with the change.")
            .with_label("changed after it shipped"),
        );
    }
}
