//! text/template's predefined functions (`and` and `or` live in the executor, which
//! evaluates them lazily), and the dispatch to Sprig's.

use super::exec::Budget;
use super::format::{self, escaper_input};
use super::sprig;
use super::value::Value;

pub(super) struct CallContext<'b> {
    pub budget: &'b Budget,
    /// Longest string a function may build.
    pub max_string: usize,
}

const BUILTINS: &[&str] = &[
    "and", "or", "not", "len", "index", "slice", "print", "printf", "println", "html", "js",
    "urlquery", "eq", "ne", "lt", "le", "gt", "ge",
];

pub(super) fn is_function(name: &str) -> bool {
    BUILTINS.contains(&name) || sprig::FUNCTIONS.contains(&name)
}

pub(super) type Result<T> = std::result::Result<T, String>;

pub(super) fn want(name: &str, args: &[Value], n: usize) -> Result<()> {
    if args.len() != n {
        return Err(format!(
            "wrong number of args for {name}: want {n} got {}",
            args.len()
        ));
    }
    Ok(())
}

pub(super) fn want_at_least(name: &str, args: &[Value], n: usize) -> Result<()> {
    if args.len() < n {
        return Err(format!(
            "wrong number of args for {name}: want at least {n} got {}",
            args.len()
        ));
    }
    Ok(())
}

pub(super) fn call(name: &str, args: Vec<Value>, ctx: &CallContext) -> Result<Value> {
    Ok(match name {
        "not" => {
            want(name, &args, 1)?;
            Value::Bool(!args[0].truth())
        }
        "len" => {
            want(name, &args, 1)?;
            Value::Int(length(&args[0])? as i64)
        }
        "index" => {
            want_at_least(name, &args, 1)?;
            index(&args[0], &args[1..])?
        }
        "slice" => {
            want_at_least(name, &args, 1)?;
            slice(&args[0], &args[1..])?
        }
        "print" => Value::str(format::sprint(&args)),
        "println" => Value::str(format::sprintln(&args)),
        "printf" => {
            want_at_least(name, &args, 1)?;
            let Value::Str(f) = &args[0] else {
                return Err(format!(
                    "wrong type for value; expected string; got {}",
                    args[0].type_name()
                ));
            };
            Value::str(super::printf::sprintf(f, &args[1..])?)
        }
        "html" => Value::str(format::html_escape(&escaper_input(&args))),
        "js" => Value::str(format::js_escape(&escaper_input(&args))),
        "urlquery" => Value::str(format::query_escape(&escaper_input(&args))),
        "eq" => Value::Bool(eq(&args)?),
        "ne" => {
            want(name, &args, 2)?;
            Value::Bool(!eq(&args)?)
        }
        "lt" | "le" | "gt" | "ge" => {
            want(name, &args, 2)?;
            let ord = compare(&args[0], &args[1])?;
            Value::Bool(match name {
                "lt" => ord.is_lt(),
                "le" => ord.is_le(),
                "gt" => ord.is_gt(),
                _ => ord.is_ge(),
            })
        }
        _ => sprig::call(name, args, ctx)?,
    })
}

fn length(v: &Value) -> Result<usize> {
    match v {
        Value::Str(s) => Ok(s.len()),
        Value::List(l) => Ok(l.len()),
        Value::Map(m) => Ok(m.borrow().len()),
        Value::Nil | Value::Missing => Err("len of nil pointer".into()),
        other => Err(format!("len of type {}", other.type_name())),
    }
}

fn index_of(idx: &Value, len: usize) -> Result<usize> {
    let Value::Int(i) = idx else {
        return Err(format!(
            "cannot index slice/array with type {}",
            idx.type_name()
        ));
    };
    match usize::try_from(*i) {
        Ok(i) if i < len => Ok(i),
        _ => Err(format!("index out of range: {i}")),
    }
}

