//! Kustomize patches: strategic merge (with Kubernetes' list merge keys), JSON 6902, and
//! the `target` selectors that choose which objects a patch applies to.
//!
//! Each follows what Kustomize v5 (as in `kubectl kustomize`) does, checked against it:
//! - [`strategic_merge`]: kyaml's merge, see the `strategic` module for the rules.
//!   Supported directives: `$patch: delete | replace | merge` on maps and list
//!   elements, and as a lone `- $patch: …` element of a merging list (`$patch: replace`
//!   on one element of a merging list is accepted but, as in Kustomize, changes
//!   nothing). Like Kustomize, `$retainKeys`, `$setElementOrder/…` and
//!   `$deleteFromPrimitiveList/…` are not directives: they stay in the output as
//!   ordinary fields.
//! - [`json6902`]: RFC 6902 with the behaviour of evanphx/json-patch v4 (a `replace`
//!   of a missing map key adds it, negative array indexes count from the end).
//! - [`Target`]: group, version, kind, anchored `name`/`namespace` regular expressions
//!   (see the `regex` module for the subset), label and annotation selectors.
//!
//! Every field taken from a patch keeps the patch file's span; untouched fields keep
//! the base's.

mod json6902;
mod labels;
mod list_merge;
mod regex;
mod schema;
mod selector;
mod strategic;

#[cfg(test)]
mod tests;

use crate::render::value::{Key, Value};

pub use selector::Target;

/// Options of a `patches:` entry that change what a strategic merge may rewrite.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SmpOptions {
    /// `options.allowNameChange`: the patch's `metadata.name` renames the object.
    pub allow_name_change: bool,
    /// `options.allowKindChange`: the patch's `kind` changes the object's kind.
    pub allow_kind_change: bool,
}

/// Applies a strategic-merge patch to `target` in place; patch values keep their spans.
///
/// As in Kustomize, the target keeps its `apiVersion`, `kind`, `metadata.name` and
/// `metadata.namespace` whatever the patch says (a patch chosen by a `target`
/// selector may name another object). A patch whose top level says `$patch: delete`
/// deletes the object: check [`strategic_merge_deletes_object`] first and drop it;
/// here it is an error. On error, `target` is unchanged.
pub fn strategic_merge(target: &mut Value, patch: &Value) -> Result<(), String> {
    strategic_merge_with(target, patch, SmpOptions::default())
}

/// [`strategic_merge`] with a `patches:` entry's options.
pub fn strategic_merge_with(
    target: &mut Value,
    patch: &Value,
    options: SmpOptions,
) -> Result<(), String> {
    if strategic_merge_deletes_object(patch) {
        return Err("the patch deletes the object (`$patch: delete`)".into());
    }
    if !patch.is_map() {
        return Err("a strategic merge patch must be a map".into());
    }
    if !target.is_map() {
        return Err("the patched object is not a map".into());
    }
    let identity = Identity::of(target);
    let merged = strategic::walk(Some(target.clone()), Some(patch), None)?
        .ok_or("the patch deletes the object")?;
    *target = merged;
    identity.restore(target, options);
    Ok(())
}

/// Whether the patch deletes the objects it applies to (`$patch: delete` at its top).
pub fn strategic_merge_deletes_object(patch: &Value) -> bool {
    patch.is_map() && patch.get_str(strategic::DIRECTIVE) == Some("delete")
}

/// Applies a list of JSON 6902 operations to `target` in place; `value`s keep their
/// spans. On error, `target` is unchanged.
pub fn json6902(target: &mut Value, operations: &Value) -> Result<(), String> {
    json6902::apply(target, operations)
}

/// The fields Kustomize puts back after a strategic merge.
struct Identity {
    api_version: Option<(Key, Value)>,
    kind: Option<(Key, Value)>,
    name: Option<(Key, Value)>,
    namespace: Option<(Key, Value)>,
}

impl Identity {
    fn of(object: &Value) -> Identity {
        let metadata = |key: &str| object.get("metadata").and_then(|m| m.entry(key)).cloned();
        Identity {
            api_version: object.entry("apiVersion").cloned(),
            kind: object.entry("kind").cloned(),
            name: metadata("name"),
            namespace: metadata("namespace"),
        }
    }

    fn restore(self, object: &mut Value, options: SmpOptions) {
        put_back(object, self.api_version);
        if !options.allow_kind_change {
            put_back(object, self.kind);
        }
        let span = object.span;
        if !options.allow_name_change && self.name.is_some() {
            put_back(object.map_at("metadata", span), self.name);
        }
        match self.namespace {
            Some(namespace) => put_back(object.map_at("metadata", span), Some(namespace)),
            None => {
                if let Some(metadata) = object.get_mut("metadata") {
                    metadata.remove("namespace");
                }
            }
        }
    }
}

fn put_back(map: &mut Value, entry: Option<(Key, Value)>) {
    if let Some((key, value)) = entry {
        map.insert(&key.name, key.span, value);
    }
}
