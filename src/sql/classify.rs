//! The tree walk behind [`super::destructive`]: one statement node in, its effects out.

use rowan::TextRange;
use squawk_syntax::{SyntaxKind as K, SyntaxNode, SyntaxToken};

use super::destructive::{
    AddedColumn, CreatedTable, Destructive, DestructiveKind, Effect, TypeChange,
};
use super::names::{self, child};
use super::types::{ColumnType, presumed_safe_target};
use super::{ByteRange, Origin, QualifiedName};

/// Where a statement's tree sits in the text the caller gave us.
pub(crate) struct Ctx<'a> {
    /// Maps a range of the tree being walked to a range of the caller's text.
    pub map: &'a dyn Fn(TextRange) -> ByteRange,
    pub origin: Origin,
    /// The caller's text before [`super::neutralize`], to name objects by their template
    /// (`{{ .Schema }}.users`) rather than by its placeholder.
    pub original: &'a str,
}

impl Ctx<'_> {
    fn token_text(&self, token: &SyntaxToken) -> String {
        let text = token.text();
        let placeholder = text.starts_with('x') && text.bytes().skip(1).all(|b| b == b'_');
        let original = self.original.get((self.map)(token.text_range()));
        match original {
            Some(original) if placeholder && original.len() == text.len() => original.to_string(),
            _ => text.to_string(),
        }
    }

    fn name(&self, node: &SyntaxNode) -> Option<QualifiedName> {
        names::qualified_name(node, &|t| self.token_text(t))
    }

    fn simple_name(&self, node: &SyntaxNode) -> Option<String> {
        names::simple_name(node, &|t| self.token_text(t))
    }
}

/// The effects of one statement node (a child of `SOURCE_FILE`, or a statement inside a
/// PL/pgSQL body). Statements we do not model have none.
pub(crate) fn classify(stmt: &SyntaxNode, ctx: &Ctx<'_>, out: &mut Vec<Effect>) {
    match stmt.kind() {
        K::ALTER_TABLE => alter_table(stmt, ctx, out),
        K::ALTER_VIEW | K::ALTER_MATERIALIZED_VIEW => alter_view(stmt, ctx, out),
        K::ALTER_SCHEMA => {
            if let Some(action) = child(stmt, K::SCHEMA_RENAME_TO) {
                let object = child(stmt, K::SCHEMA_REF).and_then(|n| ctx.simple_name(&n));
                let new_name = child(&action, K::SCHEMA).and_then(|n| ctx.simple_name(&n));
                let object = object.map(|name| QualifiedName::new(None, &name));
                push(
                    out,
                    ctx,
                    DestructiveKind::RenameSchema,
                    object,
                    None,
                    new_name,
                    &action,
                );
            }
        }
        K::ALTER_TYPE => alter_type(stmt, ctx, out),
        K::DROP_TABLE => drop_objects(
            stmt,
            K::TABLE_NAME_REF,
            DestructiveKind::DropTable,
            ctx,
            out,
        ),
        K::DROP_VIEW | K::DROP_MATERIALIZED_VIEW => {
            drop_objects(stmt, K::VIEW_REF, DestructiveKind::DropView, ctx, out)
        }
        K::DROP_TYPE => drop_objects(stmt, K::TYPE_NAME_REF, DestructiveKind::DropType, ctx, out),
        K::DROP_SCHEMA => drop_objects(stmt, K::SCHEMA_REF, DestructiveKind::DropSchema, ctx, out),
        K::DROP_DATABASE => drop_objects(
            stmt,
            K::DATABASE_REF,
            DestructiveKind::DropDatabase,
            ctx,
            out,
        ),
        K::TRUNCATE => truncate(stmt, ctx, out),
        K::DELETE => {
            let filtered = child(stmt, K::WHERE_CLAUSE).is_some()
                || child(stmt, K::WHERE_CURRENT_OF).is_some();
            if !filtered {
                let table = child(stmt, K::RELATION_NAME).and_then(|n| ctx.name(&n));
                push(
                    out,
                    ctx,
                    DestructiveKind::DeleteAllRows,
                    table,
                    None,
                    None,
                    stmt,
                );
            }
        }
        K::CREATE_TABLE | K::CREATE_TABLE_AS => {
            if let Some(table) = child(stmt, K::TABLE_NAME).and_then(|n| ctx.name(&n)) {
                out.push(Effect::CreateTable(CreatedTable {
                    table,
                    columns: table_columns(stmt, ctx),
                    if_not_exists: child(stmt, K::IF_NOT_EXISTS).is_some(),
                    span: (ctx.map)(stmt.text_range()),
                    origin: ctx.origin,
                }));
            }
        }
        _ => {}
    }
}

