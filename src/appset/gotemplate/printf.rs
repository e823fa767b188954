//! Go's `fmt.Sprintf` for the verbs templates use.

use super::format::{format_float, format_float_prec, go_quote, write_arg};
use super::value::Value;

/// Widths and precisions beyond this are refused rather than allocated.
const MAX_WIDTH: usize = 10_000;

struct Spec {
    minus: bool,
    plus: bool,
    zero: bool,
    space: bool,
    sharp: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

fn pad(s: String, spec: &Spec) -> String {
    let len = s.chars().count();
    match spec.width {
        Some(w) if w > len => {
            let fill = w - len;
            if spec.minus {
                format!("{s}{}", " ".repeat(fill))
            } else if spec.zero {
                // Zero padding goes after the sign.
                let (sign, digits) = match s.strip_prefix(['-', '+']) {
                    Some(rest) => (&s[..1], rest),
                    None => ("", s.as_str()),
                };
                format!("{sign}{}{digits}", "0".repeat(fill))
            } else {
                format!("{}{s}", " ".repeat(fill))
            }
        }
        _ => s,
    }
}

fn bad_verb(verb: char, arg: &Value) -> String {
    if arg.is_nil() {
        return format!("%!{verb}(<nil>)");
    }
    format!("%!{verb}({}={})", arg.type_name(), arg.to_text())
}

fn format_int(i: i64, verb: char, spec: &Spec) -> String {
    let (neg, abs) = (i < 0, i.unsigned_abs());
    let mut digits = match verb {
        'd' | 'v' => abs.to_string(),
        'x' => format!("{abs:x}"),
        'X' => format!("{abs:X}"),
        'o' => format!("{abs:o}"),
        'b' => format!("{abs:b}"),
        _ => abs.to_string(),
    };
    if spec.sharp {
        match verb {
            'x' => digits.insert_str(0, "0x"),
            'X' => digits.insert_str(0, "0X"),
            'o' => digits.insert(0, '0'),
            _ => {}
        }
    }
    if neg {
        digits.insert(0, '-');
    } else if spec.plus {
        digits.insert(0, '+');
    } else if spec.space {
        digits.insert(0, ' ');
    }
    digits
}

fn format_one(verb: char, arg: &Value, spec: &Spec) -> String {
    let body = match (verb, arg) {
        ('v', v) => {
            let mut s = String::new();
            write_arg(v, &mut s);
            if let (Value::Float(_) | Value::Int(_), true) = (v, spec.plus)
                && !s.starts_with('-')
            {
                s.insert(0, '+');
            }
            s
        }
        ('s', Value::Str(s)) => match spec.prec {
            Some(p) => s.chars().take(p).collect(),
            None => s.to_string(),
        },
        ('s', v) if !v.is_nil() && !matches!(v, Value::Str(_)) => match v {
            Value::Bool(_) | Value::Int(_) | Value::Float(_) => return bad_verb(verb, arg),
            _ => v.to_text(),
        },
        ('q', Value::Str(s)) => go_quote(s),
        ('q', Value::Int(i)) => match char::from_u32(*i as u32) {
            Some(c) => format!("'{c}'"),
            None => return bad_verb(verb, arg),
        },
        ('t', Value::Bool(b)) => b.to_string(),
        ('d' | 'x' | 'X' | 'o' | 'b', Value::Int(i)) => format_int(*i, verb, spec),
        ('x', Value::Str(s)) => s.bytes().map(|b| format!("{b:02x}")).collect(),
        ('X', Value::Str(s)) => s.bytes().map(|b| format!("{b:02X}")).collect(),
        ('c', Value::Int(i)) => char::from_u32(*i as u32).unwrap_or('\u{fffd}').to_string(),
        ('e' | 'f' | 'F', Value::Float(f)) => {
            let mut s = format_float_prec(*f, verb.to_ascii_lowercase(), spec.prec.unwrap_or(6));
            if spec.plus && *f >= 0.0 {
                s.insert(0, '+');
            }
            s
        }
        ('g', Value::Float(f)) => format_float(*f),
        _ => return bad_verb(verb, arg),
    };
    pad(body, spec)
}

/// `fmt.Sprintf` for the verbs templates use: `%v %s %q %d %x %X %o %b %c %e %f %g %t`
/// with flags, width and precision (`*` included).
pub(super) fn sprintf(format: &str, args: &[Value]) -> Result<String, String> {
    let mut out = String::new();
    let mut next = 0usize;
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec {
            minus: false,
            plus: false,
            zero: false,
            space: false,
            sharp: false,
            width: None,
            prec: None,
        };
        while let Some(&f) = chars.peek() {
            match f {
                '-' => spec.minus = true,
                '+' => spec.plus = true,
                '0' => spec.zero = true,
                ' ' => spec.space = true,
                '#' => spec.sharp = true,
                _ => break,
            }
            chars.next();
        }
        let number = |chars: &mut std::iter::Peekable<std::str::Chars>, next: &mut usize| {
            if chars.peek() == Some(&'*') {
                chars.next();
                let n = match args.get(*next) {
                    Some(Value::Int(i)) => usize::try_from(*i).ok(),
                    _ => None,
                };
                *next += 1;
                return n;
            }
            let mut n: Option<usize> = None;
            while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
                n = Some(n.unwrap_or(0).saturating_mul(10).saturating_add(d as usize));
                chars.next();
            }
            n
        };
        spec.width = number(&mut chars, &mut next);
        if chars.peek() == Some(&'.') {
            chars.next();
            spec.prec = Some(number(&mut chars, &mut next).unwrap_or(0));
        }
        if spec.width.unwrap_or(0) > MAX_WIDTH || spec.prec.unwrap_or(0) > MAX_WIDTH {
            return Err("printf: width or precision too large".into());
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        match args.get(next) {
            Some(arg) => out.push_str(&format_one(verb, arg, &spec)),
            None => out.push_str(&format!("%!{verb}(MISSING)")),
        }
        next += 1;
    }
    if next < args.len() {
        out.push_str("%!(EXTRA ");
        for (i, arg) in args[next..].iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(&format!("{}=", arg.type_name()));
            write_arg(arg, &mut out);
        }
        out.push(')');
    }
    Ok(out)
}
