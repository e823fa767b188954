//! `replacements` (Kustomize's ReplacementTransformer, `api/filters/replacement`): copy
//! a field of one object into fields of others. The copied value keeps the span of the
//! source field.

use super::Builder;
use super::fieldspec::get_folded;
use super::kustomization::{Kustomization, problem, text};
use super::patch::Target;
use super::resource::{Gvk, ResId, Resource};
use crate::render::files::Problem;
use crate::render::value::{Node, Value};
use crate::source::Span;

/// One step of a replacement field path.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    Field(String),
    /// `[key=value]`: the list elements whose `key` is `value` (`*`: any).
    Match(String, String),
    Index(usize),
    /// `*`: every element or field.
    All,
}

/// Splits at `.` outside brackets, where `\.` is a dot inside a name (Kustomize's
/// `SmarterPathSplitter`).
fn parse_path(path: &str) -> Vec<Step> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'.') => {
                current.push('.');
                chars.next();
            }
            '[' => {
                depth += 1;
                current.push(c);
            }
            ']' => {
                depth = depth.saturating_sub(1);
                current.push(c);
            }
            '.' if depth == 0 => parts.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    parts.push(current);
    parts
        .into_iter()
        .map(|part| {
            if part == "*" {
                Step::All
            } else if let Some(inner) = part.strip_prefix('[').and_then(|p| p.strip_suffix(']')) {
                match inner.split_once('=') {
                    Some((k, v)) => Step::Match(k.to_string(), v.to_string()),
                    None => Step::Field(inner.to_string()),
                }
            } else if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) {
                part.parse().map_or(Step::Field(part), Step::Index)
            } else {
                Step::Field(part)
            }
        })
        .collect()
}

fn element_matches(item: &Value, key: &str, value: &str) -> bool {
    if key.is_empty() {
        return value == "*" || item.as_str() == Some(value);
    }
    item.get(key)
        .and_then(|v| v.scalar())
        .is_some_and(|s| value == "*" || s.text == value)
}

/// The first node at `steps` (Kustomize's `Lookup`).
fn lookup<'v>(value: &'v Value, steps: &[Step]) -> Option<&'v Value> {
    let Some((step, rest)) = steps.split_first() else {
        return Some(value);
    };
    let next = match step {
        Step::Field(name) => value.get(name)?,
        Step::Match(k, v) => value.items().iter().find(|i| element_matches(i, k, v))?,
        Step::Index(i) => value.items().get(*i)?,
        Step::All => return value.items().iter().find_map(|i| lookup(i, rest)),
    };
    lookup(next, rest)
}

/// Every node at `steps` (Kustomize's `PathMatcher`), or with `create` the one node,
/// made where missing.
fn visit(
    value: &mut Value,
    steps: &[Step],
    create: Option<&Value>,
    span: Span,
    f: &mut dyn FnMut(&mut Value),
) -> Result<(), String> {
    let Some((step, rest)) = steps.split_first() else {
        f(value);
        return Ok(());
    };
    let new_node = |rest: &[Step]| match rest.first() {
        None => create.map_or_else(|| Value::map(span), |v| empty_like(v, span)),
        Some(Step::Field(_)) => Value::map(span),
        Some(_) => Value::seq(Vec::new(), span),
    };
    match step {
        Step::Field(name) => {
            if value.is_null() && create.is_some() {
                *value = Value::map(value.span);
            }
            if value.get(name).is_none() {
                if create.is_none() || !value.is_map() {
                    return Ok(());
                }
                value.insert(name, span, new_node(rest));
            }
            match value.get_mut(name) {
                Some(next) => visit(next, rest, create, span, f),
                None => Ok(()),
            }
        }
        Step::Match(k, v) => {
            let Some(items) = value.items_mut() else {
                return Ok(());
            };
            let mut found = false;
            for item in items.iter_mut().filter(|i| element_matches(i, k, v)) {
                found = true;
                visit(item, rest, create, span, f)?;
            }
            if !found && create.is_some() && v != "*" {
                let mut element = if k.is_empty() {
                    Value::string(v.clone(), span)
                } else {
                    let mut m = Value::map(span);
                    m.insert(k, span, Value::string(v.clone(), span));
                    m
                };
                visit(&mut element, rest, create, span, f)?;
                items.push(element);
            }
            Ok(())
        }
        Step::Index(i) => match value.items_mut().and_then(|items| items.get_mut(*i)) {
            Some(next) => visit(next, rest, create, span, f),
            None => Ok(()),
        },
        Step::All => {
            if create.is_some() {
                return Err("cannot support create option in a multi-value target".into());
            }
            match &mut value.node {
                Node::Seq(items) => {
                    for item in items {
                        visit(item, rest, create, span, f)?;
                    }
                }
                Node::Map(entries) => {
                    for (_, v) in entries {
                        visit(v, rest, create, span, f)?;
                    }
                }
                Node::Scalar(_) => {}
            }
            Ok(())
        }
    }
}

