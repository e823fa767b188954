//! Column types in a canonical spelling, and which type changes Postgres makes without
//! rewriting the table or rejecting values old code writes.

use squawk_syntax::{SyntaxKind, SyntaxNode};

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
    pub(crate) fn from_node(node: &SyntaxNode) -> Option<ColumnType> {
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
}
