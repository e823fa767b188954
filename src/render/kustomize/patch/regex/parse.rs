//! Parsing Go regular-expression syntax (the subset in the parent module's docs).

use super::CharSet;

/// Go's limit on counted repetition; ours on nested groups, well below Go's 1000 so
/// that parsing and compiling stay within a small stack.
const MAX_REPEAT: u32 = 1000;
const MAX_NESTING: usize = 100;

pub(super) fn parse(pattern: &str) -> Result<Ast, String> {
    let mut parser = Parser {
        chars: pattern.chars().collect(),
        at: 0,
        depth: 0,
    };
    let ast = parser.alternation()?;
    if parser.at < parser.chars.len() {
        return Err(format!("unexpected ) in `{pattern}`"));
    }
    Ok(ast)
}

pub(super) enum Ast {
    Empty,
    Char(CharSet),
    Start,
    End,
    Concat(Vec<Ast>),
    Alternation(Vec<Ast>),
    Repeat {
        inner: Box<Ast>,
        min: u32,
        max: Option<u32>,
    },
}

struct Parser {
    chars: Vec<char>,
    at: usize,
    /// Open groups, bounded so that parsing cannot exhaust the stack.
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        let found = self.peek() == Some(c);
        if found {
            self.at += 1;
        }
        found
    }

    fn alternation(&mut self) -> Result<Ast, String> {
        let mut choices = vec![self.concatenation()?];
        while self.eat('|') {
            choices.push(self.concatenation()?);
        }
        Ok(match choices.len() {
            1 => choices.pop().unwrap_or(Ast::Empty),
            _ => Ast::Alternation(choices),
        })
    }

    fn concatenation(&mut self) -> Result<Ast, String> {
        let mut parts = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            parts.push(self.repetitions(atom)?);
        }
        Ok(Ast::Concat(parts))
    }

    fn repetitions(&mut self, atom: Ast) -> Result<Ast, String> {
        let Some((min, max)) = self.quantifier()? else {
            return Ok(atom);
        };
        self.eat('?');
        if self.quantifier_ahead() {
            return Err("invalid nested repetition operator".into());
        }
        Ok(Ast::Repeat {
            inner: Box::new(atom),
            min,
            max,
        })
    }

    fn quantifier_ahead(&self) -> bool {
        match self.peek() {
            Some('*' | '+' | '?') => true,
            Some('{') => counted(&self.chars[self.at..]).is_some(),
            _ => false,
        }
    }

    fn quantifier(&mut self) -> Result<Option<(u32, Option<u32>)>, String> {
        let found = match self.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => match counted(&self.chars[self.at..]) {
                Some((min, max, length)) => {
                    self.at += length - 1;
                    if min > MAX_REPEAT || max.is_some_and(|m| m > MAX_REPEAT || m < min) {
                        return Err("invalid repeat count".into());
                    }
                    (min, max)
                }
                None => return Ok(None),
            },
            _ => return Ok(None),
        };
        self.at += 1;
        Ok(Some(found))
    }

    fn atom(&mut self) -> Result<Ast, String> {
        let Some(c) = self.peek() else {
            return Ok(Ast::Empty);
        };
        self.at += 1;
        Ok(match c {
            '*' | '+' | '?' => return Err("missing argument to repetition operator".into()),
            '{' if counted(&self.chars[self.at - 1..]).is_some() => {
                return Err("missing argument to repetition operator".into());
            }
            '.' => Ast::Char(CharSet::AnyButNewline),
            '^' => Ast::Start,
            '$' => Ast::End,
            '(' => self.group()?,
            '[' => Ast::Char(self.class()?),
            '\\' => self.escape()?,
            c => Ast::Char(CharSet::Literal(c)),
        })
    }

    fn group(&mut self) -> Result<Ast, String> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err("expression nests too deeply".into());
        }
        if self.eat('?') {
            if self.eat(':') {
            } else if self.eat('P') || self.peek() == Some('<') {
                if !self.eat('<') {
                    return Err("invalid named capture".into());
                }
                while let Some(c) = self.peek() {
                    self.at += 1;
                    if c == '>' {
                        break;
                    }
                }
            } else {
                return Err("flags like `(?i)` are not supported".into());
            }
        }
        let inner = self.alternation()?;
        if !self.eat(')') {
            return Err("missing closing )".into());
        }
        self.depth -= 1;
        Ok(inner)
    }

    fn escape(&mut self) -> Result<Ast, String> {
        let Some(c) = self.peek() else {
            return Err("trailing backslash at end of expression".into());
        };
        self.at += 1;
        Ok(match c {
            'A' => Ast::Start,
            'z' => Ast::End,
            'd' | 'w' | 's' => Ast::Char(CharSet::Class {
                negated: false,
                ranges: perl_class(c),
            }),
            'D' | 'W' | 'S' => Ast::Char(CharSet::Class {
                negated: true,
                ranges: perl_class(c.to_ascii_lowercase()),
            }),
            c => Ast::Char(CharSet::Literal(escaped_literal(c)?)),
        })
    }

    fn class(&mut self) -> Result<CharSet, String> {
        let negated = self.eat('^');
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            let Some(c) = self.peek() else {
                return Err("missing closing ]".into());
            };
            self.at += 1;
            if c == ']' && !first {
                break;
            }
            first = false;
            let low = match c {
                '\\' => {
                    let Some(e) = self.peek() else {
                        return Err("missing closing ]".into());
                    };
                    self.at += 1;
                    if matches!(e, 'd' | 'w' | 's') {
                        ranges.extend(perl_class(e));
                        continue;
                    }
                    escaped_literal(e)?
                }
                '[' if self.peek() == Some(':') => {
                    return Err("POSIX classes are not supported".into());
                }
                c => c,
            };
            let high = if self.peek() == Some('-') && self.chars.get(self.at + 1) != Some(&']') {
                self.at += 1;
                match self.peek() {
                    Some('\\') => {
                        self.at += 1;
                        let e = self.peek().ok_or("missing closing ]")?;
                        self.at += 1;
                        escaped_literal(e)?
                    }
                    Some(h) => {
                        self.at += 1;
                        h
                    }
                    None => return Err("missing closing ]".into()),
                }
            } else {
                low
            };
            if high < low {
                return Err(format!("invalid character class range {low}-{high}"));
            }
            ranges.push((low, high));
        }
        Ok(CharSet::Class { negated, ranges })
    }
}

/// `{n}`, `{n,}` or `{n,m}` at the start of `chars`: its bounds and length.
fn counted(chars: &[char]) -> Option<(u32, Option<u32>, usize)> {
    let close = chars.iter().position(|&c| c == '}')?;
    let body: String = chars.get(1..close)?.iter().collect();
    let number = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (min, max) = match body.split_once(',') {
        None => {
            let n = number(&body)?;
            (n, Some(n))
        }
        Some((min, "")) => (number(min)?, None),
        Some((min, max)) => (number(min)?, Some(number(max)?)),
    };
    Some((min, max, close + 1))
}

fn perl_class(c: char) -> Vec<(char, char)> {
    match c {
        'd' => vec![('0', '9')],
        'w' => vec![('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')],
        _ => vec![('\t', '\n'), ('\u{c}', '\r'), (' ', ' ')],
    }
}

fn escaped_literal(c: char) -> Result<char, String> {
    Ok(match c {
        't' => '\t',
        'n' => '\n',
        'r' => '\r',
        'f' => '\u{c}',
        'v' => '\u{b}',
        c if c.is_ascii_punctuation() => c,
        c => return Err(format!("invalid or unsupported escape sequence \\{c}")),
    })
}
