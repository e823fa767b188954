//! Helpers shared by the end-to-end tests: running the `synclint` binary with a time limit
//! and temporary directories removed on drop.
//!
//! Each test crate compiles this module on its own, so a helper only one of them uses is
//! marked `#[allow(dead_code)]`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long one run of the binary may take.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// The result of one run of the binary.
pub struct Output {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// Wall time from spawning to the end of the output.
    #[allow(dead_code)]
    pub elapsed: Duration,
}

impl Output {
    /// A usage or config error: exit 2, nothing on stdout, one `synclint: error:` line on
    /// stderr that mentions `place`.
    #[allow(dead_code)]
    pub fn assert_one_line_error(&self, context: &str, place: &str) {
        assert_eq!(self.code, Some(2), "{context}: {}", self.stderr);
        assert_eq!(self.stdout, "", "{context}");
        assert_eq!(self.stderr.lines().count(), 1, "{context}: {}", self.stderr);
        assert!(
            self.stderr.starts_with("synclint: error: "),
            "{context}: {}",
            self.stderr
        );
        assert!(
            self.stderr.contains(place),
            "{context}: expected {place} in {}",
            self.stderr
        );
    }

    #[allow(dead_code)]
    pub fn code(&self) -> i32 {
        self.code
            .unwrap_or_else(|| panic!("killed by a signal; stderr:\n{}", self.stderr))
    }

    /// Asserts the exit code and that nothing panicked.
    #[allow(dead_code)]
    pub fn expect(&self, code: i32) -> &Self {
        assert!(!self.stderr.contains("panicked"), "panic:\n{}", self.stderr);
        assert_eq!(
            self.code(),
            code,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// Asserts that the exit code is one of `codes` and that nothing panicked.
    #[allow(dead_code)]
    pub fn check(&self, codes: &[i32]) -> &Self {
        assert!(!self.stderr.contains("panicked"), "panic:\n{}", self.stderr);
        let code = self
            .code
            .unwrap_or_else(|| panic!("killed by a signal:\n{}", self.stderr));
        assert!(
            codes.contains(&code),
            "exit code {code}, expected {codes:?}\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    #[allow(dead_code)]
    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }

    /// The last line of stdout (the summary of concise output).
    #[allow(dead_code)]
    pub fn summary(&self) -> &str {
        self.stdout.lines().last().unwrap_or("")
    }

    /// The concise finding line that starts with `prefix` and ends with `[rule]`.
    #[allow(dead_code)]
    pub fn finding(&self, prefix: &str, rule: &str) -> &str {
        self.stdout
            .lines()
            .find(|l| l.starts_with(prefix) && l.ends_with(&format!("[{rule}]")))
            .unwrap_or_else(|| {
                panic!(
                    "no `{prefix}… [{rule}]` in:\n{}\nstderr:\n{}",
                    self.stdout, self.stderr
                )
            })
    }
}

/// Runs `synclint args` in `dir` with `stdin` as its input (none: `/dev/null`), killing it
/// after 60 s. Stdout must be UTF-8.
pub fn run_in(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_synclint"));
    command
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("GITHUB_BASE_REF")
        .env_remove("CI_MERGE_REQUEST_DIFF_BASE_SHA");
    run_command(command, dir, args, stdin)
}

/// Runs a prepared `synclint` command with `args` in `dir`, feeding `stdin`, reading its
/// output on threads (a full pipe cannot block it) and killing it after [`TIMEOUT`].
#[allow(dead_code)]
pub fn run_command(mut command: Command, dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let start = Instant::now();
    let mut child = command
        .args(args)
        .current_dir(dir)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn synclint");
    let feeder = stdin.map(|text| {
        let mut pipe = child.stdin.take().unwrap();
        let text = text.to_string();
        std::thread::spawn(move || {
            let _ = pipe.write_all(text.as_bytes());
        })
    });
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for synclint") {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "synclint {args:?} in {} did not finish within {TIMEOUT:?}",
                dir.display()
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    if let Some(f) = feeder {
        let _ = f.join();
    }
    let stdout = String::from_utf8(out_reader.join().unwrap()).expect("stdout is UTF-8");
    let stderr = String::from_utf8_lossy(&err_reader.join().unwrap()).into_owned();
    Output {
        code: status.code(),
        stdout,
        stderr,
        elapsed: start.elapsed(),
    }
}

/// A fresh, empty directory `synclint-<test crate>-<pid>-<name>-<n>` under the system
/// temporary directory; the caller removes it.
pub fn temp_dir(name: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!(
        "synclint-{}-{}-{name}-{n}",
        env!("CARGO_CRATE_NAME"),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A temporary directory removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        TempDir(temp_dir(name))
    }

    /// A repository: a `.git` directory stops the root search here.
    pub fn repo(name: &str) -> TempDir {
        let dir = TempDir::new(name);
        std::fs::create_dir(dir.0.join(".git")).unwrap();
        dir
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `contents` to `rel`, creating parent directories; returns the full path.
    pub fn write(&self, rel: &str, contents: &(impl AsRef<[u8]> + ?Sized)) -> PathBuf {
        let path = self.0.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
        path
    }

    /// `synclint check . --format concise` in the directory.
    #[allow(dead_code)]
    pub fn check(&self) -> Output {
        run_in(self.path(), &["check", ".", "--format", "concise"], None)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
