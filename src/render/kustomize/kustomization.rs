//! A kustomization file, read the way Kustomize reads it: unknown fields and values of
//! the wrong type fail the build, and deprecated fields are folded into their
//! replacements (`bases` into `resources`, `imageTags` into `images`, `env` into
//! `envs`).

use super::fieldspec::FieldSpec;
use super::resource::Behavior;
use crate::render::files::Problem;
use crate::render::value::Value;
use crate::source::Span;

/// A string read from a kustomization, with where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Text {
    pub value: String,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum KustKind {
    Kustomization,
    Component,
}

#[derive(Clone, Debug)]
pub(super) struct LabelSet {
    pub pairs: Vec<(Text, Text)>,
    pub include_selectors: bool,
    pub include_templates: bool,
    pub field_specs: Vec<FieldSpec>,
}

#[derive(Clone, Debug)]
pub(super) struct ImageRule {
    pub name: Text,
    pub new_name: Option<Text>,
    pub new_tag: Option<Text>,
    pub digest: Option<Text>,
    /// Appended to the tag (after `newTag`).
    pub tag_suffix: Option<Text>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub(super) struct ReplicaRule {
    pub name: Text,
    pub count: i64,
    pub span: Span,
}

/// An entry of `patches` or `patchesJson6902`.
#[derive(Clone, Debug)]
pub(super) struct PatchEntry {
    pub path: Option<Text>,
    /// The inline patch: a string in `patches`, or a map/list written inline.
    pub patch: Option<Value>,
    pub target: Option<Value>,
    pub allow_name_change: bool,
    pub allow_kind_change: bool,
    pub span: Span,
}

#[derive(Clone, Debug, Default)]
pub(super) struct GeneratorOptions {
    pub labels: Vec<(Text, Text)>,
    pub annotations: Vec<(Text, Text)>,
    pub disable_name_suffix_hash: bool,
    pub immutable: bool,
}

#[derive(Clone, Debug)]
pub(super) struct GeneratorArgs {
    pub name: Text,
    pub namespace: Option<Text>,
    pub behavior: Behavior,
    pub literals: Vec<Text>,
    pub files: Vec<Text>,
    pub envs: Vec<Text>,
    /// A Secret's `type`.
    pub secret_type: Option<Text>,
    pub options: Option<GeneratorOptions>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub(super) struct Kustomization {
    /// The directory, repository-relative.
    pub dir: String,
    pub kind: KustKind,
    /// The whole file's map, for problems about it.
    pub span: Span,
    pub resources: Vec<Text>,
    pub components: Vec<Text>,
    pub crds: Vec<Text>,
    pub configurations: Vec<Text>,
    pub namespace: Option<Text>,
    pub name_prefix: Option<Text>,
    pub name_suffix: Option<Text>,
    pub common_labels: Vec<(Text, Text)>,
    pub labels: Vec<LabelSet>,
    pub common_annotations: Vec<(Text, Text)>,
    pub images: Vec<ImageRule>,
    pub replicas: Vec<ReplicaRule>,
    pub patches: Vec<PatchEntry>,
    pub patches_strategic_merge: Vec<Value>,
    pub patches_json6902: Vec<PatchEntry>,
    pub config_map_generator: Vec<GeneratorArgs>,
    pub secret_generator: Vec<GeneratorArgs>,
    pub generator_options: Option<GeneratorOptions>,
    pub helm_charts: Vec<Value>,
    pub helm_globals: Option<Value>,
    /// The deprecated form of `helmCharts`.
    pub helm_chart_inflation_generator: Vec<Value>,
    pub replacements: Vec<Value>,
    pub vars: Vec<Value>,
    pub sort_options: Option<Value>,
    pub transformers: Vec<Value>,
    pub generators: Vec<Value>,
    pub validators: Vec<Value>,
    pub openapi: Option<Value>,
    pub build_metadata: Vec<Text>,
}

pub(super) use super::decode::{boolean, problem, string_map, text};
use super::decode::{invalid, list, map_entries, optional_text, texts, type_name, unknown};

fn generator_options(value: &Value, field: &str) -> Result<GeneratorOptions, Problem> {
    let mut options = GeneratorOptions::default();
    for (key, v) in map_entries(value, field)? {
        match key.name.to_ascii_lowercase().as_str() {
            "labels" => options.labels = string_map(v, &format!("{field}.labels"))?,
            "annotations" => options.annotations = string_map(v, &format!("{field}.annotations"))?,
            "disablenamesuffixhash" => options.disable_name_suffix_hash = boolean(v, field)?,
            "immutable" => options.immutable = boolean(v, field)?,
            _ => return Err(unknown(key)),
        }
    }
    Ok(options)
}

fn generator(value: &Value, field: &str, secret: bool) -> Result<GeneratorArgs, Problem> {
    let mut args = GeneratorArgs {
        name: Text {
            value: String::new(),
            span: value.span,
        },
        namespace: None,
        behavior: Behavior::Unspecified,
        literals: Vec::new(),
        files: Vec::new(),
        envs: Vec::new(),
        secret_type: None,
        options: None,
        span: value.span,
    };
    let mut env = None;
    for (key, v) in map_entries(value, field)? {
        match key.name.to_ascii_lowercase().as_str() {
            "name" => args.name = text(v, field)?,
            "namespace" => args.namespace = optional_text(v, field)?,
            "behavior" => {
                args.behavior = match text(v, field)?.value.as_str() {
                    "create" => Behavior::Create,
                    "replace" => Behavior::Replace,
                    "merge" => Behavior::Merge,
                    _ => Behavior::Unspecified,
                }
            }
            "literals" => args.literals = texts(v, field)?,
            "files" => args.files = texts(v, field)?,
            "envs" => args.envs = texts(v, field)?,
            "env" => env = optional_text(v, field)?,
            "options" => args.options = Some(generator_options(v, field)?),
            "type" if secret => args.secret_type = optional_text(v, field)?,
            _ => return Err(unknown(key)),
        }
    }
    args.envs.extend(env);
    Ok(args)
}

fn patch_entry(value: &Value, field: &str) -> Result<PatchEntry, Problem> {
    let mut entry = PatchEntry {
        path: None,
        patch: None,
        target: None,
        allow_name_change: false,
        allow_kind_change: false,
        span: value.span,
    };
    for (key, v) in map_entries(value, field)? {
        match key.name.to_ascii_lowercase().as_str() {
            "path" => entry.path = optional_text(v, field)?,
            "patch" => entry.patch = (!v.is_null()).then(|| v.clone()),
            "target" => entry.target = (!v.is_null()).then(|| v.clone()),
            "options" => {
                for (option, flag) in map_entries(v, field)? {
                    match option.name.to_ascii_lowercase().as_str() {
                        "allownamechange" => entry.allow_name_change = boolean(flag, field)?,
                        "allowkindchange" => entry.allow_kind_change = boolean(flag, field)?,
                        _ => {}
                    }
                }
            }
            _ => return Err(unknown(key)),
        }
    }
    Ok(entry)
}

fn label_set(value: &Value) -> Result<LabelSet, Problem> {
    let mut set = LabelSet {
        pairs: Vec::new(),
        include_selectors: false,
        include_templates: false,
        field_specs: Vec::new(),
    };
    for (key, v) in map_entries(value, "labels")? {
        match key.name.to_ascii_lowercase().as_str() {
            "pairs" => set.pairs = string_map(v, "Label.labels.pairs")?,
            "includeselectors" => set.include_selectors = boolean(v, "labels.includeSelectors")?,
            "includetemplates" => set.include_templates = boolean(v, "labels.includeTemplates")?,
            "fields" => {
                set.field_specs = list(v, "labels.fields")?
                    .iter()
                    .map(|f| FieldSpec::parse(f).map_err(|e| invalid(f.span, e)))
                    .collect::<Result<_, _>>()?
            }
            _ => return Err(unknown(key)),
        }
    }
    Ok(set)
}

fn image(value: &Value) -> Result<ImageRule, Problem> {
    let mut rule = ImageRule {
        name: Text {
            value: String::new(),
            span: value.span,
        },
        new_name: None,
        new_tag: None,
        digest: None,
        tag_suffix: None,
        span: value.span,
    };
    for (key, v) in map_entries(value, "images")? {
        let field = format!("Image.images.{}", key.name);
        match key.name.to_ascii_lowercase().as_str() {
            "name" => rule.name = text(v, &field)?,
            "newname" => rule.new_name = optional_text(v, &field)?,
            "newtag" => rule.new_tag = optional_text(v, &field)?,
            "digest" => rule.digest = optional_text(v, &field)?,
            "tagsuffix" => rule.tag_suffix = optional_text(v, &field)?,
            _ => return Err(unknown(key)),
        }
    }
    Ok(rule)
}

fn replica(value: &Value) -> Result<ReplicaRule, Problem> {
    let mut rule = ReplicaRule {
        name: Text {
            value: String::new(),
            span: value.span,
        },
        count: 0,
        span: value.span,
    };
    for (key, v) in map_entries(value, "replicas")? {
        match key.name.to_ascii_lowercase().as_str() {
            "name" => rule.name = text(v, "Replica.replicas.name")?,
            "count" => {
                rule.count = v.as_i64().ok_or_else(|| {
                    invalid(
                        v.span,
                        format!(
                            "json: cannot unmarshal {} into Go struct field Replica.replicas.count of type int64",
                            type_name(v)
                        ),
                    )
                })?;
                rule.span = v.span;
            }
            _ => return Err(unknown(key)),
        }
    }
    Ok(rule)
}

impl Kustomization {
    /// Reads the kustomization document `root` of directory `dir`.
    pub fn parse(root: &Value, dir: &str) -> Result<Kustomization, Problem> {
        if !root.is_map() {
            return Err(invalid(root.span, "the kustomization is not a map"));
        }
        let mut k = Kustomization {
            dir: dir.to_string(),
            kind: KustKind::Kustomization,
            span: root.span,
            resources: Vec::new(),
            components: Vec::new(),
            crds: Vec::new(),
            configurations: Vec::new(),
            namespace: None,
            name_prefix: None,
            name_suffix: None,
            common_labels: Vec::new(),
            labels: Vec::new(),
            common_annotations: Vec::new(),
            images: Vec::new(),
            replicas: Vec::new(),
            patches: Vec::new(),
            patches_strategic_merge: Vec::new(),
            patches_json6902: Vec::new(),
            config_map_generator: Vec::new(),
            secret_generator: Vec::new(),
            generator_options: None,
            helm_charts: Vec::new(),
            helm_globals: None,
            helm_chart_inflation_generator: Vec::new(),
            replacements: Vec::new(),
            vars: Vec::new(),
            sort_options: None,
            transformers: Vec::new(),
            generators: Vec::new(),
            validators: Vec::new(),
            openapi: None,
            build_metadata: Vec::new(),
        };
        let mut bases = Vec::new();
        let mut image_tags = Vec::new();
        let mut api_version = None;
        let mut kind = None;
        if root.entries().is_empty() {
            return Err(problem(root.span, "kustomization.yaml is empty"));
        }
        for (key, v) in root.entries() {
            let lower = key.name.to_ascii_lowercase();
            let field = key.name.as_str();
            match lower.as_str() {
                "apiversion" => api_version = optional_text(v, field)?,
                "kind" => kind = optional_text(v, field)?,
                "metadata" => {}
                "resources" => k.resources = texts(v, field)?,
                "bases" => bases = texts(v, field)?,
                "components" => k.components = texts(v, field)?,
                "crds" => k.crds = texts(v, field)?,
                "configurations" => k.configurations = texts(v, field)?,
                "namespace" => k.namespace = optional_text(v, field)?,
                "nameprefix" => k.name_prefix = optional_text(v, field)?,
                "namesuffix" => k.name_suffix = optional_text(v, field)?,
                "commonlabels" => k.common_labels = string_map(v, "Kustomization.commonLabels")?,
                "commonannotations" => {
                    k.common_annotations = string_map(v, "Kustomization.commonAnnotations")?
                }
                "labels" => {
                    k.labels = list(v, field)?
                        .iter()
                        .map(label_set)
                        .collect::<Result<_, _>>()?
                }
                "images" => {
                    k.images = list(v, field)?
                        .iter()
                        .map(image)
                        .collect::<Result<_, _>>()?
                }
                "imagetags" => {
                    image_tags = list(v, field)?
                        .iter()
                        .map(image)
                        .collect::<Result<_, _>>()?
                }
                "replicas" => {
                    k.replicas = list(v, field)?
                        .iter()
                        .map(replica)
                        .collect::<Result<_, _>>()?
                }
                "patches" => {
                    k.patches = list(v, field)?
                        .iter()
                        .map(|p| patch_entry(p, field))
                        .collect::<Result<_, _>>()?
                }
                "patchesjson6902" => {
                    k.patches_json6902 = list(v, field)?
                        .iter()
                        .map(|p| patch_entry(p, field))
                        .collect::<Result<_, _>>()?
                }
                "patchesstrategicmerge" => k.patches_strategic_merge = list(v, field)?.to_vec(),
                "configmapgenerator" => {
                    k.config_map_generator = list(v, field)?
                        .iter()
                        .map(|g| generator(g, field, false))
                        .collect::<Result<_, _>>()?
                }
                "secretgenerator" => {
                    k.secret_generator = list(v, field)?
                        .iter()
                        .map(|g| generator(g, field, true))
                        .collect::<Result<_, _>>()?
                }
                "generatoroptions" => k.generator_options = Some(generator_options(v, field)?),
                "helmcharts" => k.helm_charts = list(v, field)?.to_vec(),
                "helmglobals" => k.helm_globals = (!v.is_null()).then(|| v.clone()),
                "helmchartinflationgenerator" => {
                    k.helm_chart_inflation_generator = list(v, field)?.to_vec()
                }
                "replacements" => k.replacements = list(v, field)?.to_vec(),
                "vars" => k.vars = list(v, field)?.to_vec(),
                "sortoptions" => k.sort_options = (!v.is_null()).then(|| v.clone()),
                "transformers" => k.transformers = list(v, field)?.to_vec(),
                "generators" => k.generators = list(v, field)?.to_vec(),
                "validators" => k.validators = list(v, field)?.to_vec(),
                "openapi" => k.openapi = (!v.is_null()).then(|| v.clone()),
                "buildmetadata" => k.build_metadata = texts(v, field)?,
                _ => return Err(unknown(key)),
            }
        }
        // Kustomize's FixKustomization: deprecated fields join their replacements.
        k.resources.extend(bases);
        k.images.extend(image_tags);
        let kind_span = kind.as_ref().map_or(root.span, |t| t.span);
        match kind.as_ref().map(|t| t.value.as_str()) {
            None | Some("Kustomization") => {}
            Some("Component") => k.kind = KustKind::Component,
            Some(_) => {
                return Err(problem(
                    kind_span,
                    format!(
                        "Failed to read kustomization file under {}: kind should be Kustomization or Component",
                        display_dir(dir)
                    ),
                ));
            }
        }
        let required = match k.kind {
            KustKind::Kustomization => "kustomize.config.k8s.io/v1beta1",
            KustKind::Component => "kustomize.config.k8s.io/v1alpha1",
        };
        if let Some(v) = api_version
            && v.value != required
        {
            return Err(problem(
                v.span,
                format!(
                    "Failed to read kustomization file under {}: apiVersion for {} should be {required}",
                    display_dir(dir),
                    kind.as_ref().map_or("Kustomization", |t| t.value.as_str())
                ),
            ));
        }
        Ok(k)
    }
}

pub(super) fn display_dir(dir: &str) -> &str {
    if dir.is_empty() { "." } else { dir }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use std::sync::Arc;

    fn parse(text: &str) -> Result<Kustomization, Problem> {
        let p = crate::load::yaml::parse(FileId(1), &Arc::from(text), Default::default());
        let v = Value::from_tree(&p.tree, p.documents[0].unwrap());
        Kustomization::parse(&v, "app")
    }

    #[test]
    fn bases_follow_resources() {
        let k = parse("bases: [../b]\nresources: [a.yaml]\n").unwrap();
        let paths: Vec<_> = k.resources.iter().map(|t| t.value.as_str()).collect();
        assert_eq!(paths, ["a.yaml", "../b"]);
    }

    #[test]
    fn unknown_fields_and_wrong_types_fail() {
        let e = parse("resource: [a.yaml]\n").unwrap_err();
        assert!(
            e.message.contains("unknown field \"resource\""),
            "{}",
            e.message
        );
        assert_eq!(e.span.start, 0);
        let e = parse("images:\n- name: x\n  newTag: 1.20\n").unwrap_err();
        assert!(
            e.message.contains("cannot unmarshal number"),
            "{}",
            e.message
        );
        let e = parse("commonLabels: {a: yes}\n").unwrap_err();
        assert!(e.message.contains("cannot unmarshal bool"), "{}", e.message);
    }

    #[test]
    fn components_need_their_api_version() {
        let e =
            parse("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Component\n").unwrap_err();
        assert!(
            e.message
                .contains("should be kustomize.config.k8s.io/v1alpha1")
        );
    }
}
