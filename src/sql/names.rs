//! Object names and column types read from syntax nodes, normalised the way Postgres
//! resolves them, so `ALTER TABLE "Users"` and `alter table users` compare correctly.

use squawk_syntax::{SyntaxKind, SyntaxNode, SyntaxToken};

use super::QualifiedName;

/// The text to use for a token: its own, or what it replaced before neutralisation.
pub type TokenText<'a> = &'a dyn Fn(&SyntaxToken) -> String;

/// An identifier as Postgres stores it: quotes removed (`""` is one quote), unquoted names
/// folded to lower case.
pub fn identifier(raw: &str) -> String {
    if raw.starts_with("{{") || raw.starts_with("${") || raw.starts_with('%') {
        return raw.to_string(); // a template or format() specifier, named as written
    }
    match raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        Some(quoted) => quoted.replace("\"\"", "\""),
        None => raw.to_ascii_lowercase(),
    }
}

/// The words of a (possibly dotted) name node, each normalised, comments and whitespace
/// skipped.
fn name_parts(node: &SyntaxNode, text: TokenText<'_>) -> Vec<String> {
    let mut parts = vec![String::new()];
    for token in node
        .descendants_with_tokens()
        .filter_map(|e| e.into_token())
    {
        match token.kind() {
            SyntaxKind::DOT => parts.push(String::new()),
            kind if kind.is_trivia() => {}
            _ => {
                if let Some(last) = parts.last_mut() {
                    last.push_str(&identifier(&text(&token)));
                }
            }
        }
    }
    parts
}

/// A schema-qualified name from a node that holds a dotted path (`TABLE_NAME_REF`,
/// `TABLE_RELATION_NAME`, `PATH`, ...). A catalog prefix (`db.schema.table`) is ignored.
pub fn qualified_name(node: &SyntaxNode, text: TokenText<'_>) -> Option<QualifiedName> {
    // Skip wrappers such as `ONLY t` or `t *`: the path node holds just the name.
    let path = std::iter::once(node.clone())
        .chain(node.descendants())
        .find(|n| matches!(n.kind(), SyntaxKind::PATH_REF | SyntaxKind::PATH))
        .unwrap_or_else(|| node.clone());
    let mut parts = name_parts(&path, text);
    let name = parts.pop().filter(|n| !n.is_empty())?;
    let schema = parts.pop().filter(|s| !s.is_empty());
    Some(QualifiedName { schema, name })
}

/// A single identifier (column, constraint, schema name) from its node.
pub fn simple_name(node: &SyntaxNode, text: TokenText<'_>) -> Option<String> {
    let parts = name_parts(node, text);
    parts.into_iter().rfind(|p| !p.is_empty())
}

/// The first child of `node` with the given kind.
pub fn child(node: &SyntaxNode, kind: SyntaxKind) -> Option<SyntaxNode> {
    node.children().find(|c| c.kind() == kind)
}

/// A column type in a canonical spelling: `character varying(20)` and `VARCHAR(20)` are
/// both `varchar` with modifiers `[20]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ColumnType {
    /// Canonical lower-case name without schema (`varchar`, `text`, `int4`, `numeric`).
    pub name: String,
    /// Type modifiers: length for `varchar(n)`, precision and scale for `numeric(p,s)`.
    pub modifiers: Vec<u64>,
    /// Array dimensions written after the type (`text[]` has one).
    pub array_dims: usize,
}

impl ColumnType {
    /// Read a type from its syntax node text (comments removed by the caller's node walk).
    pub fn from_node(node: &SyntaxNode) -> Option<ColumnType> {
        let mut text = String::new();
        for token in node
            .descendants_with_tokens()
            .filter_map(|e| e.into_token())
        {
            if token.kind() == SyntaxKind::COMMENT {
                continue;
            }
            text.push_str(token.text());
        }
        ColumnType::parse(&text)
    }

