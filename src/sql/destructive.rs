//! What a statement does to the schema, as far as code that is still running cares:
//! destructive changes (drops, renames, type changes, new constraints on old rows), plus the
//! facts the release check needs (tables created, columns added, column types changed).
//!
//! The tree walk is in `classify.rs`; this file holds the vocabulary.

use super::names::ColumnType;
use super::{ByteRange, Origin, QualifiedName};

/// A kind of destructive change. [`code`](DestructiveKind::code) is the stable sub-code;
/// [`squawk_rule`](DestructiveKind::squawk_rule) names the squawk 2.68 rule that flags the
/// same statement, when there is one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DestructiveKind {
    DropColumn,
    RenameColumn,
    DropTable,
    RenameTable,
    /// `ALTER TABLE ... SET SCHEMA`: the table leaves the schema old code reads.
    MoveTable,
    DropSchema,
    RenameSchema,
    /// Views and materialized views.
    DropView,
    RenameView,
    DropType,
    RenameType,
    /// `ALTER TYPE ... RENAME VALUE`: old code still writes the old enum label.
    RenameEnumValue,
    /// `ALTER COLUMN ... TYPE` that is not a known safe widening.
    ChangeColumnType,
    SetNotNull,
    /// `ADD COLUMN ... NOT NULL` (or `PRIMARY KEY`) without a default: old code's inserts fail.
    AddRequiredColumn,
    DropConstraint,
    DropDefault,
    Truncate,
    /// `DELETE` without `WHERE`.
    DeleteAllRows,
    DropDatabase,
}

impl DestructiveKind {
    /// The stable sub-code, used in messages, suppressions and fingerprints.
    pub fn code(self) -> &'static str {
        match self {
            DestructiveKind::DropColumn => "drop-column",
            DestructiveKind::RenameColumn => "rename-column",
            DestructiveKind::DropTable => "drop-table",
            DestructiveKind::RenameTable => "rename-table",
            DestructiveKind::MoveTable => "move-table",
            DestructiveKind::DropSchema => "drop-schema",
            DestructiveKind::RenameSchema => "rename-schema",
            DestructiveKind::DropView => "drop-view",
            DestructiveKind::RenameView => "rename-view",
            DestructiveKind::DropType => "drop-type",
            DestructiveKind::RenameType => "rename-type",
            DestructiveKind::RenameEnumValue => "rename-enum-value",
            DestructiveKind::ChangeColumnType => "change-column-type",
            DestructiveKind::SetNotNull => "set-not-null",
            DestructiveKind::AddRequiredColumn => "add-required-column",
            DestructiveKind::DropConstraint => "drop-constraint",
            DestructiveKind::DropDefault => "drop-default",
            DestructiveKind::Truncate => "truncate",
            DestructiveKind::DeleteAllRows => "delete-all-rows",
            DestructiveKind::DropDatabase => "drop-database",
        }
    }

    /// The squawk 2.68 rule reporting the same statement (checked against `squawk 2.68.0`).
    /// `TRUNCATE` without `CASCADE` and `DELETE` without `WHERE` have none; for a cascading
    /// truncate use [`Destructive::squawk_rule`], which knows about `CASCADE`.
    pub fn squawk_rule(self) -> Option<&'static str> {
        Some(match self {
            DestructiveKind::DropColumn => "ban-drop-column",
            DestructiveKind::RenameColumn => "renaming-column",
            DestructiveKind::DropTable => "ban-drop-table",
            DestructiveKind::RenameTable => "renaming-table",
            DestructiveKind::MoveTable => "ban-set-schema",
            DestructiveKind::DropSchema => "ban-drop-schema",
            DestructiveKind::RenameSchema
            | DestructiveKind::RenameView
            | DestructiveKind::RenameType
            | DestructiveKind::RenameEnumValue => "renaming-object",
            DestructiveKind::DropView => "ban-drop-view",
            DestructiveKind::DropType => "ban-drop-type",
            DestructiveKind::ChangeColumnType => "changing-column-type",
            DestructiveKind::SetNotNull => "adding-not-nullable-field",
            DestructiveKind::AddRequiredColumn => "adding-required-field",
            DestructiveKind::DropConstraint => "ban-drop-constraint",
            DestructiveKind::DropDefault => "ban-drop-default",
            DestructiveKind::DropDatabase => "ban-drop-database",
            DestructiveKind::Truncate | DestructiveKind::DeleteAllRows => return None,
        })
    }

    /// Whether the change is about a column (and [`Destructive::column`] names it).
    pub fn is_column_change(self) -> bool {
        matches!(
            self,
            DestructiveKind::DropColumn
                | DestructiveKind::RenameColumn
                | DestructiveKind::ChangeColumnType
                | DestructiveKind::SetNotNull
                | DestructiveKind::AddRequiredColumn
                | DestructiveKind::DropDefault
        )
    }
}

