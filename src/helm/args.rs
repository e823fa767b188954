//! Argo CD's `helm template` command line, from an Application's `source.helm` block.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// One `source.helm.parameters` item.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HelmParameter {
    pub name: String,
    pub value: String,
    /// `forceString`: passed with `--set-string`, so `true` or `1` stay strings.
    pub force_string: bool,
}

/// One `source.helm.fileParameters` item; `path` is already resolved by the caller.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HelmFileParameter {
    pub name: String,
    pub path: PathBuf,
}

/// An Application's `source.helm` block, resolved by the caller (argocd-semantics.md §4
/// "Helm"). Empty strings mean "not set", as in Argo CD.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HelmOptions {
    /// `releaseName`, or the Application's name when that is unset.
    pub release_name: String,
    /// `helm.namespace`, else the destination namespace; not passed when empty.
    pub namespace: String,
    /// `valueFiles` as absolute paths, in order (the last one wins in Helm).
    pub value_files: Vec<PathBuf>,
    pub ignore_missing_value_files: bool,
    /// `values`: a YAML string.
    pub values: String,
    /// `valuesObject`: used instead of `values` when both are set (Argo CD's `ValuesYAML`).
    pub values_object: Option<serde_json::Value>,
    pub parameters: Vec<HelmParameter>,
    pub file_parameters: Vec<HelmFileParameter>,
    pub skip_crds: bool,
    pub skip_tests: bool,
    pub skip_schema_validation: bool,
    pub kube_version: String,
    pub api_versions: Vec<String>,
    /// Argo CD's build environment (`ARGOCD_APP_NAME`, `ARGOCD_APP_NAMESPACE`, ...),
    /// substituted into parameter values as Argo CD does; unknown `$VAR`s become empty.
    pub build_env: Vec<(String, String)>,
}

impl HelmOptions {
    /// Options with only the release name set (the Application's name by default).
    pub fn new(release_name: impl Into<String>) -> HelmOptions {
        HelmOptions {
            release_name: release_name.into(),
            ..HelmOptions::default()
        }
    }

    /// The text Argo CD writes to its temporary values file: `valuesObject` when set,
    /// else `values`; `None` when that is empty (then no file is passed).
    pub fn inline_values(&self) -> Option<String> {
        let text = match &self.values_object {
            // JSON is YAML, and Helm reads values files as YAML.
            Some(object) if !object.is_null() => object.to_string(),
            _ => self.values.clone(),
        };
        (!text.is_empty()).then_some(text)
    }
}

/// `helm template` arguments in Argo CD's order (`util/helm/cmd.go` `template`). Helm's
/// own precedence does not depend on that order: value files merge in order, then
/// `--set`, `--set-string` and `--set-file` override them, which gives Argo CD's
/// parameters > valuesObject/values > valueFiles > the chart's values.yaml.
///
/// The release is passed positionally (`helm template NAME CHART`), which Helm treats
/// like Argo CD's `--name-template NAME`. `values_tmp` is the file holding
/// [`HelmOptions::inline_values`]; value files are passed as given (missing ones are
/// the caller's to drop, see [`super::run_template`]).
pub fn template_args(
    chart_dir: &Path,
    options: &HelmOptions,
    values_tmp: Option<&Path>,
) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec!["template".into()];
    // Without a name Helm picks its own (`release-name`) rather than failing.
    if !options.release_name.is_empty() {
        args.push(options.release_name.clone().into());
    }
    args.push(chart_dir.into());
    let mut flag = |name: &str, value: OsString| {
        args.push(name.into());
        args.push(value);
    };
    if !options.namespace.is_empty() {
        flag("--namespace", options.namespace.clone().into());
    }
    if !options.kube_version.is_empty() {
        // Argo CD's text.SemVer drops `+` (build metadata such as `v1.30.0+k3s1`).
        flag(
            "--kube-version",
            options.kube_version.replace('+', "").into(),
        );
    }
    for force_string in [false, true] {
        let name = if force_string {
            "--set-string"
        } else {
            "--set"
        };
        for p in last_per_name(&options.parameters, |p| p.force_string == force_string) {
            let value = envsubst(&p.value, &options.build_env);
            flag(
                name,
                format!("{}={}", p.name, clean_set_value(&value)).into(),
            );
        }
    }
    for p in last_per_name(&options.file_parameters, |_| true) {
        let mut arg = OsString::from(format!("{}=", p.name));
        arg.push(clean_set_value(&p.path.to_string_lossy()));
        flag("--set-file", arg);
    }
    for file in &options.value_files {
        flag("--values", file.into());
    }
    if let Some(tmp) = values_tmp {
        flag("--values", tmp.into());
    }
    for api in &options.api_versions {
        flag("--api-versions", api.clone().into());
    }
    if !options.skip_crds {
        args.push("--include-crds".into());
    }
    if options.skip_schema_validation {
        args.push("--skip-schema-validation".into());
    }
    if options.skip_tests {
        args.push("--skip-tests".into());
    }
    args
}