    /// Parse type text such as `pg_catalog.VARCHAR (20)[]` or `double precision`.
    pub fn parse(text: &str) -> Option<ColumnType> {
        let compact: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '"')
            .collect::<String>()
            .to_ascii_lowercase();
        // `int ARRAY` is `int[]`; only a separate word counts (a type may be called `myarray`).
        let array_keyword = text
            .split_whitespace()
            .last()
            .is_some_and(|w| w.eq_ignore_ascii_case("array"));
        let array_dims = compact.matches('[').count() + usize::from(array_keyword);
        let base = compact.split('[').next().unwrap_or("");
        let base = match array_keyword {
            true => base.strip_suffix("array").unwrap_or(base),
            false => base,
        };
        let (name, modifiers) = match base.split_once('(') {
            Some((name, rest)) => {
                let inner = rest.split(')').next().unwrap_or("");
                let modifiers = inner
                    .split(',')
                    .filter_map(|m| m.parse::<u64>().ok())
                    .collect();
                (name, modifiers)
            }
            None => (base, Vec::new()),
        };
        let name = name.rsplit('.').next().unwrap_or(name);
        if name.is_empty() {
            return None;
        }
        Some(ColumnType {
            name: canonical_type_name(name).to_string(),
            modifiers,
            array_dims,
        })
    }
}

impl std::fmt::Display for ColumnType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)?;
        if !self.modifiers.is_empty() {
            let mods: Vec<String> = self.modifiers.iter().map(u64::to_string).collect();
            write!(f, "({})", mods.join(","))?;
        }
        for _ in 0..self.array_dims {
            f.write_str("[]")?;
        }
        Ok(())
    }
}

/// Postgres's own names for the common aliases (whitespace already removed).
fn canonical_type_name(name: &str) -> &str {
    match name {
        "charactervarying" | "charvarying" | "ncharvarying" | "nationalcharactervarying" => {
            "varchar"
        }
        "character" | "char" | "nchar" | "nationalcharacter" => "bpchar",
        "int" | "integer" | "serial" | "serial4" => "int4",
        "bigint" | "bigserial" | "serial8" => "int8",
        "smallint" | "smallserial" | "serial2" => "int2",
        "decimal" => "numeric",
        "bool" => "boolean",
        "real" => "float4",
        "doubleprecision" | "float" => "float8",
        "timestamp" | "timestampwithouttimezone" => "timestamp",
        "timestamptz" | "timestampwithtimezone" => "timestamptz",
        "time" | "timewithouttimezone" => "time",
        "timetz" | "timewithtimezone" => "timetz",
        "bitvarying" => "varbit",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_fold_like_postgres() {
        assert_eq!(identifier("Users"), "users");
        assert_eq!(identifier("\"Users\""), "Users");
        assert_eq!(identifier("\"a\"\"b\""), "a\"b");
    }

    #[test]
    fn column_types_are_canonical() {
        let t = ColumnType::parse("character varying ( 20 )").unwrap();
        assert_eq!(
            (t.name.as_str(), t.modifiers.as_slice()),
            ("varchar", &[20][..])
        );
        assert_eq!(
            ColumnType::parse("VARCHAR(256)").unwrap().to_string(),
            "varchar(256)"
        );
        assert_eq!(ColumnType::parse("pg_catalog.int4").unwrap().name, "int4");
        assert_eq!(ColumnType::parse("INTEGER").unwrap().name, "int4");
        assert_eq!(
            ColumnType::parse("numeric(10, 2)").unwrap().modifiers,
            vec![10, 2]
        );
        assert_eq!(ColumnType::parse("text[]").unwrap().array_dims, 1);
        assert_eq!(
            ColumnType::parse("double precision").unwrap().name,
            "float8"
        );
        assert_eq!(ColumnType::parse("").map(|t| t.name), None);
        assert_eq!(ColumnType::parse("(").map(|t| t.name), None);
    }
}
