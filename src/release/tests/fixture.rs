//! Real Git repositories in temporary folders, built with the git program and no user or
//! system configuration, removed on drop.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::release::{Git, Repo};

/// Whether the git program runs here; tests that need it print a line and pass without.
pub fn git_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        let found = Command::new("git")
            .arg("--version")
            .output()
            .is_ok_and(|output| output.status.success());
        if !found {
            eprintln!("skipped: git not found");
        }
        found
    })
}

/// The [`Git`] the code under test uses: the real program, without the user's or the
/// system's configuration, and never looking above the temporary folder for a repository.
pub fn test_git() -> Git {
    Git::new()
        .with_env("GIT_CONFIG_GLOBAL", "/dev/null")
        .with_env("GIT_CONFIG_NOSYSTEM", "1")
        .with_env("GIT_CEILING_DIRECTORIES", std::env::temp_dir())
}

/// A unique new empty folder under the system's temporary folder, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "synclint-release-{label}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(name);
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create a temporary folder");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A Git work tree in a temporary folder, on branch `main`, with no commit yet.
pub struct TestRepo {
    pub dir: TempDir,
}

impl TestRepo {
    /// `None` (after the "skipped" line) when git is not installed.
    pub fn new() -> Option<TestRepo> {
        if !git_available() {
            return None;
        }
        let repo = TestRepo {
            dir: TempDir::new("repo"),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        Some(repo)
    }

    pub fn path(&self) -> &Path {
        &self.dir.0
    }

    /// Runs git in the top of the work tree; panics with git's message on failure.
    pub fn git(&self, args: &[&str]) -> String {
        run_git(self.path(), args)
    }

    pub fn write(&self, path: &str, text: impl AsRef<[u8]>) {
        let path = self.path().join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create a folder");
        }
        std::fs::write(path, text).expect("write a file");
    }

    pub fn remove(&self, path: &str) {
        std::fs::remove_file(self.path().join(path)).expect("remove a file");
    }

    /// Commits everything (`add -A`) and returns the new commit's id.
    pub fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.rev("HEAD")
    }

    pub fn rev(&self, rev: &str) -> String {
        self.git(&["rev-parse", "--verify", rev]).trim().to_string()
    }

    /// The repository opened at `root`, a folder relative to the top ("" for the top).
    pub fn open(&self, root: &str) -> Repo {
        Repo::open(&self.path().join(root), test_git()).expect("open the test repository")
    }
}

/// Runs git in `dir` with a fixed identity and no configuration but the repository's.
pub fn run_git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CEILING_DIRECTORIES", std::env::temp_dir())
        .env("GIT_AUTHOR_NAME", "Synclint Test")
        .env("GIT_AUTHOR_EMAIL", "test@synclint.invalid")
        .env("GIT_COMMITTER_NAME", "Synclint Test")
        .env("GIT_COMMITTER_EMAIL", "test@synclint.invalid")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .expect("run git");
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The commits of a small GitOps history, app `shop` under `apps/shop` (the synclint root
/// in most tests) and app `billing` beside it.
pub struct Releases {
    pub initial: String,
    pub expand: String,
    pub contract: String,
    pub mixed: String,
}

pub fn deployment(image: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\nspec:\n  template:\n    \
         spec:\n      containers:\n        - name: shop\n          image: {image}\n"
    )
}

pub const V1: &str = "CREATE TABLE orders (id bigint PRIMARY KEY, legacy text);\n";
pub const V2: &str = "ALTER TABLE orders ADD COLUMN status text;\n";
pub const V3: &str = "ALTER TABLE orders DROP COLUMN legacy;\n";
pub const V4: &str = "ALTER TABLE orders ADD COLUMN total numeric;\nDROP TABLE old_orders;\n";

impl TestRepo {
    /// The initial commit only.
    pub fn initial_release(&self) -> String {
        self.write("README.md", "# gitops\n");
        self.write("apps/shop/deployment.yaml", deployment("shop:1.0"));
        self.write("apps/shop/values.yaml", "replicas: 2\n");
        self.write("apps/shop/migrations/README.md", "Flyway migrations\n");
        self.write("apps/shop/migrations/V1__create_orders.sql", V1);
        self.write("apps/billing/deployment.yaml", deployment("billing:1.0"));
        self.commit("initial")
    }

    /// Expand (a new column, a new image), contract (drop the old column), then a mixed
    /// release (both, plus a deletion and a move, and a change in the other app).
    pub fn releases(&self) -> Releases {
        let initial = self.initial_release();
        self.write("apps/shop/migrations/V2__add_status.sql", V2);
        self.write("apps/shop/deployment.yaml", deployment("shop:1.1"));
        let expand = self.commit("expand");
        self.write("apps/shop/migrations/V3__drop_legacy.sql", V3);
        let contract = self.commit("contract");
        self.write("apps/shop/migrations/V4__mixed.sql", V4);
        self.write("apps/shop/deployment.yaml", deployment("shop:1.2"));
        self.remove("apps/shop/values.yaml");
        self.remove("apps/shop/migrations/README.md");
        self.write("apps/shop/docs/migrations.md", "Flyway migrations\n");
        self.write("apps/billing/deployment.yaml", deployment("billing:1.1"));
        let mixed = self.commit("mixed");
        Releases {
            initial,
            expand,
            contract,
            mixed,
        }
    }
}
