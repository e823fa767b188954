//! synclint: a static policy linter for Argo CD GitOps repositories.
//!
//! The modules follow the pipeline in data-flow order:
//! discover → load → render → apps → graph → rules → suppress → report.

pub mod apps;
pub mod appset;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod golang;
pub mod graph;
pub mod helm;
pub mod lint;
pub mod load;
pub mod release;
pub mod render;
pub mod report;
pub mod rules;
pub mod run;
pub mod source;
pub mod sql;
pub mod suppress;
