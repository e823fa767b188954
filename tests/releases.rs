//! Release-aware rules end to end, on real Git repositories built commit by commit in
//! temporary folders: `destructive-sql-single-release`, `migration-edited` and
//! `sql-syntax` for each SQL source (a Flyway migration directory, a ConfigMap mounted into
//! a PreSync Job, `psql -c`, a `sh -c` heredoc), with every way of finding the base
//! (`--base`, `GITHUB_BASE_REF`, `CI_MERGE_REQUEST_DIFF_BASE_SHA`, uncommitted changes,
//! `HEAD~1`) and without Git. The binary runs with a cleared environment, so CI variables
//! of the machine running the tests never leak in.

mod common;
#[path = "common/git.rs"]
mod git;

use serde_json::Value;

use git::GitRepo;

const RULE: &str = "destructive-sql-single-release";

const APPLICATION: &str = "apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: shop
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://git.example.com/platform/gitops.git
    targetRevision: main
    path: apps/shop
  destination:
    server: https://kubernetes.default.svc
    namespace: shop
";

const DEPLOYMENT: &str = "apps/shop/deployment.yaml";
const JOB: &str = "apps/shop/migrate-job.yaml";
const CONFIG_MAP: &str = "apps/shop/sql-configmap.yaml";

fn deployment(version: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  replicas: 2
  selector:
    matchLabels: {{app: shop}}
  template:
    metadata:
      labels: {{app: shop}}
    spec:
      containers:
        - name: api
          image: registry.example/shop:{version}
"
    )
}

/// A migration Job in `phase` whose first container is `container` (YAML lines indented
/// for the `containers:` list item), with `pod_extra` after the containers.
fn job(phase: &str, container: &str, pod_extra: &str) -> String {
    format!(
        "apiVersion: batch/v1
kind: Job
metadata:
  name: shop-migrate
  annotations:
    argocd.argoproj.io/hook: {phase}
    argocd.argoproj.io/hook-delete-policy: BeforeHookCreation
spec:
  backoffLimit: 0
  activeDeadlineSeconds: 600
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
{container}{pod_extra}"
    )
}

