//! The default ApplicationSet templating (valyala/fasttemplate with `{{` `}}` tags, as
//! `Render.Replace` drives it): a tag's trimmed text names a parameter whose value must
//! be a string; any other tag is left exactly as written.

use super::{Params, TemplateError};

/// Output beyond this is refused (a long template repeating a long parameter).
const MAX_OUTPUT: usize = 4 << 20;

/// Argo's `.*{{.*}}.*` check: `{{` and a later `}}` on one line. Text without one is
/// returned unchanged, even when it holds an unclosed `{{`.
fn looks_templated(text: &str) -> bool {
    text.split('\n').any(|line| {
        line.find("{{")
            .is_some_and(|open| line[open + 2..].contains("}}"))
    })
}

/// Replaces `{{name}}` and `{{ name }}` with the string parameter `name`.
pub fn render(text: &str, params: &Params) -> Result<String, TemplateError> {
    if !looks_templated(text) {
        return Ok(text.to_string());
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut offset = 0;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            return Err(TemplateError {
                message: format!("cannot find end tag \"}}}}\" after {:?}", &rest[open..]),
                offset: offset + open,
            });
        };
        let tag = &after[..close];
        match params.get(tag.trim()) {
            Some(serde_json::Value::String(value)) if !tag.trim().is_empty() => out.push_str(value),
            _ => {
                out.push_str("{{");
                out.push_str(tag);
                out.push_str("}}");
            }
        }
        if out.len() > MAX_OUTPUT {
            return Err(TemplateError {
                message: format!("template output exceeds {MAX_OUTPUT} bytes"),
                offset: offset + open,
            });
        }
        let consumed = open + 2 + close + 2;
        offset += consumed;
        rest = &rest[consumed..];
    }
    out.push_str(rest);
    Ok(out)
}
