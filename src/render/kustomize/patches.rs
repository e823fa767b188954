//! How patches are found, told apart and aimed (Kustomize's PatchTransformer,
//! PatchStrategicMergeTransformer and PatchJson6902Transformer). Applying one is
//! `patch.rs`'s work.

use super::Builder;
use super::kustomization::{Kustomization, PatchEntry, problem, text};
use super::patch::{self, Target};
use super::resource::{ResId, Resource};
use crate::render::files::Problem;
use crate::render::value::Value;
use crate::source::Span;

/// A patch's documents: strategic merge patches (objects) or JSON 6902 operations.
enum Loaded {
    StrategicMerge(Vec<Value>),
    Json6902(Value),
}

fn classify(documents: Vec<Value>, at: Span) -> Result<Loaded, Problem> {
    match documents.as_slice() {
        [] => Err(problem(at, "the patch is empty")),
        [ops] if ops.is_seq() => {
            if let Some(op) = ops.items().iter().find(|op| !op.is_map()) {
                return Err(problem(op.span, "a JSON 6902 operation must be a map"));
            }
            Ok(Loaded::Json6902(ops.clone()))
        }
        _ if documents.iter().all(|d| d.is_map() || d.is_null()) => Ok(Loaded::StrategicMerge(
            super::resources::objects_of(documents)?,
        )),
        _ => Err(problem(at, "unable to parse SM or JSON patch")),
    }
}

/// Objects standing for `resource` under each name and namespace it can be selected
/// by: Kustomize matches a target against the original or the current name, and the
/// original or the current (effective) namespace.
fn selection_probes(resource: &Resource) -> Vec<Value> {
    let original = resource.original_id();
    let current = resource.current_id();
    let mut probes = Vec::new();
    let names = [&original.name, &current.name];
    let namespaces = [
        original.effective_namespace().to_string(),
        current.effective_namespace().to_string(),
    ];
    for name in names {
        for namespace in &namespaces {
            let span = resource.value.span;
            let mut probe = Value::map(span);
            for field in ["apiVersion", "kind"] {
                if let Some(v) = resource.value.get(field) {
                    probe.insert(field, span, v.clone());
                }
            }
            let metadata = probe.map_at("metadata", span);
            metadata.insert("name", span, Value::string(name.clone(), span));
            metadata.insert("namespace", span, Value::string(namespace.clone(), span));
            for field in ["labels", "annotations"] {
                if let Some(v) = resource.value.path(&["metadata", field]) {
                    metadata.insert(field, span, v.clone());
                }
            }
            probes.push(probe);
        }
    }
    probes
}

fn selected(target: &Target, resource: &Resource) -> bool {
    selection_probes(resource).iter().any(|p| target.matches(p))
}

/// The one resource a strategic merge patch without a target names.
fn by_id(resources: &[Resource], id: &ResId, at: Span) -> Result<usize, Problem> {
    let found: Vec<usize> = resources
        .iter()
        .enumerate()
        .filter(|(_, r)| r.any_id(|i| i.equals(id)))
        .map(|(i, _)| i)
        .collect();
    match found.as_slice() {
        [i] => Ok(*i),
        [] => Err(problem(
            at,
            format!(
                "no resource matches strategic merge patch \"{}\": no matches for Id {0}",
                id.display()
            ),
        )),
        _ => Err(problem(
            at,
            format!(
                "multiple matches for Id {}; failed to find unique target for patch",
                id.display()
            ),
        )),
    }
}

/// Applies a strategic merge patch to `resources[i]`; the object keeps its kind, name
/// and namespace unless the patch entry allows the change. Returns whether the object
/// is still there (`$patch: delete` removes it).
fn merge_into(
    resources: &mut [Resource],
    i: usize,
    patch_object: &Value,
    allow_name_change: bool,
    allow_kind_change: bool,
    at: Span,
) -> Result<bool, Problem> {
    // `$patch: delete` at the top removes the object (patch.rs leaves that to us).
    if patch::strategic_merge_deletes_object(patch_object) {
        return Ok(false);
    }
    let resource = &mut resources[i];
    if allow_name_change || allow_kind_change {
        resource.store_previous_id();
    }
    let kind = resource.value.get("kind").cloned();
    let name = resource.value.path(&["metadata", "name"]).cloned();
    let namespace = resource.value.path(&["metadata", "namespace"]).cloned();
    let mut patch_object = patch_object.clone();
    if let Some(api_version) = resource.value.get("apiVersion") {
        patch_object.insert("apiVersion", api_version.span, api_version.clone());
    }
    patch::strategic_merge(&mut resource.value, &patch_object).map_err(|e| {
        problem(
            at,
            format!(
                "applying the patch to {}: {e}",
                resource.current_id().display()
            ),
        )
    })?;
    if resource.is_empty() {
        return Ok(false);
    }
    if !resource.value.is_map() {
        return Err(problem(
            at,
            "the patch leaves something that is not an object",
        ));
    }
    if !allow_kind_change && let Some(kind) = kind {
        resource.value.insert("kind", kind.span, kind);
    }
    let span = resource.value.span;
    let metadata = resource.value.map_at("metadata", span);
    if !allow_name_change && let Some(name) = name {
        metadata.insert("name", name.span, name);
    }
    match namespace {
        Some(ns) => metadata.insert("namespace", ns.span, ns),
        None => {
            metadata.remove("namespace");
        }
    }
    Ok(true)
}