/// One destructive change found in a statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Destructive {
    pub kind: DestructiveKind,
    /// The table (or view, type, schema, database) changed; `None` only when the statement
    /// is too broken to name it.
    pub object: Option<QualifiedName>,
    /// The column (or composite attribute, enum value, constraint) changed.
    pub column: Option<String>,
    /// The new name, for renames and `SET SCHEMA`.
    pub new_name: Option<String>,
    /// `TRUNCATE ... CASCADE`.
    pub cascade: bool,
    /// The most precise node: the `DROP COLUMN x` action, not the whole `ALTER TABLE`.
    pub span: ByteRange,
    pub origin: Origin,
    /// A short description, e.g. `drops column target_type of table registry`.
    pub description: String,
}

impl Destructive {
    /// The squawk rule for this finding (`ban-truncate-cascade` only with `CASCADE`).
    pub fn squawk_rule(&self) -> Option<&'static str> {
        match self.kind {
            DestructiveKind::Truncate if self.cascade => Some("ban-truncate-cascade"),
            kind => kind.squawk_rule(),
        }
    }
}

/// A table the statement creates (`CREATE TABLE`, `CREATE TABLE AS`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreatedTable {
    pub table: QualifiedName,
    /// Columns with their types, when written in the statement.
    pub columns: Vec<(String, Option<ColumnType>)>,
    pub span: ByteRange,
    pub origin: Origin,
}

/// A column the statement adds to an existing table (`ALTER TABLE ... ADD COLUMN`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddedColumn {
    pub table: QualifiedName,
    pub column: String,
    pub column_type: Option<ColumnType>,
    pub span: ByteRange,
    pub origin: Origin,
}

/// An `ALTER COLUMN ... TYPE`, destructive or not; the release check uses the types it knows
/// from earlier migrations to decide what the statement alone cannot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeChange {
    pub table: QualifiedName,
    pub column: String,
    pub new_type: Option<ColumnType>,
    /// `USING` or `COLLATE` given: the values or their ordering change.
    pub converts_values: bool,
    /// Whether the statement alone was judged safe (a change to `text` or `varchar`,
    /// presumed to widen; see [`presumed_safe_target`]).
    pub presumed_safe: bool,
    pub span: ByteRange,
    pub origin: Origin,
}

/// What one statement does that the release check needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    Destructive(Destructive),
    CreateTable(CreatedTable),
    AddColumn(AddedColumn),
    ColumnType(TypeChange),
}

/// Whether changing a column to `new` is safe without knowing the old type: `text`,
/// unbounded `varchar`, or `varchar(n)`. Changing to them from a shorter `varchar` (the
/// usual reason to write it) is a catalog-only change in Postgres; from anything else it is
/// unusual enough that we do not guess. Everything else (`bigint`, `numeric(p,s)`,
/// `timestamptz`, arrays) may rewrite the table or narrow the values, so it is reported.
pub fn presumed_safe_target(new: &ColumnType) -> bool {
    new.array_dims == 0 && matches!(new.name.as_str(), "text" | "varchar")
}

