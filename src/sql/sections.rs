//! The parts of a migration file that run on `up`, for tools that keep `up` and `down` in
//! one file: goose (`-- +goose Up` / `Down`, `StatementBegin` / `End`), dbmate
//! (`-- migrate:up` / `down`) and Liquibase formatted SQL (`--changeset`, `--rollback`).

use super::ByteRange;

/// Lines of `text` with their byte ranges (without the newline).
fn lines(text: &str) -> impl Iterator<Item = (ByteRange, &str)> {
    let mut start = 0;
    text.split_inclusive('\n').map(move |line| {
        let range = start..start + line.trim_end_matches(['\n', '\r']).len();
        start += line.len();
        (range.clone(), &text[range])
    })
}

/// The annotation of a goose line (`Up`, `Down`, `StatementBegin`, ...), if it is one.
fn goose_annotation(line: &str) -> Option<&str> {
    let rest = line.trim_start().strip_prefix("--")?.trim_start();
    Some(rest.strip_prefix("+goose")?.trim())
}

pub fn is_goose(text: &str) -> bool {
    lines(text).any(|(_, l)| goose_annotation(l).is_some_and(|a| a.eq_ignore_ascii_case("up")))
}

/// Ranges that run on `goose up`: the `Up` section, each `StatementBegin` ... `End` block
/// as its own range (goose sends it as one statement), annotation lines left out. A
/// `-- +goose Down` inside a statement block does not end the section.
pub fn goose_up(text: &str) -> Vec<ByteRange> {
    let mut ranges = Ranges::default();
    let (mut in_up, mut in_block) = (false, false);
    for (range, line) in lines(text) {
        let annotation = goose_annotation(line).map(str::to_ascii_lowercase);
        if in_block {
            // Inside a statement block only its end counts; the rest is statement text.
            if annotation.as_deref() == Some("statementend") {
                in_block = false;
                ranges.close();
            } else {
                ranges.extend(range);
            }
            continue;
        }
        match annotation.as_deref() {
            Some("up") => in_up = true,
            Some("down") => in_up = false,
            Some("statementbegin") => in_block = in_up,
            Some(_) => {}
            None if in_up => {
                ranges.extend(range);
                continue;
            }
            None => continue,
        }
        ranges.close();
    }
    ranges.finish(text)
}

fn dbmate_marker(line: &str) -> Option<&str> {
    let rest = line.trim_start().strip_prefix("--")?.trim_start();
    let rest = rest.strip_prefix("migrate:")?;
    Some(rest.split_whitespace().next().unwrap_or(""))
}

pub fn is_dbmate(text: &str) -> bool {
    lines(text).any(|(_, l)| dbmate_marker(l) == Some("up"))
}

/// Ranges that run on `dbmate up`: from `-- migrate:up` to `-- migrate:down`.
pub fn dbmate_up(text: &str) -> Vec<ByteRange> {
    let mut ranges = Ranges::default();
    let mut in_up = false;
    for (range, line) in lines(text) {
        match dbmate_marker(line) {
            Some(marker) => {
                in_up = marker == "up";
                ranges.close();
            }
            None if in_up => ranges.extend(range),
            None => {}
        }
    }
    ranges.finish(text)
}

/// `--liquibase formatted sql` as the first non-blank line.
pub fn is_liquibase(text: &str) -> bool {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let compact: String = first.chars().filter(|c| !c.is_whitespace()).collect();
    compact.eq_ignore_ascii_case("--liquibaseformattedsql")
}

/// The Liquibase directive of a line (`changeset author:id dbms:mysql`, `rollback ...`).
fn liquibase_directive(line: &str) -> Option<&str> {
    let rest = line.trim_start().strip_prefix("--")?.trim_start();
    let word = rest.split_whitespace().next()?;
    matches!(word.to_ascii_lowercase().as_str(), "changeset" | "rollback").then_some(rest)
}