impl Builder<'_> {
    /// The text of an entry's `path` file or inline `patch`, as YAML documents.
    fn patch_documents(
        &mut self,
        k: &Kustomization,
        entry: &PatchEntry,
    ) -> Result<Vec<Value>, Problem> {
        match (&entry.path, &entry.patch) {
            (Some(_), Some(_)) => Err(problem(
                entry.span,
                "patch and path can't be set at the same time",
            )),
            (None, None) => Err(problem(entry.span, "must specify one of patch and path")),
            (Some(path), None) => {
                let path = self.file_in(&k.dir, path)?;
                match self.read_yaml(&path) {
                    Some(Ok(documents)) => Ok(documents),
                    Some(Err(e)) => Err(problem(entry.span, format!("`{path}`: {e}"))),
                    None => Err(problem(
                        entry.span,
                        format!("open {path}: no such file or directory"),
                    )),
                }
            }
            (None, Some(inline)) if inline.is_map() || inline.is_seq() => Ok(vec![inline.clone()]),
            (None, Some(inline)) => {
                let t = text(inline, "Patch.patches.patch")?;
                if t.value.trim().is_empty() {
                    return Err(problem(entry.span, "must specify one of patch and path"));
                }
                self.inline_yaml(inline)
                    .map_err(|e| problem(inline.span, format!("the patch does not parse: {e}")))
            }
        }
    }

    /// `patches` (and `patchesJson6902`, which is the same with JSON 6902 only).
    pub(super) fn patches(
        &mut self,
        k: &Kustomization,
        entries: &[PatchEntry],
        resources: &mut Vec<Resource>,
    ) -> Result<(), Problem> {
        for entry in entries {
            let documents = self.patch_documents(k, entry)?;
            let target = entry
                .target
                .as_ref()
                .map(|t| Target::parse(t).map_err(|e| problem(t.span, e)))
                .transpose()?;
            match classify(documents, entry.span)? {
                Loaded::Json6902(operations) => {
                    let Some(target) = target else {
                        return Err(problem(entry.span, "must specify a target for JSON patch"));
                    };
                    for resource in resources.iter_mut().filter(|r| selected(&target, r)) {
                        resource.store_previous_id();
                        patch::json6902(&mut resource.value, &operations).map_err(|e| {
                            problem(
                                entry.span,
                                format!(
                                    "applying the JSON 6902 patch to {}: {e}",
                                    resource.current_id().display()
                                ),
                            )
                        })?;
                    }
                }
                Loaded::StrategicMerge(objects) => match target {
                    Some(target) => {
                        if objects.len() > 1 {
                            return Err(problem(
                                entry.span,
                                "Multiple Strategic-Merge Patches in one `patches` entry is not allowed to set `patches.target` field",
                            ));
                        }
                        let Some(object) = objects.first() else {
                            continue;
                        };
                        let mut i = 0;
                        while i < resources.len() {
                            if selected(&target, &resources[i])
                                && !merge_into(
                                    resources,
                                    i,
                                    object,
                                    entry.allow_name_change,
                                    entry.allow_kind_change,
                                    entry.span,
                                )?
                            {
                                resources.remove(i);
                                continue;
                            }
                            i += 1;
                        }
                    }
                    None => {
                        for object in &objects {
                            let id = Resource::new(object.clone()).current_id();
                            let i = by_id(resources, &id, entry.span)?;
                            if !merge_into(
                                resources,
                                i,
                                object,
                                entry.allow_name_change,
                                entry.allow_kind_change,
                                entry.span,
                            )? {
                                resources.remove(i);
                            }
                        }
                    }
                },
            }
        }
        Ok(())
    }

    /// `patchesStrategicMerge`: files, or patches written inline as strings.
    pub(super) fn patches_strategic_merge(
        &mut self,
        k: &Kustomization,
        resources: &mut Vec<Resource>,
    ) -> Result<(), Problem> {
        for entry in &k.patches_strategic_merge {
            let t = text(entry, "patchesStrategicMerge")?;
            // Kustomize first reads the string as a patch, then as a path.
            let inline = self
                .inline_yaml(entry)
                .ok()
                .and_then(|d| super::resources::objects_of(d).ok())
                .filter(|objects| !objects.is_empty());
            let objects = match inline {
                Some(objects) => objects,
                None => {
                    let path = self.file_in(&k.dir, &t)?;
                    let documents = match self.read_yaml(&path) {
                        Some(Ok(documents)) => documents,
                        Some(Err(e)) => return Err(problem(t.span, format!("`{path}`: {e}"))),
                        None => {
                            return Err(problem(
                                t.span,
                                format!("open {path}: no such file or directory"),
                            ));
                        }
                    };
                    super::resources::objects_of(documents)?
                }
            };
            if objects.is_empty() {
                return Err(problem(t.span, "patch appears to be empty"));
            }
            for object in &objects {
                let id = Resource::new(object.clone()).current_id();
                let i = by_id(resources, &id, t.span)?;
                if !merge_into(resources, i, object, false, false, t.span)? {
                    resources.remove(i);
                }
            }
        }
        Ok(())
    }
}
