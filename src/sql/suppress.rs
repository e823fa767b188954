//! `-- synclint: ignore[rule-a, rule-b] reason` comments in SQL.
//!
//! A comment silences the statement it sits on (any line of the statement, including a
//! trailing comment after its `;`) and the statement right below it when it stands in the
//! block of comment-only lines directly above that statement.

use super::ByteRange;

/// One suppression comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SqlSuppression {
    /// Rule ids as written, in order (unknown ids are for the caller to report).
    pub rules: Vec<String>,
    /// The text after `]`, if any.
    pub reason: Option<String>,
    /// From `--` to the end of the line, for `unused-suppression` findings.
    pub span: ByteRange,
}

/// Every suppression comment of a script, in order.
pub fn suppressions(script: &str) -> Vec<SqlSuppression> {
    Lines::new(script)
        .iter()
        .filter_map(|(start, line)| parse_comment(line, start))
        .collect()
}

/// The suppression comments that apply to the statement at `statement` (a range of
/// `script`, as [`super::Statement::span`] gives it).
pub fn suppressions_for(script: &str, statement: ByteRange) -> Vec<SqlSuppression> {
    let lines = Lines::new(script);
    let first = lines.index_of(statement.start);
    let last = lines.index_of(statement.end.saturating_sub(1).max(statement.start));
    let mut found = Vec::new();
    // The comment-only lines directly above, nearest last so the output stays in order.
    let mut above = first;
    while above > 0 && lines.is_comment_only(above - 1) {
        above -= 1;
    }
    for index in above..=last {
        if let Some((start, line)) = lines.get(index)
            && let Some(suppression) = parse_comment(line, start)
        {
            found.push(suppression);
        }
    }
    found
}

/// The rule ids suppressed for the statement at `statement`.
pub fn suppressed_rules(script: &str, statement: ByteRange) -> Vec<String> {
    suppressions_for(script, statement)
        .into_iter()
        .flat_map(|s| s.rules)
        .collect()
}

/// The lines of a script with their start offsets.
struct Lines<'a> {
    script: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(script: &'a str) -> Lines<'a> {
        let starts = std::iter::once(0)
            .chain(script.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { script, starts }
    }

    fn index_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|start| *start <= offset)
            .saturating_sub(1)
    }

    fn get(&self, index: usize) -> Option<(usize, &'a str)> {
        let start = *self.starts.get(index)?;
        let end = self
            .starts
            .get(index + 1)
            .map_or(self.script.len(), |next| next - 1);
        Some((start, self.script.get(start..end)?))
    }

    fn iter(&self) -> impl Iterator<Item = (usize, &'a str)> + '_ {
        (0..self.starts.len()).filter_map(|i| self.get(i))
    }

    fn is_comment_only(&self, index: usize) -> bool {
        self.get(index)
            .is_some_and(|(_, line)| line.trim_start().starts_with("--"))
    }
}

/// The suppression in `line` (which starts at `line_start`), if its `--` comment is one.
fn parse_comment(line: &str, line_start: usize) -> Option<SqlSuppression> {
    let comment_at = comment_start(line)?;
    let comment = &line[comment_at..];
    let body = comment.trim_start_matches('-').trim_start();
    let body = body.strip_prefix("synclint:")?.trim_start();
    let body = body.strip_prefix("ignore")?.trim_start();
    let list = body.strip_prefix('[')?;
    let close = list.find(']')?;
    let rules = list[..close]
        .split(',')
        .map(str::trim)
        .filter(|rule| !rule.is_empty())
        .map(str::to_string)
        .collect();
    let reason = list[close + 1..].trim();
    let start = line_start + comment_at;
    Some(SqlSuppression {
        rules,
        reason: (!reason.is_empty()).then(|| reason.to_string()),
        span: start..line_start + line.trim_end().len(),
    })
}

/// Where the `--` comment of a line starts, skipping `--` inside single-quoted strings and
/// quoted identifiers on the same line.
fn comment_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut quote: Option<u8> = None;
    for (i, byte) in bytes.iter().enumerate() {
        match quote {
            Some(q) if *byte == q => quote = None,
            Some(_) => {}
            None if matches!(byte, b'\'' | b'"') => quote = Some(*byte),
            None if *byte == b'-' && bytes.get(i + 1) == Some(&b'-') => return Some(i),
            None => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCRIPT: &str = "\
-- synclint: ignore[destructive-sql-single-release, sql-syntax] old column, unused since 2.3
-- another comment
ALTER TABLE t DROP COLUMN a;
DROP TABLE b; -- synclint: ignore[destructive-sql-single-release]
SELECT '-- synclint: ignore[x]';

DROP TABLE c;
";

    fn span_of(text: &str) -> ByteRange {
        let start = SCRIPT.find(text).unwrap();
        start..start + text.len()
    }

    #[test]
    fn a_comment_block_above_applies_to_the_statement_below() {
        let found = suppressions_for(SCRIPT, span_of("ALTER TABLE t DROP COLUMN a;"));
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].rules,
            vec!["destructive-sql-single-release", "sql-syntax"]
        );
        assert_eq!(
            found[0].reason.as_deref(),
            Some("old column, unused since 2.3")
        );
        assert_eq!(found[0].span, 0..SCRIPT.find('\n').unwrap());
    }

    #[test]
    fn a_trailing_comment_applies_to_its_own_line_only() {
        let rules = suppressed_rules(SCRIPT, span_of("DROP TABLE b;"));
        assert_eq!(rules, vec!["destructive-sql-single-release"]);
        // It is not a comment-only line, so the statement below it is not covered.
        assert!(suppressed_rules(SCRIPT, span_of("SELECT '-- synclint")).is_empty());
        assert!(suppressed_rules(SCRIPT, span_of("DROP TABLE c;")).is_empty());
    }

    #[test]
    fn every_suppression_of_a_script() {
        let all = suppressions(SCRIPT);
        assert_eq!(all.len(), 2);
        let trailing = SCRIPT
            .find("-- synclint: ignore[destructive-sql-single-release]")
            .unwrap();
        assert_eq!(all[1].span.start, trailing);
        assert_eq!(all[1].reason, None);
    }

    #[test]
    fn malformed_comments_are_not_suppressions() {
        for text in [
            "-- synclint: ignore",
            "-- synclint ignore[a]",
            "-- ignore[a]",
            "--",
        ] {
            assert!(suppressions(text).is_empty(), "{text}");
        }
        assert_eq!(suppressions("--synclint:ignore[a]")[0].rules, vec!["a"]);
        assert!(suppressions("-- synclint: ignore[]")[0].rules.is_empty());
    }

    #[test]
    fn out_of_range_statements_do_not_panic() {
        assert!(suppressions_for("", 5..9).is_empty());
        assert!(suppressions_for("é\n-- synclint: ignore[a]", 1..400).len() <= 1);
    }
}