fn push(
    out: &mut Vec<Effect>,
    ctx: &Ctx<'_>,
    kind: DestructiveKind,
    object: Option<QualifiedName>,
    column: Option<String>,
    new_name: Option<String>,
    node: &SyntaxNode,
) {
    let description = kind.describe(object.as_ref(), column.as_deref(), new_name.as_deref());
    out.push(Effect::Destructive(Destructive {
        kind,
        object,
        column,
        new_name,
        cascade: false,
        span: (ctx.map)(node.text_range()),
        origin: ctx.origin,
        description,
    }));
}

fn alter_table(stmt: &SyntaxNode, ctx: &Ctx<'_>, out: &mut Vec<Effect>) {
    let table = child(stmt, K::TABLE_RELATION_NAME).and_then(|n| ctx.name(&n));
    for action in stmt.children() {
        let column = child(&action, K::COLUMN_NAME_REF).and_then(|n| ctx.simple_name(&n));
        match action.kind() {
            K::DROP_COLUMN => push(
                out,
                ctx,
                DestructiveKind::DropColumn,
                table.clone(),
                column,
                None,
                &action,
            ),
            K::RENAME_COLUMN => {
                let new_name = child(&action, K::COLUMN_NAME).and_then(|n| ctx.simple_name(&n));
                let kind = DestructiveKind::RenameColumn;
                push(out, ctx, kind, table.clone(), column, new_name, &action);
            }
            K::TABLE_RENAME_TO => {
                let new_name = child(&action, K::TABLE_NAME).and_then(|n| ctx.simple_name(&n));
                let kind = DestructiveKind::RenameTable;
                push(out, ctx, kind, table.clone(), None, new_name, &action);
            }
            K::SET_SCHEMA => {
                let new_name = child(&action, K::SCHEMA_REF).and_then(|n| ctx.simple_name(&n));
                let kind = DestructiveKind::MoveTable;
                push(out, ctx, kind, table.clone(), None, new_name, &action);
            }
            K::DROP_CONSTRAINT => {
                let constraint =
                    child(&action, K::CONSTRAINT_NAME_REF).and_then(|n| ctx.simple_name(&n));
                let kind = DestructiveKind::DropConstraint;
                push(out, ctx, kind, table.clone(), constraint, None, &action);
            }
            K::ALTER_COLUMN => alter_column(&action, table.as_ref(), column, ctx, out),
            K::ADD_COLUMN => add_column(&action, table.as_ref(), ctx, out),
            _ => {}
        }
    }
}

