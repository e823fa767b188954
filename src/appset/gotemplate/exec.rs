//! Execution of a parsed template (`text/template/exec.go`): pipelines, variables,
//! `if`/`range`/`with`, and Go's rules for missing keys and nil values.

use std::cell::Cell;

use super::builtins;
use super::parse::{Arg, Command, Control, Node, Pipe};
use super::value::Value;
use crate::appset::TemplateError;

/// Evaluation steps shared by every template of one expansion, so that many small
/// renders cannot add up to an unbounded amount of work.
#[derive(Debug)]
pub(crate) struct Budget {
    steps: Cell<u64>,
}

impl Budget {
    pub fn new(steps: u64) -> Budget {
        Budget {
            steps: Cell::new(steps),
        }
    }

    /// Spends `n` steps; false once the budget is gone.
    pub fn spend(&self, n: u64) -> bool {
        let left = self.steps.get();
        self.steps.set(left.saturating_sub(n));
        left >= n
    }
}

pub(super) struct Options<'b> {
    pub missing_key_error: bool,
    pub budget: &'b Budget,
    /// Bytes of output, and of any string a function builds.
    pub max_output: usize,
}

#[derive(PartialEq, Eq)]
enum Flow {
    Next,
    Break,
    Continue,
}

type R<T> = Result<T, TemplateError>;

pub(super) fn execute(nodes: &[Node], data: &Value, options: &Options) -> R<String> {
    let mut state = State {
        out: String::new(),
        vars: vec![("$".to_string(), data.clone())],
        options,
    };
    state.walk(data, nodes)?;
    Ok(state.out)
}

struct State<'o, 'b> {
    out: String,
    /// Variables in scope, innermost last.
    vars: Vec<(String, Value)>,
    options: &'o Options<'b>,
}

fn error(offset: usize, message: impl Into<String>) -> TemplateError {
    TemplateError {
        message: message.into(),
        offset,
    }
}

impl State<'_, '_> {
    fn step(&self, pos: usize) -> R<()> {
        if self.options.budget.spend(1) {
            Ok(())
        } else {
            Err(error(pos, "template evaluation budget exhausted"))
        }
    }

    fn emit(&mut self, text: &str, pos: usize) -> R<()> {
        if self.out.len() + text.len() > self.options.max_output {
            return Err(error(
                pos,
                format!("template output exceeds {} bytes", self.options.max_output),
            ));
        }
        self.out.push_str(text);
        Ok(())
    }

    fn walk(&mut self, dot: &Value, nodes: &[Node]) -> R<Flow> {
        for node in nodes {
            match node {
                Node::Text(text) => self.emit(text, 0)?,
                Node::Action(pipe) => {
                    let value = self.eval_pipeline(dot, pipe)?;
                    if pipe.decl.is_empty() {
                        let text = if value.is_nil() {
                            "<no value>".to_string()
                        } else {
                            value.to_text()
                        };
                        self.emit(&text, pipe.pos)?;
                    }
                }
                Node::If(control) | Node::With(control) => {
                    let with = matches!(node, Node::With(_));
                    let flow = self.if_or_with(dot, control, with)?;
                    if flow != Flow::Next {
                        return Ok(flow);
                    }
                }
                Node::Range(control) => self.range(dot, control)?,
                Node::Break => return Ok(Flow::Break),
                Node::Continue => return Ok(Flow::Continue),
            }
        }
        Ok(Flow::Next)
    }

    fn if_or_with(&mut self, dot: &Value, control: &Control, with: bool) -> R<Flow> {
        self.step(control.pipe.pos)?;
        let mark = self.vars.len();
        let value = self.eval_pipeline(dot, &control.pipe)?;
        let flow = if value.truth() {
            let inner = if with { &value } else { dot };
            self.walk(inner, &control.list)?
        } else if let Some(else_list) = &control.else_list {
            self.walk(dot, else_list)?
        } else {
            Flow::Next
        };
        self.vars.truncate(mark);
        Ok(flow)
    }