fn index(item: &Value, indexes: &[Value]) -> Result<Value> {
    if item.is_nil() {
        return Err("index of untyped nil".into());
    }
    let mut item = item.clone();
    for idx in indexes {
        item = match &item {
            Value::List(l) => l[index_of(idx, l.len())?].clone(),
            Value::Str(s) => Value::Int(s.as_bytes()[index_of(idx, s.len())?] as i64),
            // A missing key gives the element type's zero value: a nil interface.
            Value::Map(m) => match idx {
                Value::Str(key) => m.borrow().get(&**key).cloned().unwrap_or(Value::Nil),
                Value::Nil => return Err("value is nil; should be of type string".into()),
                other => {
                    return Err(format!(
                        "value has type {}; should be string",
                        other.type_name()
                    ));
                }
            },
            Value::Nil | Value::Missing => return Err("index of nil pointer".into()),
            other => return Err(format!("can't index item of type {}", other.type_name())),
        };
    }
    Ok(item)
}

/// `slice x 1 2`: the bounds, each at most `len`, in order.
fn slice_bounds(indexes: &[Value], len: usize) -> Result<(usize, usize)> {
    if indexes.len() > 3 {
        return Err(format!("too many slice indexes: {}", indexes.len()));
    }
    let mut bounds = [0, len, len];
    for (i, idx) in indexes.iter().enumerate() {
        let Value::Int(n) = idx else {
            return Err(format!(
                "cannot index slice/array with type {}",
                idx.type_name()
            ));
        };
        match usize::try_from(*n) {
            Ok(n) if n <= len => bounds[i] = n,
            _ => return Err(format!("index out of range: {n}")),
        }
    }
    if bounds[0] > bounds[1] || (indexes.len() == 3 && bounds[1] > bounds[2]) {
        return Err(format!(
            "invalid slice index: {} > {}",
            bounds[0], bounds[1]
        ));
    }
    Ok((bounds[0], bounds[1]))
}

fn slice(item: &Value, indexes: &[Value]) -> Result<Value> {
    match item {
        Value::Str(s) => {
            if indexes.len() == 3 {
                return Err("cannot 3-index slice a string".into());
            }
            let (lo, hi) = slice_bounds(indexes, s.len())?;
            Ok(Value::str(
                String::from_utf8_lossy(&s.as_bytes()[lo..hi]).into_owned(),
            ))
        }
        Value::List(l) => {
            let (lo, hi) = slice_bounds(indexes, l.len())?;
            Ok(Value::list(l[lo..hi].to_vec()))
        }
        Value::Nil | Value::Missing => Err("slice of untyped nil".into()),
        other => Err(format!("can't slice item of type {}", other.type_name())),
    }
}

/// `eq arg1 arg2...`: true when arg1 equals any of the others. An int and a float64
/// cannot be compared (Go's "incompatible types for comparison").
fn eq(args: &[Value]) -> Result<bool> {
    if args.len() < 2 {
        return Err("missing argument for comparison".into());
    }
    let a = &args[0];
    for b in &args[1..] {
        let truth = match (a, b) {
            (x, y) if x.is_nil() || y.is_nil() => x.is_nil() && y.is_nil(),
            (Value::Bool(x), Value::Bool(y)) => x == y,
            (Value::Int(x), Value::Int(y)) => x == y,
            (Value::Float(x), Value::Float(y)) => x == y,
            (Value::Str(x), Value::Str(y)) => x == y,
            (Value::List(_) | Value::Map(_), Value::List(_) | Value::Map(_)) => {
                return Err(format!("non-comparable type {}", a.type_name()));
            }
            _ => return Err("incompatible types for comparison".into()),
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

fn compare(a: &Value, b: &Value) -> Result<std::cmp::Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Ok(x.cmp(y)),
        (Value::Float(x), Value::Float(y)) => {
            Ok(x.partial_cmp(y).unwrap_or(std::cmp::Ordering::Equal))
        }
        (Value::Str(x), Value::Str(y)) => Ok(x.cmp(y)),
        (
            Value::Int(_) | Value::Float(_) | Value::Str(_),
            Value::Int(_) | Value::Float(_) | Value::Str(_),
        ) => Err("incompatible types for comparison".into()),
        _ => Err("invalid type for comparison".into()),
    }
}
