//! PL/pgSQL that runs during a migration: the bodies of `DO` blocks, and the strings they
//! hand to `EXECUTE`. Function bodies are not here: creating a function runs none of it.

use rowan::TextRange;
use squawk_syntax::{SyntaxKind as K, SyntaxNode, ast, ast::AstNode};

use super::classify::classify;
use super::guard::{MAX_TREE_DEPTH, tree_depth};
use super::parse::{InnerStatement, Level, Origin, Statement, SyntaxIssue, parse_level};

/// How deep `DO` blocks and `EXECUTE` strings are followed into each other.
const MAX_NESTING: usize = 8;

/// Record what `node` does into `statement`, following `DO` bodies.
pub(super) fn analyze(node: &SyntaxNode, level: &Level<'_>, statement: &mut Statement) {
    classify(node, &level.ctx(), &mut statement.effects);
    if node.kind() == K::DO && level.depth < MAX_NESTING {
        analyze_do(node, level, statement);
    }
}

fn analyze_do(node: &SyntaxNode, level: &Level<'_>, statement: &mut Statement) {
    let Some(body) = ast::Do::cast(node.clone()).and_then(|d| d.plpgsql()) else {
        return; // another language, or no body
    };
    if tree_depth(&body.syntax()) > MAX_TREE_DEPTH {
        statement.body_errors.push(SyntaxIssue {
            message: "DO body nested too deeply to analyse".to_string(),
            offset: (level.map)(node.text_range()).start,
            origin: Origin::DoBlock,
        });
        std::mem::forget(body); // see MAX_TREE_DEPTH
        return;
    }
    // Body errors are already in the coordinates of the tree holding the `DO`.
    for error in body.errors() {
        statement.body_errors.push(SyntaxIssue {
            message: error.message().to_string(),
            offset: (level.map)(error.range()).start,
            origin: Origin::DoBlock,
        });
    }
    let body_map = |range: TextRange| (level.map)(body.source_range(range));
    let body_level = level.nested(&body_map, Origin::DoBlock);
    for inner in body.syntax().descendants() {
        match inner.kind() {
            K::PLPGSQL_EXEC_SQL_STMT => {
                for sql in inner.children().filter(|c| ast::Stmt::can_cast(c.kind())) {
                    statement.inner.push(InnerStatement {
                        span: body_map(sql.text_range()),
                        origin: Origin::DoBlock,
                    });
                    analyze(&sql, &body_level, statement);
                }
            }
            K::PLPGSQL_DYN_EXECUTE_STMT => analyze_execute(&inner, &body_level, statement),
            _ => {}
        }
    }
}

/// `EXECUTE 'sql'` and `EXECUTE format('sql %I', ...)`: parse the string when it is a
/// literal. Strings built at run time (`'drop table ' || name`) cannot be read.
fn analyze_execute(node: &SyntaxNode, level: &Level<'_>, statement: &mut Statement) {
    let Some(expr) = node
        .children()
        .find(|c| c.kind() == K::PLPGSQL_EXPR)
        .and_then(|e| e.descendants().find(|d| d.kind() == K::TARGET))
        .and_then(|t| t.first_child())
    else {
        return;
    };
    let (literal, is_format) = match expr.kind() {
        K::LITERAL => (ast::Literal::cast(expr), false),
        K::CALL_EXPR => (format_string(&expr), true),
        _ => return,
    };
    let Some(decoded) = literal.and_then(|l| l.decoded_value()) else {
        return;
    };
    let text = match is_format {
        true => blank_format_specifiers(decoded.text()),
        false => decoded.text().to_string(),
    };
    let string_map = |range: TextRange| (level.map)(decoded.source_range(range));
    let string_level = level.nested(&string_map, Origin::Execute);
    for inner in parse_level(&text, &string_level) {
        statement.inner.push(InnerStatement {
            span: inner.span,
            origin: Origin::Execute,
        });
        statement.inner.extend(inner.inner);
        statement.body_errors.extend(inner.errors);
        statement.body_errors.extend(inner.body_errors);
        statement.effects.extend(inner.effects);
    }
}

/// The format string of `format('...', ...)`.
fn format_string(call: &SyntaxNode) -> Option<ast::Literal> {
    let name = call.children().find(|c| c.kind() == K::NAME_REF)?;
    if !name.text().to_string().eq_ignore_ascii_case("format") {
        return None;
    }
    let first_arg = call
        .children()
        .find(|c| c.kind() == K::ARG_LIST)?
        .children()
        .find(|c| c.kind() == K::ARG)?;
    first_arg.children().find_map(ast::Literal::cast)
}

