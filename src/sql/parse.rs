//! Split a Postgres script into statements with squawk-syntax, keep each statement's exact
//! span and syntax errors, and look inside `DO` bodies and `EXECUTE '...'` strings.
//!
//! The parser recovers from errors, so one broken statement leaves the others intact. Bodies
//! of `CREATE FUNCTION` are not looked into: defining a function runs none of its code.

use rowan::TextRange;
use squawk_syntax::{SourceFile, SyntaxKind as K, SyntaxNode};

use super::ByteRange;
use super::classify::Ctx;
use super::destructive::{Destructive, Effect};
use super::guard::{MAX_TREE_DEPTH, on_parser_thread, too_complex, tree_depth};
use super::neutralize::neutralize;
use super::plpgsql::analyze;

/// Where a statement or an error was found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Origin {
    /// In the script itself.
    #[default]
    Direct,
    /// Inside the body of a `DO` block.
    DoBlock,
    /// Inside a string run by PL/pgSQL `EXECUTE` (or `EXECUTE format(...)`).
    Execute,
}

/// A syntax error: the parser's message and the byte offset it points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxIssue {
    pub message: String,
    pub offset: usize,
    pub origin: Origin,
}

/// A statement found inside a `DO` body or an `EXECUTE` string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InnerStatement {
    pub span: ByteRange,
    pub origin: Origin,
}

/// One top-level statement of a script.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Statement {
    /// From the first token to the closing `;` (or the last token, when there is none).
    pub span: ByteRange,
    /// Syntax errors of the statement itself.
    pub errors: Vec<SyntaxIssue>,
    /// What squawk's PL/pgSQL grammar could not read inside a `DO` body or an `EXECUTE`
    /// string. Kept apart from `errors`: Postgres checks a body only when it runs, and the
    /// grammar does not cover all of PL/pgSQL (`SELECT ... INTO var`, `RETURNING ... INTO
    /// var`), so these are not evidence of broken SQL. The statements around them are
    /// still analysed.
    pub body_errors: Vec<SyntaxIssue>,
    /// What it does, including what its `DO` body and `EXECUTE` strings do, in text order.
    pub effects: Vec<Effect>,
    /// The statements inside its `DO` body and `EXECUTE` strings.
    pub inner: Vec<InnerStatement>,
}

impl Statement {
    pub fn has_error(&self) -> bool {
        !self.errors.is_empty()
    }

    pub fn destructive(&self) -> impl Iterator<Item = &Destructive> {
        self.effects.iter().filter_map(|e| match e {
            Effect::Destructive(d) => Some(d),
            _ => None,
        })
    }
}

/// Parse raw SQL: [`neutralize`] it, then [`parse`] it. Offsets are into `raw`.
pub fn parse_sql(raw: &str) -> Vec<Statement> {
    parse_with_original(&neutralize(raw), raw)
}

/// The statements of a Postgres script (already neutralised), in order. Never panics: if
/// the parser itself fails, the whole text is one statement with an error.
pub fn parse(text: &str) -> Vec<Statement> {
    parse_with_original(text, text)
}

/// [`parse`], naming objects from `original` (the text before neutralisation, same length).
fn parse_with_original(text: &str, original: &str) -> Vec<Statement> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    let start = text.len() - text.trim_start().len();
    let whole_text = start..text.trim_end().len().max(start);
    if let Some(message) = too_complex(text) {
        return vec![unreadable(whole_text, message, Origin::Direct)];
    }
    let identity = |range: TextRange| usize::from(range.start())..usize::from(range.end());
    let identity = &identity;
    let parsed = on_parser_thread(text, || {
        let level = Level {
            map: identity,
            origin: Origin::Direct,
            original,
            depth: 0,
        };
        parse_level(text, &level)
    });
    let Some(mut statements) = parsed else {
        return vec![unreadable(
            whole_text,
            "the SQL parser failed on this text",
            Origin::Direct,
        )];
    };
    for statement in &mut statements {
        clamp_ranges(text, statement);
    }
    statements
}

