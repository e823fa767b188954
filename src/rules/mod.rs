//! rules: one file per rule, each a function of an app graph (or of the loaded files)
//! that returns diagnostics. Rules never read files or parse YAML themselves.
//!
//! Adding a rule: write `src/rules/<id>.rs` with a `pub const RULE: Rule`, add one line to
//! [`REGISTRY`], write `rules/<id>.md`, and add cases under `testdata/rules/<id>/`.

#[path = "annotation-not-string.rs"]
mod annotation_not_string;
#[path = "destructive-sql-single-release.rs"]
mod destructive_sql_single_release;
#[path = "duplicate-resource.rs"]
mod duplicate_resource;
#[path = "hook-active-deadline.rs"]
mod hook_active_deadline;
#[path = "hook-annotation-invalid.rs"]
mod hook_annotation_invalid;
#[path = "hook-delete-policy.rs"]
mod hook_delete_policy;
#[path = "hook-dependency-order.rs"]
mod hook_dependency_order;
#[path = "hook-secret-shared.rs"]
mod hook_secret_shared;
#[path = "migration-backoff-limit.rs"]
mod migration_backoff_limit;
#[path = "migration-concurrency.rs"]
mod migration_concurrency;
#[path = "migration-edited.rs"]
mod migration_edited;
#[path = "migration-image-mismatch.rs"]
mod migration_image_mismatch;
#[path = "migration-in-init-container.rs"]
mod migration_in_init_container;
#[path = "migration-order.rs"]
mod migration_order;
#[path = "render-failed.rs"]
mod render_failed;
#[path = "sql-syntax.rs"]
mod sql_syntax;
#[path = "unresolved-reference.rs"]
mod unresolved_reference;
#[path = "yaml-syntax.rs"]
mod yaml_syntax;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Severity};
use crate::graph::migration::Patterns;
use crate::graph::{AppGraph, RepoIndex};
use crate::load::Loaded;

/// What every rule may read besides its app graph.
pub struct Context<'a> {
    pub loaded: &'a Loaded,
    pub config: &'a Config,
    pub repo: &'a RepoIndex<'a>,
    pub patterns: &'a Patterns,
    /// The release being linted, when some app runs SQL (release-aware rules).
    pub release: Option<&'a crate::release::boundary::Release>,
}

/// A JSON pointer from path segments (`/` and `~` escaped as RFC 6901 says).
pub fn pointer(segments: &[&str]) -> String {
    segments
        .iter()
        .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
        .collect()
}

pub type AppCheck = fn(&AppGraph, &Context, &mut Vec<Diagnostic>);

/// What a rule looks at.
#[derive(Clone, Copy)]
pub enum Check {
    /// Findings are produced by an earlier pipeline stage (loader, renderer); the rule
    /// exists for its id, severity and documentation.
    Stage,
    /// A function of one app's graph.
    App(AppCheck),
}

/// A rule: its identity, default severity, documentation page and check.
#[derive(Clone, Copy)]
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    /// The rule's page, `rules/<id>.md`, embedded at build time.
    pub page: &'static str,
    pub check: Check,
}

impl Rule {
    /// The one-line `summary:` from the page's front matter.
    pub fn summary(&self) -> &'static str {
        front_matter(self.page, "summary").unwrap_or("")
    }

    /// The text of a `## <name>` section of the page, trimmed.
    pub fn section(&self, name: &str) -> Option<&'static str> {
        section(self.page, name)
    }

    /// The page without its front matter.
    pub fn body(&self) -> &'static str {
        match self
            .page
            .strip_prefix("---\n")
            .and_then(|r| r.find("\n---\n").map(|i| &r[i + 5..]))
        {
            Some(body) => body.trim_start(),
            None => self.page,
        }
    }
}

fn front_matter(page: &'static str, key: &str) -> Option<&'static str> {
    let rest = page.strip_prefix("---\n")?;
    let end = rest.find("\n---")?;
    rest[..end].lines().find_map(|line| {
        let value = line.strip_prefix(key)?.strip_prefix(':')?;
        Some(value.trim().trim_matches('"'))
    })
}

fn section(page: &'static str, name: &str) -> Option<&'static str> {
    let heading = format!("\n## {name}\n");
    let start = page.find(&heading)? + heading.len();
    let rest = &page[start..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    Some(rest[..end].trim())
}

/// Every rule, in the order of the design's catalogue.
pub static REGISTRY: &[Rule] = &[
    yaml_syntax::RULE,
    annotation_not_string::RULE,
    hook_annotation_invalid::RULE,
    hook_active_deadline::RULE,
    migration_backoff_limit::RULE,
    migration_image_mismatch::RULE,
    hook_secret_shared::RULE,
    hook_dependency_order::RULE,
    migration_order::RULE,
    migration_in_init_container::RULE,
    migration_concurrency::RULE,
    hook_delete_policy::RULE,
    duplicate_resource::RULE,
    unresolved_reference::RULE,
    render_failed::RULE,
    destructive_sql_single_release::RULE,
    migration_edited::RULE,
    sql_syntax::RULE,
];

pub fn find(id: &str) -> Option<&'static Rule> {
    REGISTRY.iter().find(|r| r.id == id)
}