/// `%I`, `%s`, `%L` (with optional position like `%1$I`) become `x_...` of the same length,
/// a name that parses wherever an identifier or a value can stand.
fn blank_format_specifiers(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            i += 1;
            continue;
        }
        let mut end = i + 1;
        while end < bytes.len() && (bytes[end].is_ascii_digit() || bytes[end] == b'$') {
            end += 1;
        }
        match bytes.get(end) {
            Some(b'I' | b's' | b'L') => {
                bytes[i] = b'x';
                for byte in &mut bytes[i + 1..=end] {
                    *byte = b'_';
                }
                i = end + 1;
            }
            Some(b'%') if end == i + 1 => i = end + 1,
            _ => i += 1,
        }
    }
    // Only ASCII bytes were replaced by ASCII bytes.
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_string())
}

#[cfg(test)]
mod tests {
    use crate::sql::{ByteRange, DestructiveKind, Origin, Statement, parse_sql};

    fn kinds(statement: &Statement) -> Vec<(&'static str, ByteRange)> {
        statement
            .destructive()
            .map(|d| (d.kind.code(), d.span.clone()))
            .collect()
    }

    #[test]
    fn do_block_statements_map_to_the_outer_text() {
        let sql = "-- x\nDO $tag$\nBEGIN\n  SELECT count(*) INTO n FROM t;\n  ALTER TABLE t DROP COLUMN c;\nEND $tag$;";
        let statements = parse_sql(sql);
        assert_eq!(statements.len(), 1);
        let statement = &statements[0];
        let drop = sql.find("DROP COLUMN c").unwrap();
        assert_eq!(kinds(statement), vec![("drop-column", drop..drop + 13)]);
        assert_eq!(
            statement.destructive().next().unwrap().origin,
            Origin::DoBlock
        );
        // squawk's PL/pgSQL grammar does not know `SELECT ... INTO var`: a body error only.
        assert!(!statement.has_error());
        assert_eq!(statement.body_errors.len(), 1);
        assert_eq!(statement.body_errors[0].offset, sql.find("SELECT").unwrap());
        let alter = sql.find("ALTER TABLE t").unwrap();
        assert_eq!(statement.inner[0].span, alter..alter + 27);
    }

    #[test]
    fn function_bodies_are_not_executed() {
        let sql =
            "CREATE FUNCTION f() RETURNS void AS $$ BEGIN DROP TABLE t; END $$ LANGUAGE plpgsql;";
        let statements = parse_sql(sql);
        assert_eq!(statements.len(), 1);
        assert!(statements[0].effects.is_empty() && statements[0].inner.is_empty());
    }

    #[test]
    fn other_do_languages_are_not_read() {
        let statements = parse_sql("DO LANGUAGE plpython3u $$ plpy.execute('drop table t') $$;");
        assert!(statements[0].effects.is_empty());
    }

    #[test]
    fn execute_strings_are_parsed_through_doubled_quotes() {
        let sql =
            "DO $$ BEGIN EXECUTE 'UPDATE t SET a = ''x''; ALTER TABLE t DROP COLUMN b'; END $$;";
        let statements = parse_sql(sql);
        let drop = sql.find("DROP COLUMN b").unwrap();
        assert_eq!(
            kinds(&statements[0]),
            vec![("drop-column", drop..drop + 13)]
        );
        assert_eq!(
            statements[0].destructive().next().unwrap().origin,
            Origin::Execute
        );
        assert_eq!(statements[0].inner.len(), 2);
        assert!(statements[0].body_errors.is_empty());
    }

    #[test]
    fn execute_format_strings_are_parsed() {
        let sql =
            "DO $$ BEGIN EXECUTE format('ALTER TABLE %I.%I RENAME COLUMN a TO b', s, t); END $$;";
        let statements = parse_sql(sql);
        let rename = sql.find("RENAME COLUMN").unwrap();
        let found: Vec<_> = statements[0].destructive().collect();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, DestructiveKind::RenameColumn);
        assert_eq!(found[0].span, rename..rename + 20);
        assert_eq!(found[0].description, "renames column a of %I.%I to b");
    }

    #[test]
    fn nested_execute_inside_execute_is_followed() {
        let sql = "DO $$ BEGIN EXECUTE 'DO $x$ BEGIN EXECUTE ''DROP TABLE t''; END $x$'; END $$;";
        let statements = parse_sql(sql);
        let drop = sql.find("DROP TABLE t").unwrap();
        assert_eq!(kinds(&statements[0]), vec![("drop-table", drop..drop + 12)]);
    }
}
