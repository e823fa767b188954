//! SQL embedded in a container's command and args: `psql -c "..."` / `--command=...`,
//! `mysql -e "..."` / `--execute=...`, and inside `sh -c` / `bash -c` scripts also
//! heredocs (`psql <<EOF`, `<<'EOF'`, `<<-EOF`, `cat <<EOF | psql`), here-strings
//! (`psql <<< "..."`) and `echo "..." | psql`. Plus a test for ConfigMap values that hold
//! SQL under a key not ending in `.sql`.

use super::shell::{self, Text};
use super::{ByteRange, Dialect, neutralize, parse};

/// SQL found in one argument of a container's command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmbeddedSql {
    /// Index into the argument list given (command followed by args).
    pub arg_index: usize,
    /// Byte range of the SQL in that argument.
    pub span: ByteRange,
    pub dialect: Dialect,
    /// The SQL as the client receives it, same length as `span`: shell quotes and escaping
    /// backslashes are spaces, `$VAR` / `${VAR}` / `$(cmd)` are identifiers (`x___`). Parse
    /// this, not the raw slice, and offsets still match the argument.
    pub text: String,
}

/// The SQL clients we recognise, by program name.
fn client_dialect(program: &str) -> Option<Dialect> {
    match program.rsplit('/').next().unwrap_or(program) {
        "psql" => Some(Dialect::Postgres),
        "mysql" | "mariadb" => Some(Dialect::MySql),
        _ => None,
    }
}

fn is_shell(program: &str) -> bool {
    matches!(
        program.rsplit('/').next().unwrap_or(program),
        "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh"
    )
}

/// The option that takes SQL, and the short options that take a value (so a bundle like
/// `-Uc` is read correctly), for each client.
fn sql_options(dialect: Dialect) -> (&'static str, char, &'static str) {
    match dialect {
        Dialect::Postgres => ("--command", 'c', "cdfhLopPRTUvF"),
        // `-p` takes its password only attached, so it is not listed.
        Dialect::MySql => ("--execute", 'e', "eDhuPS"),
    }
}

/// The SQL in a container's command line: `argv` is the command followed by the args.
pub fn sql_in_command<S: AsRef<str>>(argv: &[S]) -> Vec<EmbeddedSql> {
    let args: Vec<&str> = argv.iter().map(AsRef::as_ref).collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < args.len() {
        if let Some(dialect) = client_dialect(args[i]) {
            let words: Vec<Text> = args[i + 1..]
                .iter()
                .map(|a| Text {
                    range: 0..a.len(),
                    text: a.to_string(),
                })
                .collect();
            for (index, span, text) in client_sql(&words, dialect) {
                found.push(EmbeddedSql {
                    arg_index: i + 1 + index,
                    span,
                    dialect,
                    text,
                });
            }
            break;
        }
        if is_shell(args[i])
            && let Some(script) = shell_script_index(&args, i)
        {
            found.extend(sql_in_script(args[script], script));
            break;
        }
        i += 1;
    }
    found
}

/// The index of the script of `sh [options] -c SCRIPT` starting at `shell`.
fn shell_script_index(args: &[&str], shell: usize) -> Option<usize> {
    let mut saw_c = false;
    let mut i = shell + 1;
    while i < args.len() {
        let arg = args[i];
        if arg == "-o" || arg == "+o" {
            i += 2;
            continue;
        }
        if arg.len() > 1 && (arg.starts_with('-') || arg.starts_with('+')) && !arg.starts_with("--")
        {
            saw_c |= arg.contains('c');
        } else if !arg.starts_with("--") {
            return saw_c.then_some(i);
        }
        i += 1;
    }
    None
}

/// The SQL options among a client's arguments: `(argument index, range, same-length text)`.
fn client_sql(words: &[Text], dialect: Dialect) -> Vec<(usize, ByteRange, String)> {
    let (long, short, takes_value) = sql_options(dialect);
    let mut found = Vec::new();
    let mut push = |index: usize, word: &Text, skip: usize| {
        let sql = Text {
            range: word.range.start + skip..word.range.end,
            text: word.text.get(skip..).unwrap_or_default().to_string(),
        }
        .trimmed();
        if !sql.text.is_empty() {
            found.push((index, sql.range, sql.text));
        }
    };
    let mut i = 0;
    while i < words.len() {
        let word = words[i].trimmed();
        let arg = word.text.as_str();
        if arg == long {
            if let Some(next) = words.get(i + 1) {
                push(i + 1, next, 0);
            }
            i += 2;
            continue;
        }
        if let Some(value) = arg.strip_prefix(long).and_then(|v| v.strip_prefix('=')) {
            push(i, &word, arg.len() - value.len());
        } else if arg.len() > 1 && arg.starts_with('-') && !arg.starts_with("--") {
            // A bundle of short options: the first one that takes a value takes the rest.
            for (at, option) in arg.char_indices().skip(1) {
                if !takes_value.contains(option) {
                    continue;
                }
                let attached = at + option.len_utf8() < arg.len();
                if option == short {
                    match attached {
                        true => push(i, &word, at + 1),
                        false => {
                            if let Some(next) = words.get(i + 1) {
                                push(i + 1, next, 0);
                            }
                        }
                    }
                }
                i += usize::from(!attached);
                break;
            }
        }
        i += 1;
    }
    found
}