/// Whether `old -> new` is a change Postgres makes without a rewrite and without rejecting
/// values old code writes: the same type, a longer (or unbounded) `varchar`, `varchar` to
/// `text`, `text` to unbounded `varchar`, and `numeric(p,s)` to `numeric(p2 >= p, s)` or
/// unconstrained `numeric`. `int` to `bigint` is not: it rewrites the table.
pub fn is_safe_widening(old: &ColumnType, new: &ColumnType) -> bool {
    if old == new {
        return true;
    }
    if old.array_dims != new.array_dims {
        return false;
    }
    let (old_mods, new_mods) = (old.modifiers.as_slice(), new.modifiers.as_slice());
    match (old.name.as_str(), new.name.as_str()) {
        ("varchar", "varchar") => match (old_mods, new_mods) {
            (_, []) => true,
            ([old_len], [new_len]) => new_len >= old_len,
            _ => false,
        },
        ("varchar", "text") => true,
        ("text", "varchar") => new_mods.is_empty(),
        ("numeric", "numeric") => match (old_mods, new_mods) {
            (_, []) => true,
            ([old_p], [new_p]) | ([old_p, 0], [new_p]) | ([old_p], [new_p, 0]) => new_p >= old_p,
            ([old_p, old_s], [new_p, new_s]) => new_s == old_s && new_p >= old_p,
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(text: &str) -> ColumnType {
        ColumnType::parse(text).expect(text)
    }

    #[test]
    fn widenings() {
        assert!(is_safe_widening(&ty("varchar(150)"), &ty("VARCHAR(256)")));
        assert!(is_safe_widening(&ty("varchar(15)"), &ty("text")));
        assert!(is_safe_widening(&ty("character varying"), &ty("text")));
        assert!(is_safe_widening(&ty("varchar(10)"), &ty("varchar")));
        assert!(is_safe_widening(&ty("numeric(10,2)"), &ty("numeric(12,2)")));
        assert!(is_safe_widening(&ty("numeric(10,2)"), &ty("numeric")));
        assert!(!is_safe_widening(&ty("varchar(256)"), &ty("varchar(150)")));
        assert!(!is_safe_widening(
            &ty("numeric(10,2)"),
            &ty("numeric(12,3)")
        ));
        assert!(!is_safe_widening(&ty("int"), &ty("bigint")));
        assert!(!is_safe_widening(&ty("text"), &ty("varchar(10)")));
        assert!(!is_safe_widening(&ty("int"), &ty("text")));
        assert!(!is_safe_widening(&ty("varchar(5)[]"), &ty("text")));
    }

    #[test]
    fn presumed_safe_targets() {
        assert!(presumed_safe_target(&ty("VARCHAR(256)")));
        assert!(presumed_safe_target(&ty("text")));
        assert!(!presumed_safe_target(&ty("bigint")));
        assert!(!presumed_safe_target(&ty("numeric(12,2)")));
        assert!(!presumed_safe_target(&ty("text[]")));
    }

    #[test]
    fn codes_and_squawk_rules() {
        assert_eq!(DestructiveKind::DropColumn.code(), "drop-column");
        assert_eq!(
            DestructiveKind::RenameView.squawk_rule(),
            Some("renaming-object")
        );
        assert_eq!(DestructiveKind::Truncate.squawk_rule(), None);
        assert_eq!(DestructiveKind::DeleteAllRows.squawk_rule(), None);
    }

    /// `(code, squawk rule, description, covered text)` of every finding in `sql`.
    fn findings(sql: &str) -> Vec<(&'static str, Option<&'static str>, String, String)> {
        crate::sql::parse_sql(sql)
            .iter()
            .flat_map(|s| s.destructive().cloned().collect::<Vec<_>>())
            .map(|d| {
                (
                    d.kind.code(),
                    d.squawk_rule(),
                    d.description,
                    sql[d.span].to_string(),
                )
            })
            .collect()
    }

    fn one(sql: &str) -> (&'static str, Option<&'static str>, String, String) {
        let mut all = findings(sql);
        assert_eq!(all.len(), 1, "{sql}: {all:?}");
        all.remove(0)
    }

    #[test]
    fn column_changes_point_at_their_action() {
        let (code, rule, description, text) =
            one("ALTER TABLE s.t ADD COLUMN a int, DROP COLUMN \"Old\";");
        assert_eq!((code, rule), ("drop-column", Some("ban-drop-column")));
        assert_eq!(description, "drops column Old of s.t");
        assert_eq!(text, "DROP COLUMN \"Old\"");
        let (code, _, description, text) = one("alter table t rename column a to b;");
        assert_eq!(
            (code, description.as_str()),
            ("rename-column", "renames column a of t to b")
        );
        assert_eq!(text, "rename column a to b");
        let (code, rule, _, text) = one("ALTER TABLE t ALTER COLUMN c SET NOT NULL;");
        assert_eq!(
            (code, rule),
            ("set-not-null", Some("adding-not-nullable-field"))
        );
        assert_eq!(text, "ALTER COLUMN c SET NOT NULL");
        let (code, rule, _, _) = one("ALTER TABLE t ALTER COLUMN c DROP DEFAULT;");
        assert_eq!((code, rule), ("drop-default", Some("ban-drop-default")));
        let (code, rule, _, text) = one("ALTER TABLE t DROP CONSTRAINT IF EXISTS k;");
        assert_eq!(
            (code, rule),
            ("drop-constraint", Some("ban-drop-constraint"))
        );
        assert_eq!(text, "DROP CONSTRAINT IF EXISTS k");
    }

    #[test]
    fn type_changes_are_reported_unless_presumed_widening() {
        let (code, rule, _, text) = one("ALTER TABLE t ALTER COLUMN id TYPE bigint;");
        assert_eq!(
            (code, rule),
            ("change-column-type", Some("changing-column-type"))
        );
        assert_eq!(text, "ALTER COLUMN id TYPE bigint");
        assert_eq!(
            one("ALTER TABLE t ALTER COLUMN n TYPE numeric(12,2);").0,
            "change-column-type"
        );
        assert_eq!(
            one("ALTER TABLE t ALTER COLUMN v TYPE text USING v::text;").0,
            "change-column-type"
        );
        assert!(findings("ALTER TABLE t ALTER COLUMN v TYPE varchar(256);").is_empty());
        assert!(findings("ALTER TABLE t ALTER COLUMN v SET DATA TYPE text;").is_empty());
    }

    #[test]
    fn required_columns_need_no_default() {
        let (code, rule, description, _) = one("ALTER TABLE t ADD COLUMN d int NOT NULL;");
        assert_eq!(
            (code, rule),
            ("add-required-column", Some("adding-required-field"))
        );
        assert_eq!(description, "adds NOT NULL column d without a default to t");
        assert_eq!(
            one("ALTER TABLE t ADD COLUMN id uuid PRIMARY KEY;").0,
            "add-required-column"
        );
        for fine in [
            "ALTER TABLE t ADD COLUMN d int NOT NULL DEFAULT 0;",
            "ALTER TABLE t ADD COLUMN id serial PRIMARY KEY;",
            "ALTER TABLE t ADD COLUMN g int GENERATED ALWAYS AS IDENTITY NOT NULL;",
            "ALTER TABLE t ADD COLUMN n int;",
        ] {
            assert!(findings(fine).is_empty(), "{fine}");
        }
    }

    #[test]
    fn object_drops_and_renames() {
        let cases = [
            (
                "DROP TABLE IF EXISTS a;",
                "drop-table",
                "ban-drop-table",
                "drops table a",
            ),
            ("DROP VIEW v;", "drop-view", "ban-drop-view", "drops view v"),
            (
                "DROP MATERIALIZED VIEW m;",
                "drop-view",
                "ban-drop-view",
                "drops view m",
            ),
            (
                "DROP TYPE ty;",
                "drop-type",
                "ban-drop-type",
                "drops type ty",
            ),
            (
                "DROP SCHEMA s CASCADE;",
                "drop-schema",
                "ban-drop-schema",
                "drops schema s",
            ),
            (
                "DROP DATABASE d;",
                "drop-database",
                "ban-drop-database",
                "drops database d",
            ),
            (
                "ALTER TABLE t RENAME TO u;",
                "rename-table",
                "renaming-table",
                "renames table t to u",
            ),
            (
                "ALTER TABLE t SET SCHEMA s2;",
                "move-table",
                "ban-set-schema",
                "moves table t to schema s2",
            ),
            (
                "ALTER VIEW v RENAME TO w;",
                "rename-view",
                "renaming-object",
                "renames view v to w",
            ),
            (
                "ALTER SCHEMA s RENAME TO r;",
                "rename-schema",
                "renaming-object",
                "renames schema s to r",
            ),
            (
                "ALTER TYPE ty RENAME TO tz;",
                "rename-type",
                "renaming-object",
                "renames type ty to tz",
            ),
            (
                "ALTER TYPE e RENAME VALUE 'a' TO 'b';",
                "rename-enum-value",
                "renaming-object",
                "renames value 'a' of type e to 'b'",
            ),
            (
                "ALTER MATERIALIZED VIEW m RENAME COLUMN a TO b;",
                "rename-column",
                "renaming-column",
                "renames column a of m to b",
            ),
        ];
        for (sql, code, rule, description) in cases {
            let found = one(sql);
            assert_eq!(
                (found.0, found.1, found.2.as_str()),
                (code, Some(rule), description),
                "{sql}"
            );
        }
        let two = findings("DROP TABLE a, b;");
        assert_eq!(
            two.iter().map(|f| f.3.as_str()).collect::<Vec<_>>(),
            vec!["a", "b"]
        );
    }

    #[test]
    fn data_removal() {
        let (code, rule, description, _) = one("TRUNCATE t;");
        assert_eq!(
            (code, rule, description.as_str()),
            ("truncate", None, "truncates table t")
        );
        let (_, rule, _, _) = one("TRUNCATE TABLE t CASCADE;");
        assert_eq!(rule, Some("ban-truncate-cascade"));
        let (code, rule, description, _) = one("delete from t;");
        assert_eq!(
            (code, rule, description.as_str()),
            ("delete-all-rows", None, "deletes every row of t")
        );
        assert!(findings("DELETE FROM t WHERE a = 1;").is_empty());
        assert!(findings("DELETE FROM t USING u WHERE t.id = u.id;").is_empty());
    }

    #[test]
    fn facts_for_the_release_check() {
        let statements = crate::sql::parse_sql(
            "CREATE TABLE s.t (id bigint, name varchar(20));\nALTER TABLE t ADD COLUMN c text;",
        );
        let Effect::CreateTable(created) = &statements[0].effects[0] else {
            panic!("{statements:?}");
        };
        assert_eq!(created.table, QualifiedName::new(Some("s"), "t"));
        assert_eq!(created.columns[1].0, "name");
        assert_eq!(created.columns[1].1, Some(ty("varchar(20)")));
        let Effect::AddColumn(added) = &statements[1].effects[0] else {
            panic!("{statements:?}");
        };
        assert_eq!(
            (added.table.name.as_str(), added.column.as_str()),
            ("t", "c")
        );
        assert_eq!(added.span, 62..79);
    }
}