/// A statement standing for text that could not be analysed.
pub(super) fn unreadable(span: ByteRange, message: &str, origin: Origin) -> Statement {
    Statement {
        errors: vec![SyntaxIssue {
            message: message.to_string(),
            offset: span.start,
            origin,
        }],
        span,
        ..Statement::default()
    }
}

/// Where the tree being walked sits: how its ranges map into the caller's text, and how
/// deep inside `DO` blocks and `EXECUTE` strings it is.
pub(super) struct Level<'a> {
    pub map: &'a dyn Fn(TextRange) -> ByteRange,
    pub origin: Origin,
    pub original: &'a str,
    pub depth: usize,
}

impl<'a> Level<'a> {
    pub fn ctx(&self) -> Ctx<'a> {
        Ctx {
            map: self.map,
            origin: self.origin,
            original: self.original,
        }
    }

    pub fn nested(&self, map: &'a dyn Fn(TextRange) -> ByteRange, origin: Origin) -> Level<'a> {
        Level {
            map,
            origin,
            original: self.original,
            depth: self.depth + 1,
        }
    }
}

/// Parse `text` (a script, or the decoded text of an `EXECUTE` string) into statements whose
/// ranges `level.map` translates into the caller's text.
pub(super) fn parse_level(text: &str, level: &Level<'_>) -> Vec<Statement> {
    let parse = SourceFile::parse(text);
    let root = parse.syntax_node();
    if tree_depth(&root) > MAX_TREE_DEPTH {
        let span = (level.map)(root.text_range());
        drop(root);
        std::mem::forget(parse); // see MAX_TREE_DEPTH
        let message = "expression nested too deeply to analyse";
        return vec![unreadable(span, message, level.origin)];
    }
    let groups = statement_groups(&root);
    let mut statements: Vec<Statement> = groups
        .iter()
        .map(|group| {
            let mut statement = Statement {
                span: (level.map)(group.range),
                ..Statement::default()
            };
            for node in &group.statements {
                analyze(node, level, &mut statement);
            }
            statement
        })
        .collect();
    for error in parse.errors() {
        let offset = error.range().start();
        // The statement holding the error, or else the last one before it.
        let index = groups
            .iter()
            .rposition(|g| g.range.start() <= offset)
            .unwrap_or(0);
        if let Some(statement) = statements.get_mut(index) {
            statement.errors.push(SyntaxIssue {
                message: error.message().to_string(),
                offset: (level.map)(error.range()).start,
                origin: level.origin,
            });
        }
    }
    statements
}

/// Top-level nodes that make up one statement: a statement node, plus error nodes up to its
/// `;` (`ALTER TABLE t BAR BAZ;` is an `ALTER_TABLE`, two `ERROR`s and an `EMPTY_STMT`).
struct Group {
    range: TextRange,
    statements: Vec<SyntaxNode>,
}

fn statement_groups(root: &SyntaxNode) -> Vec<Group> {
    let mut groups = Vec::new();
    let mut current: Option<Group> = None;
    for element in root.children_with_tokens() {
        let kind = element.kind();
        if kind.is_trivia() {
            continue;
        }
        let node = element.as_node();
        let is_statement = node.is_some() && !matches!(kind, K::ERROR | K::EMPTY_STMT);
        // A second statement without a `;` between them starts a new group.
        if is_statement && current.as_ref().is_some_and(|g| !g.statements.is_empty()) {
            groups.extend(current.take());
        }
        if kind == K::EMPTY_STMT && current.is_none() {
            continue; // a stray `;`
        }
        let range = element.text_range();
        let group = current.get_or_insert_with(|| Group {
            range,
            statements: Vec::new(),
        });
        group.range = group.range.cover(range);
        if let Some(node) = node.filter(|_| is_statement) {
            group.statements.push(node.clone());
        }
        if ends_with_semicolon(&element) {
            groups.extend(current.take());
        }
    }
    groups.extend(current);
    groups
}

fn ends_with_semicolon(element: &squawk_syntax::SyntaxElement) -> bool {
    match element {
        rowan::NodeOrToken::Token(token) => token.kind() == K::SEMICOLON,
        rowan::NodeOrToken::Node(node) => node
            .descendants_with_tokens()
            .filter_map(|e| e.into_token())
            .filter(|t| !t.kind().is_trivia())
            .last()
            .is_some_and(|t| t.kind() == K::SEMICOLON),
    }
}

