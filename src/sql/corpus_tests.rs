//! The real migrations in `../shared/corpus/sql` (Harbor, supabase auth, Kestra, a Rails
//! structure dump): every file parses without a panic, and the destructive statements the
//! corpus notes list are found (and the harmless varchar widening is not). Skips with a
//! message when the corpus is absent (it fails in CI, where it must be present).

use std::path::{Path, PathBuf};

use super::migrations::migration_files;
use super::release::release_findings;
use super::schema::KnownSchema;
use super::{Statement, parse_sql};

fn corpus() -> Option<PathBuf> {
    let relative = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/sql");
    // Worktrees live one level deeper than the main checkout (/work/wt/<name>).
    let fallback = PathBuf::from("/work/shared/corpus/sql");
    [relative, fallback].into_iter().find(|p| p.is_dir())
}

fn sql_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            sql_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "sql") {
            out.push(path);
        }
    }
}

/// `code description` of every destructive change in a file.
fn findings(root: &Path, file: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root.join(file)).expect(file);
    parse_sql(&text)
        .iter()
        .flat_map(Statement::destructive)
        .map(|d| format!("{} {}", d.kind.code(), d.description))
        .collect()
}

fn assert_contains(found: &[String], expected: &[&str]) {
    for want in expected {
        assert!(
            found.iter().any(|f| f == want),
            "missing `{want}` in {found:#?}"
        );
    }
}

#[test]
fn corpus_sql_parses_and_destructive_statements_are_found() {
    let Some(root) = corpus() else {
        if std::env::var_os("CI").is_some() {
            panic!("../shared/corpus/sql is required in CI");
        }
        eprintln!("skipped: ../shared/corpus/sql not found");
        return;
    };
    let mut files = Vec::new();
    sql_files(&root, &mut files);
    assert!(files.len() >= 17, "{files:?}");
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let statements = parse_sql(&text);
        for statement in &statements {
            assert!(text.get(statement.span.clone()).is_some(), "{file:?}");
        }
    }

    let harbor = "goharbor__harbor/make/migrations/postgresql";
    assert_contains(
        &findings(&root, &format!("{harbor}/0004_1.8.0_schema.up.sql")),
        &[
            "rename-table renames table replication_target to registry",
            "rename-column renames column username of registry to access_key",
            "rename-column renames column password of registry to access_secret",
            "drop-column drops column target_type of registry",
            "rename-column renames column target_id of replication_policy to dest_registry_id",
            "drop-column drops column project_id of replication_policy",
            "rename-column renames column cron_str of replication_policy to trigger",
            "drop-table drops table replication_immediate_trigger",
            "drop-column drops column repository of replication_job",
            "rename-table renames table replication_job to replication_schedule_job",
        ],
    );
    assert_contains(
        &findings(&root, &format!("{harbor}/0030_2.0.0_schema.up.sql")),
        &[
            "rename-column renames column kind of artifact to type",
            "drop-column drops column creation_time of artifact",
            "set-not-null makes column repository_id of artifact NOT NULL",
            "rename-column renames column repo of artifact to repository_name",
            "drop-column drops column tag of artifact",
            "drop-table drops table access_log",
            "drop-constraint drops constraint unique_project_id of notification_policy",
        ],
    );

    let supabase = "supabase__auth/migrations";
    let namespace = r#"{{ index .Options "Namespace" }}"#;
    assert_contains(
        &findings(
            &root,
            &format!("{supabase}/20231117164230_add_id_pkey_identities.up.sql"),
        ),
        &[&format!(
            "rename-column renames column id of {namespace}.identities to provider_id"
        )],
    );
    assert_contains(
        &findings(
            &root,
            &format!("{supabase}/20221215195900_remove_sso_sessions.up.sql"),
        ),
        &[&format!("drop-table drops table {namespace}.sso_sessions")],
    );

    let kestra = "kestra-io__kestra/jdbc-postgres/src/main/resources/migrations/postgres";
    assert_eq!(
        findings(&root, &format!("{kestra}/V3_10__drop_old_queues.sql")),
        vec![
            "drop-table drops table queues",
            "drop-type drops type queue_type",
            "rename-table renames table queue to queues",
        ]
    );
    assert_eq!(
        findings(&root, &format!("{kestra}/V1_57__widen_task_id.sql")),
        Vec::<String>::new()
    );
}

