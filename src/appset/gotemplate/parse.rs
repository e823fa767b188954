//! The parser of Go's text/template (`text/template/parse/parse.go`), for the actions
//! ApplicationSets use. `define`, `template` and `block` are refused.

use std::rc::Rc;

use super::lex::{Item, Keyword, Tok};
use crate::appset::TemplateError;

/// Control structures and parentheses nest at most this deep.
const MAX_DEPTH: usize = 100;

#[derive(Debug)]
pub(super) enum Node {
    Text(String),
    Action(Pipe),
    If(Control),
    Range(Control),
    With(Control),
    Break,
    Continue,
}

#[derive(Debug)]
pub(super) struct Control {
    pub pipe: Pipe,
    pub list: Vec<Node>,
    pub else_list: Option<Vec<Node>>,
}

#[derive(Debug)]
pub(super) struct Pipe {
    pub pos: usize,
    /// `$x = ...` rather than `$x := ...`.
    pub is_assign: bool,
    pub decl: Vec<String>,
    pub cmds: Vec<Command>,
}

#[derive(Debug)]
pub(super) struct Command {
    pub pos: usize,
    pub args: Vec<Arg>,
}

#[derive(Debug)]
pub(super) enum Arg {
    Dot,
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    /// `.a.b`
    Field(Vec<String>),
    /// `$x.a.b` (`fields` may be empty).
    Variable {
        name: String,
        fields: Vec<String>,
    },
    Function(String),
    Pipe(Box<Pipe>),
    /// `(pipeline).a.b`
    Chain {
        node: Box<Arg>,
        fields: Vec<String>,
    },
}

impl Arg {
    fn describe(&self) -> String {
        match self {
            Arg::Dot => ".".into(),
            Arg::Nil => "nil".into(),
            Arg::Bool(b) => b.to_string(),
            Arg::Int(i) => i.to_string(),
            Arg::Float(f) => f.to_string(),
            Arg::Str(s) => format!("{s:?}"),
            Arg::Field(f) => format!(".{}", f.join(".")),
            Arg::Variable { name, fields } => std::iter::once(name.as_str())
                .chain(fields.iter().map(|s| s.as_str()))
                .collect::<Vec<_>>()
                .join("."),
            Arg::Function(name) => name.clone(),
            Arg::Pipe(_) => "(pipeline)".into(),
            Arg::Chain { .. } => "(chain)".into(),
        }
    }
}

/// What `textOrAction` found: a node, or the `{{end}}` / `{{else}}` closing a list.
enum Parsed {
    Node(Node),
    End,
    Else,
}

pub(super) fn parse(
    items: Vec<Item>,
    is_function: &dyn Fn(&str) -> bool,
) -> Result<Vec<Node>, TemplateError> {
    let mut parser = Parser {
        items,
        next: 0,
        vars: vec!["$".to_string()],
        range_depth: 0,
        depth: 0,
        is_function,
    };
    let mut root = Vec::new();
    while parser.peek().tok != Tok::Eof {
        match parser.text_or_action()? {
            Parsed::Node(n) => root.push(n),
            Parsed::End => return Err(parser.error_at_prev("unexpected {{end}}")),
            Parsed::Else => return Err(parser.error_at_prev("unexpected {{else}}")),
        }
    }
    Ok(root)
}

struct Parser<'f> {
    items: Vec<Item>,
    next: usize,
    /// Variables in scope, innermost last.
    vars: Vec<String>,
    range_depth: usize,
    depth: usize,
    is_function: &'f dyn Fn(&str) -> bool,
}

type R<T> = Result<T, TemplateError>;