trait Named {
    fn name(&self) -> &str;
}
impl Named for HelmParameter {
    fn name(&self) -> &str {
        &self.name
    }
}
impl Named for HelmFileParameter {
    fn name(&self) -> &str {
        &self.name
    }
}

/// Argo CD keeps parameters in a map by name, so a repeated name keeps its last value.
/// Its map order is random; ours is first appearance, which is stable.
fn last_per_name<T: Named>(items: &[T], keep: impl Fn(&T) -> bool) -> Vec<&T> {
    let mut out: Vec<&T> = Vec::new();
    for item in items.iter().filter(|i| keep(i)) {
        match out.iter_mut().find(|o| o.name() == item.name()) {
            Some(slot) => *slot = item,
            None => out.push(item),
        }
    }
    out
}

/// Argo CD's `cleanSetParameters`: escape commas (Helm would split on them) unless
/// already escaped, and leave `{a,b}` list syntax alone.
fn clean_set_value(value: &str) -> String {
    if value.starts_with('{') && value.ends_with('}') {
        return value.to_string();
    }
    let mut out = String::with_capacity(value.len());
    let mut previous = None;
    for c in value.chars() {
        if c == ',' && previous != Some('\\') {
            out.push_str("\\,");
        } else {
            out.push(c);
        }
        previous = Some(c);
    }
    out
}

