//! Name references (Kustomize's `nameReferenceTransformer` and `nameref` filter): after
//! prefixes, suffixes, namespaces and content hashes changed names, every field that
//! names another object (a pod's ConfigMap volume, a RoleBinding's subjects, an HPA's
//! target, per the `nameReference` configuration) follows the rename.
//!
//! A reference is updated to the one object of the referred kind that once carried the
//! referenced name, preferring objects in the referrer's namespace and with the same
//! prefixes and suffixes; an ambiguous reference fails the build, as in Kustomize.
//! The updated value keeps the span of the reference as written.

use super::fieldspec::{self, FieldSpec, TransformerConfig};
use super::kustomization::problem;
use super::resource::{Gvk, ResId, Resource};
use crate::render::files::Problem;
use crate::render::value::{Node, Value};
use crate::source::Span;

/// What the filter needs to know about a possible referral, taken before any update.
struct Candidate {
    current: ResId,
    previous: Vec<ResId>,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
    kind: String,
    namespace: String,
    namespace_span: Span,
}

/// One referrer: its id, name affixes, and RoleBinding subject namespaces.
struct Referrer {
    current: ResId,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
    role_ref: Option<Gvk>,
}

pub(super) fn fix(resources: &mut [Resource], config: &TransformerConfig) -> Result<(), Problem> {
    let candidates: Vec<Candidate> = resources
        .iter()
        .map(|r| Candidate {
            current: r.current_id(),
            previous: r.previous.clone(),
            prefixes: r.prefixes.clone(),
            suffixes: r.suffixes.clone(),
            kind: r.kind().to_string(),
            namespace: r.namespace().to_string(),
            namespace_span: r
                .value
                .path(&["metadata", "namespace"])
                .map_or(r.value.span, |v| v.span),
        })
        .collect();
    // Nothing was renamed: no reference can need an update.
    if candidates.iter().all(|c| c.previous.is_empty()) {
        return Ok(());
    }
    for (i, resource) in resources.iter_mut().enumerate() {
        let original = resource.original_id().gvk;
        let mut filters: Vec<(&FieldSpec, &Gvk)> = Vec::new();
        for back_reference in &config.name_reference {
            for spec in &back_reference.referrers {
                if original.is_selected_by(&spec.gvk)
                    && fieldspec::has_field(&resource.value, &spec.segments())
                {
                    filters.push((spec, &back_reference.gvk));
                }
            }
        }
        if filters.is_empty() {
            continue;
        }
        let referrer = Referrer {
            current: candidates[i].current.clone(),
            prefixes: resource.prefixes.clone(),
            suffixes: resource.suffixes.clone(),
            role_ref: resource.value.get("roleRef").and_then(|r| {
                Some(Gvk {
                    group: r.get("apiGroup")?.as_str().unwrap_or("").to_string(),
                    version: String::new(),
                    kind: r.get("kind")?.as_str().unwrap_or("").to_string(),
                })
            }),
        };
        let reachable = reachable_from(&referrer, &resource.value, &candidates);
        for (spec, target) in filters {
            let is_role_ref = spec.path.ends_with("roleRef/name");
            let mut set = |node: &mut Value| {
                let context = Context {
                    referrer: &referrer,
                    candidates: &candidates,
                    reachable: &reachable,
                    target,
                    role_ref: if is_role_ref {
                        referrer.role_ref.as_ref()
                    } else {
                        None
                    },
                };
                context.set(node)
            };
            fieldspec::apply_path(
                &mut resource.value,
                &spec.segments(),
                None,
                Span::default(),
                &mut set,
            )
            .map_err(|e| {
                problem(
                    resource.value.span,
                    format!(
                        "updating name reference in '{}' field of '{}': {e}",
                        spec.path,
                        referrer.current.display()
                    ),
                )
            })?;
        }
    }
    Ok(())
}

/// Kustomize's `SubsetThatCouldBeReferencedByResource`: indexes of candidates in the
/// referrer's namespace, cluster-scoped ones, and for a RoleBinding the namespaces of
/// its ServiceAccount subjects.
fn reachable_from(referrer: &Referrer, value: &Value, candidates: &[Candidate]) -> Vec<usize> {
    if referrer.current.gvk.is_cluster_scoped() {
        return (0..candidates.len()).collect();
    }
    let mut subject_namespaces: Vec<&str> = Vec::new();
    if referrer.current.gvk.kind == "RoleBinding" {
        for subject in value.get("subjects").map(Value::items).unwrap_or_default() {
            if subject.get_str("kind") == Some("ServiceAccount")
                && let Some(ns) = subject.get_str("namespace")
            {
                subject_namespaces.push(ns);
            }
        }
    }
    candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            c.current.gvk.is_cluster_scoped()
                || c.current.effective_namespace() == referrer.current.effective_namespace()
                || subject_namespaces.contains(&c.namespace.as_str())
        })
        .map(|(i, _)| i)
        .collect()
}

/// Kustomize's `SameEndingSubSlice`.
fn same_ending(a: &[String], b: &[String]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return long.is_empty();
    }
    long.ends_with(short)
}

struct Context<'a> {
    referrer: &'a Referrer,
    candidates: &'a [Candidate],
    reachable: &'a [usize],
    target: &'a Gvk,
    role_ref: Option<&'a Gvk>,
}

