//! The lexer of Go's text/template (`text/template/parse/lex.go`) with `{{ }}`
//! delimiters, trim markers (`{{- ` and ` -}}`) and `{{/* */}}` comments.

use crate::appset::TemplateError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Keyword {
    If,
    Else,
    End,
    Range,
    With,
    Break,
    Continue,
    Define,
    Template,
    Block,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tok {
    Text(String),
    LeftDelim,
    RightDelim,
    Space,
    Pipe,
    LeftParen,
    RightParen,
    Declare,
    Assign,
    /// Any other printable ASCII character inside an action, such as `,`.
    Punct(char),
    Bool(bool),
    /// A number literal as written.
    Number(String),
    /// A character constant such as `'a'`: an integer.
    Rune(i64),
    /// A string literal, unquoted.
    Str(String),
    /// `.name`, without the dot.
    Field(String),
    /// `$name` or `$`, with the dollar sign.
    Variable(String),
    Ident(String),
    Dot,
    Nil,
    Keyword(Keyword),
    Eof,
}

#[derive(Clone, Debug)]
pub(super) struct Item {
    pub tok: Tok,
    pub pos: usize,
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_alphanumeric(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// `{{- ` : a minus and a space right after the left delimiter.
fn has_left_trim_marker(rest: &str) -> bool {
    let mut chars = rest.chars();
    chars.next() == Some('-') && chars.next().is_some_and(is_space)
}

/// ` -}}` : a space, a minus and the right delimiter.
fn has_right_trim_delim(rest: &str) -> bool {
    let mut chars = rest.chars();
    chars.next().is_some_and(is_space) && rest[1..].starts_with("-}}")
}

fn error(offset: usize, message: impl Into<String>) -> TemplateError {
    TemplateError {
        message: message.into(),
        offset,
    }
}

pub(super) fn lex(src: &str) -> Result<Vec<Item>, TemplateError> {
    let mut lexer = Lexer {
        src,
        pos: 0,
        items: Vec::new(),
        trim_text: false,
    };
    lexer.run()?;
    Ok(lexer.items)
}

struct Lexer<'s> {
    src: &'s str,
    pos: usize,
    items: Vec<Item>,
    /// The previous action ended with ` -}}`: trim the text that follows.
    trim_text: bool,
}

impl Lexer<'_> {
    fn push(&mut self, tok: Tok, pos: usize) {
        self.items.push(Item { tok, pos });
    }

    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn run(&mut self) -> Result<(), TemplateError> {
        loop {
            let start = self.pos;
            let delim = self.rest().find("{{").map(|i| start + i);
            let end = delim.unwrap_or(self.src.len());
            let mut text = &self.src[start..end];
            if self.trim_text {
                text = text.trim_start_matches(is_space);
                self.trim_text = false;
            }
            let left_trim = delim.is_some_and(|d| has_left_trim_marker(&self.src[d + 2..]));
            if left_trim {
                text = text.trim_end_matches(is_space);
            }
            if !text.is_empty() {
                // `text` is a slice of `src`, so its offset is the pointer difference.
                let text_start = text.as_ptr() as usize - self.src.as_ptr() as usize;
                self.push(Tok::Text(text.to_string()), text_start);
            }
            let Some(delim) = delim else {
                self.push(Tok::Eof, self.src.len());
                return Ok(());
            };
            self.pos = delim + 2 + if left_trim { 2 } else { 0 };
            if self.rest().starts_with("/*") {
                self.comment(delim)?;
                continue;
            }
            self.push(Tok::LeftDelim, delim);
            self.inside_action(delim)?;
        }
    }

    fn comment(&mut self, delim: usize) -> Result<(), TemplateError> {
        let Some(close) = self.rest()[2..].find("*/") else {
            return Err(error(delim, "unclosed comment"));
        };
        self.pos += 2 + close + 2;
        if has_right_trim_delim(self.rest()) {
            self.pos += 4;
            self.trim_text = true;
        } else if self.rest().starts_with("}}") {
            self.pos += 2;
        } else {
            return Err(error(self.pos, "comment ends before closing delimiter"));
        }
        Ok(())
    }

    fn inside_action(&mut self, delim: usize) -> Result<(), TemplateError> {
        let mut paren_depth = 0usize;
        loop {
            let start = self.pos;
            let right_trim = has_right_trim_delim(self.rest());
            if right_trim || self.rest().starts_with("}}") {
                if paren_depth > 0 {
                    return Err(error(start, "unclosed left paren"));
                }
                self.push(Tok::RightDelim, start);
                self.pos += if right_trim { 4 } else { 2 };
                self.trim_text = right_trim;
                return Ok(());
            }
            let Some(c) = self.peek() else {
                return Err(error(delim, "unclosed action"));
            };
            self.pos += c.len_utf8();
            match c {
                c if is_space(c) => self.space(start),
                '=' => self.push(Tok::Assign, start),
                ':' => {
                    if self.peek() != Some('=') {
                        return Err(error(start, "expected :="));
                    }
                    self.pos += 1;
                    self.push(Tok::Declare, start);
                }
                '|' => self.push(Tok::Pipe, start),
                '"' => self.quoted(start)?,
                '`' => self.raw_quoted(start)?,
                '\'' => self.char_constant(start)?,
                '$' => self.variable(start)?,
                '.' if !self.peek().is_some_and(|c| c.is_ascii_digit()) => self.field(start)?,
                '.' | '+' | '-' | '0'..='9' => self.number(start)?,
                '(' => {
                    paren_depth += 1;
                    self.push(Tok::LeftParen, start);
                }
                ')' => {
                    if paren_depth == 0 {
                        return Err(error(start, "unexpected right paren"));
                    }
                    paren_depth -= 1;
                    self.push(Tok::RightParen, start);
                }
                c if is_alphanumeric(c) => self.identifier(start)?,
                c if c.is_ascii() && !c.is_ascii_control() => self.push(Tok::Punct(c), start),
                c => {
                    return Err(error(
                        start,
                        format!("unrecognized character in action: U+{:04X}", c as u32),
                    ));
                }
            }
        }
    }

    /// A run of spaces, leaving the one that belongs to a ` -}}` marker (the caller
    /// has checked that the first one does not).
    fn space(&mut self, start: usize) {
        while self.peek().is_some_and(is_space) && !has_right_trim_delim(self.rest()) {
            self.pos += 1;
        }
        self.push(Tok::Space, start);
    }

    fn at_terminator(&self) -> bool {
        match self.peek() {
            None => true,
            Some(c) if is_space(c) => true,
            Some('.' | ',' | '|' | ':' | ')' | '(') => true,
            _ => self.rest().starts_with("}}"),
        }
    }

    fn scan_word(&mut self) -> &str {
        let start = self.pos;
        while self.peek().is_some_and(is_alphanumeric) {
            self.pos += self.peek().map_or(1, char::len_utf8);
        }
        &self.src[start..self.pos]
    }

    fn bad_character(&self) -> TemplateError {
        let c = self.peek().unwrap_or('\0');
        error(self.pos, format!("bad character U+{:04X} '{c}'", c as u32))
    }

    fn variable(&mut self, start: usize) -> Result<(), TemplateError> {
        let name = format!("${}", self.scan_word());
        if !self.at_terminator() {
            return Err(self.bad_character());
        }
        self.push(Tok::Variable(name), start);
        Ok(())
    }

    fn field(&mut self, start: usize) -> Result<(), TemplateError> {
        let name = self.scan_word().to_string();
        if !self.at_terminator() {
            return Err(self.bad_character());
        }
        if name.is_empty() {
            self.push(Tok::Dot, start);
        } else {
            self.push(Tok::Field(name), start);
        }
        Ok(())
    }

    fn identifier(&mut self, start: usize) -> Result<(), TemplateError> {
        self.pos = start;
        let word = self.scan_word().to_string();
        if !self.at_terminator() {
            return Err(self.bad_character());
        }
        let tok = match word.as_str() {
            "true" => Tok::Bool(true),
            "false" => Tok::Bool(false),
            "nil" => Tok::Nil,
            "if" => Tok::Keyword(Keyword::If),
            "else" => Tok::Keyword(Keyword::Else),
            "end" => Tok::Keyword(Keyword::End),
            "range" => Tok::Keyword(Keyword::Range),
            "with" => Tok::Keyword(Keyword::With),
            "break" => Tok::Keyword(Keyword::Break),
            "continue" => Tok::Keyword(Keyword::Continue),
            "define" => Tok::Keyword(Keyword::Define),
            "template" => Tok::Keyword(Keyword::Template),
            "block" => Tok::Keyword(Keyword::Block),
            _ => Tok::Ident(word),
        };
        self.push(tok, start);
        Ok(())
    }

    /// `scanNumber`: sign, base prefix, digits, fraction, exponent, imaginary suffix.
    fn number(&mut self, start: usize) -> Result<(), TemplateError> {
        self.pos = start;
        let accept = |lexer: &mut Self, set: &str| -> bool {
            match lexer.peek() {
                Some(c) if set.contains(c) => {
                    lexer.pos += 1;
                    true
                }
                _ => false,
            }
        };
        let accept_run = |lexer: &mut Self, set: &str| while accept(lexer, set) {};
        accept(self, "+-");
        let mut digits = "0123456789_";
        if accept(self, "0") {
            if accept(self, "xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if accept(self, "oO") {
                digits = "01234567_";
            } else if accept(self, "bB") {
                digits = "01_";
            }
        }
        accept_run(self, digits);
        if accept(self, ".") {
            accept_run(self, digits);
        }
        if digits.len() == 11 && accept(self, "eE") {
            accept(self, "+-");
            accept_run(self, "0123456789_");
        }
        if digits.len() == 23 && accept(self, "pP") {
            accept(self, "+-");
            accept_run(self, "0123456789_");
        }
        accept(self, "i");
        if let Some(c) = self.peek().filter(|c| is_alphanumeric(*c)) {
            let end = self.pos + c.len_utf8();
            return Err(error(
                start,
                format!("bad number syntax: {:?}", &self.src[start..end]),
            ));
        }
        self.push(Tok::Number(self.src[start..self.pos].to_string()), start);
        Ok(())
    }

    fn quoted(&mut self, start: usize) -> Result<(), TemplateError> {
        loop {
            match self.peek() {
                Some('\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some('\n') | None => break,
                        Some(c) => self.pos += c.len_utf8(),
                    }
                }
                Some('"') => {
                    self.pos += 1;
                    let raw = &self.src[start + 1..self.pos - 1];
                    let value = unquote(raw, '"').map_err(|m| error(start, m))?;
                    self.push(Tok::Str(value), start);
                    return Ok(());
                }
                Some('\n') | None => break,
                Some(c) => self.pos += c.len_utf8(),
            }
        }
        Err(error(start, "unterminated quoted string"))
    }

    fn raw_quoted(&mut self, start: usize) -> Result<(), TemplateError> {
        let Some(close) = self.rest().find('`') else {
            return Err(error(start, "unterminated raw quoted string"));
        };
        // strconv.Unquote drops carriage returns from raw strings.
        let value = self.rest()[..close].replace('\r', "");
        self.pos += close + 1;
        self.push(Tok::Str(value), start);
        Ok(())
    }

    fn char_constant(&mut self, start: usize) -> Result<(), TemplateError> {
        loop {
            match self.peek() {
                Some('\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some('\n') | None => break,
                        Some(c) => self.pos += c.len_utf8(),
                    }
                }
                Some('\'') => {
                    self.pos += 1;
                    let raw = &self.src[start + 1..self.pos - 1];
                    let value = unquote(raw, '\'').map_err(|m| error(start, m))?;
                    let mut chars = value.chars();
                    let (Some(c), None) = (chars.next(), chars.next()) else {
                        return Err(error(start, "malformed character constant"));
                    };
                    self.push(Tok::Rune(c as i64), start);
                    return Ok(());
                }
                Some('\n') | None => break,
                Some(c) => self.pos += c.len_utf8(),
            }
        }
        Err(error(start, "unterminated character constant"))
    }
}