const FLYWAY_CONTAINER: &str = "          image: flyway/flyway:10
          command: [\"flyway\", \"migrate\"]
";

const MOUNTED_CONTAINER: &str = "          image: flyway/flyway:10
          command: [\"flyway\", \"migrate\"]
          volumeMounts:
            - name: sql
              mountPath: /flyway/sql
";

const SQL_VOLUME: &str = "      volumes:
        - name: sql
          configMap:
            name: shop-sql
";

/// Where the SQL of each release is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    /// A new `V<n>__<slug>.sql` in `apps/shop/db/` per release.
    Flyway,
    /// One more `V<n>__<slug>.sql` key in a ConfigMap mounted into the Job (keys pile up,
    /// as Flyway needs the applied ones too).
    ConfigMap,
    /// The release's statements as one `psql -c` argument of the Job.
    Psql,
    /// The release's statements in a `psql <<'SQL'` heredoc of a `sh -c` script.
    Heredoc,
}

const SOURCES: [Source; 4] = [
    Source::Flyway,
    Source::ConfigMap,
    Source::Psql,
    Source::Heredoc,
];

/// The shop app in a Git repository: a Deployment and a migration Job of one source.
struct Shop {
    repo: GitRepo,
    source: Source,
    phase: &'static str,
    /// The ConfigMap's keys so far (`(key, sql)`).
    keys: Vec<(String, String)>,
}

impl Shop {
    fn new(name: &str, source: Source, phase: &'static str) -> Shop {
        Shop {
            repo: GitRepo::init(name),
            source,
            phase,
            keys: Vec::new(),
        }
    }

    /// The file the SQL of release `n` is in.
    fn sql_file(&self, n: u32, slug: &str) -> String {
        match self.source {
            Source::Flyway => format!("apps/shop/db/V{n}__{slug}.sql"),
            Source::ConfigMap => CONFIG_MAP.to_string(),
            Source::Psql | Source::Heredoc => JOB.to_string(),
        }
    }

    /// Writes release `n` into the work tree: its SQL, and the new image when given.
    fn write(&mut self, n: u32, slug: &str, sql: &str, image: Option<&str>) {
        if n == 1 {
            self.repo.write("argocd/shop.yaml", APPLICATION);
        }
        if let Some(version) = image {
            self.repo.write(DEPLOYMENT, &deployment(version));
        }
        let phase = self.phase;
        match self.source {
            Source::Flyway => {
                self.repo.write(&self.sql_file(n, slug), sql);
                self.repo.write(JOB, &job(phase, FLYWAY_CONTAINER, ""));
            }
            Source::ConfigMap => {
                self.keys
                    .push((format!("V{n}__{slug}.sql"), sql.to_string()));
                let mut text = "apiVersion: v1
kind: ConfigMap
metadata:
  name: shop-sql
  annotations:
    argocd.argoproj.io/hook: PreSync
    argocd.argoproj.io/sync-wave: \"-1\"
data:
"
                .to_string();
                for (key, sql) in &self.keys {
                    text.push_str(&format!("  {key}: |\n"));
                    for line in sql.lines() {
                        text.push_str(&format!("    {line}\n"));
                    }
                }
                self.repo.write(CONFIG_MAP, &text);
                self.repo
                    .write(JOB, &job(phase, MOUNTED_CONTAINER, SQL_VOLUME));
            }
            Source::Psql => {
                let one_line = sql.lines().collect::<Vec<_>>().join(" ");
                let container = format!(
                    "          image: postgres:16
          command:
            - psql
            - -v
            - ON_ERROR_STOP=1
            - -c
            - \"{one_line}\"
"
                );
                self.repo.write(JOB, &job(phase, &container, ""));
            }
            Source::Heredoc => {
                let mut container = "          image: postgres:16
          command: [\"sh\", \"-c\"]
          args:
            - |
              set -e
              psql -v ON_ERROR_STOP=1 <<'SQL'
"
                .to_string();
                for line in sql.lines() {
                    container.push_str(&format!("              {line}\n"));
                }
                container.push_str("              SQL\n");
                self.repo.write(JOB, &job(phase, &container, ""));
            }
        }
    }

    /// Writes and commits release `n`; returns the commit.
    fn release(&mut self, n: u32, slug: &str, sql: &str, image: Option<&str>) -> String {
        self.write(n, slug, sql, image);
        self.repo.commit(&format!("release {n}: {slug}"))
    }

    /// `path:line:col` of the only occurrence of `needle` in `rel`.
    fn at(&self, rel: &str, needle: &str) -> String {
        at(&self.repo, rel, needle)
    }

    fn job_name(&self) -> String {
        self.at(JOB, "shop-migrate")
    }

    fn image(&self, version: &str) -> String {
        self.at(DEPLOYMENT, &format!("registry.example/shop:{version}"))
    }
}

/// `path:line:col` (1-based, columns in characters) of the only occurrence of `needle`.
fn at(repo: &GitRepo, rel: &str, needle: &str) -> String {
    let text = repo.read(rel);
    let found: Vec<usize> = text.match_indices(needle).map(|(i, _)| i).collect();
    assert_eq!(found.len(), 1, "`{needle}` in {rel}:\n{text}");
    let before = &text[..found[0]];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap().chars().count() + 1;
    format!("{rel}:{line}:{column}")
}

/// One finding as the JSON report gives it: rule, severity, where, and where its related
/// locations are (in order).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Found {
    rule: String,
    severity: String,
    at: String,
    related: Vec<String>,
}

fn found(rule: &str, severity: &str, at: String, related: Vec<String>) -> Found {
    Found {
        rule: rule.to_string(),
        severity: severity.to_string(),
        at,
        related,
    }
}

/// A `synclint check --format json` run.
struct Run {
    json: Value,
    findings: Vec<Found>,
    output: common::Output,
}

impl Run {
    fn release(&self) -> &Value {
        &self.json["summary"]["release"]
    }

    /// The messages of the findings of `rule`.
    fn messages(&self, rule: &str) -> Vec<&str> {
        self.json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["rule"] == rule)
            .map(|d| d["message"].as_str().unwrap())
            .collect()
    }
}

