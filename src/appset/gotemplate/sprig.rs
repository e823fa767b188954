//! The Sprig functions ApplicationSets commonly use, plus Argo CD's own `normalize`,
//! `slugify`, `toYaml`, `fromYaml` and `fromYamlArray`. Each keeps Sprig's argument
//! order (`trimPrefix "v" .s`, `replace "old" "new" .s`) and Go's strict argument types.

use super::builtins::{CallContext, Result, want, want_at_least};
use super::format::go_quote;
use super::value::{MAX_NESTING, MapRef, Value};

pub(super) const FUNCTIONS: &[&str] = &[
    "default",
    "empty",
    "coalesce",
    "ternary",
    "lower",
    "upper",
    "title",
    "trim",
    "nospace",
    "trimPrefix",
    "trimSuffix",
    "trimAll",
    "replace",
    "contains",
    "hasPrefix",
    "hasSuffix",
    "repeat",
    "substr",
    "trunc",
    "indent",
    "nindent",
    "quote",
    "squote",
    "cat",
    "join",
    "split",
    "splitList",
    "sortAlpha",
    "list",
    "dict",
    "get",
    "set",
    "unset",
    "hasKey",
    "keys",
    "first",
    "last",
    "rest",
    "initial",
    "append",
    "push",
    "prepend",
    "concat",
    "has",
    "uniq",
    "compact",
    "toString",
    "toStrings",
    "toJson",
    "mustToJson",
    "toPrettyJson",
    "fromJson",
    "mustFromJson",
    "toYaml",
    "fromYaml",
    "fromYamlArray",
    "b64enc",
    "b64dec",
    "sha256sum",
    "int",
    "int64",
    "float64",
    "atoi",
    "add",
    "add1",
    "sub",
    "mul",
    "div",
    "mod",
    "max",
    "min",
    "normalize",
    "slugify",
];

pub(super) fn arg_str(v: &Value) -> Result<&str> {
    match v {
        Value::Str(s) => Ok(s),
        Value::Nil | Value::Missing => Err("invalid value; expected string".into()),
        other => Err(format!(
            "wrong type for value; expected string; got {}",
            other.type_name()
        )),
    }
}

pub(super) fn arg_int(v: &Value) -> Result<i64> {
    match v {
        Value::Int(i) => Ok(*i),
        other => Err(format!(
            "wrong type for value; expected int; got {}",
            other.type_name()
        )),
    }
}

/// A `map[string]interface{}` parameter; nil arrives as a nil map.
pub(super) fn arg_map(v: &Value) -> Result<Option<&MapRef>> {
    match v {
        Value::Map(m) => Ok(Some(m)),
        Value::Nil | Value::Missing => Ok(None),
        other => Err(format!(
            "wrong type for value; expected map[string]interface {{}}; got {}",
            other.type_name()
        )),
    }
}

/// Sprig's `strval`: strings as they are, anything else through `%v`.
pub(super) fn strval(v: &Value) -> String {
    match v {
        Value::Str(s) => s.to_string(),
        Value::Missing => "<nil>".into(),
        other => other.to_text(),
    }
}

/// Sprig's `strslice`: a list's non-nil items as strings, or the one value.
pub(super) fn strslice(v: &Value) -> Vec<String> {
    match v {
        Value::List(items) => items.iter().filter(|i| !i.is_nil()).map(strval).collect(),
        v if v.is_nil() => Vec::new(),
        v => vec![strval(v)],
    }
}

pub(super) fn list_arg<'v>(name: &str, v: &'v Value) -> Result<&'v [Value]> {
    match v {
        Value::List(items) => Ok(items),
        other => Err(format!("Cannot find {name} on type {}", other.type_name())),
    }
}

pub(super) fn check_len(len: usize, ctx: &CallContext) -> Result<()> {
    if len > ctx.max_string {
        return Err(format!("result would exceed {} bytes", ctx.max_string));
    }
    Ok(())
}