/// Argo CD's `Env.Envsubst` (Go's `os.Expand`): `$NAME` and `${NAME}` become the
/// variable's value or nothing, `$$` is a `$`, and a `$` before anything else stays.
pub fn envsubst(text: &str, env: &[(String, String)]) -> String {
    let lookup = |name: &str| -> String {
        if name == "$" {
            return "$".to_string();
        }
        env.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut j = 0;
    while j < bytes.len() {
        if bytes[j] == b'$' && j + 1 < bytes.len() {
            out.push_str(&text[copied..j]);
            let (name, width) = shell_name(&text[j + 1..]);
            match name {
                Some(name) => out.push_str(&lookup(name)),
                // Valid syntax, but no name: keep the dollar.
                None if width == 0 => out.push('$'),
                // Bad syntax (`${`, `${}`): Go eats it.
                None => {}
            }
            j += width + 1;
            copied = j;
        } else {
            j += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Go's `getShellName`: the variable name after a `$`, and how many bytes it takes.
fn shell_name(s: &str) -> (Option<&str>, usize) {
    let b = s.as_bytes();
    let special = |c: u8| b"*#$@!?-0123456789".contains(&c);
    if b[0] == b'{' {
        if b.len() > 2 && special(b[1]) && b[2] == b'}' {
            return (Some(&s[1..2]), 3);
        }
        return match b[1..].iter().position(|&c| c == b'}') {
            Some(0) => (None, 2),
            Some(i) => (Some(&s[1..=i]), i + 2),
            None => (None, 1),
        };
    }
    if special(b[0]) {
        return (Some(&s[..1]), 1);
    }
    let len = b
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count();
    ((len > 0).then(|| &s[..len]), len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[OsString]) -> Vec<String> {
        args.iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    fn param(name: &str, value: &str, force_string: bool) -> HelmParameter {
        HelmParameter {
            name: name.into(),
            value: value.into(),
            force_string,
        }
    }

    #[test]
    fn minimal_arguments_include_crds_by_default() {
        let args = template_args(Path::new("/c"), &HelmOptions::new("app"), None);
        assert_eq!(strings(&args), ["template", "app", "/c", "--include-crds"]);
        let args = template_args(Path::new("/c"), &HelmOptions::default(), None);
        assert_eq!(strings(&args), ["template", "/c", "--include-crds"]);
    }

    #[test]
    fn argument_order_follows_argo_cd() {
        let options = HelmOptions {
            release_name: "rel".into(),
            namespace: "ns".into(),
            value_files: vec!["/r/a.yaml".into(), "/r/b.yaml".into()],
            values: "x: 1".into(),
            parameters: vec![
                param("image.tag", "v1", false),
                param("flag", "true", true),
                param("image.tag", "v2", false),
                param("list", "{a,b}", false),
                param("csv", "a,b\\,c", false),
            ],
            file_parameters: vec![HelmFileParameter {
                name: "cfg".into(),
                path: "/r/cfg.txt".into(),
            }],
            skip_crds: true,
            skip_tests: true,
            skip_schema_validation: true,
            kube_version: "v1.30.0+k3s1".into(),
            api_versions: vec!["monitoring.coreos.com/v1".into()],
            ..HelmOptions::default()
        };
        let args = template_args(Path::new("/c"), &options, Some(Path::new("/t/values.yaml")));
        assert_eq!(
            strings(&args),
            [
                "template",
                "rel",
                "/c",
                "--namespace",
                "ns",
                "--kube-version",
                "v1.30.0k3s1",
                "--set",
                "image.tag=v2",
                "--set",
                "list={a,b}",
                "--set",
                "csv=a\\,b\\,c",
                "--set-string",
                "flag=true",
                "--set-file",
                "cfg=/r/cfg.txt",
                "--values",
                "/r/a.yaml",
                "--values",
                "/r/b.yaml",
                "--values",
                "/t/values.yaml",
                "--api-versions",
                "monitoring.coreos.com/v1",
                "--skip-schema-validation",
                "--skip-tests",
            ]
        );
    }

    #[test]
    fn values_object_wins_over_values() {
        let mut options = HelmOptions::new("a");
        assert_eq!(options.inline_values(), None);
        options.values = "a: 1\n".into();
        assert_eq!(options.inline_values().as_deref(), Some("a: 1\n"));
        options.values_object = Some(serde_json::json!({"b": {"c": 2}}));
        assert_eq!(options.inline_values().as_deref(), Some(r#"{"b":{"c":2}}"#));
        options.values_object = Some(serde_json::Value::Null);
        assert_eq!(options.inline_values().as_deref(), Some("a: 1\n"));
    }

    #[test]
    fn parameter_values_get_the_build_environment() {
        let options = HelmOptions {
            parameters: vec![param("a", "${ARGOCD_APP_NAME}-$UNSET-pa$$word", false)],
            build_env: vec![("ARGOCD_APP_NAME".into(), "shop".into())],
            ..HelmOptions::new("r")
        };
        let args = strings(&template_args(Path::new("/c"), &options, None));
        assert!(args.contains(&"a=shop--pa$word".to_string()), "{args:?}");
    }

    #[test]
    fn envsubst_matches_go_os_expand() {
        let env = vec![("A".to_string(), "x".to_string())];
        for (input, want) in [
            ("plain", "plain"),
            ("$A/${A}", "x/x"),
            ("$", "$"),
            ("a$", "a$"),
            ("$$", "$"),
            ("$ A", "$ A"),
            ("${", ""),
            ("${}b", "b"),
            ("${A", "A"),
            ("$1b", "b"),
            ("${1}", ""),
            ("é$A€", "éx€"),
        ] {
            assert_eq!(envsubst(input, &env), want, "{input}");
        }
    }
}
