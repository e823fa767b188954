//! What the schema looked like before a release, as far as earlier migrations tell:
//! column types, followed through renames and drops.

use super::destructive::{DestructiveKind, Effect};
use super::types::ColumnType;
use super::{QualifiedName, Statement};

/// Column types known from the migrations shipped before the release, so a type change can
/// be judged from what the column was (`varchar(300)` to `varchar(256)` narrows).
#[derive(Clone, Debug, Default)]
pub struct KnownSchema {
    columns: Vec<KnownColumn>,
}

#[derive(Clone, Debug)]
struct KnownColumn {
    table: QualifiedName,
    column: String,
    column_type: Option<ColumnType>,
}

impl KnownSchema {
    /// Replay earlier statements, oldest first.
    pub fn from_history<'a>(statements: impl IntoIterator<Item = &'a Statement>) -> KnownSchema {
        let mut schema = KnownSchema::default();
        for statement in statements {
            for effect in &statement.effects {
                schema.apply(effect);
            }
        }
        schema
    }

    /// The type of `table.column`, if an earlier statement declared it.
    pub fn column_type(&self, table: &QualifiedName, column: &str) -> Option<&ColumnType> {
        self.columns
            .iter()
            .rev()
            .find(|c| c.column == column && c.table.same_object(table))
            .and_then(|c| c.column_type.as_ref())
    }

    /// Record what one effect does to the schema.
    pub fn apply(&mut self, effect: &Effect) {
        let columns = &mut self.columns;
        match effect {
            Effect::CreateTable(created) => {
                // IF NOT EXISTS on a table the history knows changes nothing.
                if created.if_not_exists
                    && columns.iter().any(|c| c.table.same_object(&created.table))
                {
                    return;
                }
                columns.retain(|c| !c.table.same_object(&created.table));
                columns.extend(
                    created
                        .columns
                        .iter()
                        .map(|(column, column_type)| KnownColumn {
                            table: created.table.clone(),
                            column: column.clone(),
                            column_type: column_type.clone(),
                        }),
                );
            }
            Effect::AddColumn(added) => columns.push(KnownColumn {
                table: added.table.clone(),
                column: added.column.clone(),
                column_type: added.column_type.clone(),
            }),
            Effect::ColumnType(change) => {
                for known in columns.iter_mut() {
                    if known.column == change.column && known.table.same_object(&change.table) {
                        known.column_type = change.new_type.clone();
                    }
                }
            }
            Effect::Destructive(d) => {
                let Some(table) = &d.object else { return };
                let in_table = |c: &KnownColumn| c.table.same_object(table);
                match (d.kind, &d.column, &d.new_name) {
                    (DestructiveKind::DropTable, _, _) => columns.retain(|c| !in_table(c)),
                    (DestructiveKind::DropColumn, Some(column), _) => {
                        columns.retain(|c| !(in_table(c) && &c.column == column))
                    }
                    (DestructiveKind::RenameColumn, Some(column), Some(new_name)) => columns
                        .iter_mut()
                        .filter(|c| in_table(c) && &c.column == column)
                        .for_each(|c| c.column = new_name.clone()),
                    (DestructiveKind::RenameTable, _, Some(new_name)) => columns
                        .iter_mut()
                        .filter(|c| in_table(c))
                        .for_each(|c| c.table.name = new_name.clone()),
                    _ => {}
                }
            }
        }
    }
}