fn check(repo: &GitRepo, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut all = vec!["check", ".", "--format", "json"];
    all.extend_from_slice(args);
    let output = repo.synclint(&all, env);
    output.check(&[0, 1]);
    let json: Value = serde_json::from_str(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", output.stdout, output.stderr));
    let findings = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| Found {
            rule: d["rule"].as_str().unwrap().to_string(),
            severity: d["severity"].as_str().unwrap().to_string(),
            at: format!(
                "{}:{}:{}",
                d["path"].as_str().unwrap(),
                d["line"],
                d["column"]
            ),
            related: d["related"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    format!(
                        "{}:{}:{}",
                        r["path"].as_str().unwrap(),
                        r["line"],
                        r["column"]
                    )
                })
                .collect(),
        })
        .collect();
    Run {
        json,
        findings,
        output,
    }
}

/// Asserts the findings and the base named in `summary.release`.
#[track_caller]
fn assert_release(run: &Run, base: &str, source: &str, expected: &[Found], context: &str) {
    assert_eq!(
        run.findings, expected,
        "{context}\n{}\n{}",
        run.output.stdout, run.output.stderr
    );
    assert_eq!(run.release()["base"], base, "{context}: {}", run.release());
    assert_eq!(
        run.release()["source"],
        source,
        "{context}: {}",
        run.release()
    );
    let code = if expected.iter().any(|f| f.severity != "note") {
        1
    } else {
        0
    };
    assert_eq!(run.output.code, Some(code), "{context}");
}

const INIT: &str = "CREATE TABLE users (\n  id bigint PRIMARY KEY,\n  name text,\n  legacy text,\n  phone text,\n  nickname text\n);\n";
const EXPAND: &str = "ALTER TABLE users ADD COLUMN email text;\n";
const CONTRACT: &str = "ALTER TABLE users DROP COLUMN name;\n";
const MIXED: &str = "ALTER TABLE users DROP COLUMN legacy;\n";
const EXPAND_CONTRACT: &str =
    "ALTER TABLE users ADD COLUMN mobile text;\nALTER TABLE users DROP COLUMN phone;\n";
const UNCOMMITTED: &str = "ALTER TABLE users DROP COLUMN nickname;\n";

const PREVIOUS: &str = "the previous commit";