/// Keep every range inside `text` and on character boundaries, whatever the parser said.
fn clamp_ranges(text: &str, statement: &mut Statement) {
    let fix = |range: &mut ByteRange| {
        let floor = |mut i: usize| {
            i = i.min(text.len());
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        range.start = floor(range.start);
        range.end = floor(range.end).max(range.start);
    };
    fix(&mut statement.span);
    for inner in &mut statement.inner {
        fix(&mut inner.span);
    }
    for error in statement
        .errors
        .iter_mut()
        .chain(&mut statement.body_errors)
    {
        let mut at = error.offset..error.offset;
        fix(&mut at);
        error.offset = at.start;
    }
    for effect in &mut statement.effects {
        match effect {
            Effect::Destructive(d) => fix(&mut d.span),
            Effect::CreateTable(t) => fix(&mut t.span),
            Effect::AddColumn(c) => fix(&mut c.span),
            Effect::ColumnType(c) => fix(&mut c.span),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(statement: &Statement) -> Vec<(&'static str, ByteRange)> {
        statement
            .destructive()
            .map(|d| (d.kind.code(), d.span.clone()))
            .collect()
    }

    #[test]
    fn statements_keep_exact_spans_and_a_broken_one_hides_nothing() {
        let sql = "DROP TABLE a;\nALTER TABLE FOO BAR BAZ;\nDROP TABLE b";
        let statements = parse_sql(sql);
        let spans: Vec<ByteRange> = statements.iter().map(|s| s.span.clone()).collect();
        assert_eq!(spans, vec![0..13, 14..38, 39..51]);
        assert_eq!(kinds(&statements[0]), vec![("drop-table", 0..13)]);
        assert!(statements[1].has_error());
        assert_eq!(statements[1].errors[0].offset, 30);
        assert_eq!(
            statements[1].errors[0].message,
            "expected command, found IDENT"
        );
        assert_eq!(kinds(&statements[2]), vec![("drop-table", 39..51)]);
        assert!(!statements[0].has_error() && !statements[2].has_error());
    }

    #[test]
    fn garbage_between_statements_is_its_own_statement() {
        let statements = parse_sql("foo bar;\n;\nDROP TABLE c;");
        assert_eq!(statements.len(), 2);
        assert_eq!(statements[0].span, 0..8);
        assert!(statements[0].has_error());
        assert_eq!(kinds(&statements[1]), vec![("drop-table", 11..24)]);
    }

    #[test]
    fn templated_names_are_named_as_written() {
        let sql = r#"drop table if exists {{ index .Options "Namespace" }}.sso_sessions;"#;
        let found: Vec<_> = parse_sql(sql)[0].destructive().cloned().collect();
        assert_eq!(found[0].span, 0..sql.len());
        let table = found[0].object.clone().unwrap();
        assert_eq!(
            table.schema.as_deref(),
            Some(r#"{{ index .Options "Namespace" }}"#)
        );
        assert_eq!(table.name, "sso_sessions");
    }

    #[test]
    fn hostile_input_does_not_panic() {
        for sql in [
            "",
            "   \n",
            ";;;",
            "DO $$",
            "DO $$ BEGIN EXECUTE '",
            "é; ü 'unterminated",
            "\u{0}\u{1}select",
            "ALTER TABLE",
            "DO $$ BEGIN EXECUTE 'DO $x$ BEGIN EXECUTE ''DROP TABLE t''; END $x$'; END $$;",
        ] {
            for statement in parse_sql(sql) {
                assert!(statement.span.end <= sql.len());
                assert!(sql.is_char_boundary(statement.span.start));
            }
        }
        let deep = format!("select {}1{};", "(".repeat(5000), ")".repeat(5000));
        let statements = parse_sql(&deep);
        assert_eq!(
            statements[0].errors[0].message,
            "SQL nested too deeply to analyse"
        );
    }
}
