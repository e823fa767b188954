//! What a statement does to the schema, as far as code that is still running cares:
//! destructive changes (drops, renames, type changes, new constraints on old rows), plus the
//! facts the release check needs (tables created, columns added, column types changed).
//!
//! The tree walk is in `classify.rs`; this file holds the vocabulary.

use super::types::ColumnType;
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

    /// A short description naming the objects (`?` for a name the statement lacks).
    pub fn describe(
        self,
        object: Option<&QualifiedName>,
        column: Option<&str>,
        new_name: Option<&str>,
    ) -> String {
        let object = object.map_or_else(|| "?".to_string(), |o| o.to_string());
        let column = column.unwrap_or("?");
        let new_name = new_name.unwrap_or("?");
        match self {
            DestructiveKind::DropColumn => format!("drops column {column} of {object}"),
            DestructiveKind::RenameColumn => {
                format!("renames column {column} of {object} to {new_name}")
            }
            DestructiveKind::DropTable => format!("drops table {object}"),
            DestructiveKind::RenameTable => format!("renames table {object} to {new_name}"),
            DestructiveKind::MoveTable => format!("moves table {object} to schema {new_name}"),
            DestructiveKind::DropSchema => format!("drops schema {object}"),
            DestructiveKind::RenameSchema => format!("renames schema {object} to {new_name}"),
            DestructiveKind::DropView => format!("drops view {object}"),
            DestructiveKind::RenameView => format!("renames view {object} to {new_name}"),
            DestructiveKind::DropType => format!("drops type {object}"),
            DestructiveKind::RenameType => format!("renames type {object} to {new_name}"),
            DestructiveKind::RenameEnumValue => {
                format!("renames value {column} of type {object} to {new_name}")
            }
            DestructiveKind::ChangeColumnType => {
                format!("changes the type of column {column} of {object}")
            }
            DestructiveKind::SetNotNull => format!("makes column {column} of {object} NOT NULL"),
            DestructiveKind::AddRequiredColumn => {
                format!("adds NOT NULL column {column} without a default to {object}")
            }
            DestructiveKind::DropConstraint => format!("drops constraint {column} of {object}"),
            DestructiveKind::DropDefault => {
                format!("drops the default of column {column} of {object}")
            }
            DestructiveKind::Truncate => format!("truncates table {object}"),
            DestructiveKind::DeleteAllRows => format!("deletes every row of {object}"),
            DestructiveKind::DropDatabase => format!("drops database {object}"),
        }
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
    /// `CREATE TABLE IF NOT EXISTS`: the table may exist already (with other columns), so
    /// the statement does not show that the release made it.
    pub if_not_exists: bool,
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
    /// presumed to widen; see [`super::types::presumed_safe_target`]).
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
