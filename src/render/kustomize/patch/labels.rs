//! Kubernetes label selectors (`labels.Parse`), which Kustomize also uses for
//! `annotationSelector`: comma-separated requirements `key`, `!key`, `key=value`,
//! `key==value`, `key!=value`, `key in (a,b)`, `key notin (a)`, `key>1`, `key<1`.
//! An empty selector selects everything.

use std::collections::BTreeMap;

pub(super) struct Selector {
    requirements: Vec<Requirement>,
}

struct Requirement {
    key: String,
    operator: Operator,
    values: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Operator {
    Exists,
    DoesNotExist,
    Equals,
    NotEquals,
    In,
    NotIn,
    GreaterThan,
    LessThan,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Identifier(String),
    Not,
    Equals,
    DoubleEquals,
    NotEquals,
    In,
    NotIn,
    GreaterThan,
    LessThan,
    Open,
    Close,
    Comma,
    End,
}

impl Selector {
    pub(super) fn parse(text: &str) -> Result<Selector, String> {
        let tokens = lex(text);
        let mut parser = Parser { tokens, at: 0 };
        let mut requirements = Vec::new();
        if parser.peek() == &Token::End {
            return Ok(Selector { requirements });
        }
        loop {
            requirements.push(parser.requirement()?);
            match parser.next() {
                Token::End => break,
                Token::Comma => {
                    if !matches!(parser.peek(), Token::Identifier(_) | Token::Not) {
                        return Err(format!(
                            "found '{:?}', expected: identifier after ','",
                            parser.peek()
                        ));
                    }
                }
                other => {
                    return Err(format!(
                        "found '{other:?}', expected: ',' or 'end of string'"
                    ));
                }
            }
        }
        Ok(Selector { requirements })
    }

    pub(super) fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }
}

impl Requirement {
    fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let value = labels.get(&self.key);
        let listed = || value.is_some_and(|v| self.values.contains(v));
        let number = |v: &String| v.parse::<i64>().ok();
        let compare = |ordering: std::cmp::Ordering| match (
            value.and_then(number),
            self.values.first().and_then(number),
        ) {
            (Some(have), Some(want)) => have.cmp(&want) == ordering,
            _ => false,
        };
        match self.operator {
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
            Operator::Equals | Operator::In => listed(),
            Operator::NotEquals | Operator::NotIn => !listed(),
            Operator::GreaterThan => compare(std::cmp::Ordering::Greater),
            Operator::LessThan => compare(std::cmp::Ordering::Less),
        }
    }
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> &Token {
        self.tokens.get(self.at).unwrap_or(&Token::End)
    }

    fn next(&mut self) -> Token {
        let token = self.peek().clone();
        self.at += 1;
        token
    }

    fn requirement(&mut self) -> Result<Requirement, String> {
        let negated = self.peek() == &Token::Not;
        if negated {
            self.at += 1;
        }
        let key = match self.next() {
            Token::Identifier(key) => key,
            other => {
                return Err(format!(
                    "found '{other:?}', expected: !, identifier, or 'end of string'"
                ));
            }
        };
        validate_key(&key)?;
        if matches!(self.peek(), Token::End | Token::Comma) {
            let operator = if negated {
                Operator::DoesNotExist
            } else {
                Operator::Exists
            };
            return Ok(Requirement {
                key,
                operator,
                values: Vec::new(),
            });
        }
        if negated {
            return Err(format!(
                "found '{:?}', expected: ',' or 'end of string'",
                self.peek()
            ));
        }
        let operator = match self.next() {
            Token::Equals | Token::DoubleEquals => Operator::Equals,
            Token::NotEquals => Operator::NotEquals,
            Token::In => Operator::In,
            Token::NotIn => Operator::NotIn,
            Token::GreaterThan => Operator::GreaterThan,
            Token::LessThan => Operator::LessThan,
            other => return Err(format!("found '{other:?}', expected an operator")),
        };
        let values = match operator {
            Operator::In | Operator::NotIn => self.value_set()?,
            _ => vec![self.exact_value()?],
        };
        for value in &values {
            validate_value(value)?;
        }
        if matches!(operator, Operator::GreaterThan | Operator::LessThan)
            && values[0].parse::<i64>().is_err()
        {
            return Err(format!(
                "for 'Gt', 'Lt' operators, the value must be an integer: {}",
                values[0]
            ));
        }
        Ok(Requirement {
            key,
            operator,
            values,
        })
    }

    fn exact_value(&mut self) -> Result<String, String> {
        match self.peek().clone() {
            Token::End | Token::Comma => Ok(String::new()),
            Token::Identifier(value) => {
                self.at += 1;
                Ok(value)
            }
            other => Err(format!("found '{other:?}', expected: identifier")),
        }
    }

    fn value_set(&mut self) -> Result<Vec<String>, String> {
        if self.next() != Token::Open {
            return Err("expected: '(' after 'in' or 'notin'".into());
        }
        let mut values = Vec::new();
        let mut expecting_value = true;
        loop {
            match self.next() {
                Token::Identifier(value) if expecting_value => {
                    values.push(value);
                    expecting_value = false;
                }
                Token::Comma => {
                    if expecting_value {
                        values.push(String::new());
                    }
                    expecting_value = true;
                }
                Token::Close => {
                    if expecting_value && !values.is_empty() {
                        values.push(String::new());
                    }
                    break;
                }
                other => return Err(format!("found '{other:?}', expected: ',' or ')'")),
            }
        }
        if values.is_empty() {
            return Err("for 'in', 'notin' operators, values set can't be empty".into());
        }
        Ok(values)
    }
}

fn lex(text: &str) -> Vec<Token> {
    let special = |c: char| "!=(),<>".contains(c);
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if special(c) {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let (token, length) = match two.as_str() {
                "==" => (Token::DoubleEquals, 2),
                "!=" => (Token::NotEquals, 2),
                _ => match c {
                    '!' => (Token::Not, 1),
                    '=' => (Token::Equals, 1),
                    '(' => (Token::Open, 1),
                    ')' => (Token::Close, 1),
                    ',' => (Token::Comma, 1),
                    '<' => (Token::LessThan, 1),
                    _ => (Token::GreaterThan, 1),
                },
            };
            tokens.push(token);
            i += length;
            continue;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && !special(chars[i]) {
            i += 1;
        }
        let word: String = chars[start..i].iter().collect();
        tokens.push(match word.as_str() {
            "in" => Token::In,
            "notin" => Token::NotIn,
            _ => Token::Identifier(word),
        });
    }
    tokens.push(Token::End);
    tokens
}

/// A qualified name: an optional DNS-subdomain prefix and `/`, then a name of at most 63
/// characters.
fn validate_key(key: &str) -> Result<(), String> {
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    let valid_prefix = prefix.is_none_or(|p| {
        !p.is_empty()
            && p.len() <= 253
            && p.split('.').all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                    && !part.starts_with('-')
                    && !part.ends_with('-')
            })
    });
    if !valid_prefix || name.is_empty() || !is_label_value(name) {
        return Err(format!("invalid label key \"{key}\""));
    }
    Ok(())
}

fn validate_value(value: &str) -> Result<(), String> {
    if is_label_value(value) {
        Ok(())
    } else {
        Err(format!("invalid label value: \"{value}\""))
    }
}

/// Empty, or at most 63 alphanumerics, `-`, `_` and `.`, starting and ending
/// alphanumeric.
fn is_label_value(value: &str) -> bool {
    let alphanumeric = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    value.is_empty()
        || (value.len() <= 63
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            && alphanumeric(value.chars().next())
            && alphanumeric(value.chars().last()))
}