impl Parser<'_> {
    fn peek(&self) -> &Item {
        &self.items[self.next.min(self.items.len() - 1)]
    }

    fn next(&mut self) -> Item {
        let item = self.peek().clone();
        if self.next < self.items.len() {
            self.next += 1;
        }
        item
    }

    fn backup(&mut self) {
        self.next = self.next.saturating_sub(1);
    }

    fn next_non_space(&mut self) -> Item {
        loop {
            let item = self.next();
            if item.tok != Tok::Space {
                return item;
            }
        }
    }

    fn peek_non_space(&mut self) -> Item {
        let item = self.next_non_space();
        self.backup();
        item
    }

    fn error(&self, pos: usize, message: impl Into<String>) -> TemplateError {
        TemplateError {
            message: message.into(),
            offset: pos,
        }
    }

    fn error_at_prev(&self, message: &str) -> TemplateError {
        let pos = self.items[self.next.saturating_sub(1)].pos;
        self.error(pos, message)
    }

    fn unexpected(&self, item: &Item, context: &str) -> TemplateError {
        let what = match &item.tok {
            Tok::Eof => "EOF".to_string(),
            Tok::RightDelim => "\"}}\"".to_string(),
            Tok::RightParen => "\")\"".to_string(),
            Tok::Punct(c) => format!("{c:?}"),
            other => format!("{other:?}"),
        };
        self.error(item.pos, format!("unexpected {what} in {context}"))
    }

    fn enter(&mut self, pos: usize) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(
                pos,
                format!("template nests deeper than {MAX_DEPTH} levels"),
            ));
        }
        Ok(())
    }

    fn text_or_action(&mut self) -> R<Parsed> {
        let item = self.next_non_space();
        match item.tok {
            Tok::Text(text) => Ok(Parsed::Node(Node::Text(text))),
            Tok::LeftDelim => self.action(),
            _ => Err(self.unexpected(&item, "input")),
        }
    }

    fn action(&mut self) -> R<Parsed> {
        let item = self.next_non_space();
        match item.tok {
            Tok::Keyword(Keyword::Define | Keyword::Template | Keyword::Block) => Err(self.error(
                item.pos,
                "{{define}}, {{template}} and {{block}} are not supported",
            )),
            Tok::Keyword(Keyword::Break) => self
                .loop_control(item.pos, "break")
                .map(|_| Parsed::Node(Node::Break)),
            Tok::Keyword(Keyword::Continue) => self
                .loop_control(item.pos, "continue")
                .map(|_| Parsed::Node(Node::Continue)),
            Tok::Keyword(Keyword::Else) => {
                // `{{else if}}` / `{{else with}}` leave the keyword for the caller.
                let peek = self.peek_non_space();
                if !matches!(peek.tok, Tok::Keyword(Keyword::If | Keyword::With)) {
                    self.expect_right_delim("else")?;
                }
                Ok(Parsed::Else)
            }
            Tok::Keyword(Keyword::End) => {
                self.expect_right_delim("end")?;
                Ok(Parsed::End)
            }
            Tok::Keyword(Keyword::If) => Ok(Parsed::Node(Node::If(self.control("if", item.pos)?))),
            Tok::Keyword(Keyword::Range) => {
                Ok(Parsed::Node(Node::Range(self.control("range", item.pos)?)))
            }
            Tok::Keyword(Keyword::With) => {
                Ok(Parsed::Node(Node::With(self.control("with", item.pos)?)))
            }
            _ => {
                self.backup();
                // Variables declared here stay in scope until the enclosing {{end}}.
                Ok(Parsed::Node(Node::Action(
                    self.pipeline("command", &Tok::RightDelim)?,
                )))
            }
        }
    }

    fn expect_right_delim(&mut self, context: &str) -> R<()> {
        let item = self.next_non_space();
        if item.tok != Tok::RightDelim {
            return Err(self.unexpected(&item, context));
        }
        Ok(())
    }

    fn loop_control(&mut self, pos: usize, name: &str) -> R<()> {
        self.expect_right_delim(&format!("{{{{{name}}}}}"))?;
        if self.range_depth == 0 {
            return Err(self.error(pos, format!("{{{{{name}}}}} outside {{{{range}}}}")));
        }
        Ok(())
    }

    fn control(&mut self, context: &str, pos: usize) -> R<Control> {
        self.enter(pos)?;
        let mark = self.vars.len();
        let pipe = self.pipeline(context, &Tok::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let (list, closer) = self.item_list()?;
        if context == "range" {
            self.range_depth -= 1;
        }
        let mut else_list = None;
        if let Parsed::Else = closer {
            let peek = self.peek_non_space();
            match (context, &peek.tok) {
                ("if", Tok::Keyword(Keyword::If)) | ("with", Tok::Keyword(Keyword::With)) => {
                    // `{{else if b}}` is `{{else}}{{if b}}...{{end}}{{end}}` with one end.
                    self.next_non_space();
                    let nested = self.control(context, peek.pos)?;
                    else_list = Some(vec![if context == "if" {
                        Node::If(nested)
                    } else {
                        Node::With(nested)
                    }]);
                }
                _ => {
                    let (list, closer) = self.item_list()?;
                    if !matches!(closer, Parsed::End) {
                        return Err(self.error_at_prev("expected end; found {{else}}"));
                    }
                    else_list = Some(list);
                }
            }
        }
        self.vars.truncate(mark);
        self.depth -= 1;
        Ok(Control {
            pipe,
            list,
            else_list,
        })
    }

    fn item_list(&mut self) -> R<(Vec<Node>, Parsed)> {
        let mut list = Vec::new();
        while self.peek_non_space().tok != Tok::Eof {
            match self.text_or_action()? {
                Parsed::Node(n) => list.push(n),
                closer => return Ok((list, closer)),
            }
        }
        Err(self.error(self.peek().pos, "unexpected EOF"))
    }

    fn pipeline(&mut self, context: &str, end: &Tok) -> R<Pipe> {
        let pos = self.peek_non_space().pos;
        let mut pipe = Pipe {
            pos,
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::new(),
        };
        // Declarations: `$x :=`, `$x =`, and `$i, $v :=` in range.
        loop {
            let v = self.peek_non_space();
            let Tok::Variable(name) = &v.tok else { break };
            let saved = self.next;
            self.next_non_space();
            let next = self.peek_non_space();
            match next.tok {
                Tok::Assign | Tok::Declare => {
                    pipe.is_assign = next.tok == Tok::Assign;
                    self.next_non_space();
                    pipe.decl.push(name.clone());
                    self.vars.push(name.clone());
                    break;
                }
                Tok::Punct(',') => {
                    self.next_non_space();
                    pipe.decl.push(name.clone());
                    self.vars.push(name.clone());
                    if context == "range" && pipe.decl.len() < 2 {
                        match self.peek_non_space().tok {
                            Tok::Variable(_) | Tok::RightDelim | Tok::RightParen => continue,
                            _ => {
                                return Err(
                                    self.error(next.pos, "range can only initialize variables")
                                );
                            }
                        }
                    }
                    return Err(self.error(next.pos, format!("too many declarations in {context}")));
                }
                _ => {
                    // `$x` is an operand, not a declaration.
                    self.next = saved;
                    break;
                }
            }
        }
        loop {
            let item = self.next_non_space();
            if &item.tok == end {
                self.check_pipeline(&pipe, context)?;
                return Ok(pipe);
            }
            match item.tok {
                Tok::Bool(_)
                | Tok::Rune(_)
                | Tok::Dot
                | Tok::Field(_)
                | Tok::Ident(_)
                | Tok::Number(_)
                | Tok::Nil
                | Tok::Str(_)
                | Tok::Variable(_)
                | Tok::LeftParen => {
                    self.backup();
                    let cmd = self.command()?;
                    pipe.cmds.push(cmd);
                }
                _ => return Err(self.unexpected(&item, context)),
            }
        }
    }

    fn check_pipeline(&self, pipe: &Pipe, context: &str) -> R<()> {
        if pipe.cmds.is_empty() {
            return Err(self.error(pipe.pos, format!("missing value for {context}")));
        }
        for (i, cmd) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(
                cmd.args.first(),
                Some(
                    Arg::Bool(_) | Arg::Dot | Arg::Nil | Arg::Int(_) | Arg::Float(_) | Arg::Str(_)
                )
            ) {
                return Err(self.error(
                    cmd.pos,
                    format!("non executable command in pipeline stage {}", i + 1),
                ));
            }
        }
        Ok(())
    }

    fn command(&mut self) -> R<Command> {
        let pos = self.peek_non_space().pos;
        let mut args = Vec::new();
        loop {
            self.peek_non_space();
            if let Some(operand) = self.operand()? {
                args.push(operand);
            }
            let item = self.next();
            match item.tok {
                Tok::Space => continue,
                Tok::RightDelim | Tok::RightParen => self.backup(),
                Tok::Pipe => {}
                _ => return Err(self.unexpected(&item, "operand")),
            }
            break;
        }
        if args.is_empty() {
            return Err(self.error(pos, "empty command"));
        }
        Ok(Command { pos, args })
    }

    fn operand(&mut self) -> R<Option<Arg>> {
        let Some(term) = self.term()? else {
            return Ok(None);
        };
        let mut fields = Vec::new();
        while let Tok::Field(name) = &self.peek().tok {
            fields.push(name.clone());
            self.next();
        }
        if fields.is_empty() {
            return Ok(Some(term));
        }
        Ok(Some(match term {
            Arg::Field(mut base) => {
                base.extend(fields);
                Arg::Field(base)
            }
            Arg::Variable {
                name,
                fields: mut base,
            } => {
                base.extend(fields);
                Arg::Variable { name, fields: base }
            }
            Arg::Bool(_) | Arg::Str(_) | Arg::Int(_) | Arg::Float(_) | Arg::Nil | Arg::Dot => {
                return Err(self.error(
                    self.peek().pos,
                    format!("unexpected . after term {:?}", term.describe()),
                ));
            }
            node => Arg::Chain {
                node: Box::new(node),
                fields,
            },
        }))
    }

    fn term(&mut self) -> R<Option<Arg>> {
        let item = self.next_non_space();
        Ok(Some(match item.tok {
            Tok::Ident(name) => {
                if !(self.is_function)(&name) {
                    return Err(self.error(item.pos, format!("function {name:?} not defined")));
                }
                Arg::Function(name)
            }
            Tok::Dot => Arg::Dot,
            Tok::Nil => Arg::Nil,
            Tok::Variable(name) => {
                if !self.vars.contains(&name) {
                    return Err(self.error(item.pos, format!("undefined variable {name:?}")));
                }
                Arg::Variable {
                    name,
                    fields: Vec::new(),
                }
            }
            Tok::Field(name) => Arg::Field(vec![name]),
            Tok::Bool(b) => Arg::Bool(b),
            Tok::Rune(r) => Arg::Int(r),
            Tok::Number(text) => parse_number(&text).map_err(|m| self.error(item.pos, m))?,
            Tok::LeftParen => {
                self.enter(item.pos)?;
                let pipe = self.pipeline("parenthesized pipeline", &Tok::RightParen)?;
                self.depth -= 1;
                Arg::Pipe(Box::new(pipe))
            }
            Tok::Str(s) => Arg::Str(s.into()),
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }
}

/// A number literal as a Go template passes it to an `any` parameter: an `int` unless
/// it is written with a fraction or an exponent, then a `float64`.
fn parse_number(text: &str) -> Result<Arg, String> {
    let bad = || format!("bad number syntax: {text:?}");
    if text.ends_with('i') {
        return Err(format!("complex number {text} is not supported"));
    }
    let clean = text.replace('_', "");
    let (negative, body) = match clean.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, clean.strip_prefix('+').unwrap_or(&clean)),
    };
    let lower = body.to_ascii_lowercase();
    let radix_int = |digits: &str, radix: u32| -> Result<Arg, String> {
        let v = i64::from_str_radix(digits, radix).map_err(|_| format!("{text} overflows int"))?;
        Ok(Arg::Int(if negative { -v } else { v }))
    };
    if let Some(hex) = lower.strip_prefix("0x") {
        if hex.contains(['.', 'p']) {
            return Err(format!("hexadecimal float {text} is not supported"));
        }
        return radix_int(hex, 16);
    }
    if let Some(oct) = lower.strip_prefix("0o") {
        return radix_int(oct, 8);
    }
    if let Some(bin) = lower.strip_prefix("0b") {
        return radix_int(bin, 2);
    }
    if body.is_empty() {
        return Err(bad());
    }
    if !body.contains(['.', 'e', 'E']) {
        if body.len() > 1
            && body.starts_with('0')
            && body.bytes().all(|b| (b'0'..=b'7').contains(&b))
        {
            return radix_int(&body[1..], 8);
        }
        if body.bytes().all(|b| b.is_ascii_digit()) {
            return radix_int(body, 10);
        }
        return Err(bad());
    }
    let f: f64 = body.parse().map_err(|_| bad())?;
    Ok(Arg::Float(if negative { -f } else { f }))
}
