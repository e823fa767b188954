//! `configMapGenerator`, `secretGenerator` and `helmCharts` (see `helm.rs`), and how
//! generated objects join the accumulated ones (`behavior: create|merge|replace`).
//!
//! A generated value keeps the span of what it came from: a literal's entry, the whole
//! file for `files:` (so later stages can find SQL inside it), the line of an env file.

use super::kustomization::{GeneratorArgs, GeneratorOptions, Kustomization, Text, problem};
use super::resource::{Behavior, Resource};
use super::{Accumulator, Builder};
use crate::render::files::Problem;
use crate::render::value::Value;
use crate::source::Span;

/// A generated key and value, each with its span.
struct Pair {
    key: String,
    key_span: Span,
    value: String,
    value_span: Span,
    /// The file's bytes when they are not UTF-8 (they go to `binaryData` as they are).
    binary: Option<Vec<u8>>,
}

pub(super) fn run(
    builder: &mut Builder<'_>,
    k: &Kustomization,
    accumulator: &mut Accumulator,
) -> Result<(), Problem> {
    for args in &k.config_map_generator {
        let resource = builder.generate(k, args, false)?;
        absorb(accumulator, resource, args.span)?;
    }
    for args in &k.secret_generator {
        let resource = builder.generate(k, args, true)?;
        absorb(accumulator, resource, args.span)?;
    }
    for chart in &k.helm_charts {
        let request = builder.helm_request(k, chart)?;
        let documents = builder.files.helm(&request)?;
        for object in super::resources::objects_of(documents)? {
            absorb(accumulator, Resource::new(object), chart.span)?;
        }
    }
    Ok(())
}

/// Generator options with the kustomization's `generatorOptions` under them (Kustomize's
/// `MergeGlobalOptionsIntoLocal`: the generator's own labels and annotations win).
fn merged_options(
    local: Option<&GeneratorOptions>,
    global: Option<&GeneratorOptions>,
) -> GeneratorOptions {
    let mut options = local.cloned().unwrap_or_default();
    if let Some(global) = global {
        for (key, value) in &global.labels {
            if !options.labels.iter().any(|(k, _)| k.value == key.value) {
                options.labels.push((key.clone(), value.clone()));
            }
        }
        for (key, value) in &global.annotations {
            if !options
                .annotations
                .iter()
                .any(|(k, _)| k.value == key.value)
            {
                options.annotations.push((key.clone(), value.clone()));
            }
        }
        options.disable_name_suffix_hash |= global.disable_name_suffix_hash;
        options.immutable |= global.immutable;
    }
    options
}

fn is_config_map_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 253
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        && key != "."
        && !key.starts_with("..")
}

fn is_env_var_name(key: &str) -> bool {
    let mut bytes = key.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'-' || b == b'_' || b == b'.')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

/// `key=value`, with one pair of matching quotes around the value removed.
fn literal(entry: &Text) -> Result<Pair, Problem> {
    let Some((key, value)) = entry.value.split_once('=').filter(|(k, _)| !k.is_empty()) else {
        return Err(problem(
            entry.span,
            format!("invalid literal source {}, expected key=value", entry.value),
        ));
    };
    let quoted = value.len() >= 2
        && (value.starts_with('"') || value.starts_with('\''))
        && value.ends_with(&value[..1]);
    let value = if quoted {
        &value[1..value.len() - 1]
    } else {
        value
    };
    Ok(Pair {
        key: key.to_string(),
        key_span: entry.span,
        value: value.to_string(),
        value_span: entry.span,
        binary: None,
    })
}