    fn range(&mut self, dot: &Value, control: &Control) -> R<()> {
        let pipe = &control.pipe;
        self.step(pipe.pos)?;
        let mark = self.vars.len();
        let value = self.eval_pipeline(dot, pipe)?;
        let mut iterated = false;
        let mut each = |state: &mut Self, key: Value, elem: Value| -> R<bool> {
            iterated = true;
            state.step(pipe.pos)?;
            state.bind_range_vars(pipe, mark, key, elem.clone())?;
            let inner = state.vars.len();
            let flow = state.walk(&elem, &control.list)?;
            state.vars.truncate(inner);
            Ok(flow != Flow::Break)
        };
        match &value {
            Value::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    if !each(self, Value::Int(i as i64), item.clone())? {
                        break;
                    }
                }
            }
            Value::Map(map) => {
                // Snapshot: the body may `set` into the map it ranges over.
                let entries: Vec<(String, Value)> = map
                    .borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                for (k, v) in entries {
                    if !each(self, Value::str(k), v)? {
                        break;
                    }
                }
            }
            Value::Int(n) => {
                if pipe.decl.len() > 1 {
                    return Err(error(
                        pipe.pos,
                        "can't use two variables when ranging over an integer",
                    ));
                }
                for i in 0..*n {
                    if !each(self, Value::Int(i), Value::Int(i))? {
                        break;
                    }
                }
            }
            Value::Missing | Value::Nil => {}
            other => {
                return Err(error(
                    pipe.pos,
                    format!("range can't iterate over {}", other.to_text()),
                ));
            }
        }
        if !iterated && let Some(else_list) = &control.else_list {
            self.walk(dot, else_list)?;
        }
        self.vars.truncate(mark);
        Ok(())
    }

    /// `range $v :=` binds the element; `range $i, $v :=` the key and the element.
    fn bind_range_vars(&mut self, pipe: &Pipe, mark: usize, key: Value, elem: Value) -> R<()> {
        let n = pipe.decl.len();
        if n == 0 {
            return Ok(());
        }
        if pipe.is_assign {
            if n > 1 {
                self.set_var(&pipe.decl[0], key, pipe.pos)?;
            }
            return self.set_var(&pipe.decl[n - 1], elem, pipe.pos);
        }
        if let Some(slot) = self.vars.get_mut(mark + n - 1) {
            slot.1 = elem;
        }
        if n > 1
            && let Some(slot) = self.vars.get_mut(mark)
        {
            slot.1 = key;
        }
        Ok(())
    }

    fn set_var(&mut self, name: &str, value: Value, pos: usize) -> R<()> {
        match self.vars.iter_mut().rev().find(|(n, _)| n == name) {
            Some(slot) => {
                slot.1 = value;
                Ok(())
            }
            None => Err(error(pos, format!("undefined variable: {name}"))),
        }
    }

    fn var_value(&self, name: &str, pos: usize) -> R<Value> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| error(pos, format!("undefined variable: {name}")))
    }

    fn eval_pipeline(&mut self, dot: &Value, pipe: &Pipe) -> R<Value> {
        let mut value: Option<Value> = None;
        for cmd in &pipe.cmds {
            let v = self.eval_command(dot, cmd, value.take())?;
            // Go unwraps a nil interface into an invalid value here.
            value = Some(if let Value::Nil = v {
                Value::Missing
            } else {
                v
            });
        }
        let value = value.unwrap_or(Value::Missing);
        for name in &pipe.decl {
            if pipe.is_assign {
                self.set_var(name, value.clone(), pipe.pos)?;
            } else {
                self.vars.push((name.clone(), value.clone()));
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, cmd: &Command, final_value: &Option<Value>) -> R<()> {
        if cmd.args.len() > 1 || final_value.is_some() {
            return Err(error(cmd.pos, "can't give argument to non-function"));
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &Value, cmd: &Command, final_value: Option<Value>) -> R<Value> {
        self.step(cmd.pos)?;
        let has_args = cmd.args.len() > 1 || final_value.is_some();
        match &cmd.args[0] {
            Arg::Field(names) => self.field_chain(dot.clone(), names, has_args, cmd.pos),
            Arg::Chain { node, fields } => {
                if let Arg::Nil = **node {
                    return Err(error(cmd.pos, "indirection through explicit nil"));
                }
                let base = self.eval_arg(dot, node, cmd.pos)?;
                self.field_chain(base, fields, has_args, cmd.pos)
            }
            Arg::Function(name) => self.call(dot, name, &cmd.args[1..], final_value, cmd.pos),
            Arg::Pipe(pipe) => {
                self.not_a_function(cmd, &final_value)?;
                self.eval_pipeline(dot, pipe)
            }
            Arg::Variable { name, fields } => {
                let value = self.var_value(name, cmd.pos)?;
                if fields.is_empty() {
                    self.not_a_function(cmd, &final_value)?;
                    return Ok(value);
                }
                self.field_chain(value, fields, has_args, cmd.pos)
            }
            literal => {
                self.not_a_function(cmd, &final_value)?;
                match literal {
                    Arg::Nil => Err(error(cmd.pos, "nil is not a command")),
                    other => self.eval_arg(dot, other, cmd.pos),
                }
            }
        }
    }

    fn eval_arg(&mut self, dot: &Value, arg: &Arg, pos: usize) -> R<Value> {
        Ok(match arg {
            Arg::Dot => dot.clone(),
            Arg::Nil => Value::Nil,
            Arg::Bool(b) => Value::Bool(*b),
            Arg::Int(i) => Value::Int(*i),
            Arg::Float(f) => Value::Float(*f),
            Arg::Str(s) => Value::Str(s.clone()),
            Arg::Field(names) => self.field_chain(dot.clone(), names, false, pos)?,
            Arg::Variable { name, fields } => {
                let value = self.var_value(name, pos)?;
                self.field_chain(value, fields, false, pos)?
            }
            Arg::Pipe(pipe) => self.eval_pipeline(dot, pipe)?,
            Arg::Function(name) => self.call(dot, name, &[], None, pos)?,
            Arg::Chain { node, fields } => {
                let base = self.eval_arg(dot, node, pos)?;
                self.field_chain(base, fields, false, pos)?
            }
        })
    }

    fn field_chain(
        &mut self,
        mut receiver: Value,
        names: &[String],
        has_args: bool,
        pos: usize,
    ) -> R<Value> {
        for (i, name) in names.iter().enumerate() {
            let last = i + 1 == names.len();
            receiver = self.field(&receiver, name, has_args && last, pos)?;
        }
        Ok(receiver)
    }

    fn field(&self, receiver: &Value, name: &str, has_args: bool, pos: usize) -> R<Value> {
        let missing_key_error = self.options.missing_key_error;
        match receiver {
            Value::Missing => {
                if missing_key_error {
                    return Err(error(pos, format!("nil data; no entry for key {name:?}")));
                }
                Ok(Value::Missing)
            }
            Value::Nil => Err(error(
                pos,
                format!("nil pointer evaluating interface {{}}.{name}"),
            )),
            Value::Map(map) => {
                if has_args {
                    return Err(error(
                        pos,
                        format!("{name} is not a method but has arguments"),
                    ));
                }
                match map.borrow().get(name) {
                    Some(v) => Ok(v.clone()),
                    None if missing_key_error => {
                        Err(error(pos, format!("map has no entry for key {name:?}")))
                    }
                    None => Ok(Value::Missing),
                }
            }
            other => Err(error(
                pos,
                format!("can't evaluate field {name} in type {}", other.type_name()),
            )),
        }
    }

    fn call(
        &mut self,
        dot: &Value,
        name: &str,
        args: &[Arg],
        final_value: Option<Value>,
        pos: usize,
    ) -> R<Value> {
        if name == "and" || name == "or" {
            return self.and_or(dot, name == "or", args, final_value, pos);
        }
        let mut values = Vec::with_capacity(args.len() + 1);
        for arg in args {
            values.push(self.eval_arg(dot, arg, pos)?);
        }
        values.extend(final_value);
        // A missing value reaches a function as a nil interface.
        for v in &mut values {
            if let Value::Missing = v {
                *v = Value::Nil;
            }
        }
        let ctx = builtins::CallContext {
            budget: self.options.budget,
            max_string: self.options.max_output,
        };
        let result = builtins::call(name, values, &ctx)
            .map_err(|m| error(pos, format!("error calling {name}: {m}")))?;
        if let Value::Str(s) = &result
            && s.len() > self.options.max_output
        {
            return Err(error(
                pos,
                format!(
                    "{name} built a string longer than {} bytes",
                    self.options.max_output
                ),
            ));
        }
        Ok(result)
    }

    /// `and` and `or` stop at the first argument that decides, and return it.
    fn and_or(
        &mut self,
        dot: &Value,
        or: bool,
        args: &[Arg],
        final_value: Option<Value>,
        pos: usize,
    ) -> R<Value> {
        if args.is_empty() && final_value.is_none() {
            let name = if or { "or" } else { "and" };
            return Err(error(
                pos,
                format!("wrong number of args for {name}: want at least 1 got 0"),
            ));
        }
        let mut last = Value::Missing;
        for arg in args {
            let v = self.eval_arg(dot, arg, pos)?;
            if v.truth() == or {
                return Ok(v);
            }
            last = v;
        }
        Ok(final_value.unwrap_or(last))
    }
}
