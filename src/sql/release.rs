//! The destructive changes of a whole release, in order, judged against what existed before
//! it: a table the release itself creates is not "existing", so dropping or renaming it (or
//! its columns) breaks no running code; a column it adds is unknown to old code too. A
//! release that adds a column to a table and drops or renames another column of that table
//! is an expand and a contract in one release, and the finding says so.

use super::destructive::{AddedColumn, Destructive, DestructiveKind, Effect};
use super::schema::KnownSchema;
use super::types::is_safe_widening;
use super::{ByteRange, QualifiedName, Statement};

/// A destructive change of the release that breaks code still running during the rollout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleaseFinding<K> {
    /// The caller's key of the statement holding the change.
    pub key: K,
    pub change: Destructive,
    /// For a dropped or renamed column: a column the same release adds to the same table,
    /// i.e. the expand and the contract shipped together.
    pub expand_contract: Option<(K, AddedColumn)>,
}

/// Tables of the release, tracked through renames: `names[i]` is the current name of table
/// `i`, `None` once dropped.
#[derive(Default)]
struct Tables {
    names: Vec<Option<QualifiedName>>,
    created: Vec<bool>,
}

impl Tables {
    fn find(&self, name: &QualifiedName) -> Option<usize> {
        self.names
            .iter()
            .rposition(|n| n.as_ref().is_some_and(|n| n.same_object(name)))
    }

    /// The table `name` denotes now, registering an existing table on first sight.
    fn id(&mut self, name: &QualifiedName) -> usize {
        self.find(name)
            .unwrap_or_else(|| self.add(name.clone(), false))
    }

    fn add(&mut self, name: QualifiedName, created: bool) -> usize {
        self.names.push(Some(name));
        self.created.push(created);
        self.names.len() - 1
    }
}

/// A column of a table (by id in [`Tables`]).
type TableColumn = (usize, String);

/// A column the release adds to a table that existed before it.
struct NewColumn<K> {
    table: usize,
    column: String,
    key: K,
    fact: AddedColumn,
}

/// The findings of a release: `release` is every statement it applies, in apply order, each
/// with the caller's key (file and statement index, say); `history` the schema before it.
pub fn release_findings<K: Clone>(
    history: &KnownSchema,
    release: &[(K, &Statement)],
) -> Vec<ReleaseFinding<K>> {
    let mut schema = history.clone();
    let mut tables = Tables::default();
    let mut added: Vec<NewColumn<K>> = Vec::new();
    // Column findings wait for the whole release: an added column may come later.
    let mut findings: Vec<(ReleaseFinding<K>, Option<TableColumn>)> = Vec::new();
    for (key, statement) in release {
        let type_verdicts = judge_type_changes(&schema, &statement.effects);
        for effect in &statement.effects {
            match effect {
                // `IF NOT EXISTS` may find the table there already: it stays existing (and
                // a table the release created before stays created).
                Effect::CreateTable(created) if created.if_not_exists => {
                    tables.id(&created.table);
                }
                Effect::CreateTable(created) => {
                    tables.add(created.table.clone(), true);
                }
                Effect::AddColumn(column) => {
                    let table = tables.id(&column.table);
                    if !tables.created[table] {
                        added.push(NewColumn {
                            table,
                            column: column.column.clone(),
                            key: key.clone(),
                            fact: column.clone(),
                        });
                    }
                }
                Effect::ColumnType(_) => {}
                Effect::Destructive(change) => {
                    let verdict = type_verdicts.iter().find(|(span, _)| *span == change.span);
                    if let Some((_, None)) = verdict {
                        continue; // a type change the history shows to be a widening
                    }
                    let change = verdict
                        .and_then(|(_, v)| v.clone())
                        .unwrap_or(change.clone());
                    if let Some(found) = judge(&change, &mut tables, &mut added) {
                        let finding = ReleaseFinding {
                            key: key.clone(),
                            change,
                            expand_contract: None,
                        };
                        findings.push((finding, found));
                    }
                }
            }
            schema.apply(effect);
        }
        // Type changes presumed safe that the history shows to narrow or convert.
        for (_, verdict) in type_verdicts {
            let Some(change) = verdict else { continue };
            let already = findings.iter().any(|(f, _)| f.change.span == change.span);
            if !already && let Some(found) = judge(&change, &mut tables, &mut added) {
                let finding = ReleaseFinding {
                    key: key.clone(),
                    change,
                    expand_contract: None,
                };
                findings.push((finding, found));
            }
        }
    }
    findings
        .into_iter()
        .map(|(mut finding, column)| {
            if let Some((table, column)) = column
                && matches!(
                    finding.change.kind,
                    DestructiveKind::DropColumn | DestructiveKind::RenameColumn
                )
            {
                finding.expand_contract = added
                    .iter()
                    .find(|new| new.table == table && new.column != column)
                    .map(|new| (new.key.clone(), new.fact.clone()));
            }
            finding
        })
        .collect()
}