/// The SQL in a shell script (argument `arg_index`).
fn sql_in_script(script: &str, arg_index: usize) -> Vec<EmbeddedSql> {
    let commands = shell::commands(script);
    let mut found = Vec::new();
    let embedded = |text: &Text, dialect: Dialect| {
        let sql = text.trimmed();
        (!sql.text.is_empty()).then_some(EmbeddedSql {
            arg_index,
            span: sql.range,
            dialect,
            text: sql.text,
        })
    };
    for command in &commands {
        // The client that reads this command's output or input, if any.
        let pipeline_client = commands
            .iter()
            .filter(|c| c.pipeline == command.pipeline)
            .find_map(|c| program(&c.words).and_then(|p| client_dialect(&p.1.text)));
        let Some((at, name)) = program(&command.words) else {
            continue;
        };
        let own_client = client_dialect(&name.text);
        if let Some(dialect) = own_client {
            for (_, span, text) in client_sql(&command.words[at + 1..], dialect) {
                found.push(EmbeddedSql {
                    arg_index,
                    span,
                    dialect,
                    text,
                });
            }
        }
        if let Some(dialect) = own_client.or(pipeline_client) {
            found.extend(command.stdin.iter().filter_map(|t| embedded(t, dialect)));
            let program = name.text.trim();
            if own_client.is_none() && matches!(program, "echo" | "printf") {
                let args = command.words[at + 1..]
                    .iter()
                    .filter(|w| !w.text.starts_with('-'));
                found.extend(args.filter_map(|w| embedded(w, dialect)));
            }
        }
    }
    found.sort_by_key(|e| e.span.start);
    found
}

/// The program word of a command, after variable assignments and wrappers like `exec`.
fn program(words: &[Text]) -> Option<(usize, Text)> {
    words.iter().enumerate().find_map(|(index, word)| {
        let word = word.trimmed();
        let text = word.text.as_str();
        let wrapper = matches!(text, "exec" | "env" | "time" | "nohup" | "command" | "sudo");
        let assignment = text.split_once('=').is_some_and(|(name, _)| {
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        });
        (!wrapper && !assignment && !text.starts_with('-')).then_some((index, word))
    })
}

/// Whether a ConfigMap value (under a key not ending in `.sql`) holds SQL: its first word is
/// a SQL command keyword, most of its statements parse, and it either has a `;` or starts
/// with a keyword that English text rarely does (`CREATE`, `ALTER`, `DROP`, ...).
pub fn looks_like_sql(value: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "create", "alter", "drop", "insert", "update", "delete", "truncate", "begin", "start",
        "commit", "set", "select", "with", "grant", "revoke", "comment", "do", "copy", "call",
    ];
    const STRONG: &[&str] = &["create", "alter", "drop", "insert", "truncate"];
    let neutral = neutralize(value);
    let first = first_word(&neutral).to_ascii_lowercase();
    if !KEYWORDS.contains(&first.as_str()) {
        return false;
    }
    let statements = parse(&neutral);
    let clean = statements.iter().filter(|s| !s.has_error()).count();
    let parses = !statements.is_empty() && clean * 2 >= statements.len();
    parses && (neutral.contains(';') || STRONG.contains(&first.as_str()))
}