/// Five releases (init, expand, contract, mixed, expand and contract in one) each checked
/// against HEAD~1, then the last two together against every other kind of base, then an
/// uncommitted sixth.
fn releases_of(source: Source) {
    let context = format!("{source:?}");
    let mut shop = Shop::new(&format!("cycle-{source:?}"), source, "PreSync");

    shop.release(1, "init", INIT, Some("1.0"));
    let run = check(&shop.repo, &[], &[]);
    let first = "no previous commit, so every file is new";
    assert_release(&run, "empty tree", first, &[], &format!("{context} init"));

    shop.release(2, "email", EXPAND, Some("2.0"));
    let run = check(&shop.repo, &[], &[]);
    assert_release(&run, "HEAD~1", PREVIOUS, &[], &format!("{context} expand"));

    let contract = shop.release(3, "drop_name", CONTRACT, None);
    let run = check(&shop.repo, &[], &[]);
    assert_release(
        &run,
        "HEAD~1",
        PREVIOUS,
        &[],
        &format!("{context} contract"),
    );

    shop.release(4, "drop_legacy", MIXED, Some("3.0"));
    let mixed = found(
        RULE,
        "error",
        shop.at(&shop.sql_file(4, "drop_legacy"), "DROP COLUMN legacy"),
        vec![shop.job_name(), shop.image("3.0")],
    );
    let run = check(&shop.repo, &[], &[]);
    assert_release(
        &run,
        "HEAD~1",
        PREVIOUS,
        std::slice::from_ref(&mixed),
        &format!("{context} mixed"),
    );
    assert!(
        run.messages(RULE)[0].contains("before the new code of ")
            && run.messages(RULE)[0].contains("shop"),
        "{:?}",
        run.messages(RULE)
    );

    shop.release(5, "mobile", EXPAND_CONTRACT, None);
    let v5 = shop.sql_file(5, "mobile");
    let adds_mobile = shop.at(&v5, "ADD COLUMN mobile");
    let drop_phone = shop.at(&v5, "DROP COLUMN phone");
    let run = check(&shop.repo, &[], &[]);
    assert_release(
        &run,
        "HEAD~1",
        PREVIOUS,
        &[found(
            RULE,
            "error",
            drop_phone.clone(),
            vec![shop.job_name(), adds_mobile.clone()],
        )],
        &format!("{context} expand and contract"),
    );
    assert!(
        run.messages(RULE)[0].contains("in the same release that adds column `mobile` to users"),
        "{:?}",
        run.messages(RULE)
    );

    // Releases 4 and 5 together, against release 3: the image changed (2.0 → 3.0) and the
    // release adds `mobile`, so every drop of `users` is reported with both.
    let mut together = Vec::new();
    if matches!(source, Source::Flyway | Source::ConfigMap) {
        // The files (keys) of both releases are new; inline SQL holds only release 5.
        together.push(found(
            RULE,
            "error",
            shop.at(&shop.sql_file(4, "drop_legacy"), "DROP COLUMN legacy"),
            vec![shop.job_name(), adds_mobile.clone(), shop.image("3.0")],
        ));
    }
    together.push(found(
        RULE,
        "error",
        drop_phone.clone(),
        vec![shop.job_name(), adds_mobile.clone(), shop.image("3.0")],
    ));
    let run = check(&shop.repo, &["--base", &contract], &[]);
    assert_release(
        &run,
        &contract,
        "given with --base",
        &together,
        &format!("{context} --base"),
    );
    assert_eq!(run.release()["commit"], contract.as_str());

    shop.repo
        .git(&["update-ref", "refs/remotes/origin/main", &contract]);
    let run = check(&shop.repo, &[], &[("GITHUB_BASE_REF", "main")]);
    assert_release(
        &run,
        "origin/main",
        "merge base with the pull request's target branch",
        &together,
        &format!("{context} GITHUB_BASE_REF"),
    );
    assert_eq!(run.release()["commit"], contract.as_str());

    let run = check(
        &shop.repo,
        &[],
        &[("CI_MERGE_REQUEST_DIFF_BASE_SHA", contract.as_str())],
    );
    assert_release(
        &run,
        &contract,
        "the merge request's diff base",
        &together,
        &format!("{context} CI_MERGE_REQUEST_DIFF_BASE_SHA"),
    );

    // `--base` wins over the CI variables.
    let run = check(
        &shop.repo,
        &["--base", "HEAD~1"],
        &[
            ("GITHUB_BASE_REF", "main"),
            ("CI_MERGE_REQUEST_DIFF_BASE_SHA", contract.as_str()),
        ],
    );
    assert_eq!(run.release()["base"], "HEAD~1", "{context}");

    // Release 6, not committed yet (pre-commit): the base is HEAD.
    shop.write(6, "drop_nickname", UNCOMMITTED, Some("4.0"));
    let run = check(&shop.repo, &[], &[]);
    assert_release(
        &run,
        "HEAD",
        "the last commit; uncommitted changes are the release",
        &[found(
            RULE,
            "error",
            shop.at(&shop.sql_file(6, "drop_nickname"), "DROP COLUMN nickname"),
            vec![shop.job_name(), shop.image("4.0")],
        )],
        &format!("{context} uncommitted"),
    );
    // The human header names the base.
    let human = shop.repo.synclint(
        &["check", ".", "--format", "human", "--color", "never"],
        &[],
    );
    let head = shop.repo.git(&["rev-parse", "--short=7", "HEAD"]);
    assert_eq!(
        human.stdout.lines().next(),
        Some(
            format!(
                "synclint: release base HEAD ({head}, the last commit; uncommitted changes are the release)"
            )
            .as_str()
        ),
        "{context}: {}",
        human.stdout
    );
}

#[test]
fn flyway_directory_releases() {
    if git::available("flyway_directory_releases") {
        releases_of(Source::Flyway);
    }
}

#[test]
fn configmap_releases() {
    if git::available("configmap_releases") {
        releases_of(Source::ConfigMap);
    }
}

#[test]
fn psql_command_releases() {
    if git::available("psql_command_releases") {
        releases_of(Source::Psql);
    }
}

#[test]
fn heredoc_releases() {
    if git::available("heredoc_releases") {
        releases_of(Source::Heredoc);
    }
}

/// The findings of `rule` only.
fn of_rule(run: &Run, rule: &str) -> Vec<Found> {
    run.findings
        .iter()
        .filter(|f| f.rule == rule)
        .cloned()
        .collect()
}

