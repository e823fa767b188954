//! Migration directories: which tool a directory is written for, which files a deploy
//! applies, in which order, and which parts of each file run on `up`.
//!
//! Tools: Flyway (`V<version>__<desc>.sql`, then `R__<desc>.sql` repeatables; `U` undo and
//! `B` baseline files are not applied on upgrade), golang-migrate (`<n>_<name>.up.sql`; the
//! same naming as gobuffalo pop), goose (`-- +goose Up`), dbmate (`-- migrate:up`), Atlas
//! (`atlas.sum` beside the files, lexical order), sqitch (`deploy/*.sql`, in `sqitch.plan`
//! order) and Liquibase formatted SQL (`--liquibase formatted sql`, lexical file order: the
//! changelog that includes them is not read).

use std::cmp::Ordering;

use super::{ByteRange, Dialect, sections, sqitch};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MigrationTool {
    Flyway,
    GolangMigrate,
    Goose,
    Dbmate,
    Atlas,
    Sqitch,
    Liquibase,
}

/// A file a deploy applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MigrationFile {
    /// As given (repo-relative).
    pub path: String,
    pub tool: MigrationTool,
    /// The version as the tool reads it (`1.57` for `V1_57__x.sql`), or the order key (the
    /// file name for Atlas and Liquibase, the change name for sqitch, the description for a
    /// Flyway repeatable).
    pub version: String,
    /// Flyway `R__` files: applied after all versioned ones, whenever they change.
    pub repeatable: bool,
    /// The parts of the file's text that run on `up`, in order.
    pub up_ranges: Vec<ByteRange>,
    /// MySQL when declared: a `mysql`/`mariadb` directory in the path, a sqitch engine, a
    /// Liquibase `dbms:`. MySQL is not analysed; the caller says so.
    pub dialect: Dialect,
}

/// The migration files among `files` (paths of one directory tree), in apply order.
/// `read` returns a file's text (`None` when unreadable: such a file is skipped unless its
/// name alone identifies it, and then it is listed with no ranges).
pub fn migration_files<F>(files: &[String], mut read: F) -> Vec<MigrationFile>
where
    F: FnMut(&str) -> Option<String>,
{
    if let Some(plan) = files.iter().find(|f| file_name(f) == "sqitch.plan") {
        return sqitch::deploy_files(files, plan, &mut read);
    }
    if let Some(sum) = files.iter().find(|f| file_name(f) == "atlas.sum") {
        let dir = parent(sum);
        let mut found: Vec<MigrationFile> = files
            .iter()
            .filter(|f| parent(f) == dir && f.ends_with(".sql"))
            .map(|f| whole_file(f, MigrationTool::Atlas, file_name(f), &mut read))
            .collect();
        found.sort_by(|a, b| a.version.cmp(&b.version));
        return found;
    }
    let mut found: Vec<MigrationFile> = files
        .iter()
        .filter_map(|path| classify_file(path, &mut read))
        .collect();
    found.sort_by(|a, b| {
        (a.tool, a.repeatable)
            .cmp(&(b.tool, b.repeatable))
            .then_with(|| match (a.tool, a.repeatable) {
                (MigrationTool::Liquibase, _) | (MigrationTool::Flyway, true) => {
                    a.version.cmp(&b.version)
                }
                _ => compare_versions(&a.version, &b.version),
            })
            .then_with(|| a.path.cmp(&b.path))
    });
    found
}

fn classify_file<F>(path: &str, read: &mut F) -> Option<MigrationFile>
where
    F: FnMut(&str) -> Option<String>,
{
    let name = file_name(path);
    let stem = name.strip_suffix(".sql")?;
    if let Some((version, _)) = stem.strip_prefix('V').and_then(|r| r.split_once("__")) {
        let valid = !version.is_empty()
            && version
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.' || b == b'_');
        if valid {
            return Some(whole_file(
                path,
                MigrationTool::Flyway,
                &version.replace('_', "."),
                read,
            ));
        }
    }
    if let Some(description) = stem.strip_prefix("R__") {
        let mut file = whole_file(path, MigrationTool::Flyway, description, read);
        file.repeatable = true;
        return Some(file);
    }
    if let Some((version, _)) = stem.strip_suffix(".up").and_then(|s| s.split_once('_'))
        && is_number(version)
    {
        return Some(whole_file(
            path,
            MigrationTool::GolangMigrate,
            version,
            read,
        ));
    }
    if stem.ends_with(".down") {
        return None;
    }
    let text = read(path)?;
    let version = stem.split_once('_').map_or(stem, |(v, _)| v);
    let (tool, up_ranges, mysql) = if sections::is_goose(&text) {
        (MigrationTool::Goose, sections::goose_up(&text), false)
    } else if sections::is_dbmate(&text) {
        (MigrationTool::Dbmate, sections::dbmate_up(&text), false)
    } else if sections::is_liquibase(&text) {
        let (ranges, mysql) = sections::liquibase_up(&text);
        (MigrationTool::Liquibase, ranges, mysql)
    } else {
        return None;
    };
    let version = if tool == MigrationTool::Liquibase {
        name
    } else {
        version
    };
    Some(MigrationFile {
        path: path.to_string(),
        tool,
        version: version.to_string(),
        repeatable: false,
        up_ranges,
        dialect: if mysql {
            Dialect::MySql
        } else {
            path_dialect(path)
        },
    })
}

