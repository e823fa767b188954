//! Offline ApplicationSet expansion. This part: Argo CD's two template engines
//! (fasttemplate, and Go text/template with Sprig for `goTemplate: true`) and the
//! YAML reading they share with the generators.

pub mod fasttemplate;
pub mod gotemplate;
mod names;
mod yaml;

#[cfg(test)]
mod tests;

use serde_json::Value;

pub use gotemplate::MissingKey;
pub use names::{sanitize_name, slugify};
pub use yaml::{node_to_json, parse_yaml};

/// One parameter set: flat string values for fasttemplate, nested values with
/// `goTemplate: true`.
pub type Params = serde_json::Map<String, Value>;

/// A template that failed to parse or execute, and where in its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateError {
    pub message: String,
    /// Byte offset in the template text.
    pub offset: usize,
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.offset)
    }
}

impl std::error::Error for TemplateError {}