fn alter_column(
    action: &SyntaxNode,
    table: Option<&QualifiedName>,
    column: Option<String>,
    ctx: &Ctx<'_>,
    out: &mut Vec<Effect>,
) {
    let Some(option) = action.children().find(|n| n.kind() != K::COLUMN_NAME_REF) else {
        return;
    };
    let kind = match option.kind() {
        K::SET_NOT_NULL => DestructiveKind::SetNotNull,
        K::DROP_DEFAULT => DestructiveKind::DropDefault,
        K::SET_TYPE => {
            let new_type = option
                .children()
                .find(|n| is_type_node(n.kind()))
                .and_then(|n| ColumnType::from_node(&n));
            let converts_values = option
                .children()
                .any(|n| matches!(n.kind(), K::USING_EXPR | K::COLLATE));
            let presumed_safe =
                !converts_values && new_type.as_ref().is_some_and(presumed_safe_target);
            if let (Some(table), Some(column)) = (table, &column) {
                out.push(Effect::ColumnType(TypeChange {
                    table: table.clone(),
                    column: column.clone(),
                    new_type,
                    converts_values,
                    presumed_safe,
                    span: (ctx.map)(action.text_range()),
                    origin: ctx.origin,
                }));
            }
            if presumed_safe {
                return;
            }
            DestructiveKind::ChangeColumnType
        }
        _ => return,
    };
    push(out, ctx, kind, table.cloned(), column, None, action);
}

fn is_type_node(kind: K) -> bool {
    matches!(
        kind,
        K::ARRAY_TYPE
            | K::PATH_TYPE
            | K::VARCHAR_TYPE
            | K::CHARACTER_TYPE
            | K::BIT_TYPE
            | K::BIT_VARYING_TYPE
            | K::DOUBLE_TYPE
            | K::TIME_TYPE
            | K::TIMESTAMP_TYPE
            | K::INTERVAL_TYPE
    )
}

fn add_column(
    action: &SyntaxNode,
    table: Option<&QualifiedName>,
    ctx: &Ctx<'_>,
    out: &mut Vec<Effect>,
) {
    let column = child(action, K::COLUMN_NAME).and_then(|n| ctx.simple_name(&n));
    let column_type = action
        .children()
        .find(|n| is_type_node(n.kind()))
        .and_then(|n| ColumnType::from_node(&n));
    if let (Some(table), Some(column)) = (table, &column) {
        out.push(Effect::AddColumn(AddedColumn {
            table: table.clone(),
            column: column.clone(),
            column_type: column_type.clone(),
            span: (ctx.map)(action.text_range()),
            origin: ctx.origin,
        }));
    }
    let has = |kind: K| action.children().any(|n| n.kind() == kind);
    let required = has(K::NOT_NULL_CONSTRAINT) || has(K::PRIMARY_KEY_CONSTRAINT);
    // A default, an identity or a generated expression fills the column for existing rows
    // and for old code's inserts; so does a serial type.
    let filled = has(K::DEFAULT_CONSTRAINT)
        || has(K::GENERATED_CONSTRAINT)
        || column_type
            .as_ref()
            .is_some_and(|t| is_serial(&action.text().to_string(), t));
    if required && !filled {
        let kind = DestructiveKind::AddRequiredColumn;
        push(out, ctx, kind, table.cloned(), column, None, action);
    }
}

/// Serial types are canonicalised to their integer type, so look at the written word.
fn is_serial(action_text: &str, column_type: &ColumnType) -> bool {
    matches!(column_type.name.as_str(), "int2" | "int4" | "int8")
        && action_text.to_ascii_lowercase().contains("serial")
}

fn alter_view(stmt: &SyntaxNode, ctx: &Ctx<'_>, out: &mut Vec<Effect>) {
    let view = child(stmt, K::VIEW_REF).and_then(|n| ctx.name(&n));
    for action in stmt.children() {
        match action.kind() {
            K::VIEW_RENAME_TO => {
                let new_name = child(&action, K::VIEW).and_then(|n| ctx.simple_name(&n));
                let kind = DestructiveKind::RenameView;
                push(out, ctx, kind, view.clone(), None, new_name, &action);
            }
            K::RENAME_COLUMN => {
                let column = child(&action, K::COLUMN_NAME_REF).and_then(|n| ctx.simple_name(&n));
                let new_name = child(&action, K::COLUMN_NAME).and_then(|n| ctx.simple_name(&n));
                let kind = DestructiveKind::RenameColumn;
                push(out, ctx, kind, view.clone(), column, new_name, &action);
            }
            _ => {}
        }
    }
}

