//! An Argo CD Application's `kustomize` options. Argo CD applies them with
//! `kustomize edit` to the top kustomization before building
//! (`util/kustomize/kustomize.go` Build); here they are merged into the parsed
//! kustomization the same way, and what they add keeps the spans of the Application's
//! fields.

use super::Builder;
use super::fieldspec::get_folded;
use super::kustomization::{
    ImageRule, Kustomization, LabelSet, PatchEntry, ReplicaRule, Text, boolean, problem, text,
};
use crate::render::files::Problem;
use crate::render::value::Value;

pub(super) fn apply(
    builder: &mut Builder<'_>,
    k: &mut Kustomization,
    options: &Value,
) -> Result<(), Problem> {
    let field = |key: &str| get_folded(options, key).filter(|v| !v.is_null());
    if let Some(v) = field("namePrefix") {
        k.name_prefix = Some(text(v, "namePrefix")?)
            .filter(|t| !t.value.is_empty())
            .or(k.name_prefix.take());
    }
    if let Some(v) = field("nameSuffix") {
        k.name_suffix = Some(text(v, "nameSuffix")?)
            .filter(|t| !t.value.is_empty())
            .or(k.name_suffix.take());
    }
    if let Some(v) = field("images") {
        set_images(k, v)?;
    }
    if let Some(v) = field("replicas") {
        for entry in v.items() {
            let name = text(get_folded(entry, "name").unwrap_or(entry), "replicas.name")?;
            let count_value = get_folded(entry, "count").unwrap_or(entry);
            let count = count_value
                .as_i64()
                .or_else(|| count_value.as_str().and_then(|s| s.parse().ok()))
                .ok_or_else(|| problem(count_value.span, "the replica count is not an integer"))?;
            let rule = ReplicaRule {
                name,
                count,
                span: count_value.span,
            };
            match k
                .replicas
                .iter_mut()
                .find(|r| r.name.value == rule.name.value)
            {
                Some(existing) => *existing = rule,
                None => k.replicas.push(rule),
            }
        }
    }
    let force_labels = field("forceCommonLabels")
        .map(|v| boolean(v, "forceCommonLabels"))
        .transpose()?
        .unwrap_or(false);
    let flag = |key: &str| {
        field(key)
            .map(|v| boolean(v, key))
            .transpose()
            .map(|b| b.unwrap_or(false))
    };
    if let Some(v) = field("commonLabels") {
        if flag("labelWithoutSelector")? {
            // `kustomize edit add label --without-selector [--include-templates]`
            // writes a `labels` entry that leaves selectors alone.
            let mut pairs = Vec::new();
            add_pairs(&mut pairs, v, true, "label")?;
            k.labels.push(LabelSet {
                pairs,
                include_selectors: false,
                include_templates: flag("labelIncludeTemplates")?,
                field_specs: Vec::new(),
            });
        } else {
            add_pairs(&mut k.common_labels, v, force_labels, "label")?;
        }
    }
    let force_annotations = field("forceCommonAnnotations")
        .map(|v| boolean(v, "forceCommonAnnotations"))
        .transpose()?
        .unwrap_or(false);
    if let Some(v) = field("commonAnnotations") {
        add_pairs(
            &mut k.common_annotations,
            v,
            force_annotations,
            "annotation",
        )?;
    }
    if let Some(v) = field("namespace") {
        let t = text(v, "namespace")?;
        if !t.value.is_empty() {
            k.namespace = Some(t);
        }
    }
    if let Some(v) = field("patches") {
        for entry in v.items() {
            let flag = |key: &str| {
                get_folded(entry, "options")
                    .and_then(|o| get_folded(o, key))
                    .map(|b| boolean(b, key))
                    .transpose()
                    .map(|b| b.unwrap_or(false))
            };
            k.patches.push(PatchEntry {
                path: get_folded(entry, "path")
                    .map(|p| text(p, "path"))
                    .transpose()?
                    .filter(|t| !t.value.is_empty()),
                patch: get_folded(entry, "patch").filter(|p| !p.is_null()).cloned(),
                target: get_folded(entry, "target")
                    .filter(|t| !t.is_null())
                    .cloned(),
                allow_name_change: flag("allowNameChange")?,
                allow_kind_change: flag("allowKindChange")?,
                span: entry.span,
            });
        }
    }
    if let Some(v) = field("components") {
        let ignore_missing = field("ignoreMissingComponents")
            .map(|v| boolean(v, "ignoreMissingComponents"))
            .transpose()?
            .unwrap_or(false);
        for entry in v.items() {
            let component = text(entry, "components")?;
            let exists = super::loader::join(&k.dir, &component.value)
                .is_some_and(|p| builder.files.is_dir(&p));
            if !exists && ignore_missing {
                continue;
            }
            if !k.components.iter().any(|c| c.value == component.value) {
                k.components.push(component);
            }
        }
    }
    Ok(())
}

