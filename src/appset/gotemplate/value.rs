//! Values as a Go template sees ApplicationSet parameters: `map[string]any` decoded from
//! JSON, so every number is a `float64`; only template literals and arithmetic results
//! are integers.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use super::format::format_float;

/// A map is shared, like a Go map: Sprig's `set` and `unset` change it in place.
pub(super) type MapRef = Rc<RefCell<BTreeMap<String, Value>>>;

/// Containers nest at most this deep, so printing and dropping stay shallow.
pub(super) const MAX_NESTING: usize = 200;

#[derive(Clone, Debug)]
pub(super) enum Value {
    /// Go's invalid `reflect.Value`: a missing map key. Prints `<no value>`.
    Missing,
    /// A nil interface (JSON null, or a function's nil result).
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    List(Rc<Vec<Value>>),
    Map(MapRef),
}

impl Value {
    pub fn str(s: impl Into<Rc<str>>) -> Value {
        Value::Str(s.into())
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(items))
    }

    pub fn map(entries: BTreeMap<String, Value>) -> Value {
        Value::Map(Rc::new(RefCell::new(entries)))
    }

    /// JSON as Go decodes it into `any`. `depth` guards hostile nesting.
    pub fn from_json(json: &serde_json::Value, depth: usize) -> Value {
        if depth > MAX_NESTING {
            return Value::Nil;
        }
        match json {
            serde_json::Value::Null => Value::Nil,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
            serde_json::Value::String(s) => Value::str(s.as_str()),
            serde_json::Value::Array(items) => Value::list(
                items
                    .iter()
                    .map(|v| Value::from_json(v, depth + 1))
                    .collect(),
            ),
            serde_json::Value::Object(map) => Value::map(
                map.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v, depth + 1)))
                    .collect(),
            ),
        }
    }

    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Missing | Value::Nil)
    }

    /// Go's type name, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Missing => "<no value>",
            Value::Nil => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float64",
            Value::Str(_) => "string",
            Value::List(_) => "[]interface {}",
            Value::Map(_) => "map[string]interface {}",
        }
    }

    /// text/template's truth: false, 0, nil, and empty strings or collections are false.
    pub fn truth(&self) -> bool {
        match self {
            Value::Missing | Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.borrow().is_empty(),
        }
    }

    /// Sprig's `empty`: the same as falsy.
    pub fn is_empty(&self) -> bool {
        !self.truth()
    }

    /// Go's `fmt` `%v`. Inside collections a nil prints `<nil>`.
    pub fn write(&self, out: &mut String, depth: usize) {
        match self {
            Value::Missing => out.push_str("<no value>"),
            Value::Nil => out.push_str("<nil>"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => out.push_str(&i.to_string()),
            Value::Float(f) => out.push_str(&format_float(*f)),
            Value::Str(s) => out.push_str(s),
            Value::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    item.write_nested(out, depth);
                }
                out.push(']');
            }
            Value::Map(map) => {
                out.push_str("map[");
                for (i, (k, v)) in map.borrow().iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    out.push_str(k);
                    out.push(':');
                    v.write_nested(out, depth);
                }
                out.push(']');
            }
        }
    }

    fn write_nested(&self, out: &mut String, depth: usize) {
        if depth >= MAX_NESTING {
            out.push_str("...");
        } else if self.is_nil() {
            out.push_str("<nil>");
        } else {
            self.write(out, depth + 1);
        }
    }

    /// `fmt.Sprint` of one value.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        self.write(&mut s, 0);
        s
    }

    /// Go's `reflect.DeepEqual` over our kinds (an int never equals a float64).
    pub fn deep_equal(&self, other: &Value, depth: usize) -> bool {
        if depth > MAX_NESTING {
            return false;
        }
        match (self, other) {
            (a, b) if a.is_nil() && b.is_nil() => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::List(a), Value::List(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b.iter())
                        .all(|(x, y)| x.deep_equal(y, depth + 1))
            }
            (Value::Map(a), Value::Map(b)) => {
                if Rc::ptr_eq(a, b) {
                    return true;
                }
                let (a, b) = (a.borrow(), b.borrow());
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| b.get(k).is_some_and(|other| v.deep_equal(other, depth + 1)))
            }
            _ => false,
        }
    }

    /// How deeply containers nest inside this value. Adds the nodes walked to
    /// `visited`, which the caller charges to the step budget.
    pub fn nesting(&self, visited: &mut u64) -> usize {
        *visited += 1;
        match self {
            Value::List(items) => 1 + items.iter().map(|v| v.nesting(visited)).max().unwrap_or(0),
            Value::Map(map) => {
                1 + map
                    .borrow()
                    .values()
                    .map(|v| v.nesting(visited))
                    .max()
                    .unwrap_or(0)
            }
            _ => 0,
        }
    }

    /// A copy that shares nothing mutable with `self`, so that `set` can never build a
    /// cycle of maps.
    pub fn deep_copy(&self, depth: usize) -> Value {
        if depth > MAX_NESTING {
            return Value::Nil;
        }
        match self {
            Value::List(items) => {
                Value::list(items.iter().map(|v| v.deep_copy(depth + 1)).collect())
            }
            Value::Map(map) => Value::map(
                map.borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.deep_copy(depth + 1)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}