/// Containers built by templates stay shallow; the walk is paid for from the budget.
pub(super) fn check_nesting(values: &[Value], ctx: &CallContext) -> Result<()> {
    let mut visited = 0u64;
    let depth = values
        .iter()
        .map(|v| v.nesting(&mut visited))
        .max()
        .unwrap_or(0);
    if !ctx.budget.spend(visited) {
        return Err("template evaluation budget exhausted".into());
    }
    if depth + 1 >= MAX_NESTING {
        return Err("value nested too deeply".into());
    }
    Ok(())
}

/// Go's deprecated `strings.Title`: upper-case the first letter of each word.
fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_separator = true;
    for c in s.chars() {
        if prev_separator {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        prev_separator = if c.is_ascii() {
            !(c.is_ascii_alphanumeric() || c == '_')
        } else {
            c.is_whitespace()
        };
    }
    out
}

fn indent(spaces: i64, s: &str, ctx: &CallContext) -> Result<String> {
    let spaces = usize::try_from(spaces).unwrap_or(0);
    let lines = s.matches('\n').count() + 1;
    check_len(s.len().saturating_add(spaces.saturating_mul(lines)), ctx)?;
    let pad = " ".repeat(spaces);
    Ok(format!("{pad}{}", s.replace('\n', &format!("\n{pad}"))))
}

fn go_split<'s>(s: &'s str, sep: &str) -> Vec<&'s str> {
    if sep.is_empty() {
        // Go splits into UTF-8 sequences.
        s.char_indices()
            .map(|(i, c)| &s[i..i + c.len_utf8()])
            .collect()
    } else {
        s.split(sep).collect()
    }
}