/// Kustomize's `IsNilOrEmpty`: null, or an empty map or list.
fn is_nil_or_empty(v: &Value) -> bool {
    v.is_null() || (v.is_map() && v.entries().is_empty()) || (v.is_seq() && v.items().is_empty())
}

fn empty_like(value: &Value, span: Span) -> Value {
    match value.node {
        Node::Map(_) => Value::map(span),
        Node::Seq(_) => Value::seq(Vec::new(), span),
        Node::Scalar(_) => Value::plain("", span),
    }
}

/// A `select`, `reject` or `source` selector: type, name and namespace, plus label and
/// annotation selectors.
struct Selector {
    id: ResId,
    labels: Option<String>,
    annotations: Option<String>,
}

impl Selector {
    fn parse(value: &Value, extra: &[&str]) -> Result<Selector, Problem> {
        let mut id = ResId {
            gvk: Gvk::default(),
            name: String::new(),
            namespace: String::new(),
        };
        let mut labels = None;
        let mut annotations = None;
        for (key, v) in value.entries() {
            let field = |f: &str| text(v, f).map(|t| t.value);
            match key.name.to_ascii_lowercase().as_str() {
                "group" => id.gvk.group = field("group")?,
                "version" => id.gvk.version = field("version")?,
                "kind" => id.gvk.kind = field("kind")?,
                "name" => id.name = field("name")?,
                "namespace" => id.namespace = field("namespace")?,
                "labelselector" => labels = Some(field("labelSelector")?),
                "annotationselector" => annotations = Some(field("annotationSelector")?),
                k if extra.contains(&k) => {}
                _ => {
                    return Err(problem(
                        key.span,
                        format!(
                            "invalid Kustomization: json: unknown field \"{}\"",
                            key.name
                        ),
                    ));
                }
            }
        }
        Ok(Selector {
            id,
            labels,
            annotations,
        })
    }

    fn has_id(&self) -> bool {
        !self.id.name.is_empty() || !self.id.namespace.is_empty() || self.id.gvk != Gvk::default()
    }

    /// Kustomize's `ResId.IsSelectedBy`.
    fn selects_id(&self, id: &ResId) -> bool {
        (self.id.name.is_empty() || self.id.name == id.name)
            && (self.id.namespace.is_empty()
                || self.id.effective_namespace() == id.effective_namespace())
            && id.gvk.is_selected_by(&self.id.gvk)
    }

    fn selects_labels(&self, resource: &Resource) -> bool {
        if self.labels.as_deref().unwrap_or("").is_empty()
            && self.annotations.as_deref().unwrap_or("").is_empty()
        {
            return true;
        }
        let target = Target {
            label_selector: self.labels.clone().filter(|s| !s.is_empty()),
            annotation_selector: self.annotations.clone().filter(|s| !s.is_empty()),
            ..Target::default()
        };
        target.matches(&resource.value)
    }
}

struct Options {
    delimiter: String,
    index: i64,
    create: bool,
}