fn alter_type(stmt: &SyntaxNode, ctx: &Ctx<'_>, out: &mut Vec<Effect>) {
    let ty = child(stmt, K::TYPE_NAME_REF).and_then(|n| ctx.name(&n));
    for action in stmt.children() {
        let (kind, old, new) = match action.kind() {
            K::TYPE_RENAME_TO => {
                let new = child(&action, K::TYPE_NAME).and_then(|n| ctx.simple_name(&n));
                (DestructiveKind::RenameType, None, new)
            }
            K::RENAME_VALUE => {
                let mut literals = action.children().filter(|n| n.kind() == K::LITERAL);
                let old = literals.next().map(|n| n.text().to_string());
                let new = literals.next().map(|n| n.text().to_string());
                (DestructiveKind::RenameEnumValue, old, new)
            }
            K::RENAME_ATTRIBUTE => {
                let old = child(&action, K::COMPOSITE_FIELD_REF).and_then(|n| ctx.simple_name(&n));
                let new = child(&action, K::COMPOSITE_FIELD).and_then(|n| ctx.simple_name(&n));
                (DestructiveKind::RenameColumn, old, new)
            }
            _ => continue,
        };
        push(out, ctx, kind, ty.clone(), old, new, &action);
    }
}

/// `DROP TABLE a, b`: one finding per object, on the statement when it names one object
/// and on each name when it names several.
fn drop_objects(
    stmt: &SyntaxNode,
    name_kind: K,
    kind: DestructiveKind,
    ctx: &Ctx<'_>,
    out: &mut Vec<Effect>,
) {
    let names: Vec<SyntaxNode> = stmt.children().filter(|n| n.kind() == name_kind).collect();
    if names.is_empty() {
        push(out, ctx, kind, None, None, None, stmt);
    }
    for name in &names {
        let object = match name_kind {
            K::SCHEMA_REF | K::DATABASE_REF => {
                ctx.simple_name(name).map(|n| QualifiedName::new(None, &n))
            }
            _ => ctx.name(name),
        };
        let node = if names.len() == 1 { stmt } else { name };
        push(out, ctx, kind, object, None, None, node);
    }
}

fn truncate(stmt: &SyntaxNode, ctx: &Ctx<'_>, out: &mut Vec<Effect>) {
    let cascade = child(stmt, K::CASCADE).is_some();
    let tables: Vec<SyntaxNode> = child(stmt, K::TABLE_LIST)
        .map(|list| {
            list.children()
                .filter(|n| n.kind() == K::TABLE_RELATION_NAME)
                .collect()
        })
        .unwrap_or_default();
    for table in &tables {
        let node = if tables.len() == 1 { stmt } else { table };
        let before = out.len();
        push(
            out,
            ctx,
            DestructiveKind::Truncate,
            ctx.name(table),
            None,
            None,
            node,
        );
        if let Some(Effect::Destructive(finding)) = out.get_mut(before) {
            finding.cascade = cascade;
            if cascade {
                finding
                    .description
                    .push_str(" and every table referencing it (CASCADE)");
            }
        }
    }
}

/// Column names and types of a `CREATE TABLE (...)`.
fn table_columns(stmt: &SyntaxNode, ctx: &Ctx<'_>) -> Vec<(String, Option<ColumnType>)> {
    let Some(args) = child(stmt, K::TABLE_ARG_LIST) else {
        return Vec::new();
    };
    args.children()
        .filter(|n| n.kind() == K::COLUMN)
        .filter_map(|column| {
            let name = child(&column, K::COLUMN_NAME).and_then(|n| ctx.simple_name(&n))?;
            let ty = column
                .children()
                .find(|n| is_type_node(n.kind()))
                .and_then(|n| ColumnType::from_node(&n));
            Some((name, ty))
        })
        .collect()
}

#[cfg(test)]
#[path = "classify_tests.rs"]
mod tests;
