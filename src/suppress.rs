//! suppress: drop findings the user silenced by annotation, YAML comment or config.

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::load::Loaded;

pub const IGNORE_ANNOTATION: &str = "synclint.io/ignore";

/// Rule ids in `rule-a, rule-b -- reason` (annotation) form.
fn annotation_rules(value: &str) -> Vec<&str> {
    let list = value.split(" -- ").next().unwrap_or("");
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Rule ids in `ignore[rule-a, rule-b] reason` (comment) form, for the given directive.
fn comment_rules<'a>(body: &'a str, directive: &str) -> Option<Vec<&'a str>> {
    let rest = body.strip_prefix(directive)?.strip_prefix('[')?;
    let list = &rest[..rest.find(']')?];
    Some(
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect(),
    )
}

pub fn is_suppressed(d: &Diagnostic, loaded: &Loaded, config: &Config) -> bool {
    let rel = loaded.file(d.location.span.file).rel.as_str();
    if config.is_ignored_for(rel, d.rule) {
        return true;
    }
    let file = loaded.file(d.location.span.file);
    let line = d.location.line - 1;
    for c in &file.comments {
        if comment_rules(&c.body, "ignore-file").is_some_and(|r| r.contains(&d.rule)) {
            return true;
        }
        let applies = c.line == line || (!c.trailing && c.line + 1 == line);
        if applies && comment_rules(&c.body, "ignore").is_some_and(|r| r.contains(&d.rule)) {
            return true;
        }
    }
    // The annotation on the object that contains the finding.
    let start = d.location.span.start;
    file.objects.iter().any(|o| {
        let span = file.tree.span(o.root);
        span.start <= start
            && start <= span.end
            && file
                .tree
                .path_str(o.root, &["metadata", "annotations", IGNORE_ANNOTATION])
                .is_some_and(|v| annotation_rules(v).contains(&d.rule))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_forms() {
        assert_eq!(annotation_rules("a, b -- legacy job"), vec!["a", "b"]);
        assert_eq!(
            comment_rules("ignore[a, b] why", "ignore"),
            Some(vec!["a", "b"])
        );
        assert_eq!(comment_rules("ignore-file[a]", "ignore"), None);
        assert_eq!(
            comment_rules("ignore-file[a]", "ignore-file"),
            Some(vec!["a"])
        );
    }
}

/// Baseline files: the fingerprints of accepted findings (rule + path + object + field,
/// never line numbers), written by `--write-baseline` and read by `--baseline`.
pub mod baseline {
    use std::collections::HashSet;
    use std::path::Path;

    use crate::diagnostic::Diagnostic;

    pub fn write(path: &Path, diagnostics: &[Diagnostic]) -> std::io::Result<usize> {
        let mut entries: Vec<serde_json::Value> = diagnostics
            .iter()
            .map(|d| {
                serde_json::json!({
                    "fingerprint": d.fingerprint(),
                    "rule": d.rule,
                    "path": d.location.rel_path,
                    "object": d.object.as_ref().map(|o| o.to_string()),
                })
            })
            .collect();
        entries.dedup();
        let count = entries.len();
        let doc = serde_json::json!({"version": 1, "findings": entries});
        std::fs::write(path, serde_json::to_string_pretty(&doc)? + "\n")?;
        Ok(count)
    }

    pub fn read(path: &Path) -> Result<HashSet<String>, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read baseline {}: {e}", path.display()))?;
        let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            format!(
                "{}:{}:{}: not a synclint baseline: {e}",
                path.display(),
                e.line(),
                e.column()
            )
        })?;
        let findings = doc["findings"].as_array().ok_or_else(|| {
            format!(
                "{}: not a synclint baseline: no `findings` list",
                path.display()
            )
        })?;
        Ok(findings
            .iter()
            .filter_map(|f| f["fingerprint"].as_str().map(String::from))
            .collect())
    }
}