#[test]
fn postsync_migrations_are_left_to_migration_order() {
    if !git::available("postsync_migrations_are_left_to_migration_order") {
        return;
    }
    for source in SOURCES {
        let mut shop = Shop::new(&format!("postsync-{source:?}"), source, "PostSync");
        shop.release(1, "init", INIT, Some("1.0"));
        shop.release(4, "drop_legacy", MIXED, Some("2.0"));
        let run = check(&shop.repo, &[], &[]);
        assert_eq!(
            of_rule(&run, RULE),
            vec![],
            "{source:?}: {}",
            run.output.stdout
        );
        let order = of_rule(&run, "migration-order");
        assert_eq!(order.len(), 1, "{source:?}: {}", run.output.stdout);
        assert_eq!(order[0].severity, "error");
        assert!(order[0].at.starts_with(JOB), "{:?}", order[0]);
    }
}

#[test]
fn a_suppression_comment_silences_the_statement() {
    if !git::available("a_suppression_comment_silences_the_statement") {
        return;
    }
    const ABOVE: &str = "-- synclint: ignore[destructive-sql-single-release] legacy unused since 1.4\nALTER TABLE users DROP COLUMN legacy;\nALTER TABLE users DROP COLUMN phone;\n";
    const TRAILING: &str = "ALTER TABLE users DROP COLUMN legacy; -- synclint: ignore[destructive-sql-single-release] unused\n";
    for source in SOURCES {
        let mut shop = Shop::new(&format!("suppress-{source:?}"), source, "PreSync");
        shop.release(1, "init", INIT, Some("1.0"));
        let sql = if source == Source::Psql {
            TRAILING
        } else {
            ABOVE
        };
        shop.release(2, "drop_legacy", sql, Some("2.0"));
        let run = check(&shop.repo, &[], &[]);
        // The comment covers the statement below it (or its own line), not the next one.
        let expected = if source == Source::Psql {
            vec![]
        } else {
            vec![found(
                RULE,
                "error",
                shop.at(&shop.sql_file(2, "drop_legacy"), "DROP COLUMN phone"),
                vec![shop.job_name(), shop.image("2.0")],
            )]
        };
        assert_eq!(run.findings, expected, "{source:?}: {}", run.output.stdout);
    }
}

#[test]
fn an_edited_migration_file_is_migration_edited() {
    if !git::available("an_edited_migration_file_is_migration_edited") {
        return;
    }
    let mut shop = Shop::new("edited", Source::Flyway, "PreSync");
    shop.release(1, "init", INIT, Some("1.0"));
    // Release 2 adds a migration (fine) and edits the shipped V1 (never run again).
    shop.repo.write(
        "apps/shop/db/V1__init.sql",
        &INIT.replace("nickname text", "nickname text,\n  email text"),
    );
    shop.release(2, "email", EXPAND, None);
    let run = check(&shop.repo, &[], &[]);
    assert_eq!(
        run.findings,
        vec![found(
            "migration-edited",
            "warning",
            "apps/shop/db/V1__init.sql:1:1".to_string(),
            vec![]
        )],
        "{}",
        run.output.stdout
    );
    assert_eq!(run.output.code, Some(1));
    assert!(
        run.messages("migration-edited")[0].contains("`V1__init.sql` changed since HEAD~1"),
        "{:?}",
        run.messages("migration-edited")
    );
}

#[test]
fn a_statement_that_does_not_parse_hides_no_other() {
    if !git::available("a_statement_that_does_not_parse_hides_no_other") {
        return;
    }
    const BROKEN: &str =
        "ALTER TABLE users DROP COLUM legacy;\nALTER TABLE users DROP COLUMN phone;\n";
    for source in SOURCES {
        let mut shop = Shop::new(&format!("syntax-{source:?}"), source, "PreSync");
        shop.release(1, "init", INIT, Some("1.0"));
        shop.release(2, "broken", BROKEN, Some("2.0"));
        let file = shop.sql_file(2, "broken");
        let run = check(&shop.repo, &[], &[]);
        assert_eq!(
            run.findings,
            vec![
                found("sql-syntax", "note", shop.at(&file, "legacy;"), vec![]),
                found(
                    RULE,
                    "error",
                    shop.at(&file, "DROP COLUMN phone"),
                    vec![shop.job_name(), shop.image("2.0")],
                ),
            ],
            "{source:?}: {}",
            run.output.stdout
        );
    }
}

