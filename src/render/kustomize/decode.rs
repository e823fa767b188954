//! Decoding kustomization values the way Kustomize does (YAML to JSON to Go structs):
//! a number or a boolean where a string belongs fails the build, null is the zero
//! value, and a field Kustomize does not know fails it too.

use super::kustomization::Text;
use crate::load::tree::ScalarType;
use crate::render::files::Problem;
use crate::render::value::{Key, Value};
use crate::source::Span;

pub(super) fn problem(span: Span, message: impl Into<String>) -> Problem {
    Problem {
        span,
        message: message.into(),
    }
}

pub(super) fn invalid(span: Span, message: impl std::fmt::Display) -> Problem {
    problem(span, format!("invalid Kustomization: {message}"))
}

pub(super) fn type_name(value: &Value) -> &'static str {
    match value.scalar().map(|s| s.k8s_type()) {
        None if value.is_map() => "object",
        None => "array",
        Some(ScalarType::Bool) => "bool",
        Some(ScalarType::Int | ScalarType::Float) => "number",
        Some(ScalarType::Null) => "null",
        Some(ScalarType::String) => "string",
    }
}

/// A string field: Kustomize decodes through JSON, so a number or a boolean where a
/// string belongs fails the build; null is the empty string.
pub(super) fn text(value: &Value, field: &str) -> Result<Text, Problem> {
    match value.scalar().map(|s| s.k8s_type()) {
        Some(ScalarType::String) => Ok(Text {
            value: value.scalar().map(|s| s.text.clone()).unwrap_or_default(),
            span: value.span,
        }),
        Some(ScalarType::Null) => Ok(Text {
            value: String::new(),
            span: value.span,
        }),
        _ => Err(invalid(
            value.span,
            format!(
                "json: cannot unmarshal {} into Go struct field {field} of type string",
                type_name(value)
            ),
        )),
    }
}

pub(super) fn optional_text(value: &Value, field: &str) -> Result<Option<Text>, Problem> {
    let t = text(value, field)?;
    Ok((!t.value.is_empty()).then_some(t))
}

pub(super) fn boolean(value: &Value, field: &str) -> Result<bool, Problem> {
    if value.is_null() {
        return Ok(false);
    }
    value.as_bool().ok_or_else(|| {
        invalid(
            value.span,
            format!(
                "json: cannot unmarshal {} into Go struct field {field} of type bool",
                type_name(value)
            ),
        )
    })
}

pub(super) fn list<'v>(value: &'v Value, field: &str) -> Result<&'v [Value], Problem> {
    if value.is_null() || value.is_seq() {
        return Ok(value.items());
    }
    Err(invalid(
        value.span,
        format!(
            "json: cannot unmarshal {} into Go struct field {field} of type []",
            type_name(value)
        ),
    ))
}

pub(super) fn texts(value: &Value, field: &str) -> Result<Vec<Text>, Problem> {
    list(value, field)?.iter().map(|v| text(v, field)).collect()
}

pub(super) fn string_map(value: &Value, field: &str) -> Result<Vec<(Text, Text)>, Problem> {
    if value.is_null() {
        return Ok(Vec::new());
    }
    if !value.is_map() {
        return Err(invalid(
            value.span,
            format!(
                "json: cannot unmarshal {} into Go struct field {field} of type map[string]string",
                type_name(value)
            ),
        ));
    }
    value
        .entries()
        .iter()
        .map(|(k, v)| {
            Ok((
                Text {
                    value: k.name.clone(),
                    span: k.span,
                },
                text(v, field)?,
            ))
        })
        .collect()
}

pub(super) fn map_entries<'v>(
    value: &'v Value,
    field: &str,
) -> Result<&'v [(Key, Value)], Problem> {
    if value.is_null() || value.is_map() {
        return Ok(value.entries());
    }
    Err(invalid(
        value.span,
        format!(
            "json: cannot unmarshal {} into Go struct field {field} of type object",
            type_name(value)
        ),
    ))
}

pub(super) fn unknown(key: &Key) -> Problem {
    invalid(key.span, format!("json: unknown field \"{}\"", key.name))
}