/// `kustomize edit add label|annotation`: a key already there is an error unless forced.
fn add_pairs(
    into: &mut Vec<(Text, Text)>,
    map: &Value,
    force: bool,
    what: &str,
) -> Result<(), Problem> {
    for (key, value) in map.entries() {
        let key = Text {
            value: key.name.clone(),
            span: key.span,
        };
        let value = text(value, what)?;
        match into.iter_mut().find(|(k, _)| k.value == key.value) {
            Some(existing) if force => *existing = (key, value),
            Some(_) => {
                return Err(problem(
                    key.span,
                    format!("{what} {} already in kustomization file", key.value),
                ));
            }
            None => into.push((key, value)),
        }
    }
    Ok(())
}

/// `kustomize edit set image`: `name=new:tag`, `name=new@digest`, `name:tag`,
/// `name@digest` or `name=new`; an entry replaces the kustomization's entry of the same
/// name (`*` keeps a field), and the list ends up sorted by name.
fn set_images(k: &mut Kustomization, images: &Value) -> Result<(), Problem> {
    let mut rules: Vec<ImageRule> = Vec::new();
    for entry in images.items() {
        let arg = text(entry, "images")?;
        let rule = parse_image(&arg)
            .ok_or_else(|| problem(arg.span, format!("invalid image `{}`", arg.value)))?;
        rules.retain(|r| r.name.value != rule.name.value);
        rules.push(rule);
    }
    for existing in std::mem::take(&mut k.images) {
        match rules
            .iter_mut()
            .find(|r| r.name.value == existing.name.value)
        {
            Some(rule) => {
                let keep = |new: &mut Option<Text>, old: &Option<Text>| {
                    if new.as_ref().is_some_and(|t| t.value == "*") {
                        *new = old.clone();
                    }
                };
                keep(&mut rule.new_name, &existing.new_name);
                keep(&mut rule.new_tag, &existing.new_tag);
                keep(&mut rule.digest, &existing.digest);
            }
            None => rules.push(existing),
        }
    }
    for rule in &mut rules {
        for field in [&mut rule.new_name, &mut rule.new_tag, &mut rule.digest] {
            if field.as_ref().is_some_and(|t| t.value == "*") {
                *field = None;
            }
        }
    }
    rules.sort_by(|a, b| a.name.value.cmp(&b.name.value));
    k.images = rules;
    Ok(())
}

fn parse_image(arg: &Text) -> Option<ImageRule> {
    let part = |value: &str| Text {
        value: value.to_string(),
        span: arg.span,
    };
    let (name, rest, overwrite_name) = match arg.value.split('=').collect::<Vec<_>>().as_slice() {
        [name, rest] => (Some(*name), *rest, true),
        _ => (None, arg.value.as_str(), false),
    };
    let (image, tag, digest) = if let Some((image, digest)) = rest.split_once('@') {
        (image, None, Some(digest))
    } else if let Some((image, tag)) = rest.rsplit_once(':')
        && (tag == "*"
            || tag
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)))
    {
        (image, Some(tag), None)
    } else if overwrite_name && !rest.is_empty() {
        (rest, None, None)
    } else {
        return None;
    };
    let non_empty = |s: Option<&str>| s.filter(|s| !s.is_empty()).map(part);
    Some(match name {
        Some(name) => ImageRule {
            name: part(name),
            new_name: non_empty(Some(image)),
            new_tag: non_empty(tag),
            digest: non_empty(digest),
            tag_suffix: None,
            span: arg.span,
        },
        None => ImageRule {
            name: part(image),
            new_name: None,
            new_tag: non_empty(tag),
            digest: non_empty(digest),
            tag_suffix: None,
            span: arg.span,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn parse(s: &str) -> ImageRule {
        parse_image(&Text {
            value: s.into(),
            span: Span::default(),
        })
        .unwrap()
    }

    #[test]
    fn image_arguments_parse_like_kustomize_edit() {
        let r = parse("app=registry/app:v2");
        assert_eq!(r.name.value, "app");
        assert_eq!(r.new_name.unwrap().value, "registry/app");
        assert_eq!(r.new_tag.unwrap().value, "v2");
        let r = parse("app:v3");
        assert_eq!(r.name.value, "app");
        assert!(r.new_name.is_none());
        assert_eq!(r.new_tag.unwrap().value, "v3");
        let r = parse("app@sha256:abc");
        assert_eq!(r.digest.unwrap().value, "sha256:abc");
        let r = parse("app=other");
        assert_eq!(r.new_name.unwrap().value, "other");
    }
}