impl Builder<'_> {
    fn generate(
        &mut self,
        k: &Kustomization,
        args: &GeneratorArgs,
        secret: bool,
    ) -> Result<Resource, Problem> {
        let options = merged_options(args.options.as_ref(), k.generator_options.as_ref());
        let mut pairs = Vec::new();
        for env in &args.envs {
            pairs.extend(self.env_file(k, env)?);
        }
        for entry in &args.literals {
            pairs.push(literal(entry)?);
        }
        for entry in &args.files {
            pairs.push(self.file_source(k, entry)?);
        }
        let mut seen: Vec<&str> = Vec::new();
        for pair in &pairs {
            if !is_config_map_key(&pair.key) {
                return Err(problem(
                    pair.key_span,
                    format!(
                        "\"{}\" is not a valid key name: a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                        pair.key
                    ),
                ));
            }
            if seen.contains(&pair.key.as_str()) {
                return Err(problem(
                    pair.key_span,
                    format!(
                        "configmap {} illegally repeats the key `{}`",
                        args.name.value, pair.key
                    ),
                ));
            }
            seen.push(&pair.key);
        }
        let span = args.name.span;
        let kind = if secret { "Secret" } else { "ConfigMap" };
        let mut object = Value::map(args.span);
        object.insert("apiVersion", span, Value::string("v1", span));
        object.insert("kind", span, Value::string(kind, span));
        let metadata = object.map_at("metadata", span);
        metadata.insert("name", span, Value::string(args.name.value.clone(), span));
        if let Some(namespace) = &args.namespace {
            metadata.insert(
                "namespace",
                namespace.span,
                Value::string(namespace.value.clone(), namespace.span),
            );
        }
        if secret {
            let t = args.secret_type.as_ref();
            let (text, at) = t.map_or(("Opaque", span), |t| (t.value.as_str(), t.span));
            object.insert("type", at, Value::string(text, at));
        }
        // A Secret always has `data`; a ConfigMap only when it has keys (as Kustomize).
        // A Secret always has `data`; a ConfigMap only when it has keys, and a value that
        // is not UTF-8 goes to its `binaryData` (as Kustomize).
        let mut sorted: Vec<&Pair> = pairs.iter().collect();
        sorted.sort_by(|a, b| a.key.cmp(&b.key));
        if secret {
            object.map_at("data", span);
        }
        for pair in sorted {
            let binary = pair.binary.is_some() || pair.value.contains('\u{fffd}');
            if binary && pair.binary.is_none() {
                self.notes.push(problem(
                    pair.value_span,
                    format!(
                        "`{}` is not UTF-8 and synclint reads it as text: its generated data and name hash differ from Kustomize's",
                        pair.key
                    ),
                ));
            }
            let raw = pair.binary.as_deref().unwrap_or(pair.value.as_bytes());
            let (field, value) = match (secret, binary) {
                (true, _) => ("data", base64_lines(raw)),
                (false, true) => ("binaryData", base64_lines(raw)),
                (false, false) => ("data", pair.value.clone()),
            };
            object.map_at(field, span).insert(
                &pair.key,
                pair.key_span,
                Value::string(value, pair.value_span),
            );
        }
        for (field, entries) in [
            ("labels", &options.labels),
            ("annotations", &options.annotations),
        ] {
            if entries.is_empty() {
                continue;
            }
            let map = object.map_path(&["metadata", field], span);
            for (key, value) in entries {
                map.insert(
                    &key.value,
                    key.span,
                    Value::string(value.value.clone(), value.span),
                );
            }
        }
        if options.immutable {
            object.insert("immutable", span, Value::plain("true", span));
        }
        let mut resource = Resource::new(object);
        resource.needs_hash = !options.disable_name_suffix_hash;
        resource.behavior = args.behavior;
        Ok(resource)
    }

    /// `[key=]path`: the whole file is the value, and its span covers the whole file.
    fn file_source(&mut self, k: &Kustomization, entry: &Text) -> Result<Pair, Problem> {
        let (key, path) = match entry.value.matches('=').count() {
            0 => (
                entry
                    .value
                    .rsplit('/')
                    .next()
                    .unwrap_or(&entry.value)
                    .to_string(),
                entry.value.clone(),
            ),
            1 => {
                let (key, path) = entry.value.split_once('=').unwrap_or_default();
                if key.is_empty() || path.is_empty() {
                    return Err(problem(
                        entry.span,
                        format!("missing key name or file path in source {:?}", entry.value),
                    ));
                }
                (key.to_string(), path.to_string())
            }
            _ => {
                return Err(problem(
                    entry.span,
                    format!(
                        "source {:?} key name or file path contains '='",
                        entry.value
                    ),
                ));
            }
        };
        let file = Text {
            value: path,
            span: entry.span,
        };
        let (rel, id, text) = self.load_file(&k.dir, &file)?;
        let binary = text
            .contains('\u{fffd}')
            .then(|| self.files.bytes(&rel))
            .flatten()
            .filter(|bytes| std::str::from_utf8(bytes).is_err());
        Ok(Pair {
            key,
            key_span: entry.span,
            value: text.to_string(),
            value_span: Span::new(id, 0, text.len()),
            binary,
        })
    }

    /// An env file: `KEY=value` lines; blank lines and `#` comments are skipped, leading
    /// whitespace is dropped, and a line without `=` takes the variable from the
    /// environment (empty here: Argo CD's repo server environment is unknown).
    fn env_file(&mut self, k: &Kustomization, entry: &Text) -> Result<Vec<Pair>, Problem> {
        let (path, id, text) = self.load_file(&k.dir, entry)?;
        let mut pairs = Vec::new();
        let mut offset = 0;
        for (index, raw) in text.split_inclusive('\n').enumerate() {
            let start = offset;
            offset += raw.len();
            let mut line = raw.trim_end_matches('\n').trim_end_matches('\r');
            let mut at = start;
            if index == 0
                && let Some(rest) = line.strip_prefix('\u{feff}')
            {
                at += 3;
                line = rest;
            }
            let trimmed = line.trim_start();
            at += line.len() - trimmed.len();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let (key, value) = trimmed.split_once('=').unwrap_or((trimmed, ""));
            let key_span = Span::new(id, at, at + key.len());
            if !is_env_var_name(key) {
                return Err(problem(
                    key_span,
                    format!(
                        "`{path}` line {}: \"{key}\" is not a valid environment variable name",
                        index + 1
                    ),
                ));
            }
            let value_start = (at + key.len() + 1).min(start + raw.len());
            pairs.push(Pair {
                key: key.to_string(),
                key_span,
                value: value.to_string(),
                value_span: Span::new(id, value_start, value_start + value.len()),
                binary: None,
            });
        }
        Ok(pairs)
    }
}

