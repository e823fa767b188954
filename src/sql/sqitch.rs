//! sqitch projects: the `deploy/<change>.sql` scripts, in `sqitch.plan` order.

use super::Dialect;
use super::migrations::{MigrationFile, MigrationTool, file_name, join, parent, whole_file};

/// sqitch: the `deploy/<change>.sql` files of the plan's directory, in plan order (changes
/// the plan does not list come after, by name).
pub fn deploy_files<F>(files: &[String], plan_path: &str, read: &mut F) -> Vec<MigrationFile>
where
    F: FnMut(&str) -> Option<String>,
{
    let dir = parent(plan_path);
    let deploy = join(dir, "deploy/");
    let plan = read(plan_path).unwrap_or_default();
    let order: Vec<&str> = plan
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with(['%', '@', '#']))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let conf = files
        .iter()
        .find(|f| file_name(f) == "sqitch.conf" && parent(f) == dir)
        .and_then(|f| read(f))
        .unwrap_or_default()
        .to_ascii_lowercase();
    let mysql = conf.lines().any(|l| {
        let l = l.replace(' ', "");
        l == "engine=mysql" || l.contains("db:mysql:") || l.contains("db:mariadb:")
    });
    let mut found: Vec<(usize, MigrationFile)> = files
        .iter()
        .filter_map(|f| {
            let change = f.strip_prefix(&deploy)?.strip_suffix(".sql")?;
            if change.contains('@') {
                return None; // a reworked change's old version
            }
            let rank = order
                .iter()
                .position(|c| *c == change)
                .unwrap_or(usize::MAX);
            let mut file = whole_file(f, MigrationTool::Sqitch, change, read);
            if mysql {
                file.dialect = Dialect::MySql;
            }
            Some((rank, file))
        })
        .collect();
    found.sort_by(|(ra, a), (rb, b)| ra.cmp(rb).then_with(|| a.version.cmp(&b.version)));
    found.into_iter().map(|(_, f)| f).collect()
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
        crate::sql::migrations::migration_files(&paths, |p| texts.get(p).cloned())
    }

    fn order(found: &[MigrationFile]) -> Vec<(&str, &str)> {
        found
            .iter()
            .map(|f| (file_name(&f.path), f.version.as_str()))
            .collect()
    }

    #[test]
    fn sqitch_follows_the_plan() {
        let plan = "%syntax-version=1.0.0\n%project=app\n\nusers 2024-01-01T00:00:00Z A <a@x> # users\n@v1 2024-01-02T00:00:00Z A <a@x>\ndrop_legacy [users] 2024-01-03T00:00:00Z A <a@x>\n";
        let found = run(&[
            ("db/sqitch.plan", plan),
            ("db/sqitch.conf", "[core]\n\tengine = pg\n"),
            ("db/deploy/drop_legacy.sql", "DROP TABLE legacy;"),
            ("db/deploy/users.sql", "CREATE TABLE users (id int);"),
            ("db/deploy/users@v1.sql", "CREATE TABLE users (id int);"),
            ("db/revert/users.sql", "DROP TABLE users;"),
        ]);
        assert_eq!(
            order(&found),
            vec![("users.sql", "users"), ("drop_legacy.sql", "drop_legacy")]
        );
        assert!(
            found
                .iter()
                .all(|f| f.tool == MigrationTool::Sqitch && f.dialect == Dialect::Postgres)
        );
        let mysql = run(&[
            ("sqitch.plan", "a 2024 A <a@x>\n"),
            ("sqitch.conf", "[core]\nengine = mysql"),
            ("deploy/a.sql", "x"),
        ]);
        assert_eq!(mysql[0].dialect, Dialect::MySql);
    }
}