#[test]
fn mysql_declared_in_the_config_is_not_analysed() {
    if !git::available("mysql_declared_in_the_config_is_not_analysed") {
        return;
    }
    let mut shop = Shop::new("mysql", Source::Flyway, "PreSync");
    shop.repo.write(
        ".synclint.yaml",
        "migrations:\n  - {path: apps/shop/db, app: shop, dialect: mysql}\n",
    );
    shop.release(
        1,
        "init",
        "CREATE TABLE `users` (id bigint PRIMARY KEY, legacy text) ENGINE=InnoDB;\n",
        Some("1.0"),
    );
    shop.release(
        2,
        "drop_legacy",
        "ALTER TABLE `users` DROP COLUMN `legacy`, ALGORITHM=INPLACE;\n",
        Some("2.0"),
    );
    let run = check(&shop.repo, &[], &[]);
    let note = |rel: &str| found("sql-syntax", "note", format!("{rel}:1:1"), vec![]);
    assert_eq!(
        run.findings,
        vec![
            note("apps/shop/db/V1__init.sql"),
            note("apps/shop/db/V2__drop_legacy.sql")
        ],
        "{}",
        run.output.stdout
    );
    assert!(
        run.messages("sql-syntax")
            .iter()
            .all(|m| m.contains("MySQL SQL that Job `shop-migrate` runs is not analysed")),
        "{:?}",
        run.messages("sql-syntax")
    );
    assert_eq!(run.output.code, Some(0));
}

#[test]
fn without_git_every_destructive_statement_is_a_note() {
    for (source, broken) in SOURCES.iter().flat_map(|s| [(*s, false), (*s, true)]) {
        let name = format!("no-git-{source:?}-{broken}");
        let mut shop = Shop {
            // A plain folder, or one whose `.git` is empty (not a repository to git).
            repo: match broken {
                false => GitRepo::plain(&name),
                true => GitRepo::empty_dot_git(&name),
            },
            source,
            phase: "PreSync",
            keys: Vec::new(),
        };
        shop.write(1, "init", INIT, Some("1.0"));
        // Inline SQL holds only the last release's statements.
        shop.write(4, "drop_legacy", MIXED, Some("2.0"));
        let run = check(&shop.repo, &[], &[]);
        assert_eq!(
            run.findings,
            vec![found(
                RULE,
                "note",
                shop.at(&shop.sql_file(4, "drop_legacy"), "DROP COLUMN legacy"),
                vec![shop.job_name()],
            )],
            "{source:?}: {}",
            run.output.stdout
        );
        assert!(
            run.messages(RULE)[0].contains("no release boundary is known"),
            "{:?}",
            run.messages(RULE)
        );
        let release = run.release();
        assert_eq!(release["base"], Value::Null, "{release}");
        assert!(
            release["description"]
                .as_str()
                .unwrap()
                .starts_with("no release boundary known: "),
            "{release}"
        );
        assert_eq!(run.output.code, Some(0));
    }
}

#[test]
fn a_base_that_does_not_exist_is_a_usage_error() {
    if !git::available("a_base_that_does_not_exist_is_a_usage_error") {
        return;
    }
    let mut shop = Shop::new("bad-base", Source::Flyway, "PreSync");
    shop.release(1, "init", INIT, Some("1.0"));
    shop.release(2, "email", EXPAND, Some("2.0"));
    let out = shop
        .repo
        .synclint(&["check", ".", "--base", "v0.0-nope"], &[]);
    out.assert_one_line_error("--base", "`v0.0-nope` (--base)");
    // CI variables naming a base this clone lacks (a shallow checkout) fail the same way,
    // rather than passing with notes.
    let out = shop
        .repo
        .synclint(&["check", "."], &[("GITHUB_BASE_REF", "release-9")]);
    out.assert_one_line_error("GITHUB_BASE_REF", "GITHUB_BASE_REF");
    let missing = "0123456789abcdef0123456789abcdef01234567";
    let out = shop.repo.synclint(
        &["check", "."],
        &[("CI_MERGE_REQUEST_DIFF_BASE_SHA", missing)],
    );
    out.assert_one_line_error(
        "CI_MERGE_REQUEST_DIFF_BASE_SHA",
        "CI_MERGE_REQUEST_DIFF_BASE_SHA",
    );
    // Without SQL to judge, a wrong --base is still an error.
    let plain = GitRepo::init("bad-base-no-sql");
    plain.write(DEPLOYMENT, &deployment("1.0"));
    plain.commit("deployment");
    let out = plain.synclint(&["check", ".", "--base", "v0.0-nope"], &[]);
    out.assert_one_line_error("--base without SQL", "`v0.0-nope` (--base)");
    let out = plain.synclint(&["check", ".", "--base", "HEAD"], &[]);
    out.expect(0);
}