/// Whether a change breaks running code, given the release so far; tracks renames and
/// drops. `Some(Some((table, column)))` for a reported column change, `Some(None)` for
/// another reported change, `None` when the change only touches what the release made.
fn judge<K>(
    change: &Destructive,
    tables: &mut Tables,
    added: &mut [NewColumn<K>],
) -> Option<Option<TableColumn>> {
    let table_kinds = change.kind.is_column_change()
        || matches!(
            change.kind,
            DestructiveKind::DropTable
                | DestructiveKind::RenameTable
                | DestructiveKind::MoveTable
                | DestructiveKind::DropConstraint
                | DestructiveKind::Truncate
                | DestructiveKind::DeleteAllRows
        );
    let Some(name) = change.object.as_ref().filter(|_| table_kinds) else {
        return Some(None); // schemas, views, types, databases: not tracked
    };
    let table = tables.id(name);
    match change.kind {
        DestructiveKind::DropTable => tables.names[table] = None,
        DestructiveKind::RenameTable => {
            let new_name = change.new_name.clone().unwrap_or_default();
            tables.names[table] = Some(QualifiedName {
                schema: name.schema.clone(),
                name: new_name,
            });
        }
        DestructiveKind::MoveTable => {
            tables.names[table] = Some(QualifiedName {
                schema: change.new_name.clone(),
                name: name.name.clone(),
            });
        }
        _ => {}
    }
    if tables.created[table] {
        return None;
    }
    let column = change.column.clone().unwrap_or_default();
    // A column the release added is unknown to old code: dropping, renaming or retyping it
    // breaks nothing (making it NOT NULL or dropping its default still breaks old inserts).
    let own_column = added
        .iter_mut()
        .find(|new| new.table == table && new.column == column);
    if let Some(NewColumn { column: name, .. }) = own_column {
        match change.kind {
            DestructiveKind::DropColumn | DestructiveKind::ChangeColumnType => return None,
            DestructiveKind::RenameColumn => {
                *name = change.new_name.clone().unwrap_or_default();
                return None;
            }
            _ => {}
        }
    }
    Some(change.kind.is_column_change().then_some((table, column)))
}