pub(super) fn call(name: &str, args: Vec<Value>, ctx: &CallContext) -> Result<Value> {
    let one = |args: &[Value]| -> Result<String> {
        want(name, args, 1)?;
        Ok(arg_str(&args[0])?.to_string())
    };
    let two = |args: &[Value]| -> Result<(String, String)> {
        want(name, args, 2)?;
        Ok((
            arg_str(&args[0])?.to_string(),
            arg_str(&args[1])?.to_string(),
        ))
    };
    Ok(match name {
        "default" => {
            want_at_least(name, &args, 1)?;
            match args.get(1) {
                Some(given) if !given.is_empty() => given.clone(),
                _ => args[0].clone(),
            }
        }
        "empty" => {
            want(name, &args, 1)?;
            Value::Bool(args[0].is_empty())
        }
        "coalesce" => args
            .iter()
            .find(|v| !v.is_empty())
            .cloned()
            .unwrap_or(Value::Nil),
        "ternary" => {
            want(name, &args, 3)?;
            match &args[2] {
                Value::Bool(true) => args[0].clone(),
                Value::Bool(false) => args[1].clone(),
                other => {
                    return Err(format!(
                        "wrong type for value; expected bool; got {}",
                        other.type_name()
                    ));
                }
            }
        }
        "lower" => Value::str(one(&args)?.to_lowercase()),
        "upper" => Value::str(one(&args)?.to_uppercase()),
        "title" => Value::str(title(&one(&args)?)),
        "trim" => Value::str(one(&args)?.trim()),
        "nospace" => Value::str(
            one(&args)?
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>(),
        ),
        "trimPrefix" => {
            let (prefix, s) = two(&args)?;
            Value::str(s.strip_prefix(prefix.as_str()).unwrap_or(&s))
        }
        "trimSuffix" => {
            let (suffix, s) = two(&args)?;
            Value::str(s.strip_suffix(suffix.as_str()).unwrap_or(&s))
        }
        "trimAll" => {
            let (cutset, s) = two(&args)?;
            Value::str(s.trim_matches(|c| cutset.contains(c)))
        }
        "replace" => {
            want(name, &args, 3)?;
            let (old, new, src) = (arg_str(&args[0])?, arg_str(&args[1])?, arg_str(&args[2])?);
            let count = if old.is_empty() {
                src.chars().count() + 1
            } else {
                src.matches(old).count()
            };
            check_len(
                src.len().saturating_add(count.saturating_mul(new.len())),
                ctx,
            )?;
            Value::str(src.replace(old, new))
        }
        "contains" => {
            let (sub, s) = two(&args)?;
            Value::Bool(s.contains(sub.as_str()))
        }
        "hasPrefix" => {
            let (prefix, s) = two(&args)?;
            Value::Bool(s.starts_with(prefix.as_str()))
        }
        "hasSuffix" => {
            let (suffix, s) = two(&args)?;
            Value::Bool(s.ends_with(suffix.as_str()))
        }
        "repeat" => {
            want(name, &args, 2)?;
            let (count, s) = (arg_int(&args[0])?, arg_str(&args[1])?);
            let count =
                usize::try_from(count).map_err(|_| "strings: negative Repeat count".to_string())?;
            check_len(s.len().saturating_mul(count), ctx)?;
            Value::str(s.repeat(count))
        }
        "substr" => {
            want(name, &args, 3)?;
            let (start, end, s) = (arg_int(&args[0])?, arg_int(&args[1])?, arg_str(&args[2])?);
            let bytes = s.as_bytes();
            let len = bytes.len() as i64;
            let out_of_range =
                || format!("slice bounds out of range [{start}:{end}] with length {len}");
            let range = if start < 0 {
                (0, end)
            } else if end < 0 || end > len {
                (start, len)
            } else {
                (start, end)
            };
            if range.0 < 0 || range.1 < range.0 || range.1 > len {
                return Err(out_of_range());
            }
            Value::str(
                String::from_utf8_lossy(&bytes[range.0 as usize..range.1 as usize]).into_owned(),
            )
        }
        "trunc" => {
            want(name, &args, 2)?;
            let (c, s) = (arg_int(&args[0])?, arg_str(&args[1])?);
            let bytes = s.as_bytes();
            let len = bytes.len() as i64;
            let kept = if c < 0 && len + c > 0 {
                &bytes[(len + c) as usize..]
            } else if c >= 0 && len > c {
                &bytes[..c as usize]
            } else {
                bytes
            };
            Value::str(String::from_utf8_lossy(kept).into_owned())
        }
        "indent" | "nindent" => {
            want(name, &args, 2)?;
            let text = indent(arg_int(&args[0])?, arg_str(&args[1])?, ctx)?;
            Value::str(if name == "nindent" {
                format!("\n{text}")
            } else {
                text
            })
        }
        "quote" => Value::str(
            args.iter()
                .filter(|v| !v.is_nil())
                .map(|v| go_quote(&strval(v)))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "squote" => Value::str(
            args.iter()
                .filter(|v| !v.is_nil())
                .map(|v| format!("'{}'", strval(v)))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "cat" => Value::str(
            args.iter()
                .filter(|v| !v.is_nil())
                .map(strval)
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "join" => {
            want(name, &args, 2)?;
            Value::str(strslice(&args[1]).join(arg_str(&args[0])?))
        }
        "split" => {
            let (sep, s) = two(&args)?;
            Value::map(
                go_split(&s, &sep)
                    .into_iter()
                    .enumerate()
                    .map(|(i, part)| (format!("_{i}"), Value::str(part)))
                    .collect(),
            )
        }
        "splitList" => {
            let (sep, s) = two(&args)?;
            Value::list(go_split(&s, &sep).into_iter().map(Value::str).collect())
        }
        "sortAlpha" => {
            want(name, &args, 1)?;
            let mut items = strslice(&args[0]);
            items.sort();
            Value::list(items.into_iter().map(Value::str).collect())
        }
        "toStrings" => {
            want(name, &args, 1)?;
            Value::list(strslice(&args[0]).into_iter().map(Value::str).collect())
        }
        "toString" => {
            want(name, &args, 1)?;
            Value::str(strval(&args[0]))
        }
        _ => return super::sprig_data::call(name, args, ctx),
    })
}