fn options(value: Option<&Value>) -> Result<Options, Problem> {
    let mut o = Options {
        delimiter: String::new(),
        index: 0,
        create: false,
    };
    for (key, v) in value.map(Value::entries).unwrap_or_default() {
        match key.name.to_ascii_lowercase().as_str() {
            "delimiter" => o.delimiter = text(v, "delimiter")?.value,
            "index" => o.index = v.as_i64().unwrap_or(0),
            "create" => o.create = v.as_bool().unwrap_or(false),
            _ => {}
        }
    }
    Ok(o)
}

pub(super) fn run(
    builder: &mut Builder<'_>,
    k: &Kustomization,
    resources: &mut [Resource],
) -> Result<(), Problem> {
    let mut replacements: Vec<Value> = Vec::new();
    for entry in &k.replacements {
        match get_folded(entry, "path") {
            Some(path) => {
                let path = text(path, "path")?;
                let file = builder.file_in(&k.dir, &path)?;
                let documents = match builder.read_yaml(&file) {
                    Some(Ok(d)) => d,
                    Some(Err(e)) => return Err(problem(path.span, format!("`{file}`: {e}"))),
                    None => {
                        return Err(problem(
                            path.span,
                            format!("open {file}: no such file or directory"),
                        ));
                    }
                };
                for document in documents {
                    if document.is_seq() {
                        replacements.extend(document.items().iter().cloned());
                    } else {
                        replacements.push(document);
                    }
                }
            }
            None => replacements.push(entry.clone()),
        }
    }
    for replacement in &replacements {
        apply(replacement, resources)?;
    }
    Ok(())
}

fn apply(replacement: &Value, resources: &mut [Resource]) -> Result<(), Problem> {
    let (Some(source), Some(targets)) = (
        get_folded(replacement, "source"),
        get_folded(replacement, "targets"),
    ) else {
        return Err(problem(
            replacement.span,
            "replacements must specify a source and at least one target",
        ));
    };
    let selector = Selector::parse(source, &["fieldpath", "options"])?;
    let found: Vec<&Resource> = resources
        .iter()
        .filter(|r| r.all_ids().iter().any(|id| selector.selects_id(id)))
        .collect();
    let source_object = match found.as_slice() {
        [one] => *one,
        [] => {
            return Err(problem(
                source.span,
                format!("nothing selected by {}", selector.id.display()),
            ));
        }
        _ => {
            return Err(problem(
                source.span,
                format!("multiple matches for selector {}", selector.id.display()),
            ));
        }
    };
    let field_path = get_folded(source, "fieldPath")
        .and_then(Value::as_str)
        .filter(|p| !p.is_empty())
        .unwrap_or("metadata.name");
    let mut value = lookup(&source_object.value, &parse_path(field_path))
        .filter(|v| !is_nil_or_empty(v))
        .cloned()
        .ok_or_else(|| {
            problem(
                source.span,
                format!(
                    "fieldPath `{field_path}` is missing for replacement source {}",
                    selector.id.display()
                ),
            )
        })?;
    let source_options = options(get_folded(source, "options"))?;
    if !source_options.delimiter.is_empty() {
        let Some(s) = value.scalar() else {
            return Err(problem(
                source.span,
                "delimiter option can only be used with scalar nodes",
            ));
        };
        let parts: Vec<&str> = s.text.split(source_options.delimiter.as_str()).collect();
        let Some(part) = usize::try_from(source_options.index)
            .ok()
            .and_then(|i| parts.get(i))
        else {
            return Err(problem(
                source.span,
                format!(
                    "options.index {} is out of bounds for value {}",
                    source_options.index, s.text
                ),
            ));
        };
        value = Value::string(part.to_string(), value.span);
    }
    for target in targets.items() {
        let Some(select) = get_folded(target, "select") else {
            return Err(problem(
                target.span,
                "target must specify resources to select",
            ));
        };
        let select = Selector::parse(select, &[])?;
        let rejects: Vec<Selector> = get_folded(target, "reject")
            .map(Value::items)
            .unwrap_or_default()
            .iter()
            .map(|r| Selector::parse(r, &[]))
            .collect::<Result<_, _>>()?;
        let field_paths: Vec<String> = match get_folded(target, "fieldPaths") {
            Some(paths) if !paths.items().is_empty() => paths
                .items()
                .iter()
                .map(|p| text(p, "fieldPaths").map(|t| t.value))
                .collect::<Result<_, _>>()?,
            _ => vec!["metadata.name".to_string()],
        };
        let target_options = options(get_folded(target, "options"))?;
        for resource in resources.iter_mut() {
            if !select.selects_labels(resource)
                || rejects.iter().any(|r| {
                    (r.labels.is_some() || r.annotations.is_some()) && r.selects_labels(resource)
                })
            {
                continue;
            }
            // Selected by any of its ids, and rejected by any.
            let ids = resource.all_ids();
            let chosen = ids.iter().any(|id| select.selects_id(id))
                && !rejects
                    .iter()
                    .any(|r| r.has_id() && ids.iter().any(|id| r.selects_id(id)));
            if !chosen {
                continue;
            }
            for path in &field_paths {
                copy_to(resource, path, &value, &target_options)
                    .map_err(|e| problem(target.span, e))?;
            }
        }
    }
    Ok(())
}

