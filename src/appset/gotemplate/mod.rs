//! Go's `text/template` as Argo CD runs it for `goTemplate: true`: Sprig's functions
//! minus `env`, `expandenv` and `getHostByName`, plus `normalize`, `slugify`, `toYaml`,
//! `fromYaml` and `fromYamlArray`, with the data being one parameter set.
//!
//! Not supported: `define`, `template`, `block` and `call`; Sprig's regular-expression,
//! date, random, semver, crypto (other than `sha256sum`), path and most list helpers.
//! Every template runs within a step budget and an output limit.

mod builtins;
mod exec;
mod format;
mod lex;
mod parse;
mod printf;
mod sprig;
mod sprig_data;
mod value;
mod yaml_out;

pub(crate) use exec::Budget;
pub(crate) use format::format_float;

use super::{Params, TemplateError};
use value::Value;

/// Output of one template, and the longest string a function may build.
pub(crate) const MAX_OUTPUT: usize = 1 << 20;
/// Steps one standalone [`render`] may take.
const STANDALONE_STEPS: u64 = 1_000_000;

/// What a missing map key does (`goTemplateOptions: ["missingkey=..."]`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MissingKey {
    /// `missingkey=default` / `invalid`: prints `<no value>`.
    #[default]
    Default,
    /// `missingkey=zero`: the zero value of `any`, which also prints `<no value>`.
    Zero,
    /// `missingkey=error`: execution stops with an error.
    Error,
}

impl MissingKey {
    /// Reads `goTemplateOptions`. Go panics on an unknown option; this is an error.
    pub fn from_options<S: AsRef<str>>(options: &[S]) -> Result<MissingKey, String> {
        let mut missing_key = MissingKey::Default;
        for option in options {
            missing_key = match option.as_ref() {
                "missingkey=default" | "missingkey=invalid" => MissingKey::Default,
                "missingkey=zero" => MissingKey::Zero,
                "missingkey=error" => MissingKey::Error,
                other => return Err(format!("unrecognized goTemplateOptions entry {other:?}")),
            };
        }
        Ok(missing_key)
    }
}

/// One parameter set as template data, converted once for all of a template's strings.
pub(crate) struct Data(Value);

impl Data {
    pub fn new(params: &Params) -> Data {
        Data(Value::map(
            params
                .iter()
                .map(|(k, v)| (k.clone(), Value::from_json(v, 0)))
                .collect(),
        ))
    }
}

/// Whether `name` is a function templates may call (checked when parsing, as Go does).
pub fn is_function(name: &str) -> bool {
    builtins::is_function(name)
}

/// Renders `text` with `params` as the data (`.` and `$`).
pub fn render(
    text: &str,
    params: &Params,
    missing_key: MissingKey,
) -> Result<String, TemplateError> {
    let budget = Budget::new(STANDALONE_STEPS);
    render_data(text, &Data::new(params), missing_key, &budget)
}

pub(crate) fn render_data(
    text: &str,
    data: &Data,
    missing_key: MissingKey,
    budget: &Budget,
) -> Result<String, TemplateError> {
    // Text without an action is its own output; most template fields are like that.
    if !text.contains("{{") {
        return Ok(text.to_string());
    }
    if !budget.spend(text.len() as u64 / 16 + 1) {
        return Err(TemplateError {
            message: "template evaluation budget exhausted".into(),
            offset: 0,
        });
    }
    let items = lex::lex(text)?;
    let nodes = parse::parse(items, &builtins::is_function)?;
    let options = exec::Options {
        missing_key_error: missing_key == MissingKey::Error,
        budget,
        max_output: MAX_OUTPUT,
    };
    exec::execute(&nodes, &data.0, &options)
}