/// `strconv.Unquote` of the inside of a `"` or `'` literal.
fn unquote(raw: &str, quote: char) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    let bad = || "invalid syntax".to_string();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = chars.next().ok_or_else(bad)?;
        let hex = |chars: &mut std::str::Chars, n: usize| -> Result<u32, String> {
            let s: String = chars.by_ref().take(n).collect();
            if s.len() != n {
                return Err(bad());
            }
            u32::from_str_radix(&s, 16).map_err(|_| bad())
        };
        match e {
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\u{b}'),
            '\\' => out.push('\\'),
            '"' if quote == '"' => out.push('"'),
            '\'' if quote == '\'' => out.push('\''),
            'x' => {
                // A byte; only ASCII ones make valid text.
                let b = hex(&mut chars, 2)?;
                out.push(
                    char::from_u32(b)
                        .filter(|c| c.is_ascii())
                        .unwrap_or('\u{fffd}'),
                );
            }
            'u' => out.push(char::from_u32(hex(&mut chars, 4)?).ok_or_else(bad)?),
            'U' => out.push(char::from_u32(hex(&mut chars, 8)?).ok_or_else(bad)?),
            '0'..='7' => {
                let rest: String = chars.by_ref().take(2).collect();
                let v = u32::from_str_radix(&format!("{e}{rest}"), 8).map_err(|_| bad())?;
                if rest.len() != 2 || v > 255 {
                    return Err(bad());
                }
                out.push(
                    char::from_u32(v)
                        .filter(|c| c.is_ascii())
                        .unwrap_or('\u{fffd}'),
                );
            }
            _ => return Err(bad()),
        }
    }
    Ok(out)
}