#[test]
fn corpus_directories_as_releases() {
    let Some(root) = corpus() else {
        eprintln!("skipped: ../shared/corpus/sql not found");
        return;
    };
    let kestra =
        root.join("kestra-io__kestra/jdbc-postgres/src/main/resources/migrations/postgres");
    let harbor = root.join("goharbor__harbor/make/migrations/postgresql");
    for (dir, first) in [
        (kestra, "V1_20__drop_worker_instance.sql"),
        (harbor, "0004_1.8.0_schema.up.sql"),
    ] {
        let mut paths: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect();
        paths.sort();
        let read = |p: &str| std::fs::read_to_string(dir.join(p)).ok();
        let files = migration_files(&paths, read);
        assert_eq!(files[0].path, first);
        let texts: Vec<String> = files.iter().map(|f| read(&f.path).unwrap()).collect();
        let parsed: Vec<Vec<Statement>> = texts.iter().map(|t| parse_sql(t)).collect();
        let release: Vec<(&str, &Statement)> = files
            .iter()
            .zip(&parsed)
            .flat_map(|(f, statements)| statements.iter().map(|s| (f.path.as_str(), s)))
            .collect();
        let found = release_findings(&KnownSchema::default(), &release);
        assert!(found.iter().all(|f| f.key != "V1_57__widen_task_id.sql"));
        if first.starts_with("0004") {
            // Harbor 0004 adds credential_type to registry and drops target_type.
            let drop = found
                .iter()
                .find(|f| f.change.description == "drops column target_type of registry")
                .expect("target_type");
            let (key, added) = drop.expand_contract.as_ref().expect("expand and contract");
            assert_eq!(
                (*key, added.column.as_str()),
                ("0004_1.8.0_schema.up.sql", "credential_type")
            );
        }
    }
}

/// Corpus files with quotes, dollar quotes, templates and cuts inserted at pseudo-random
/// places: no function of this module may panic or return a range outside its input.
#[test]
fn mangled_corpus_sql_never_panics() {
    let Some(root) = corpus() else {
        eprintln!("skipped: ../shared/corpus/sql not found");
        return;
    };
    let mut files = Vec::new();
    sql_files(&root, &mut files);
    files.sort();
    let inserts = [
        "'",
        "\"",
        "$$",
        "$x$",
        "{{",
        "}}",
        "${",
        "\\",
        ";",
        "\n",
        "(",
        ")",
        "--",
        "/*",
        "é",
        "DO $$",
        "EXECUTE '",
        "<<EOF\n",
        "`",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound as u64) as usize
    };
    let boundary = |text: &str, mut at: usize| {
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    for file in &files {
        let original = std::fs::read_to_string(file).unwrap();
        for _ in 0..8 {
            let mut text = original.clone();
            for _ in 0..4 {
                let at = boundary(&text, next(text.len() + 1));
                text.insert_str(at, inserts[next(inserts.len())]);
            }
            let text = &text[..boundary(&text, next(text.len() + 1))];
            for statement in parse_sql(text) {
                assert!(text.get(statement.span.clone()).is_some(), "{file:?}");
                for change in statement.destructive() {
                    assert!(text.get(change.span.clone()).is_some(), "{file:?}");
                }
                let _ = super::suppressed_rules(text, statement.span);
            }
            let _ = super::looks_like_sql(text);
            let _ = super::sql_in_command(&["sh", "-c", text]);
            let _ = migration_files(&["V1__a.sql".to_string()], |_| Some(text.to_string()));
        }
    }
}