#[test]
fn create_table_if_not_exists_keeps_the_table_existing() {
    if !git::available("create_table_if_not_exists_keeps_the_table_existing") {
        return;
    }
    // The shape of the generated benchmark repositories' ConfigMaps.
    let mut shop = Shop::new("if-not-exists", Source::ConfigMap, "PreSync");
    shop.release(1, "init", INIT, Some("1.0"));
    shop.release(
        2,
        "drop_legacy",
        "CREATE TABLE IF NOT EXISTS users (id bigint PRIMARY KEY);\nALTER TABLE users DROP COLUMN legacy;\n",
        Some("2.0"),
    );
    let run = check(&shop.repo, &[], &[]);
    assert_eq!(
        run.findings,
        vec![found(
            RULE,
            "error",
            shop.at(CONFIG_MAP, "DROP COLUMN legacy"),
            vec![shop.job_name(), shop.image("2.0")],
        )],
        "{}",
        run.output.stdout
    );
}

/// The shared SQL corpus: `../shared/corpus/sql` beside the project, else the workplace's.
fn corpus_dir() -> Option<std::path::PathBuf> {
    let beside = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/sql");
    [beside, std::path::PathBuf::from("/work/shared/corpus/sql")]
        .into_iter()
        .find(|dir| dir.is_dir())
}

fn sql_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            sql_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "sql") {
            out.push(path);
        }
    }
}

/// The name a corpus file gets in the app's migration directory: kept when a tool reads it
/// as a migration (Flyway `V..__`, golang-migrate `.up.sql`), else a Flyway version.
fn migration_name(file: &str) -> String {
    if file.starts_with('V') && file.contains("__") || file.ends_with(".up.sql") {
        file.to_string()
    } else {
        format!("V2__{file}")
    }
}

