//! The built-in transformers, run in Kustomize's fixed order
//! (`kusttarget_configplugin.go`): strategic merge patches, patches, namespace, prefix,
//! suffix, labels, annotations, JSON 6902 patches, replicas, images, replacements.
//!
//! A value a transformer writes takes the span of the kustomization entry that caused
//! it (the label's key and value, the image's `newTag`); a renamed object keeps the span
//! of its original name.

use super::fieldspec::{self, Create, FieldSpec};
use super::kustomization::{ImageRule, Kustomization, ReplicaRule, Text, problem};
use super::resource::{Gvk, Resource};
use super::{Accumulator, Builder};
use crate::render::files::Problem;
use crate::render::value::{Node, Value};
use crate::source::Span;

pub(super) fn run(
    builder: &mut Builder<'_>,
    k: &Kustomization,
    accumulator: &mut Accumulator,
) -> Result<(), Problem> {
    builder.patches_strategic_merge(k, &mut accumulator.resources)?;
    builder.patches(k, &k.patches, &mut accumulator.resources)?;
    let config = accumulator.config.clone();
    let resources = &mut accumulator.resources;
    if let Some(namespace) = &k.namespace {
        set_namespace(resources, namespace, &config.namespace)?;
    }
    if let Some(prefix) = &k.name_prefix {
        add_affix(resources, prefix, &config.name_prefix, Affix::Prefix)?;
    }
    if let Some(suffix) = &k.name_suffix {
        add_affix(resources, suffix, &config.name_suffix, Affix::Suffix)?;
    }
    for set in &k.labels {
        let mut specs = set.field_specs.clone();
        let extra: Vec<FieldSpec> = if set.include_selectors {
            config.common_labels.clone()
        } else {
            let mut extra = Vec::new();
            if set.include_templates {
                extra.extend(config.template_labels.iter().cloned());
            }
            extra.push(FieldSpec::new("", "metadata/labels", true));
            extra
        };
        fieldspec::merge_specs(&mut specs, &extra).map_err(|e| problem(k.span, e))?;
        add_map_entries(resources, &set.pairs, &specs)?;
    }
    add_map_entries(resources, &k.common_labels, &config.common_labels)?;
    add_map_entries(resources, &k.common_annotations, &config.common_annotations)?;
    builder.patches(k, &k.patches_json6902, resources)?;
    for rule in &k.replicas {
        set_replicas(resources, rule, &config.replicas)?;
    }
    for rule in &k.images {
        set_images(resources, rule, &config.images)?;
    }
    super::replacements::run(builder, k, resources)?;
    Ok(())
}

/// Kustomize's NamespaceTransformer (default `setRoleBindingSubjects: defaultOnly`).
pub(super) fn set_namespace(
    resources: &mut [Resource],
    namespace: &Text,
    specs: &[FieldSpec],
) -> Result<(), Problem> {
    if namespace.value.is_empty() {
        return Ok(());
    }
    let span = namespace.span;
    for i in 0..resources.len() {
        let resource = &mut resources[i];
        if resource.is_empty() {
            continue;
        }
        resource.store_previous_id();
        let gvk = resource.gvk();
        if !gvk.is_cluster_scoped() {
            resource.set_namespace(&namespace.value, span);
        }
        let is_binding = gvk.kind == "RoleBinding" || gvk.kind == "ClusterRoleBinding";
        if is_binding {
            for subject in resource
                .value
                .get_mut("subjects")
                .and_then(Value::items_mut)
                .into_iter()
                .flatten()
            {
                if subject.get_str("name") == Some("default") {
                    subject.insert("namespace", span, Value::string(&namespace.value, span));
                }
            }
        }
        let api_version = gvk.api_version();
        for spec in specs {
            if spec.path == "metadata/namespace"
                || (spec.path == "metadata/name" && api_version != "v1")
                || (is_binding && spec.path == "subjects/namespace")
            {
                continue;
            }
            fieldspec::apply(
                &mut resource.value,
                spec,
                Some(Create::Scalar),
                span,
                &mut |node| set_scalar(node, &namespace.value, span),
            )
            .map_err(|e| problem(span, format!("namespace transformation failed: {e}")))?;
        }
        let id = resources[i].current_id();
        if resources
            .iter()
            .filter(|r| r.current_id().equals(&id))
            .count()
            != 1
        {
            return Err(problem(
                span,
                format!(
                    "namespace transformation produces ID conflict: {}",
                    id.display()
                ),
            ));
        }
    }
    Ok(())
}

