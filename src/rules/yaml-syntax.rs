//! yaml-syntax: findings come from the load stage (a file that does not parse, a
//! document that is not a mapping, an object without kind or name).

use crate::diagnostic::Severity;
use crate::rules::{Check, Rule};

pub const RULE: Rule = Rule {
    id: "yaml-syntax",
    severity: Severity::Error,
    page: include_str!("../../rules/yaml-syntax.md"),
    check: Check::Stage,
};