/// Each corpus file as a new migration in a release that also rolls out new code: the
/// `(line, sub-code)` findings of `destructive-sql-single-release`, printed for review.
#[test]
fn corpus_migrations_in_a_release_with_new_code() {
    let Some(corpus) = corpus_dir() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "the SQL corpus (../shared/corpus/sql) is missing, and CI is set"
        );
        eprintln!("corpus_migrations_in_a_release_with_new_code: skipped: no ../shared/corpus/sql");
        return;
    };
    if !git::available("corpus_migrations_in_a_release_with_new_code") {
        return;
    }
    let mut files = Vec::new();
    sql_files(&corpus, &mut files);
    assert!(files.len() >= 15, "{files:?}");
    let mut all: Vec<(String, Vec<(u64, String)>)> = Vec::new();
    for (n, path) in files.iter().enumerate() {
        let rel = path.strip_prefix(&corpus).unwrap().display().to_string();
        let file = path.file_name().unwrap().to_str().unwrap();
        let sql = std::fs::read_to_string(path).unwrap();
        let mut shop = Shop::new(&format!("corpus-{n}"), Source::Flyway, "PreSync");
        shop.write(1, "none", "", Some("1.0"));
        std::fs::remove_file(shop.repo.path().join(shop.sql_file(1, "none"))).unwrap();
        shop.repo.commit("base");
        let name = migration_name(file);
        shop.repo.write(&format!("apps/shop/db/{name}"), &sql);
        shop.repo.write(DEPLOYMENT, &deployment("2.0"));
        shop.repo.commit(&format!("release: {rel}"));
        let run = check(&shop.repo, &[], &[]);
        let migration = format!("apps/shop/db/{name}");
        let mut found: Vec<(u64, String)> = Vec::new();
        for d in run.json["diagnostics"].as_array().unwrap() {
            match d["rule"].as_str().unwrap() {
                RULE => {
                    assert_eq!(d["path"], migration.as_str(), "{rel}: {d}");
                    assert_eq!(d["severity"], "error", "{rel}: {d}");
                    let related = d["related"].as_array().unwrap();
                    assert_eq!(related.last().unwrap()["path"], DEPLOYMENT, "{rel}: {d}");
                    found.push((
                        d["line"].as_u64().unwrap(),
                        d["label"].as_str().unwrap().to_string(),
                    ));
                }
                "sql-syntax" => {}
                other => panic!("{rel}: unexpected {other}: {d}"),
            }
        }
        // Every finding points at a line that holds a statement of its kind.
        let lines: Vec<&str> = sql.lines().collect();
        for (line, code) in &found {
            let text = lines[*line as usize - 1].to_ascii_lowercase();
            assert!(!text.trim().is_empty(), "{rel}:{line} {code}");
        }
        println!("{rel}: {found:?}");
        all.push((rel, found));
    }
    let of = |suffix: &str| -> &Vec<(u64, String)> {
        &all.iter()
            .find(|(rel, _)| rel.ends_with(suffix))
            .unwrap_or_else(|| panic!("{suffix} not in the corpus"))
            .1
    };
    let expect = |suffix: &str, expected: &[(u64, &str)]| {
        let expected: Vec<(u64, String)> =
            expected.iter().map(|(l, c)| (*l, c.to_string())).collect();
        assert_eq!(of(suffix), &expected, "{suffix}");
    };
    // Harbor 0004: the registry rename and its column renames, drops, DROP TABLE, and the
    // replication_job contract at the end.
    expect(
        "0004_1.8.0_schema.up.sql",
        &[
            (57, "rename-table"),
            (60, "rename-column"),
            (61, "rename-column"),
            (64, "drop-column"),
            (78, "rename-column"),
            (83, "drop-column"),
            (84, "rename-column"),
            (87, "drop-table"),
            (150, "rename-column"),
            (151, "drop-column"),
            (152, "drop-column"),
            (153, "drop-column"),
            (154, "drop-column"),
            (159, "rename-table"),
        ],
    );
    // Harbor 0030: artifact's renames and drops, SET NOT NULL (also on the columns the
    // release adds: old code's inserts leave them null), DROP TABLE, DROP CONSTRAINT.
    expect(
        "0030_2.0.0_schema.up.sql",
        &[
            (30, "rename-column"),
            (31, "drop-column"),
            (60, "set-not-null"),
            (61, "set-not-null"),
            (62, "set-not-null"),
            (63, "rename-column"),
            (87, "drop-column"),
            (197, "drop-table"),
            (200, "drop-constraint"),
        ],
    );
    // supabase: the rename inside a DO block, on a Go-templated table name.
    expect(
        "20231117164230_add_id_pkey_identities.up.sql",
        &[(8, "rename-column"), (13, "drop-constraint")],
    );
    // Kestra V3_10: drops `queues` and its type, then renames `queue` to `queues`.
    expect(
        "V3_10__drop_old_queues.sql",
        &[(1, "drop-table"), (2, "drop-type"), (3, "rename-table")],
    );
    // Kestra V1_57 widens varchar columns: not destructive.
    assert_eq!(of("V1_57__widen_task_id.sql"), &Vec::new());
}

#[test]
fn a_release_without_sql_changes_passes_and_names_its_base() {
    if !git::available("a_release_without_sql_changes_passes_and_names_its_base") {
        return;
    }
    for source in SOURCES {
        let mut shop = Shop::new(&format!("code-only-{source:?}"), source, "PreSync");
        // The destructive statement shipped in the first release; the second only rolls
        // out new code.
        shop.release(1, "init", &format!("{INIT}{MIXED}"), Some("1.0"));
        shop.repo.write(DEPLOYMENT, &deployment("2.0"));
        shop.repo.commit("code only");
        let run = check(&shop.repo, &[], &[]);
        assert_release(&run, "HEAD~1", PREVIOUS, &[], &format!("{source:?}"));
    }
}