/// Kustomize's `appendReplaceOrMerge`: a generated object is added, or merged into or
/// replaces the one object it names.
pub(super) fn absorb(
    accumulator: &mut Accumulator,
    mut new: Resource,
    at: Span,
) -> Result<(), Problem> {
    let id = new.current_id();
    let matches: Vec<usize> = accumulator
        .resources
        .iter()
        .enumerate()
        .filter(|(_, r)| r.any_id(|i| i.equals(&id)))
        .map(|(i, _)| i)
        .collect();
    match (matches.as_slice(), new.behavior) {
        ([], Behavior::Merge | Behavior::Replace) => Err(problem(
            at,
            format!(
                "id {} does not exist; cannot merge or replace",
                id.display()
            ),
        )),
        ([], _) => accumulator.append(new, at),
        ([i], Behavior::Merge | Behavior::Replace) => {
            let old = &accumulator.resources[*i];
            if new.behavior == Behavior::Merge {
                for field in ["data", "binaryData"] {
                    merge_map_field(&mut new.value, &old.value, field);
                }
            }
            copy_metadata_from(&mut new, old);
            accumulator.resources[*i] = new;
            Ok(())
        }
        ([_], _) => Err(problem(
            at,
            format!(
                "id {} exists; behavior must be merge or replace",
                id.display()
            ),
        )),
        _ => Err(problem(
            at,
            format!(
                "found multiple objects that could accept merge of {}",
                id.display()
            ),
        )),
    }
}

/// `field` of `old`, overridden by `new`'s entries.
fn merge_map_field(new: &mut Value, old: &Value, field: &str) {
    let Some(old_map) = old.get(field).filter(|m| m.is_map()) else {
        return;
    };
    let mut merged = old_map.clone();
    if let Some(new_map) = new.get(field) {
        for (key, value) in new_map.entries() {
            merged.insert(&key.name, key.span, value.clone());
        }
        merged.span = new_map.span;
    }
    new.insert(field, old_map.span, merged);
}

/// Kustomize's `CopyMergeMetaDataFieldsFrom`: labels and annotations merged (the new
/// ones win), name, namespace and build metadata from the old object.
fn copy_metadata_from(new: &mut Resource, old: &Resource) {
    for field in ["labels", "annotations"] {
        let Some(old_map) = old.value.path(&["metadata", field]).filter(|m| m.is_map()) else {
            continue;
        };
        let mut merged = old_map.clone();
        if let Some(new_map) = new.value.path(&["metadata", field]) {
            for (key, value) in new_map.entries() {
                merged.insert(&key.name, key.span, value.clone());
            }
        }
        let span = new.value.span;
        new.value
            .map_at("metadata", span)
            .insert(field, old_map.span, merged);
    }
    let name = old.name().to_string();
    let name_span = old.name_span();
    let metadata = new.value.map_at("metadata", name_span);
    metadata.insert("name", name_span, Value::string(name, name_span));
    match old.value.path(&["metadata", "namespace"]) {
        Some(ns) => {
            let ns = ns.clone();
            metadata.insert("namespace", ns.span, ns);
        }
        None => {
            metadata.remove("namespace");
        }
    }
    new.previous = old.previous.clone();
    new.prefixes = old.prefixes.clone();
    new.suffixes = old.suffixes.clone();
    // Kustomize (v5.5, observed): the name gets a hash only when both the old object and
    // the new one ask for it.
    new.needs_hash &= old.needs_hash;
    new.behavior = old.behavior;
    new.vars = old.vars.clone();
}

/// Base64 as Kustomize writes generated Secret data: lines of 70 characters, each
/// ended by a line break once there is more than one line.
pub(super) fn base64_lines(bytes: &[u8]) -> String {
    const LINE: usize = 70;
    let encoded = base64(bytes);
    if encoded.len() / LINE == 0 {
        return encoded;
    }
    let mut out = String::with_capacity(encoded.len() + encoded.len() / LINE + 1);
    for chunk in encoded.as_bytes().chunks(LINE) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out
}

pub(super) use crate::golang::base64;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_pads() {
        assert_eq!(base64(b"b"), "Yg==");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
        assert_eq!(base64(b""), "");
    }

    #[test]
    fn long_base64_is_wrapped_at_70() {
        let short = base64_lines(b"b");
        assert_eq!(short, "Yg==");
        let long = base64_lines(&[b'x'; 60]);
        let lines: Vec<&str> = long.split_terminator('\n').collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].len(), 70);
        assert!(long.ends_with('\n'));
    }

    #[test]
    fn literals_lose_one_pair_of_matching_quotes() {
        let t = |s: &str| Text {
            value: s.into(),
            span: Span::default(),
        };
        assert_eq!(literal(&t("q='x y'")).unwrap().value, "x y");
        assert_eq!(literal(&t("a=\"b'")).unwrap().value, "\"b'");
        assert_eq!(literal(&t("a=b=c")).unwrap().value, "b=c");
        assert!(literal(&t("=b")).is_err());
    }
}