/// Ranges that run on `liquibase update`: each changeset's body without its `--rollback`
/// lines; and whether every changeset that names databases (`dbms:`) leaves out Postgres
/// and names MySQL or MariaDB.
pub fn liquibase_up(text: &str) -> (Vec<ByteRange>, bool) {
    let mut ranges = Ranges::default();
    let mut in_changeset = false;
    let (mut mysql_only, mut named) = (true, false);
    for (range, line) in lines(text) {
        match liquibase_directive(line) {
            Some(directive) if directive.to_ascii_lowercase().starts_with("changeset") => {
                in_changeset = true;
                ranges.close();
                let lower = directive.to_ascii_lowercase();
                if let Some(dbms) = lower
                    .split_whitespace()
                    .find_map(|w| w.strip_prefix("dbms:"))
                {
                    named = true;
                    mysql_only &= !dbms.contains("postgres")
                        && (dbms.contains("mysql") || dbms.contains("mariadb"));
                }
            }
            Some(_) => ranges.close(), // a rollback line
            None if in_changeset => ranges.extend(range),
            None => {}
        }
    }
    (ranges.finish(text), named && mysql_only)
}

/// Contiguous line ranges, joined while consecutive and cut at `close`.
#[derive(Default)]
struct Ranges {
    done: Vec<ByteRange>,
    open: Option<ByteRange>,
}

impl Ranges {
    fn extend(&mut self, line: ByteRange) {
        self.open = Some(match self.open.take() {
            Some(open) => open.start..line.end,
            None => line,
        });
    }

    fn close(&mut self) {
        if let Some(open) = self.open.take() {
            self.done.push(open);
        }
    }

    /// The ranges that hold more than whitespace.
    fn finish(mut self, text: &str) -> Vec<ByteRange> {
        self.close();
        self.done
            .retain(|r| text.get(r.clone()).is_some_and(|t| !t.trim().is_empty()));
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'a>(text: &'a str, ranges: &[ByteRange]) -> Vec<&'a str> {
        ranges.iter().map(|r| &text[r.clone()]).collect()
    }

    #[test]
    fn goose_sections_and_statement_blocks() {
        let text = "-- +goose Up\nALTER TABLE t DROP COLUMN a;\n-- +goose StatementBegin\nCREATE FUNCTION f() RETURNS int AS $$\n-- +goose Down\nSELECT 1; $$ LANGUAGE sql;\n-- +goose StatementEnd\n-- +goose Down\nALTER TABLE t ADD COLUMN a int;\n";
        assert!(is_goose(text));
        let up = goose_up(text);
        assert_eq!(
            texts(text, &up),
            vec![
                "ALTER TABLE t DROP COLUMN a;",
                "CREATE FUNCTION f() RETURNS int AS $$\n-- +goose Down\nSELECT 1; $$ LANGUAGE sql;",
            ]
        );
        assert_eq!(up[0], 13..41);
    }

    #[test]
    fn dbmate_sections() {
        let text = "-- migrate:up transaction:false\r\nDROP TABLE a;\r\n\r\n-- migrate:down\r\nCREATE TABLE a (id int);";
        assert!(is_dbmate(text));
        assert_eq!(texts(text, &dbmate_up(text)), vec!["DROP TABLE a;\r\n"]);
    }

    #[test]
    fn liquibase_changesets_without_rollbacks() {
        let text = "--liquibase formatted sql\n\n--changeset alice:1\nALTER TABLE t DROP COLUMN a;\n--rollback ALTER TABLE t ADD COLUMN a int;\n\n--changeset bob:2 dbms:postgresql\nDROP TABLE b;\n";
        assert!(is_liquibase(text));
        let (up, mysql) = liquibase_up(text);
        assert_eq!(
            texts(text, &up),
            vec!["ALTER TABLE t DROP COLUMN a;", "DROP TABLE b;"]
        );
        assert!(!mysql);
        let (_, mysql) = liquibase_up(
            "-- liquibase formatted sql\n--changeset a:1 dbms:mysql,mariadb\nDROP TABLE t;",
        );
        assert!(mysql);
        assert!(!is_liquibase("CREATE TABLE t (id int);"));
    }
}
