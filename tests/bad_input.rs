//! Hostile and broken input, end to end: every case must end (60 s limit) without a
//! panic, with a located finding or a one-line error, exit code 1 or 2, and the good files
//! next to the bad one must still be linted.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Output, TIMEOUT, TempDir, run_in, temp_dir};

/// A migration Job without backoffLimit: one known finding, at `good.yaml:5:1`.
const GOOD: &str = "apiVersion: batch/v1
kind: Job
metadata:
  name: db-migrate
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: m
          image: app:1
          command: [\"python\", \"manage.py\", \"migrate\"]
";
const GOOD_FINDING: &str = "good.yaml:5:1: error: ";
const GOOD_RULE: &str = "[migration-backoff-limit]";

impl Output {
    fn good_file_still_linted(&self) -> &Self {
        let found = self
            .stdout
            .lines()
            .any(|l| l.starts_with(GOOD_FINDING) && l.ends_with(GOOD_RULE));
        assert!(
            found,
            "the good file's finding is missing:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// A temporary repository (with `.git`, an empty `.synclint.yaml` and the good file),
/// removed on drop.
fn new_repo(name: &str) -> TempDir {
    let repo = TempDir::repo(name);
    repo.write(".synclint.yaml", "{}\n");
    repo.write("good.yaml", GOOD);
    repo
}

/// One bad file next to the good one: exit 1, a `yaml-syntax` finding starting with
/// `prefix` (path and line, maybe column), and the good file's finding.
fn assert_located(name: &str, rel: &str, bytes: &[u8], prefix: &str) -> Output {
    let repo = new_repo(name);
    repo.write(rel, bytes);
    let out = repo.check();
    out.check(&[1]).good_file_still_linted();
    out.finding(prefix, "yaml-syntax");
    out
}

// ---------------------------------------------------------------------------------------
// YAML that does not parse, or is not an object

#[test]
fn unclosed_quote() {
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"settings\ndata:\n  a: b\n";
    let out = assert_located(
        "unclosed",
        "bad.yaml",
        text.as_bytes(),
        "bad.yaml:4:9: error: invalid YAML",
    );
    assert!(out.stdout.lines().count() >= 3);
}

#[test]
fn unclosed_quote_at_end_of_file() {
    assert_located(
        "unclosed-eof",
        "bad.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"x\n",
        "bad.yaml:4:",
    );
}

#[test]
fn tab_indentation() {
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: x\n";
    let line = assert_located("tabs", "tabs.yaml", text.as_bytes(), "tabs.yaml:4:")
        .stdout
        .clone();
    assert!(line.contains("tab"), "the message says why:\n{line}");
}

#[test]
fn document_that_is_a_list() {
    let text = "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b}\n";
    let out = assert_located(
        "list",
        "list.yaml",
        text.as_bytes(),
        "list.yaml:1:1: error: ",
    );
    assert!(out.finding("list.yaml:1:1", "yaml-syntax").contains("list"));
}

#[test]
fn document_that_is_a_scalar() {
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\njust a sentence\n";
    let out = assert_located(
        "scalar",
        "scalar.yaml",
        text.as_bytes(),
        "scalar.yaml:5:1: error: ",
    );
    assert!(
        out.finding("scalar.yaml:5:1", "yaml-syntax")
            .contains("scalar")
    );
}

#[test]
fn resource_without_kind() {
    let text = "apiVersion: v1\nmetadata:\n  name: nokind\ndata: {a: b}\n";
    let out = assert_located("nokind", "nokind.yaml", text.as_bytes(), "nokind.yaml:1:");
    assert!(
        out.finding("nokind.yaml:1:", "yaml-syntax")
            .contains("no kind")
    );
}

#[test]
fn resource_without_name() {
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {app: x}\ndata: {a: b}\n";
    // Points at `metadata:`, the nearest parent that exists.
    let out = assert_located(
        "noname",
        "noname.yaml",
        text.as_bytes(),
        "noname.yaml:3:1: error: ",
    );
    assert!(
        out.finding("noname.yaml:3:1", "yaml-syntax")
            .contains("metadata.name")
    );
}

#[test]
fn syntax_error_after_a_good_document_keeps_the_document() {
    let text = format!("{GOOD}---\nkind: ConfigMap\nmetadata: {{name: \"x}}\n");
    let repo = new_repo("later-error");
    repo.write("multi.yaml", text.as_bytes());
    let out = repo.check();
    out.check(&[1]).good_file_still_linted();
    out.finding("multi.yaml:", "yaml-syntax");
    out.finding("multi.yaml:5:1: error: ", "migration-backoff-limit");
}

// ---------------------------------------------------------------------------------------
// Resource exhaustion

#[test]
fn alias_bomb() {
    let mut text = String::from(
        "a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 9].join(",");
        text += &format!("a{i}: &a{i} [{refs}]\n");
    }
    let out = assert_located("alias-bomb", "bomb.yaml", text.as_bytes(), "bomb.yaml:");
    let line = out.finding("bomb.yaml:", "yaml-syntax");
    assert!(line.contains("alias"), "{line}");
    assert!(
        out.elapsed < Duration::from_secs(30),
        "took {:?}",
        out.elapsed
    );
}

#[test]
fn alias_bomb_in_a_kubernetes_object() {
    let mut text = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\n  annotations:\n    a0: &a0 [x,x,x,x,x,x,x,x,x,x]\n",
    );
    for i in 1..9 {
        text += &format!(
            "    a{i}: &a{i} [{}]\n",
            vec![format!("*a{}", i - 1); 10].join(",")
        );
    }
    assert_located(
        "alias-bomb-object",
        "bomb.yaml",
        text.as_bytes(),
        "bomb.yaml:",
    );
}

#[test]
fn deep_nesting_flow_sequences() {
    let text = "[".repeat(10_000) + &"]".repeat(10_000) + "\n";
    assert_located("deep-flow", "deep.yaml", text.as_bytes(), "deep.yaml:1:");
}

#[test]
fn deep_nesting_flow_mappings() {
    let text = "{a: ".repeat(10_000) + "1" + &"}".repeat(10_000) + "\n";
    assert_located("deep-map", "deep.yaml", text.as_bytes(), "deep.yaml:1:");
}

#[test]
fn deep_nesting_block_sequences() {
    let text = "- ".repeat(10_000) + "x\n";
    let out = assert_located("deep-block", "deep.yaml", text.as_bytes(), "deep.yaml:1:");
    assert!(
        out.finding("deep.yaml:1:", "yaml-syntax")
            .contains("nesting")
    );
}

#[test]
fn deep_nesting_block_mappings() {
    // 10,000 levels of indentation would be 100 MB; 1,000 is well past the limit.
    let text: String = (0..1_000)
        .map(|i| format!("{}k:\n", " ".repeat(i)))
        .collect();
    assert_located("deep-block-map", "deep.yaml", text.as_bytes(), "deep.yaml:");
}

#[test]
fn file_over_the_size_limit() {
    let repo = new_repo("huge");
    let path = repo.path().join("huge.yaml");
    let file = std::fs::File::create(&path).unwrap();
    // Sparse: 100 MiB of zeros that take no disk space; the size alone must reject it.
    file.set_len(100 * 1024 * 1024).unwrap();
    drop(file);
    let out = repo.check();
    out.check(&[1]).good_file_still_linted();
    let line = out.finding("huge.yaml:1:1: error: ", "yaml-syntax");
    assert!(line.contains("limit"), "{line}");
    assert!(line.contains("100 MB"), "{line}");
    assert!(
        out.elapsed < Duration::from_secs(10),
        "took {:?}",
        out.elapsed
    );
}

#[test]
fn file_over_the_size_limit_with_real_content() {
    let repo = new_repo("huge-text");
    let path = repo.path().join("huge.yaml");
    let chunk = "a: b\n".repeat(1 << 16);
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    use std::io::Write;
    for _ in 0..(100 * 1024 * 1024 / chunk.len()) {
        file.write_all(chunk.as_bytes()).unwrap();
    }
    file.flush().unwrap();
    drop(file);
    assert!(std::fs::metadata(&path).unwrap().len() >= 100 * 1024 * 1024);
    let out = repo.check();
    out.check(&[1]).good_file_still_linted();
    out.finding("huge.yaml:1:1: error: ", "yaml-syntax");
    assert!(
        out.elapsed < Duration::from_secs(10),
        "took {:?}",
        out.elapsed
    );
}

// ---------------------------------------------------------------------------------------
// Not text

#[test]
fn not_utf8() {
    // Latin-1 `é` on line 4.
    let bytes = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\xe9\n";
    let out = assert_located("latin1", "latin1.yaml", bytes, "latin1.yaml:4:");
    assert!(
        out.finding("latin1.yaml:4:", "yaml-syntax")
            .contains("UTF-8")
    );
}

#[test]
fn binary_file_named_yaml() {
    let bytes: Vec<u8> = (0..=255u8).cycle().take(64 * 1024).collect();
    let out = assert_located("binary", "image.yaml", &bytes, "image.yaml:1:1: error: ");
    assert!(
        out.finding("image.yaml:1:1", "yaml-syntax")
            .contains("binary")
    );
    // No raw bytes in the report.
    assert!(!out.stdout.contains('\u{0}'));
}

#[test]
fn binary_file_in_every_format() {
    let repo = new_repo("binary-formats");
    let bytes: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    repo.write("blob.json", &bytes);
    for format in ["human", "concise", "json", "sarif", "github", "gitlab"] {
        let out = run_in(
            repo.path(),
            &["check", ".", "--format", format, "--color", "never"],
            None,
        );
        out.check(&[1]);
        assert!(
            out.stdout.contains("blob.json"),
            "{format}:\n{}",
            out.stdout
        );
        if matches!(format, "json" | "sarif" | "gitlab") {
            serde_json::from_str::<serde_json::Value>(&out.stdout)
                .unwrap_or_else(|e| panic!("{format}: {e}"));
        }
    }
}

// ---------------------------------------------------------------------------------------
// File system oddities

#[cfg(unix)]
#[test]
fn symlink_loops() {
    use std::os::unix::fs::symlink;
    let repo = new_repo("symlink-loops");
    symlink("self.yaml", repo.path().join("self.yaml")).unwrap();
    symlink("b.yaml", repo.path().join("a.yaml")).unwrap();
    symlink("a.yaml", repo.path().join("b.yaml")).unwrap();
    std::fs::create_dir(repo.path().join("dir")).unwrap();
    symlink("..", repo.path().join("dir/up")).unwrap();
    symlink(".", repo.path().join("dir/here")).unwrap();
    let out = repo.check();
    out.check(&[1]).good_file_still_linted();
    // The good file is reported once, not once per path through a loop.
    let count = out
        .stdout
        .lines()
        .filter(|l| l.ends_with(GOOD_RULE))
        .count();
    assert_eq!(count, 1, "{}", out.stdout);
    // Loops are mentioned on stderr (one line each), not lost.
    assert!(out.stderr.contains("self.yaml"), "{}", out.stderr);
    assert!(out.stderr.contains("dir/up"), "{}", out.stderr);
    for line in out.stderr.lines() {
        assert!(line.starts_with("synclint: warning: "), "{line}");
    }
}

#[cfg(unix)]
#[test]
fn symlink_out_of_the_repository() {
    use std::os::unix::fs::symlink;
    let repo = new_repo("symlink-out");
    symlink("/etc", repo.path().join("etc")).unwrap();
    // A directory outside the repository with a broken manifest: it must not be read.
    let outside = temp_dir("outside");
    std::fs::write(outside.join("broken.yaml"), "kind: [\n").unwrap();
    std::fs::write(outside.join("job.yaml"), GOOD).unwrap();
    symlink(&outside, repo.path().join("shared")).unwrap();
    symlink(
        outside.join("job.yaml"),
        repo.path().join("linked-job.yaml"),
    )
    .unwrap();
    let out = repo.check();
    let _ = std::fs::remove_dir_all(&outside);
    out.check(&[1]).good_file_still_linted();
    let line = out.finding("etc:1:1: error: ", "render-failed");
    assert!(line.contains("outside the repository"), "{line}");
    out.finding("shared:1:1: error: ", "render-failed");
    out.finding("linked-job.yaml:1:1: error: ", "render-failed");
    for l in out.stdout.lines() {
        assert!(
            !l.starts_with("etc/") && !l.starts_with("shared/"),
            "read through the link: {l}"
        );
        assert!(
            !l.starts_with("linked-job.yaml:5:1"),
            "read through the link: {l}"
        );
    }
    assert!(
        !out.stdout.contains("passwd") && !out.stdout.contains("broken.yaml"),
        "{}",
        out.stdout
    );
    // Exactly four findings: the good file and three links.
    assert_eq!(out.stdout.lines().count(), 5, "{}", out.stdout);
}

#[cfg(unix)]
#[test]
fn symlink_inside_the_repository_is_followed() {
    use std::os::unix::fs::symlink;
    let repo = new_repo("symlink-in");
    std::fs::create_dir(repo.path().join("base")).unwrap();
    std::fs::write(
        repo.path().join("base/job.yaml"),
        GOOD.replace("db-migrate", "other-migrate"),
    )
    .unwrap();
    symlink("base", repo.path().join("overlay")).unwrap();
    let out = repo.check();
    out.check(&[1]).good_file_still_linted();
    assert!(!out.stdout.contains("render-failed"), "{}", out.stdout);
    out.finding("base/job.yaml:5:1: error: ", "migration-backoff-limit");
}

#[cfg(unix)]
#[test]
fn unreadable_file() {
    use std::os::unix::fs::PermissionsExt;
    let repo = new_repo("unreadable");
    let path = repo.write(
        "secret.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
    );
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::File::open(&path).is_ok() {
        println!(
            "note: running with permission to read a mode-000 file (root?); unreadable_file skipped"
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        return;
    }
    let out = repo.check();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    out.check(&[1]).good_file_still_linted();
    let line = out.finding("secret.yaml:1:1: error: ", "yaml-syntax");
    assert!(line.contains("cannot read"), "{line}");
}

#[cfg(unix)]
#[test]
fn unreadable_directory() {
    use std::os::unix::fs::PermissionsExt;
    let repo = new_repo("unreadable-dir");
    repo.write("locked/job.yaml", GOOD.as_bytes());
    let dir = repo.path().join("locked");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read_dir(&dir).is_ok() {
        println!(
            "note: running with permission to list a mode-000 directory (root?); unreadable_directory skipped"
        );
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        return;
    }
    let out = repo.check();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    out.check(&[1, 2]).good_file_still_linted();
    assert!(out.stderr.contains("locked"), "{}", out.stderr);
}

// ---------------------------------------------------------------------------------------
// Repositories and arguments

#[test]
fn empty_repository() {
    let dir = temp_dir("empty");
    std::fs::create_dir(dir.join(".git")).unwrap();
    let out = run_in(&dir, &["check", ".", "--format", "concise"], None);
    out.check(&[0]);
    assert!(out.stdout.contains("no problems found"), "{}", out.stdout);
    assert_eq!(out.stderr, "");
    // Empty files, an empty config, and YAML that is not a Kubernetes object are fine.
    std::fs::write(dir.join(".synclint.yaml"), "").unwrap();
    std::fs::write(dir.join("empty.yaml"), "").unwrap();
    std::fs::write(dir.join("comment.yaml"), "# nothing here\n---\n").unwrap();
    let out = run_in(&dir, &["check", "."], None);
    out.check(&[0]);
    assert!(
        out.stdout.starts_with("no problems found"),
        "{}",
        out.stdout
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn path_that_does_not_exist() {
    let repo = new_repo("missing-path");
    let out = run_in(repo.path(), &["check", "no/such/dir"], None);
    out.check(&[2]);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "synclint: error: path `no/such/dir` does not exist\n"
    );
    // One missing among good paths is still an error.
    let out = run_in(repo.path(), &["check", "good.yaml", "nope.yaml"], None);
    out.check(&[2]);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
}

#[test]
fn invalid_config_file() {
    let cases: [(&str, &str); 5] = [
        ("rules: [\n", ".synclint.yaml:"),
        (
            "rules:\n  migration-backoff-limit: sometimes\n",
            ".synclint.yaml:2:28:",
        ),
        ("- a\n- b\n", ".synclint.yaml:1:1:"),
        ("ignore: \"[unclosed\"\n", ".synclint.yaml:1:9:"),
        ("rules:\n\tyaml-syntax: error\n", ".synclint.yaml:2:"),
    ];
    for (text, place) in cases {
        let repo = new_repo("bad-config");
        repo.write(".synclint.yaml", text.as_bytes());
        repo.check()
            .assert_one_line_error(&format!("{text:?}"), place);
    }
}

#[test]
fn config_file_that_is_binary_or_not_utf8() {
    for bytes in [&b"rules:\n  x: \xff\n"[..], &[0u8, 1, 2, 3, 0xff][..]] {
        let repo = new_repo("binary-config");
        repo.write(".synclint.yaml", bytes);
        let out = repo.check();
        out.check(&[2]);
        assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
        assert!(
            out.stderr.starts_with("synclint: error: ") && out.stderr.contains(".synclint.yaml"),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn many_bad_files_at_once() {
    let repo = new_repo("many");
    repo.write("a.yaml", b"a: \"x\n");
    repo.write("b.yaml", b"kind: ConfigMap\nmetadata:\n\tname: x\n");
    repo.write("c.yaml", b"- apiVersion: v1\n  kind: Pod\n");
    repo.write("d.yaml", b"\xfe\xff");
    repo.write("e.json", b"{\"kind\": ");
    repo.write("f.yaml", b"kind: Pod\nmetadata: {name: p}\n");
    let out = repo.check();
    out.check(&[1]).good_file_still_linted();
    for f in [
        "a.yaml:", "b.yaml:", "c.yaml:", "d.yaml:", "e.json:", "f.yaml:",
    ] {
        out.finding(f, "yaml-syntax");
    }
}

#[test]
fn byte_order_mark_and_crlf_line_endings() {
    let repo = new_repo("bom-crlf");
    let bom = format!("\u{feff}{}", GOOD.replace("db-migrate", "bom-migrate"));
    repo.write("bom.yaml", bom.as_bytes());
    repo.write(
        "crlf.yaml",
        GOOD.replace("db-migrate", "crlf-migrate")
            .replace('\n', "\r\n")
            .as_bytes(),
    );
    repo.write("crlf-bad.yaml", b"a: 1\r\nb: \"x\r\nc: 2\r\n");
    let out = repo.check();
    out.check(&[1]).good_file_still_linted();
    // Same positions as with a plain LF file.
    out.finding("bom.yaml:5:1: error: ", "migration-backoff-limit");
    out.finding("crlf.yaml:5:1: error: ", "migration-backoff-limit");
    out.finding("crlf-bad.yaml:2:", "yaml-syntax");
    assert!(
        !out.stdout.contains('\r'),
        "a carriage return in the report"
    );
}

#[test]
fn utf16_file() {
    let mut bytes = vec![0xff, 0xfe];
    bytes.extend(GOOD.encode_utf16().flat_map(u16::to_le_bytes));
    assert_located("utf16", "utf16.yaml", &bytes, "utf16.yaml:1:1: error: ");
}

#[cfg(unix)]
#[test]
fn fifo_named_yaml_does_not_block() {
    let repo = new_repo("fifo");
    let fifo = repo.path().join("pipe.yaml");
    match Command::new("mkfifo").arg(&fifo).status() {
        Ok(s) if s.success() => {}
        _ => {
            println!("note: mkfifo is not available; fifo_named_yaml_does_not_block skipped");
            return;
        }
    }
    // Nobody ever writes to it: reading it would block forever.
    let out = repo.check();
    out.check(&[1]).good_file_still_linted();
    // Linting the FIFO by name does not read it either.
    let out = run_in(repo.path(), &["check", "pipe.yaml"], None);
    out.check(&[0, 1, 2]);
}

#[test]
fn stdin_that_is_not_utf8() {
    let repo = new_repo("stdin-binary");
    let mut child = Command::new(env!("CARGO_BIN_EXE_synclint"))
        .args(["check", "-", "--stdin-filename", "good.yaml"])
        .current_dir(repo.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"kind: \xff\xfe\n").unwrap();
    }
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            panic!("synclint did not finish within {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let code = out.status.code().unwrap();
    if code == 2 {
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("synclint: error: "), "{stderr}");
    } else {
        assert_eq!(code, 1, "{stderr}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("good.yaml:1:"),
            "{stderr}"
        );
    }
}
