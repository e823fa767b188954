//! The one finding type every rule produces and every report format prints.

use serde::{Deserialize, Serialize};

use crate::source::{SourceFile, SourceMap, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "note" => Some(Severity::Note),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A resolved place in a file: path relative to the repo root, byte range, and 1-based
/// line/column of both ends (columns in characters, plus UTF-16 units for SARIF).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    pub path: String,
    /// The path relative to the repository root (`path` may start with `../` or the
    /// root's own path): used for fingerprints, so they do not depend on where synclint ran.
    #[serde(skip)]
    pub rel_path: String,
    #[serde(skip)]
    pub span: Span,
    pub start_byte: u32,
    pub end_byte: u32,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    #[serde(skip)]
    pub column_utf16: u32,
    #[serde(skip)]
    pub end_column_utf16: u32,
}

impl Location {
    pub fn resolve(sources: &SourceMap, span: Span) -> Location {
        Location::resolve_in(sources.get(span.file), span)
    }

    pub fn resolve_in(file: &SourceFile, span: Span) -> Location {
        let start = file.position(span.start as usize);
        let end = file.position(span.end as usize);
        Location {
            path: file.path.clone(),
            rel_path: file.rel_path().to_string(),
            span,
            start_byte: span.start,
            end_byte: span.end,
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
            column_utf16: start.column_utf16,
            end_column_utf16: end.column_utf16,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Related {
    #[serde(flatten)]
    pub location: Location,
    pub label: String,
}

/// The Kubernetes object a finding is about: `group/kind namespace/name`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ObjectRef {
    pub group: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.group.is_empty() {
            write!(f, "{}/", self.group)?;
        }
        write!(f, "{} ", self.kind)?;
        if !self.namespace.is_empty() {
            write!(f, "{}/", self.namespace)?;
        }
        f.write_str(&self.name)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub location: Location,
    pub related: Vec<Related>,
    /// The Argo CD Application (or implicit app) the finding belongs to.
    pub app: Option<String>,
    pub object: Option<ObjectRef>,
    /// JSON pointer of the offending field inside the object, e.g. `/spec/backoffLimit`;
    /// part of the fingerprint so it survives line moves.
    pub field: String,
    pub help: Option<String>,
    /// A few words under the primary span in snippets (`no backoffLimit`, `tag 2.4.0`).
    pub label: Option<String>,
}

impl Diagnostic {
    /// Stable identity for baselines and SARIF `partialFingerprints`: rule, path, object
    /// and field, never line numbers.
    pub fn fingerprint(&self) -> String {
        let object = self
            .object
            .as_ref()
            .map(|o| o.to_string())
            .unwrap_or_default();
        let key = format!(
            "{}\0{}\0{}\0{}",
            self.rule, self.location.rel_path, object, self.field
        );
        format!("{:016x}", fnv1a64(key.as_bytes()))
    }

    /// Deterministic report order: path, line, column, rule, then message.
    pub fn sort_key(&self) -> (&str, u32, u32, &str, &str) {
        (
            &self.location.path,
            self.location.line,
            self.location.column,
            self.rule,
            &self.message,
        )
    }
}

/// FNV-1a: tiny, stable across Rust versions and platforms (unlike `DefaultHasher`).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

impl Diagnostic {
    pub fn new(
        rule: &'static str,
        severity: Severity,
        message: String,
        location: Location,
    ) -> Self {
        Diagnostic {
            rule,
            severity,
            message,
            location,
            related: Vec::new(),
            app: None,
            object: None,
            field: String::new(),
            help: None,
            label: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_related(mut self, location: Location, label: impl Into<String>) -> Self {
        self.related.push(Related {
            location,
            label: label.into(),
        });
        self
    }

    pub fn with_object(mut self, object: ObjectRef) -> Self {
        self.object = Some(object);
        self
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_app(mut self, app: &str) -> Self {
        self.app = Some(app.to_string());
        self
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = field.into();
        self
    }
}