/// Replaces a scalar's text, keeping the node's own span when it had one.
fn set_scalar(node: &mut Value, text: &str, span: Span) -> Result<(), String> {
    if node.is_map() || node.is_seq() {
        return Err("expected a scalar field".into());
    }
    let keep = if node.as_str().is_some_and(|s| !s.is_empty()) {
        node.span
    } else {
        span
    };
    *node = Value::string(text, keep);
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Affix {
    Prefix,
    Suffix,
}

/// Kustomize's PrefixTransformer / SuffixTransformer; Namespaces, CRDs and APIServices
/// keep their names.
pub(super) fn add_affix(
    resources: &mut [Resource],
    affix: &Text,
    specs: &[FieldSpec],
    which: Affix,
) -> Result<(), Problem> {
    if affix.value.is_empty() {
        return Ok(());
    }
    let skip = [
        Gvk::new("", "CustomResourceDefinition"),
        Gvk {
            group: "apiregistration.k8s.io".into(),
            version: String::new(),
            kind: "APIService".into(),
        },
        Gvk::new("", "Namespace"),
    ];
    for resource in resources.iter_mut() {
        let original = resource.original_id().gvk;
        if skip.iter().any(|s| original.is_selected_by(s)) {
            continue;
        }
        for spec in specs {
            if !original.is_selected_by(&spec.gvk) {
                continue;
            }
            if spec.path == "metadata/name" {
                match which {
                    Affix::Prefix => resource.prefixes.push(affix.value.clone()),
                    Affix::Suffix => resource.suffixes.push(affix.value.clone()),
                }
                resource.store_previous_id();
            }
            fieldspec::apply(
                &mut resource.value,
                spec,
                Some(Create::Scalar),
                affix.span,
                &mut |node| {
                    let current = node.scalar().map(|s| s.text.clone()).unwrap_or_default();
                    let renamed = match which {
                        Affix::Prefix => format!("{}{current}", affix.value),
                        Affix::Suffix => format!("{current}{}", affix.value),
                    };
                    let span = node.span;
                    *node = Value::string(renamed, span);
                    Ok(())
                },
            )
            .map_err(|e| problem(affix.span, e))?;
        }
    }
    Ok(())
}

/// Labels or annotations, each key in sorted order (as Kustomize), at every field spec.
pub(super) fn add_map_entries(
    resources: &mut [Resource],
    pairs: &[(Text, Text)],
    specs: &[FieldSpec],
) -> Result<(), Problem> {
    if pairs.is_empty() {
        return Ok(());
    }
    let mut sorted: Vec<&(Text, Text)> = pairs.iter().collect();
    sorted.sort_by(|a, b| a.0.value.cmp(&b.0.value));
    for resource in resources.iter_mut() {
        for (key, value) in &sorted {
            for spec in specs {
                fieldspec::apply(
                    &mut resource.value,
                    spec,
                    Some(Create::Map),
                    key.span,
                    &mut |map| {
                        if !map.is_map() {
                            return Err(format!(
                                "wrong node kind for {}: expected a map",
                                spec.path
                            ));
                        }
                        map.insert(
                            &key.value,
                            key.span,
                            Value::string(&value.value, value.span),
                        );
                        Ok(())
                    },
                )
                .map_err(|e| problem(key.span, e))?;
            }
        }
    }
    Ok(())
}

/// Kustomize's ReplicaCountTransformer: every object (by any of its names) of a
/// configured kind; naming nothing fails the build.
pub(super) fn set_replicas(
    resources: &mut [Resource],
    rule: &ReplicaRule,
    specs: &[FieldSpec],
) -> Result<(), Problem> {
    let mut found = false;
    for spec in specs {
        for resource in resources.iter_mut() {
            if !resource.any_id(|id| id.name == rule.name.value && id.gvk.is_selected_by(&spec.gvk))
            {
                continue;
            }
            found = true;
            fieldspec::apply(
                &mut resource.value,
                spec,
                Some(Create::Scalar),
                rule.span,
                &mut |node| {
                    *node = Value::plain(rule.count.to_string(), rule.span);
                    Ok(())
                },
            )
            .map_err(|e| problem(rule.span, e))?;
        }
    }
    if !found {
        let kinds: Vec<String> = specs.iter().map(|s| s.gvk.display()).collect();
        return Err(problem(
            rule.name.span,
            format!(
                "resource with name {} does not match a config with the following GVK [{}]",
                rule.name.value,
                kinds.join(" ")
            ),
        ));
    }
    Ok(())
}

/// Kustomize's ImageTagTransformer: every `containers`/`initContainers` list anywhere
/// in an object (except CRDs), then the configured image fields.
pub(super) fn set_images(
    resources: &mut [Resource],
    rule: &ImageRule,
    specs: &[FieldSpec],
) -> Result<(), Problem> {
    for resource in resources.iter_mut() {
        if resource.kind() != "CustomResourceDefinition" {
            update_containers(&mut resource.value, rule).map_err(|e| problem(rule.span, e))?;
        }
        for spec in specs {
            fieldspec::apply(&mut resource.value, spec, None, rule.span, &mut |node| {
                update_image(node, rule)
            })
            .map_err(|e| problem(rule.span, e))?;
        }
    }
    Ok(())
}

fn update_containers(value: &mut Value, rule: &ImageRule) -> Result<(), String> {
    match &mut value.node {
        Node::Map(entries) => {
            for (key, v) in entries.iter_mut() {
                update_containers(v, rule)?;
                if (key.name == "containers" || key.name == "initContainers") && v.is_seq() {
                    for container in v.items_mut().into_iter().flatten() {
                        if let Some(image) = container.get_mut("image") {
                            update_image(image, rule)?;
                        }
                    }
                }
            }
        }
        Node::Seq(items) => {
            for item in items {
                update_containers(item, rule)?;
            }
        }
        Node::Scalar(_) => {}
    }
    Ok(())
}

fn update_image(node: &mut Value, rule: &ImageRule) -> Result<(), String> {
    if node.is_map() || node.is_seq() {
        return Err("an image field is not a string".into());
    }
    let Some(current) = node.as_str() else {
        return Ok(());
    };
    if !image_matches(current, &rule.name.value) {
        return Ok(());
    }
    let (mut name, mut tag, mut digest) = split_image(current);
    let mut span = node.span;
    if let Some(new_name) = &rule.new_name {
        name = new_name.value.clone();
        span = new_name.span;
    }
    match (&rule.new_tag, &rule.digest) {
        (Some(t), Some(d)) => {
            tag = t.value.clone();
            digest = d.value.clone();
            span = t.span;
        }
        (Some(t), None) => {
            tag = t.value.clone();
            digest.clear();
            span = t.span;
        }
        (None, Some(d)) => {
            tag.clear();
            digest = d.value.clone();
            span = d.span;
        }
        // A suffix only applies when neither a tag nor a digest is set, and (like
        // everything here) once per pass: Kustomize's two passes add it twice.
        (None, None) => {
            if let Some(suffix) = &rule.tag_suffix {
                tag.push_str(&suffix.value);
                span = suffix.span;
            }
        }
    }
    let mut image = name;
    if !tag.is_empty() {
        image = format!("{image}:{tag}");
    }
    if !digest.is_empty() {
        image = format!("{image}@{digest}");
    }
    *node = Value::string(image, span);
    Ok(())
}

/// Kustomize's `IsImageMatched`: the regular expression
/// `^NAME(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$`, where NAME is the rule's
/// name as a pattern (in practice only `.` is special in image names: any character).
pub(super) fn image_matches(image: &str, name: &str) -> bool {
    let tag_char = |c: char| c.is_ascii_alphanumeric() || "_.{}-".contains(c);
    let mut chars = image.char_indices();
    for n in name.chars() {
        match chars.next() {
            Some((_, c)) if n == '.' || c == n => {}
            _ => return false,
        }
    }
    let rest = chars.next().map_or("", |(i, _)| &image[i..]);
    let (tag_part, digest_part) = match rest.find('@') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let tag_ok = tag_part.is_empty()
        || tag_part
            .strip_prefix(':')
            .is_some_and(|t| t.chars().all(tag_char));
    let digest_ok = digest_part.is_empty()
        || digest_part
            .strip_prefix("@sha256:")
            .is_some_and(|d| d.chars().all(tag_char));
    tag_ok && digest_ok
}

/// Kustomize's `image.Split`: name, tag and digest (the registry's port is not a tag).
pub(super) fn split_image(image: &str) -> (String, String, String) {
    let offset = match image.find('/') {
        Some(i) if i > 0 => i,
        _ => 0,
    };
    let search = &image[offset..];
    let at = search.find('@');
    let colon = search.find(':');
    match (colon, at) {
        (None, None) => (image.to_string(), String::new(), String::new()),
        (c, Some(d)) if c.is_none_or(|c| d < c) => (
            image[..offset + d].to_string(),
            String::new(),
            image[offset + d + 1..].to_string(),
        ),
        (Some(c), Some(d)) => (
            image[..offset + c].to_string(),
            image[offset + c + 1..offset + d].to_string(),
            image[offset + d + 1..].to_string(),
        ),
        (Some(c), None) => (
            image[..offset + c].to_string(),
            image[offset + c + 1..].to_string(),
            String::new(),
        ),
        (None, Some(_)) => unreachable_split(image),
    }
}

/// Covered by the arm with a digest and no colon; kept total without a panic.
fn unreachable_split(image: &str) -> (String, String, String) {
    (image.to_string(), String::new(), String::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names_match_like_kustomize() {
        assert!(image_matches("nginx", "nginx"));
        assert!(image_matches("nginx:1.2", "nginx"));
        assert!(image_matches("nginx@sha256:abc", "nginx"));
        assert!(image_matches("nginx:1.2@sha256:abc", "nginx"));
        assert!(!image_matches("nginx-extra:1", "nginx"));
        assert!(!image_matches("docker.io/nginx", "nginx"));
        // `.` in the name is a pattern character.
        assert!(image_matches("quayXio/app", "quay.io/app"));
    }

    #[test]
    fn images_split_into_name_tag_and_digest() {
        let s = |i: &str| {
            let (n, t, d) = split_image(i);
            (n, t, d)
        };
        assert_eq!(s("nginx"), ("nginx".into(), "".into(), "".into()));
        assert_eq!(
            s("host:5000/app:1"),
            ("host:5000/app".into(), "1".into(), "".into())
        );
        assert_eq!(
            s("app@sha256:x"),
            ("app".into(), "".into(), "sha256:x".into())
        );
        assert_eq!(
            s("app:1@sha256:x"),
            ("app".into(), "1".into(), "sha256:x".into())
        );
    }
}
