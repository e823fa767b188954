//! destructive-sql-single-release: destructive SQL shipped in the same release as the
//! code that rolls out with it (design: Releases). The expand and the contract of a
//! schema change belong in two releases.

use crate::diagnostic::{Diagnostic, Severity};
use crate::graph::AppGraph;
use crate::graph::sql::{Script, runs_before_rollout};
use crate::release::boundary::Boundary;
use crate::rules::{Check, Context, Rule};
use crate::sql::{self, Dialect, KnownSchema, ReleaseFinding, Statement};

pub const RULE: Rule = Rule {
    id: "destructive-sql-single-release",
    severity: Severity::Error,
    page: include_str!("../../rules/destructive-sql-single-release.md"),
    check: Check::App(check),
};

const HELP: &str = "Expand and contract over two releases: first add the new schema and ship code that works with both, then, once no pod runs the old code, drop or rename the old parts in a later release. Move this statement to a migration of the next release, or suppress it with `-- synclint: ignore[destructive-sql-single-release] reason` when the old code never uses what it changes.";

/// A statement by (script, statement) index.
type Key = (usize, usize);

/// Whether `statement` of `script` is part of the release: in a migration directory's
/// file, when the file is new since the base; in a manifest (a command, a ConfigMap), when
/// the file holding it changed and the base did not already run that statement (such SQL
/// is rewritten in place: a ConfigMap gains a key, a command a statement). Without a
/// boundary, everything is.
fn in_release(
    graph: &AppGraph,
    script: &Script,
    statement: &Statement,
    boundary: Option<&Boundary>,
) -> bool {
    let Some(b) = boundary else { return true };
    let rel = &graph.loaded.file(script.file).rel;
    if script.is_migration_file() {
        b.added(rel)
    } else {
        b.changed(rel) && !b.shipped(&graph.app.name, &script.statement_key(statement))
    }
}

fn check(graph: &AppGraph, ctx: &Context, out: &mut Vec<Diagnostic>) {
    if graph.sql.is_empty() {
        return;
    }
    let boundary = ctx.release.and_then(|r| r.boundary.as_ref().ok());
    let why_unknown = match ctx.release.map(|r| &r.boundary) {
        Some(Err(why)) => why.clone(),
        _ => "no Git checkout".to_string(),
    };
    let postgres: Vec<(usize, &Script)> = graph
        .sql
        .iter()
        .enumerate()
        .filter(|(_, s)| s.dialect(graph, ctx.patterns) == Dialect::Postgres)
        .collect();
    // What ran before the release tells the column types a change starts from.
    let history = KnownSchema::from_history(postgres.iter().flat_map(|(_, s)| {
        s.statements
            .iter()
            .filter(|st| !in_release(graph, s, st, boundary))
    }));
    let release: Vec<(Key, &Statement)> = postgres
        .iter()
        // A migration after the rollout is `migration-order`'s finding.
        .filter(|(_, s)| runs_before_rollout(&graph.resources[s.migration]))
        .flat_map(|(i, s)| {
            s.statements
                .iter()
                .enumerate()
                .filter(|(_, st)| in_release(graph, s, st, boundary))
                // A statement that does not parse is `sql-syntax`'s: what it changes is not
                // known (and Postgres would reject it, so it changes nothing).
                .filter(|(_, st)| !st.has_error())
                .map(move |(j, st)| ((*i, j), st))
        })
        .collect();
    if release.is_empty() {
        return;
    }
    let code = boundary
        .map(|b| b.code_changes(&graph.app.name))
        .unwrap_or_default();
    let findings = match boundary {
        Some(_) => sql::release_findings(&history, &release),
        None => one_script_at_a_time(&release),
    };
    for finding in findings {
        let (i, j) = finding.key;
        let script = &graph.sql[i];
        let statement = &script.statements[j];
        if let Some(text) = script.source_text(graph)
            && sql::suppressed_rules(text, script.source_range(statement.span.clone()))
                .iter()
                .any(|r| r == RULE.id)
        {
            continue;
        }
        let severity = match (boundary, &finding.expand_contract, code.is_empty()) {
            (None, _, _) => Severity::Note,
            (Some(_), Some(_), _) | (Some(_), None, false) => RULE.severity,
            // A contract-only release: the code that needed the old schema is gone.
            (Some(_), None, true) => continue,
        };
        out.push(report(
            graph,
            &finding,
            severity,
            &code,
            &why_unknown,
            boundary,
        ));
    }
}