/// For each type change of a statement whose old type the history knows: `(span, None)`
/// when it is a safe widening, `(span, Some(finding))` when it is not.
fn judge_type_changes(
    schema: &KnownSchema,
    effects: &[Effect],
) -> Vec<(ByteRange, Option<Destructive>)> {
    effects
        .iter()
        .filter_map(|effect| {
            let Effect::ColumnType(change) = effect else {
                return None;
            };
            let old = schema.column_type(&change.table, &change.column)?;
            let new = change.new_type.as_ref()?;
            if !change.converts_values && is_safe_widening(old, new) {
                return Some((change.span.clone(), None));
            }
            let description = format!(
                "changes the type of column {} of {} from {old} to {new}",
                change.column, change.table
            );
            let finding = Destructive {
                kind: DestructiveKind::ChangeColumnType,
                object: Some(change.table.clone()),
                column: Some(change.column.clone()),
                new_name: None,
                cascade: false,
                span: change.span.clone(),
                origin: change.origin,
                description,
            };
            Some((change.span.clone(), Some(finding)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::parse_sql;

    /// `(statement index, code, description, expand-contract column)` per finding.
    fn release(
        history: &str,
        files: &[&str],
    ) -> Vec<(usize, &'static str, String, Option<String>)> {
        let history = parse_sql(history);
        let schema = KnownSchema::from_history(&history);
        let parsed: Vec<Vec<Statement>> = files.iter().map(|f| parse_sql(f)).collect();
        let statements: Vec<(usize, &Statement)> = parsed.iter().flatten().enumerate().collect();
        release_findings(&schema, &statements)
            .into_iter()
            .map(|f| {
                let added = f.expand_contract.map(|(_, added)| added.column);
                (f.key, f.change.kind.code(), f.change.description, added)
            })
            .collect()
    }

    #[test]
    fn a_table_created_in_the_release_may_be_dropped_and_renamed() {
        let found = release(
            "",
            &[
                "CREATE TABLE tmp (a int, b int);",
                "ALTER TABLE tmp RENAME COLUMN a TO c; ALTER TABLE tmp DROP COLUMN b;",
                "ALTER TABLE tmp RENAME TO final; ALTER TABLE final ALTER COLUMN c SET NOT NULL;",
                "DROP TABLE final; DROP TABLE old;",
            ],
        );
        assert_eq!(
            found,
            vec![(6, "drop-table", "drops table old".to_string(), None)]
        );
    }

    #[test]
    fn create_table_if_not_exists_does_not_make_the_table_new() {
        let found = release(
            "",
            &[
                "CREATE TABLE IF NOT EXISTS accounts (id bigserial PRIMARY KEY, email text NOT NULL);",
                "ALTER TABLE accounts DROP COLUMN legacy_flag;",
                "CREATE TABLE tmp (id int); CREATE TABLE IF NOT EXISTS tmp (id int); DROP TABLE tmp;",
            ],
        );
        assert_eq!(
            found,
            vec![(
                1,
                "drop-column",
                "drops column legacy_flag of accounts".to_string(),
                None
            )]
        );
    }

    #[test]
    fn a_table_dropped_before_it_is_created_again_is_reported() {
        let found = release("", &["DROP TABLE queues; CREATE TABLE queues (id int);"]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1, "drop-table");
    }

    #[test]
    fn expand_and_contract_in_one_release() {
        let found = release(
            "",
            &[
                "ALTER TABLE replication_target RENAME TO registry;",
                "ALTER TABLE registry ADD COLUMN credential_type varchar(16);",
                "ALTER TABLE registry RENAME COLUMN username TO access_key;",
                "ALTER TABLE registry DROP COLUMN credential_type;",
                "ALTER TABLE other DROP COLUMN x;",
            ],
        );
        assert_eq!(
            found,
            vec![
                (
                    0,
                    "rename-table",
                    "renames table replication_target to registry".to_string(),
                    None
                ),
                (
                    2,
                    "rename-column",
                    "renames column username of registry to access_key".to_string(),
                    Some("credential_type".to_string())
                ),
                (
                    4,
                    "drop-column",
                    "drops column x of other".to_string(),
                    None
                ),
            ]
        );
    }

    #[test]
    fn the_contract_may_come_before_the_expand() {
        let found = release(
            "",
            &[
                "ALTER TABLE t DROP COLUMN a;",
                "ALTER TABLE t ADD COLUMN b int;",
            ],
        );
        assert_eq!(found[0].3.as_deref(), Some("b"));
    }

    #[test]
    fn new_columns_may_change_but_not_become_required() {
        let found = release(
            "",
            &[
                "ALTER TABLE t ADD COLUMN b int;",
                "ALTER TABLE t ALTER COLUMN b TYPE bigint;",
                "ALTER TABLE t ALTER COLUMN b SET NOT NULL;",
                "ALTER TABLE t RENAME COLUMN b TO c; ALTER TABLE t DROP COLUMN c;",
            ],
        );
        assert_eq!(
            found,
            vec![(
                2,
                "set-not-null",
                "makes column b of t NOT NULL".to_string(),
                None
            )]
        );
    }

    #[test]
    fn history_decides_type_changes() {
        let history =
            "CREATE TABLE logs (task_id varchar(150), n numeric(10,2), v varchar(300), i int);";
        let found = release(
            history,
            &[
                "ALTER TABLE logs ALTER COLUMN task_id TYPE varchar(256);",
                "ALTER TABLE logs ALTER COLUMN n TYPE numeric(12,2);",
                "ALTER TABLE logs ALTER COLUMN v TYPE varchar(256);",
                "ALTER TABLE logs ALTER COLUMN i TYPE text;",
            ],
        );
        let described: Vec<(usize, String)> = found.into_iter().map(|f| (f.0, f.2)).collect();
        assert_eq!(
            described,
            vec![
                (
                    2,
                    "changes the type of column v of logs from varchar(300) to varchar(256)"
                        .to_string()
                ),
                (
                    3,
                    "changes the type of column i of logs from int4 to text".to_string()
                ),
            ]
        );
    }

    #[test]
    fn history_follows_renames() {
        let history = "CREATE TABLE a (x varchar(10)); ALTER TABLE a RENAME TO b; ALTER TABLE b RENAME COLUMN x TO y;";
        let schema = KnownSchema::from_history(&parse_sql(history));
        let b = QualifiedName::new(None, "b");
        assert_eq!(
            schema.column_type(&b, "y").map(ToString::to_string),
            Some("varchar(10)".to_string())
        );
        assert_eq!(schema.column_type(&b, "x"), None);
    }
}
