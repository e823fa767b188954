//! render-failed: findings come from the apps/render stage (a source that needs
//! Kustomize, Helm or a plugin, an ApplicationSet, an out-of-bounds symlink).

use crate::diagnostic::Severity;
use crate::rules::{Check, Rule};

pub const RULE: Rule = Rule {
    id: "render-failed",
    severity: Severity::Error,
    page: include_str!("../../rules/render-failed.md"),
    check: Check::Stage,
};