/// Without a boundary, no release is known: each script (a migration file, a ConfigMap
/// key, a command) is judged on its own, after every script before it, so a table that an
/// earlier migration created still counts as existing when a later one drops its columns.
fn one_script_at_a_time(release: &[(Key, &Statement)]) -> Vec<ReleaseFinding<Key>> {
    let mut schema = KnownSchema::default();
    let mut findings = Vec::new();
    for script in release.chunk_by(|a, b| a.0.0 == b.0.0) {
        findings.extend(sql::release_findings(&schema, script));
        for effect in script.iter().flat_map(|(_, st)| &st.effects) {
            schema.apply(effect);
        }
    }
    findings
}

fn report(
    graph: &AppGraph,
    finding: &ReleaseFinding<Key>,
    severity: Severity,
    code: &[&str],
    why_unknown: &str,
    boundary: Option<&Boundary>,
) -> Diagnostic {
    let (i, _) = finding.key;
    let script = &graph.sql[i];
    let migration = &graph.resources[script.migration];
    let change = &finding.change;
    let what = format!(
        "{} ({}{})",
        change.description,
        change.kind.code(),
        change
            .squawk_rule()
            .map(|r| format!(", squawk: {r}"))
            .unwrap_or_default()
    );
    let message = match (&finding.expand_contract, boundary) {
        (Some((_, added)), Some(_)) => format!(
            "{} {what} in the same release that adds column `{}` to {}: the expand and the contract of one change ship together, and the code still running during the rollout reads the old column",
            migration.describe(),
            added.column,
            added.table
        ),
        (_, Some(_)) => format!(
            "{} {what} before the new code of {} rolls out: pods of the previous release keep serving during the rolling update and fail on the changed schema",
            migration.describe(),
            workloads(code)
        ),
        (_, None) => format!(
            "{} {what}; no release boundary is known ({why_unknown}), so synclint cannot tell whether new application code ships with it",
            migration.describe()
        ),
    };
    let mut d = Diagnostic::new(
        RULE.id,
        severity,
        message,
        graph
            .loaded
            .location(script.span(graph, change.span.clone())),
    )
    .with_object(migration.object_ref())
    .with_app(&graph.app.name)
    .with_field(format!("sql:{}", change.description))
    .with_help(HELP)
    .with_label(change.kind.code())
    .with_related(
        graph.location(migration, graph.name_node(migration)),
        "the migration that runs it, before the rollout",
    );
    if let Some(((ai, _), added)) = &finding.expand_contract {
        d = d.with_related(
            graph
                .loaded
                .location(graph.sql[*ai].span(graph, added.span.clone())),
            format!("adds `{}` in the same release", added.column),
        );
    }
    for key in code {
        if let Some((r, node)) = workload_image(graph, key) {
            let image = graph.tree(r).str(node).unwrap_or("");
            d = d.with_related(graph.location(r, node), format!("new code: `{image}`"));
        }
    }
    d
}

/// `Deployment `api`, CronJob `report`` from `kind/name/container` keys, each once.
fn workloads(code: &[&str]) -> String {
    let mut names: Vec<String> = Vec::new();
    for key in code {
        let mut parts = key.splitn(3, '/');
        let (kind, name) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let shown = format!("{kind} `{name}`");
        if !names.contains(&shown) {
            names.push(shown);
        }
    }
    names.join(", ")
}

/// The image node of a workload container named `kind/name/container`.
fn workload_image<'g>(
    graph: &'g AppGraph,
    key: &str,
) -> Option<(&'g crate::graph::Resource<'g>, crate::load::tree::NodeId)> {
    let mut parts = key.splitn(3, '/');
    let (kind, name, container) = (parts.next()?, parts.next()?, parts.next()?);
    let r = graph
        .resources
        .iter()
        .find(|r| r.kind == kind && r.name == name)?;
    let c = r
        .pod
        .as_ref()?
        .containers
        .iter()
        .find(|c| c.name == container && !c.init)?;
    Some((r, c.image_node?))
}
