//! The `transformers` field: configurations of Kustomize's built-in transformers
//! (`apiVersion: builtin`), inline or in files, run after the kustomization's own
//! transformers. Anything else is an exec or Go plugin, which Argo CD does not run
//! without extra flags: a Problem.

use super::fieldspec::{FieldSpec, get_folded};
use super::kustomization::{
    ImageRule, Kustomization, PatchEntry, ReplicaRule, Text, boolean, problem, string_map, text,
};
use super::resource::Resource;
use super::transformers::{Affix, add_affix, add_map_entries, set_namespace};
use super::{Accumulator, Builder};
use crate::render::files::Problem;
use crate::render::value::Value;

pub(super) fn run(
    builder: &mut Builder<'_>,
    k: &Kustomization,
    accumulator: &mut Accumulator,
) -> Result<(), Problem> {
    for entry in &k.transformers {
        let t = text(entry, "transformers")?;
        let inline = builder
            .inline_yaml(entry)
            .ok()
            .filter(|d| d.iter().any(|v| v.get("kind").is_some()));
        let configs = match inline {
            Some(configs) => configs,
            None => {
                let path = builder.file_in(&k.dir, &t)?;
                match builder.read_yaml(&path) {
                    Some(Ok(documents)) => documents,
                    Some(Err(e)) => return Err(problem(t.span, format!("`{path}`: {e}"))),
                    None => {
                        return Err(problem(
                            t.span,
                            format!(
                                "transformer `{}` is not a file of builtin transformer configurations",
                                t.value
                            ),
                        ));
                    }
                }
            }
        };
        for config in super::resources::objects_of(configs)? {
            builder.run_builtin(k, &config, &mut accumulator.resources)?;
        }
    }
    Ok(())
}

fn specs(config: &Value) -> Result<Vec<FieldSpec>, Problem> {
    get_folded(config, "fieldSpecs")
        .map(Value::items)
        .unwrap_or_default()
        .iter()
        .map(|f| FieldSpec::parse(f).map_err(|e| problem(f.span, e)))
        .collect()
}

fn optional_text(config: &Value, key: &str) -> Result<Option<Text>, Problem> {
    get_folded(config, key)
        .map(|v| text(v, key))
        .transpose()
        .map(|t| t.filter(|t| !t.value.is_empty()))
}

impl Builder<'_> {
    fn run_builtin(
        &mut self,
        k: &Kustomization,
        config: &Value,
        resources: &mut Vec<Resource>,
    ) -> Result<(), Problem> {
        let kind = config.get_str("kind").unwrap_or("");
        if config.get_str("apiVersion") != Some("builtin") {
            return Err(problem(
                config.span,
                format!(
                    "the transformer plugin `{kind}` is not a builtin; synclint does not run plugins"
                ),
            ));
        }
        let config_specs = specs(config)?;
        match kind {
            "LabelTransformer" => {
                let labels = get_folded(config, "labels")
                    .map(|v| string_map(v, "labels"))
                    .transpose()?;
                add_map_entries(resources, &labels.unwrap_or_default(), &config_specs)
            }
            "AnnotationsTransformer" => {
                let annotations = get_folded(config, "annotations")
                    .map(|v| string_map(v, "annotations"))
                    .transpose()?;
                add_map_entries(resources, &annotations.unwrap_or_default(), &config_specs)
            }
            "PrefixSuffixTransformer" | "PrefixTransformer" | "SuffixTransformer" => {
                if let Some(prefix) = optional_text(config, "prefix")? {
                    add_affix(resources, &prefix, &config_specs, Affix::Prefix)?;
                }
                if let Some(suffix) = optional_text(config, "suffix")? {
                    add_affix(resources, &suffix, &config_specs, Affix::Suffix)?;
                }
                Ok(())
            }
            "NamespaceTransformer" => {
                let namespace = config
                    .path(&["metadata", "namespace"])
                    .map(|v| text(v, "metadata.namespace"))
                    .transpose()?;
                let unsupported = ["unsetOnly", "setRoleBindingSubjects"].iter().find(|f| {
                    get_folded(config, f).is_some_and(|v| {
                        !v.is_null()
                            && v.as_bool() != Some(false)
                            && v.as_str() != Some("defaultOnly")
                    })
                });
                if let Some(field) = unsupported {
                    return Err(problem(
                        config.span,
                        format!(
                            "NamespaceTransformer `{field}` is not supported by synclint's Kustomize"
                        ),
                    ));
                }
                match namespace {
                    Some(ns) => set_namespace(resources, &ns, &config_specs),
                    None => Ok(()),
                }
            }
            "ImageTagTransformer" => {
                let Some(image) = get_folded(config, "imageTag") else {
                    return Ok(());
                };
                let field = |key: &str| optional_text(image, key);
                let rule = ImageRule {
                    name: field("name")?.unwrap_or(Text {
                        value: String::new(),
                        span: image.span,
                    }),
                    new_name: field("newName")?,
                    new_tag: field("newTag")?,
                    digest: field("digest")?,
                    tag_suffix: field("tagSuffix")?,
                    span: image.span,
                };
                super::transformers::set_images(resources, &rule, &config_specs)
            }
            "PatchTransformer" | "PatchJson6902Transformer" => {
                let patch = get_folded(config, "patch")
                    .or_else(|| get_folded(config, "jsonOp"))
                    .cloned();
                let options = get_folded(config, "options");
                let flag = |key: &str| {
                    options
                        .and_then(|o| get_folded(o, key))
                        .map(|v| boolean(v, key))
                        .transpose()
                        .map(|b| b.unwrap_or(false))
                };
                let entry = PatchEntry {
                    path: optional_text(config, "path")?,
                    patch,
                    target: get_folded(config, "target").cloned(),
                    allow_name_change: flag("allowNameChange")?,
                    allow_kind_change: flag("allowKindChange")?,
                    span: config.span,
                };
                self.patches(k, &[entry], resources)
            }
            "ReplicaCountTransformer" => {
                let Some(replica) = get_folded(config, "replica") else {
                    return Ok(());
                };
                let name = optional_text(replica, "name")?.unwrap_or(Text {
                    value: String::new(),
                    span: replica.span,
                });
                let count = get_folded(replica, "count").filter(|c| !c.is_null());
                let rule = ReplicaRule {
                    name,
                    count: count.and_then(Value::as_i64).unwrap_or(0),
                    span: count.map_or(replica.span, |c| c.span),
                };
                super::transformers::set_replicas(resources, &rule, &config_specs)
            }
            "PatchStrategicMergeTransformer" => {
                let mut k2 = k.clone();
                k2.patches_strategic_merge = get_folded(config, "paths")
                    .map(|v| v.items().to_vec())
                    .unwrap_or_default();
                k2.patches_strategic_merge.extend(
                    get_folded(config, "patches")
                        .filter(|v| !v.is_null())
                        .cloned(),
                );
                self.patches_strategic_merge(&k2, resources)
            }
            "ReplacementTransformer" => {
                let mut k2 = k.clone();
                k2.replacements = get_folded(config, "replacements")
                    .map(|v| v.items().to_vec())
                    .unwrap_or_default();
                super::replacements::run(self, &k2, resources)
            }
            other => Err(problem(
                config.span,
                format!(
                    "the builtin transformer `{other}` is not supported by synclint's Kustomize"
                ),
            )),
        }
    }
}
