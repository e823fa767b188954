//! Hostile and malformed input: errors, never panics.

use super::gotemplate::git_dir;
use super::repo::MemoryRepo;
use crate::appset::gotemplate::{MissingKey, render};
use crate::appset::{SuppliedParams, expand};

/// Deterministic noise built from template-shaped tokens: nothing may panic.
#[test]
fn random_templates_never_panic() {
    const TOKENS: &[&str] = &[
        "{{",
        "}}",
        "{{-",
        "-}}",
        " ",
        "\n",
        ".",
        ".path",
        ".path.segments",
        "$",
        "$x",
        "$y",
        ":=",
        "=",
        "|",
        "(",
        ")",
        ",",
        "if",
        "else",
        "end",
        "range",
        "with",
        "break",
        "continue",
        "\"s\"",
        "`r`",
        "'c'",
        "1",
        "-2",
        "0x",
        "1.5e",
        "index",
        "printf",
        "\"%d%s%q%v%\"",
        "slice",
        "len",
        "and",
        "or",
        "not",
        "eq",
        "lt",
        "default",
        "toYaml",
        "fromJson",
        "\"{\"",
        "dict",
        "list",
        "set",
        "split",
        "/*",
        "*/",
        "é",
        "\\",
        "nil",
        "true",
        "slugify",
        "b64dec",
        "substr",
        "trunc",
        "repeat",
        "99",
        "{{/*",
        "*/}}",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..4000 {
        let len = (next() % 24) as usize;
        let text: String = (0..len)
            .map(|_| TOKENS[(next() % TOKENS.len() as u64) as usize])
            .collect();
        for missing_key in [MissingKey::Default, MissingKey::Error] {
            let _ = render(&text, &git_dir(), missing_key);
        }
        let _ = crate::appset::fasttemplate::render(&text, &git_dir());
        let _ = crate::appset::glob::path_match(&text, "a/b[c]/d");
        let _ = crate::appset::glob::git_pathspec_match(&text, "a/b[c]/d");
        let _ = crate::appset::glob::doublestar_match(&text, "a/b/c");
        let _ = crate::appset::parse_yaml(&text);
    }
}

#[test]
fn malformed_specs_give_errors_not_panics() {
    for yaml in [
        "spec: 3",
        "spec:\n  generators: x",
        "spec:\n  generators: [3, null, {list: 4}, {git: {}}, {matrix: {generators: x}}, {merge: {}}]",
        "spec:\n  generators: [{list: {elements: [1]}}, {list: {elementsYaml: 'a: ['}}]",
        "spec:\n  generators: [{list: {elements: [{a: b}]}}]\n  template: [1]\n  templatePatch: '- x'",
        "spec:\n  generators: [{git: {directories: [{exclude: true}], values: [1]}}]",
        "spec:\n  goTemplate: true\n  generators: [{list: {elements: [{a: b}]}, selector: {matchExpressions: [{key: a, operator: Gt}]}}]",
        "spec:\n  goTemplate: yes\n  goTemplateOptions: 7",
    ] {
        let doc = crate::appset::parse_yaml(yaml).unwrap().unwrap();
        let spec = doc.get("spec").cloned().unwrap_or_default();
        let out = expand(&spec, &MemoryRepo::default(), &SuppliedParams::default());
        assert!(
            !out.errors.is_empty()
                || !out.notes.is_empty()
                || !out.applications.is_empty()
                || yaml.contains("null"),
            "{yaml}"
        );
    }
}
