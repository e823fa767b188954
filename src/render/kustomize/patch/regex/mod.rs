//! The regular expressions of Kustomize target `name` and `namespace`: Go RE2 syntax,
//! matched against the whole string (Kustomize anchors them as `^(?:…)$`).
//!
//! Supported: literals; `.` (any character but a newline); `[…]` and `[^…]` classes
//! with ranges and `\d \w \s` inside; `\d \D \w \W \s \S`; escaped punctuation,
//! `\t \n \r \f \v`; groups `(…)`, `(?:…)`, `(?P<name>…)`, `(?<name>…)`;
//! alternation `|`; `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}` (lazy forms too, which do
//! not change whether the whole string matches); `^`, `$`, `\A`, `\z`. Anything else
//! (flags like `(?i)`, `\b`, Unicode and POSIX classes, `\Q…\E`, more than 100
//! nested groups) is an error.
//!
//! Matching simulates a Thompson automaton, so it takes linear time on any pattern.

mod parse;

use parse::{Ast, parse};

pub(super) struct Regex {
    program: Vec<Inst>,
}

/// Our limit on the compiled size.
const MAX_PROGRAM: usize = 50_000;

impl Regex {
    pub(super) fn new(pattern: &str) -> Result<Regex, String> {
        let ast = parse(pattern)?;
        let mut program = Vec::new();
        compile(&ast, &mut program)?;
        program.push(Inst::Match);
        Ok(Regex { program })
    }

    /// Whether the pattern matches all of `text`.
    pub(super) fn is_full_match(&self, text: &str) -> bool {
        let chars: Vec<char> = text.chars().collect();
        let mut current = Threads::new(self.program.len());
        let mut next = Threads::new(self.program.len());
        current.add(&self.program, 0, 0, chars.len());
        for at in 0..=chars.len() {
            if at == chars.len() {
                return current
                    .list
                    .iter()
                    .any(|&pc| matches!(self.program[pc], Inst::Match));
            }
            next.clear();
            for &pc in &current.list {
                if let Inst::Char(set) = &self.program[pc]
                    && set.matches(chars[at])
                {
                    next.add(&self.program, pc + 1, at + 1, chars.len());
                }
            }
            std::mem::swap(&mut current, &mut next);
            if current.list.is_empty() {
                return false;
            }
        }
        false
    }
}

enum Inst {
    Char(CharSet),
    Split(usize, usize),
    Jump(usize),
    AssertStart,
    AssertEnd,
    Match,
}

#[derive(Clone, Debug)]
enum CharSet {
    Literal(char),
    AnyButNewline,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

impl CharSet {
    fn matches(&self, c: char) -> bool {
        match self {
            CharSet::Literal(l) => *l == c,
            CharSet::AnyButNewline => c != '\n',
            CharSet::Class { negated, ranges } => {
                ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c)) != *negated
            }
        }
    }
}

/// The threads alive at one position: program counters, each once.
struct Threads {
    list: Vec<usize>,
    seen: Vec<bool>,
    stack: Vec<usize>,
}

impl Threads {
    fn new(size: usize) -> Threads {
        Threads {
            list: Vec::new(),
            seen: vec![false; size],
            stack: Vec::new(),
        }
    }

    fn clear(&mut self) {
        self.list.clear();
        self.seen.iter_mut().for_each(|s| *s = false);
    }

    /// Adds `pc` and everything reachable from it without reading a character.
    fn add(&mut self, program: &[Inst], pc: usize, at: usize, len: usize) {
        self.stack.push(pc);
        while let Some(pc) = self.stack.pop() {
            if pc >= program.len() || std::mem::replace(&mut self.seen[pc], true) {
                continue;
            }
            match program[pc] {
                Inst::Split(a, b) => {
                    self.stack.push(b);
                    self.stack.push(a);
                }
                Inst::Jump(a) => self.stack.push(a),
                Inst::AssertStart if at == 0 => self.stack.push(pc + 1),
                Inst::AssertEnd if at == len => self.stack.push(pc + 1),
                Inst::AssertStart | Inst::AssertEnd => {}
                Inst::Char(_) | Inst::Match => self.list.push(pc),
            }
        }
    }
}

fn compile(ast: &Ast, program: &mut Vec<Inst>) -> Result<(), String> {
    if program.len() > MAX_PROGRAM {
        return Err("regular expression too large".into());
    }
    match ast {
        Ast::Empty => {}
        Ast::Char(set) => program.push(Inst::Char(set.clone())),
        Ast::Start => program.push(Inst::AssertStart),
        Ast::End => program.push(Inst::AssertEnd),
        Ast::Concat(parts) => {
            for part in parts {
                compile(part, program)?;
            }
        }
        Ast::Alternation(choices) => {
            // split → first | split → second | … ; each choice jumps past the rest.
            let mut jumps = Vec::new();
            for (i, choice) in choices.iter().enumerate() {
                let split = program.len();
                if i + 1 < choices.len() {
                    program.push(Inst::Split(split + 1, 0));
                }
                compile(choice, program)?;
                if i + 1 < choices.len() {
                    jumps.push(program.len());
                    program.push(Inst::Jump(0));
                    let after = program.len();
                    program[split] = Inst::Split(split + 1, after);
                }
            }
            let end = program.len();
            for jump in jumps {
                program[jump] = Inst::Jump(end);
            }
        }
        Ast::Repeat { inner, min, max } => {
            for _ in 0..*min {
                compile(inner, program)?;
            }
            match max {
                None => {
                    let split = program.len();
                    program.push(Inst::Split(split + 1, 0));
                    compile(inner, program)?;
                    program.push(Inst::Jump(split));
                    program[split] = Inst::Split(split + 1, program.len());
                }
                Some(max) => {
                    for _ in *min..*max {
                        let split = program.len();
                        program.push(Inst::Split(split + 1, 0));
                        compile(inner, program)?;
                        program[split] = Inst::Split(split + 1, program.len());
                    }
                }
            }
        }
    }
    Ok(())
}