/// A file that runs whole on `up`.
pub(super) fn whole_file<F>(
    path: &str,
    tool: MigrationTool,
    version: &str,
    read: &mut F,
) -> MigrationFile
where
    F: FnMut(&str) -> Option<String>,
{
    let whole: ByteRange = 0..read(path).map_or(0, |t| t.len());
    MigrationFile {
        path: path.to_string(),
        tool,
        version: version.to_string(),
        repeatable: false,
        up_ranges: if whole.is_empty() {
            Vec::new()
        } else {
            vec![whole]
        },
        dialect: path_dialect(path),
    }
}

/// Versions compared part by part (split at `.`, `_`, `-`): numbers numerically, of any
/// length, so `1.57 < 3.10 < 10`; other parts as text.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    let parts =
        |v: &'_ str| -> Vec<String> { v.split(['.', '_', '-']).map(str::to_string).collect() };
    let (a, b) = (parts(a), parts(b));
    for (x, y) in a.iter().zip(&b) {
        let order = match (is_number(x), is_number(y)) {
            (true, true) => {
                let (x, y) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
                x.len().cmp(&y.len()).then_with(|| x.cmp(y))
            }
            _ => x.cmp(y),
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    a.len().cmp(&b.len())
}

fn is_number(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

pub(super) fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

pub(super) fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

pub(super) fn join(dir: &str, rest: &str) -> String {
    match dir.is_empty() {
        true => rest.to_string(),
        false => format!("{dir}/{rest}"),
    }
}

/// MySQL when a directory of the path names it (`migrations/mysql/`, `jdbc-mysql/`).
fn path_dialect(path: &str) -> Dialect {
    let dirs = parent(path).to_ascii_lowercase();
    let mysql = dirs
        .split(['/', '-', '_', '.'])
        .any(|part| part == "mysql" || part == "mariadb");
    if mysql {
        Dialect::MySql
    } else {
        Dialect::Postgres
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn run(files: &[(&str, &str)]) -> Vec<MigrationFile> {
        let texts: HashMap<String, String> = files
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect();
        let paths: Vec<String> = files.iter().map(|(p, _)| p.to_string()).collect();
        migration_files(&paths, |p| texts.get(p).cloned())
    }

    fn order(found: &[MigrationFile]) -> Vec<(&str, &str)> {
        found
            .iter()
            .map(|f| (file_name(&f.path), f.version.as_str()))
            .collect()
    }

    #[test]
    fn flyway_versions_compare_numerically() {
        let dir = "jdbc-postgres/src/main/resources/migrations/postgres";
        let files = [
            (format!("{dir}/V3_10__drop_old_queues.sql"), "DROP TABLE q;"),
            (format!("{dir}/V10__later.sql"), "SELECT 1;"),
            (format!("{dir}/R__views.sql"), "CREATE VIEW v AS SELECT 1;"),
            (
                format!("{dir}/V1_57__widen_task_id.sql"),
                "ALTER TABLE logs ALTER COLUMN a TYPE text;",
            ),
            (format!("{dir}/U3_10__undo.sql"), "CREATE TABLE q (id int);"),
            (
                format!("{dir}/V1_20__drop_worker_instance.sql"),
                "DROP TABLE w;",
            ),
            (format!("{dir}/README.md"), "docs"),
        ];
        let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), *t)).collect();
        let found = run(&files);
        assert_eq!(
            order(&found),
            vec![
                ("V1_20__drop_worker_instance.sql", "1.20"),
                ("V1_57__widen_task_id.sql", "1.57"),
                ("V3_10__drop_old_queues.sql", "3.10"),
                ("V10__later.sql", "10"),
                ("R__views.sql", "views"),
            ]
        );
        assert!(found[4].repeatable);
        assert_eq!(found[0].up_ranges, vec![0..13]);
        assert!(
            found
                .iter()
                .all(|f| f.tool == MigrationTool::Flyway && f.dialect == Dialect::Postgres)
        );
    }

    #[test]
    fn mysql_directories_are_mysql() {
        let found = run(&[(
            "jdbc-mysql/migrations/mysql/V1__init.sql",
            "CREATE TABLE t (id int);",
        )]);
        assert_eq!(found[0].dialect, Dialect::MySql);
        let found = run(&[("db/postgresql/V1__init.sql", "CREATE TABLE t (id int);")]);
        assert_eq!(found[0].dialect, Dialect::Postgres);
    }

    #[test]
    fn golang_migrate_up_files_only() {
        let found = run(&[
            ("m/0030_2.0.0_schema.up.sql", "DROP TABLE a;"),
            ("m/0004_1.8.0_schema.up.sql", "DROP TABLE b;"),
            ("m/0004_1.8.0_schema.down.sql", "CREATE TABLE b (id int);"),
            ("m/0110_2.8.0_schema.up.sql", ""),
        ]);
        assert_eq!(
            order(&found),
            vec![
                ("0004_1.8.0_schema.up.sql", "0004"),
                ("0030_2.0.0_schema.up.sql", "0030"),
                ("0110_2.8.0_schema.up.sql", "0110"),
            ]
        );
        assert_eq!(found[0].tool, MigrationTool::GolangMigrate);
        assert!(found[2].up_ranges.is_empty());
    }

    #[test]
    fn goose_and_dbmate_by_content() {
        let goose = "-- +goose Up\nDROP TABLE a;\n-- +goose Down\nCREATE TABLE a (id int);\n";
        let dbmate = "-- migrate:up\nDROP TABLE b;\n-- migrate:down\n";
        let found = run(&[
            ("db/20240102_second.sql", dbmate),
            ("db/00001_first.sql", goose),
            ("db/notes.sql", "SELECT 1;"),
        ]);
        assert_eq!(
            order(&found),
            vec![
                ("00001_first.sql", "00001"),
                ("20240102_second.sql", "20240102")
            ]
        );
        assert_eq!(
            (found[0].tool, found[1].tool),
            (MigrationTool::Goose, MigrationTool::Dbmate)
        );
        assert_eq!(&goose[found[0].up_ranges[0].clone()], "DROP TABLE a;");
        assert_eq!(&dbmate[found[1].up_ranges[0].clone()], "DROP TABLE b;");
    }

    #[test]
    fn atlas_directories_in_lexical_order() {
        let found = run(&[
            ("migrations/20240201_b.sql", "DROP TABLE b;"),
            ("migrations/atlas.sum", "h1:abc"),
            ("migrations/20240101_a.sql", "CREATE TABLE a (id int);"),
        ]);
        assert_eq!(
            order(&found),
            vec![
                ("20240101_a.sql", "20240101_a.sql"),
                ("20240201_b.sql", "20240201_b.sql")
            ]
        );
        assert!(found.iter().all(|f| f.tool == MigrationTool::Atlas));
    }

    #[test]
    fn liquibase_formatted_sql() {
        let text = "--liquibase formatted sql\n--changeset a:1\nDROP TABLE t;\n--rollback CREATE TABLE t (id int);\n";
        let found = run(&[
            ("changelog/002.sql", text),
            (
                "changelog/001.sql",
                "--liquibase formatted sql\n--changeset a:0\nSELECT 1;",
            ),
        ]);
        assert_eq!(
            order(&found),
            vec![("001.sql", "001.sql"), ("002.sql", "002.sql")]
        );
        assert_eq!(&text[found[1].up_ranges[0].clone()], "DROP TABLE t;");
    }

    #[test]
    fn version_comparison() {
        assert_eq!(compare_versions("1.57", "3.10"), Ordering::Less);
        assert_eq!(compare_versions("3.10", "10"), Ordering::Less);
        assert_eq!(compare_versions("3.2", "3.10"), Ordering::Less);
        assert_eq!(compare_versions("0004", "4"), Ordering::Equal);
        assert_eq!(
            compare_versions("99999999999999999999999", "100000000000000000000000"),
            Ordering::Less
        );
        assert_eq!(compare_versions("1.1", "1.1.1"), Ordering::Less);
    }
}
