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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_fold_like_postgres() {
        assert_eq!(identifier("Users"), "users");
        assert_eq!(identifier("\"Users\""), "Users");
        assert_eq!(identifier("\"a\"\"b\""), "a\"b");
    }
}
