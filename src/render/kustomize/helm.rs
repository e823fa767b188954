//! `helmCharts`: a chart a kustomization inflates, asked of the repository's Helm
//! renderer (`RepoFiles::helm`); its objects join the generated ones.

use super::Builder;
use super::fieldspec::get_folded;
use super::kustomization::{Kustomization, Text, problem};
use crate::render::files::{HelmChartRequest, Problem};
use crate::render::value::Value;

impl Builder<'_> {
    /// A `helmCharts` entry as a request for the repository's Helm renderer. The chart is
    /// looked for where Kustomize keeps it: `<chartHome>/<name>`, or
    /// `<chartHome>/<name>-<version>/<name>` for a chart pulled from a repository.
    pub(super) fn helm_request(
        &mut self,
        k: &Kustomization,
        chart: &Value,
    ) -> Result<HelmChartRequest, Problem> {
        let field = |key: &str| -> Result<Option<Text>, Problem> {
            get_folded(chart, key)
                .map(|v| super::kustomization::text(v, &format!("HelmChart.{key}")))
                .transpose()
                .map(|t| t.filter(|t| !t.value.is_empty()))
        };
        let name = field("name")?
            .ok_or_else(|| problem(chart.span, "a `helmCharts` entry needs a `name`"))?;
        let version = field("version")?;
        let repo = field("repo")?;
        let release_name = field("releaseName")?;
        let namespace = field("namespace")?;
        let values_file = field("valuesFile")?;
        for (key, value) in chart.entries() {
            let supported = matches!(
                key.name.to_ascii_lowercase().as_str(),
                "name"
                    | "version"
                    | "repo"
                    | "releasename"
                    | "namespace"
                    | "valuesfile"
                    | "additionalvaluesfiles"
                    | "valuesinline"
                    | "includecrds"
            ) || (key.name.eq_ignore_ascii_case("valuesMerge")
                && value.as_str() == Some("override"));
            if !supported && !value.is_null() && value.as_bool() != Some(false) {
                return Err(problem(
                    key.span,
                    format!(
                        "the helmCharts field `{}` is not supported by synclint's Kustomize",
                        key.name
                    ),
                ));
            }
        }
        let chart_home = k
            .helm_globals
            .as_ref()
            .and_then(|g| get_folded(g, "chartHome"))
            .and_then(Value::as_str)
            .unwrap_or("charts");
        let home = super::loader::join(&k.dir, chart_home).ok_or_else(|| {
            problem(
                chart.span,
                format!("chart home `{chart_home}` leads outside the repository"),
            )
        })?;
        let relative = match (&repo, &version) {
            (Some(_), Some(v)) => format!("{0}-{1}/{0}", name.value, v.value),
            _ => name.value.clone(),
        };
        let chart_dir = super::loader::join(&home, &relative).ok_or_else(|| {
            problem(
                name.span,
                format!("chart `{}` leads outside the repository", name.value),
            )
        })?;
        let mut values_files = Vec::new();
        if let Some(t) = values_file {
            values_files.push(self.file_in(&k.dir, &t)?);
        }
        for v in get_folded(chart, "additionalValuesFiles")
            .map(Value::items)
            .unwrap_or_default()
        {
            let t = super::kustomization::text(v, "HelmChart.additionalValuesFiles")?;
            values_files.push(self.file_in(&k.dir, &t)?);
        }
        Ok(HelmChartRequest {
            chart_dir,
            release_name: release_name.map_or_else(|| "release-name".to_string(), |t| t.value),
            namespace: namespace.map(|t| t.value).unwrap_or_default(),
            values_files,
            values_inline: get_folded(chart, "valuesInline")
                .filter(|v| !v.is_null())
                .cloned(),
            include_crds: get_folded(chart, "includeCRDs")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            at: chart.span,
        })
    }
}