/// The first word of SQL text, after whitespace and comments.
fn first_word(text: &str) -> &str {
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("--") {
            rest = after.split_once('\n').map_or("", |(_, r)| r);
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, r)| r);
        } else {
            break;
        }
    }
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    &rest[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(arg index, raw slice, parse text, dialect)` of each finding.
    fn found(argv: &[&str]) -> Vec<(usize, String, String, Dialect)> {
        sql_in_command(argv)
            .into_iter()
            .map(|e| {
                let raw = argv[e.arg_index][e.span.clone()].to_string();
                assert_eq!(raw.len(), e.text.len());
                (e.arg_index, raw, e.text, e.dialect)
            })
            .collect()
    }

    #[test]
    fn psql_arguments() {
        let argv = [
            "psql",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            "DROP TABLE t;",
            "--command=SELECT 1",
        ];
        let sql = found(&argv);
        assert_eq!(sql.len(), 2);
        assert_eq!(
            sql[0],
            (
                4,
                "DROP TABLE t;".into(),
                "DROP TABLE t;".into(),
                Dialect::Postgres
            )
        );
        assert_eq!((sql[1].0, sql[1].1.as_str()), (5, "SELECT 1"));
        assert_eq!(
            found(&["/usr/bin/psql", "-XcDROP TABLE t"])[0].1,
            "DROP TABLE t"
        );
        assert!(found(&["psql", "-U", "-c", "-f", "x.sql"]).is_empty());
    }

    #[test]
    fn mysql_arguments() {
        let sql = found(&["mysql", "-p", "-e", "DROP TABLE t", "--execute=SELECT 1"]);
        assert_eq!(sql.len(), 2);
        assert_eq!((sql[0].0, sql[0].3), (3, Dialect::MySql));
    }

    #[test]
    fn psql_inside_a_shell_script() {
        let script = r#"set -e; psql "$DATABASE_URL" -c "ALTER TABLE t DROP COLUMN \"c\";" --command='SELECT 1'"#;
        let sql = found(&["/bin/sh", "-ec", script]);
        assert_eq!(sql.len(), 2);
        assert_eq!(sql[0].0, 2);
        assert_eq!(sql[0].1, r#"ALTER TABLE t DROP COLUMN \"c\";"#);
        assert_eq!(sql[0].2, r#"ALTER TABLE t DROP COLUMN  "c" ;"#);
        assert_eq!(sql[1].1, "SELECT 1");
    }

    #[test]
    fn heredocs_and_pipelines() {
        let script = "set -euo pipefail\npsql -h db <<-'EOF'\n\tDROP TABLE a;\n\tEOF\ncat <<SQL | psql\nDROP TABLE ${T};\nSQL\necho 'DROP TABLE c;' | psql\npsql <<< \"DROP TABLE d\"\ncat <<X\nnot sql\nX\n";
        let sql = found(&["bash", "-o", "pipefail", "-c", script]);
        let raw: Vec<&str> = sql.iter().map(|s| s.1.as_str()).collect();
        assert_eq!(
            raw,
            vec![
                "DROP TABLE a;",
                "DROP TABLE ${T};",
                "DROP TABLE c;",
                "DROP TABLE d"
            ]
        );
        assert_eq!(sql[1].2, "DROP TABLE x___;");
        assert!(sql.iter().all(|s| s.0 == 4 && s.3 == Dialect::Postgres));
        let start = script.find("DROP TABLE a").unwrap();
        assert_eq!(
            sql_in_command(&["bash", "-o", "pipefail", "-c", script])[0]
                .span
                .start,
            start
        );
    }

    #[test]
    fn mysql_heredoc_is_mysql() {
        let sql = found(&["sh", "-c", "mysql -uroot app <<EOF\nDROP TABLE t;\nEOF"]);
        assert_eq!(sql[0].3, Dialect::MySql);
    }

    #[test]
    fn commands_without_sql() {
        assert!(found(&["migrate", "-path", "/m", "up"]).is_empty());
        assert!(found(&["sh", "-c", "echo 'DROP TABLE t'"]).is_empty());
        assert!(found(&["sh", "script.sh", "-c"]).is_empty());
        assert!(found(&["psql"]).is_empty());
        assert!(found(&["sh", "-c", "psql -c"]).is_empty());
    }

    #[test]
    fn config_map_values() {
        assert!(looks_like_sql(
            "-- init\nCREATE TABLE t (id int);\nINSERT INTO t VALUES (1);"
        ));
        assert!(looks_like_sql("ALTER TABLE {{ .Schema }}.t DROP COLUMN c"));
        assert!(looks_like_sql("update t set a = 1 where b = 2;"));
        assert!(!looks_like_sql("Select a plan"));
        assert!(!looks_like_sql("Update the config before deploying."));
        assert!(!looks_like_sql("key: value\nother: 1"));
        assert!(!looks_like_sql("set: true"));
        assert!(!looks_like_sql(""));
    }
}
