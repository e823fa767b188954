//! Tests of [`super`]: each kind of statement, its finding, and the text its span covers.

use crate::sql::destructive::Effect;
use crate::sql::types::ColumnType;
use crate::sql::{QualifiedName, parse_sql};

/// `(code, squawk rule, description, covered text)` of every finding in `sql`.
fn findings(sql: &str) -> Vec<(&'static str, Option<&'static str>, String, String)> {
    parse_sql(sql)
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
    let statements = parse_sql(
        "CREATE TABLE s.t (id bigint, name varchar(20));\nALTER TABLE t ADD COLUMN c text;",
    );
    let Effect::CreateTable(created) = &statements[0].effects[0] else {
        panic!("{statements:?}");
    };
    assert_eq!(created.table, QualifiedName::new(Some("s"), "t"));
    assert_eq!(created.columns[1].0, "name");
    assert_eq!(created.columns[1].1, ColumnType::parse("varchar(20)"));
    let Effect::AddColumn(added) = &statements[1].effects[0] else {
        panic!("{statements:?}");
    };
    assert_eq!(
        (added.table.name.as_str(), added.column.as_str()),
        ("t", "c")
    );
    assert_eq!(added.span, 62..79);
}