impl Context<'_> {
    fn set(&self, node: &mut Value) -> Result<(), String> {
        if node.is_null() {
            return Ok(());
        }
        match &mut node.node {
            Node::Scalar(_) => self.set_scalar(node),
            Node::Map(_) => self.set_mapping(node),
            Node::Seq(items) => {
                for item in items {
                    match &item.node {
                        _ if item.is_null() => {}
                        Node::Scalar(_) => self.set_scalar(item)?,
                        Node::Map(_) => self.set_mapping(item)?,
                        Node::Seq(_) => return Err("expected a string or a map of strings".into()),
                    }
                }
                Ok(())
            }
        }
    }

    fn set_scalar(&self, node: &mut Value) -> Result<(), String> {
        let old = node.scalar().map(|s| s.text.clone()).unwrap_or_default();
        let Some(referral) = self.select(&old, self.reachable.to_vec(), false)? else {
            return Ok(());
        };
        let name = &self.candidates[referral].current.name;
        if *name != old {
            *node = Value::string(name.clone(), node.span);
        }
        Ok(())
    }

    fn set_mapping(&self, node: &mut Value) -> Result<(), String> {
        let Some(old) = node
            .get("name")
            .map(|n| n.scalar().map(|s| s.text.clone()).unwrap_or_default())
        else {
            return Err("path config error; no 'name' field in node".into());
        };
        let pool: Vec<usize> = match node.get("namespace") {
            None => self.reachable.to_vec(),
            Some(ns) => {
                let ns = ns.scalar().map(|s| s.text.clone()).unwrap_or_default();
                let by_original: Vec<usize> = self
                    .reachable
                    .iter()
                    .copied()
                    .filter(|i| {
                        let c = &self.candidates[*i];
                        !c.current.gvk.is_cluster_scoped()
                            && c.previous
                                .first()
                                .unwrap_or(&c.current)
                                .effective_namespace()
                                == ns
                    })
                    .collect();
                if by_original.is_empty() {
                    self.reachable
                        .iter()
                        .copied()
                        .filter(|i| {
                            let c = &self.candidates[*i];
                            !c.current.gvk.is_cluster_scoped()
                                && c.current.effective_namespace() == ns
                        })
                        .collect()
                } else {
                    by_original
                }
            }
        };
        let Some(referral) = self.select(&old, pool, true)? else {
            return Ok(());
        };
        let referral = &self.candidates[referral];
        if referral.current.name == old && referral.namespace.is_empty() {
            return Ok(());
        }
        let name_span = node.get("name").map_or(node.span, |n| n.span);
        node.insert(
            "name",
            name_span,
            Value::string(referral.current.name.clone(), name_span),
        );
        if !referral.namespace.is_empty() {
            let span = node
                .get("namespace")
                .filter(|n| n.as_str() == Some(referral.namespace.as_str()))
                .map_or(referral.namespace_span, |n| n.span);
            node.insert(
                "namespace",
                span,
                Value::string(referral.namespace.clone(), span),
            );
        }
        Ok(())
    }

    /// Kustomize's `selectReferral`.
    fn select(
        &self,
        old: &str,
        pool: Vec<usize>,
        with_namespace: bool,
    ) -> Result<Option<usize>, String> {
        let candidates = self.candidates;
        let referrer = self.referrer;
        let mut pool: Vec<usize> = pool
            .into_iter()
            .filter(|i| {
                let c = &candidates[*i];
                c.previous.iter().any(|id| id.name == old)
                    && c.previous
                        .iter()
                        .any(|id| id.gvk.is_selected_by(self.target))
                    && self
                        .role_ref
                        .is_none_or(|g| c.previous.iter().any(|id| id.gvk.is_selected_by(g)))
                    && (referrer.current.gvk.is_cluster_scoped()
                        || c.current.gvk.is_cluster_scoped()
                        || c.kind == "ServiceAccount"
                        || c.current.effective_namespace()
                            == referrer.current.effective_namespace())
            })
            .collect();
        if pool.len() == 1 {
            return Ok(pool.first().copied());
        }
        pool.retain(|i| {
            let c = &candidates[*i];
            same_ending(&c.prefixes, &referrer.prefixes)
                && same_ending(&c.suffixes, &referrer.suffixes)
        });
        match pool.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(*one)),
            [first, rest @ ..] => {
                let same = |i: &usize| {
                    candidates[*i].current.name == candidates[*first].current.name
                        && (!with_namespace
                            || candidates[*i].namespace == candidates[*first].namespace)
                };
                if rest.iter().all(same) {
                    Ok(Some(*first))
                } else {
                    let ids: Vec<String> = pool
                        .iter()
                        .map(|i| candidates[*i].current.display())
                        .collect();
                    Err(format!(
                        "found multiple possible referrals: {}",
                        ids.join(", ")
                    ))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affix_lists_compare_by_their_ends() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(same_ending(&v(&["a", "b", "c"]), &v(&["b", "c"])));
        assert!(!same_ending(&v(&["a", "b", "c"]), &v(&["a", "b"])));
        assert!(same_ending(&v(&[]), &v(&[])));
        assert!(!same_ending(&v(&[]), &v(&["a"])));
    }
}