fn copy_to(
    resource: &mut Resource,
    path: &str,
    value: &Value,
    options: &Options,
) -> Result<(), String> {
    let steps = parse_path(path);
    let mut failure = None;
    let create = options.create.then_some(value);
    visit(
        &mut resource.value,
        &steps,
        create,
        value.span,
        &mut |node| {
            let mut new = value.clone();
            if !options.delimiter.is_empty() {
                let Some(current) = node.scalar().map(|s| s.text.clone()) else {
                    failure =
                        Some("delimiter option can only be used with scalar nodes".to_string());
                    return;
                };
                let mut parts: Vec<String> = current
                    .split(options.delimiter.as_str())
                    .map(str::to_string)
                    .collect();
                let v = value.scalar().map(|s| s.text.clone()).unwrap_or_default();
                match usize::try_from(options.index) {
                    Err(_) => parts.insert(0, v),
                    Ok(i) if i >= parts.len() => parts.push(v),
                    Ok(i) => parts[i] = v,
                }
                new = Value::string(parts.join(options.delimiter.as_str()), value.span);
            }
            // A scalar target keeps its type (yaml.v3's reading of it); only its text
            // changes, so a string stays a string and a number a number.
            match (&node.node, &new.node) {
                (Node::Scalar(target), Node::Scalar(source)) => {
                    let was_string = target.style != crate::load::tree::ScalarStyle::Plain
                        || target.tag.is_some()
                        || super::normalise::reads_as_string(&target.text);
                    *node = if was_string {
                        Value::string(source.text.clone(), new.span)
                    } else {
                        Value::plain(source.text.clone(), new.span)
                    };
                }
                _ => *node = new,
            }
        },
    )?;
    failure.map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_dots_stay_in_names() {
        assert_eq!(
            parse_path(r"metadata.labels.postgres-operator\.crunchydata\.com/pguser"),
            vec![
                Step::Field("metadata".into()),
                Step::Field("labels".into()),
                Step::Field("postgres-operator.crunchydata.com/pguser".into()),
            ]
        );
    }

    #[test]
    fn paths_split_outside_brackets() {
        assert_eq!(
            parse_path("spec.template.metadata.annotations.[traffic.sidecar.istio.io/x]"),
            vec![
                Step::Field("spec".into()),
                Step::Field("template".into()),
                Step::Field("metadata".into()),
                Step::Field("annotations".into()),
                Step::Field("traffic.sidecar.istio.io/x".into()),
            ]
        );
        assert_eq!(
            parse_path("spec.http.0.route.[name=a].host"),
            vec![
                Step::Field("spec".into()),
                Step::Field("http".into()),
                Step::Index(0),
                Step::Field("route".into()),
                Step::Match("name".into(), "a".into()),
                Step::Field("host".into()),
            ]
        );
    }
}
