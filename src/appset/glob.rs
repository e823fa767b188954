//! The three glob dialects the Git generator meets: Go's `path.Match` for directories,
//! `git ls-files` pathspecs for files (the default, where `*` crosses `/`), and
//! doublestar for files when the controller enables the new globbing.

/// Go's `path.ErrBadPattern`.
#[derive(Debug, PartialEq, Eq)]
pub struct BadPattern;

/// Go's `path.Match`: `*` matches any run of non-`/` characters, `?` one non-`/`
/// character, `[...]` a class (`^` negates), `\` escapes.
pub fn path_match(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    let mut pattern = pattern;
    let mut name = name;
    'chunks: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            // A trailing star matches the rest unless it holds a slash.
            return Ok(!name.contains('/'));
        }
        let (t, ok) = match_chunk(chunk, name)?;
        if ok && (t.is_empty() || !pattern.is_empty()) {
            name = t;
            continue;
        }
        if star {
            // Skip ahead, but never past a slash.
            for (i, c) in name.char_indices() {
                if c == '/' {
                    break;
                }
                let (t, ok) = match_chunk(chunk, &name[i + c.len_utf8()..])?;
                if ok {
                    if pattern.is_empty() && !t.is_empty() {
                        continue;
                    }
                    name = t;
                    continue 'chunks;
                }
            }
        }
        // The rest of the pattern must still be well formed.
        while !pattern.is_empty() {
            let (_, chunk, rest) = scan_chunk(pattern);
            pattern = rest;
            match_chunk(chunk, "")?;
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

/// Leading stars, then the chunk up to the next star outside a class.
fn scan_chunk(pattern: &str) -> (bool, &str, &str) {
    let trimmed = pattern.trim_start_matches('*');
    let star = trimmed.len() < pattern.len();
    let bytes = trimmed.as_bytes();
    let mut in_range = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if i + 1 < bytes.len() => i += 1,
            b'[' => in_range = true,
            b']' => in_range = false,
            b'*' if !in_range => break,
            _ => {}
        }
        i += 1;
    }
    (star, &trimmed[..i], &trimmed[i..])
}

/// Matches `chunk` at the start of `s`: the rest of `s` and whether it matched. Keeps
/// checking the chunk's syntax after a mismatch, as Go does.
fn match_chunk<'s>(mut chunk: &str, mut s: &'s str) -> Result<(&'s str, bool), BadPattern> {
    let mut failed = false;
    while let Some(c) = chunk.chars().next() {
        if !failed && s.is_empty() {
            failed = true;
        }
        match c {
            '[' => {
                let mut r = '\0';
                if !failed {
                    r = s.chars().next().unwrap_or('\0');
                    s = &s[r.len_utf8()..];
                }
                chunk = &chunk[1..];
                let negated = chunk.starts_with('^');
                if negated {
                    chunk = &chunk[1..];
                }
                let mut matched = false;
                let mut ranges = 0;
                loop {
                    if chunk.starts_with(']') && ranges > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let (lo, rest) = get_escaped(chunk)?;
                    chunk = rest;
                    let mut hi = lo;
                    if let Some(rest) = chunk.strip_prefix('-') {
                        let (h, rest) = get_escaped(rest)?;
                        hi = h;
                        chunk = rest;
                    }
                    if lo <= r && r <= hi {
                        matched = true;
                    }
                    ranges += 1;
                }
                if matched == negated {
                    failed = true;
                }
            }
            '?' => {
                if !failed {
                    let r = s.chars().next().unwrap_or('/');
                    if r == '/' {
                        failed = true;
                    }
                    s = &s[r.len_utf8().min(s.len())..];
                }
                chunk = &chunk[1..];
            }
            _ => {
                let literal = if c == '\\' {
                    chunk = &chunk[1..];
                    chunk.chars().next().ok_or(BadPattern)?
                } else {
                    c
                };
                if !failed {
                    if !s.starts_with(literal) {
                        failed = true;
                    } else {
                        s = &s[literal.len_utf8()..];
                    }
                }
                chunk = &chunk[literal.len_utf8()..];
            }
        }
    }
    if failed {
        Ok(("", false))
    } else {
        Ok((s, true))
    }
}

/// One character of a class, unescaped; a class must not end here.
fn get_escaped(chunk: &str) -> Result<(char, &str), BadPattern> {
    let mut chunk = chunk;
    if chunk.is_empty() || chunk.starts_with(['-', ']']) {
        return Err(BadPattern);
    }
    if let Some(rest) = chunk.strip_prefix('\\') {
        chunk = rest;
    }
    let c = chunk.chars().next().ok_or(BadPattern)?;
    let rest = &chunk[c.len_utf8()..];
    if rest.is_empty() {
        return Err(BadPattern);
    }
    Ok((c, rest))
}

fn has_wildcard(pattern: &str) -> bool {
    pattern.contains(['*', '?', '[', '\\'])
}

/// A `git ls-files -- <pathspec>` match: a literal pathspec names a file or a directory
/// above files; a wildcard one is fnmatch without FNM_PATHNAME, so `*` crosses `/`.
pub fn git_pathspec_match(pattern: &str, path: &str) -> bool {
    if !has_wildcard(pattern) {
        let dir = pattern.trim_end_matches('/');
        return path == pattern || (path.starts_with(dir) && path[dir.len()..].starts_with('/'));
    }
    wildmatch(pattern.as_bytes(), path.as_bytes())
}

/// fnmatch over bytes where `*` matches anything, with single-star backtracking
/// (linear in practice, quadratic at worst).
fn wildmatch(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        let step = if p < pattern.len() {
            match_one(pattern, p, text[t])
        } else {
            None
        };
        match (pattern.get(p), step) {
            (Some(b'*'), _) => {
                while pattern.get(p) == Some(&b'*') {
                    p += 1;
                }
                backtrack = Some((p, t));
            }
            (_, Some(next)) => {
                p = next;
                t += 1;
            }
            _ => match backtrack {
                Some((bp, bt)) => {
                    p = bp;
                    t = bt + 1;
                    backtrack = Some((bp, bt + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|b| *b == b'*')
}

/// Whether `pattern[p..]` starts with a token matching byte `c`; where it ends.
fn match_one(pattern: &[u8], p: usize, c: u8) -> Option<usize> {
    match pattern[p] {
        b'?' => Some(p + 1),
        b'\\' if p + 1 < pattern.len() => (pattern[p + 1] == c).then_some(p + 2),
        b'[' => {
            let mut i = p + 1;
            let negated = matches!(pattern.get(i), Some(b'!' | b'^'));
            if negated {
                i += 1;
            }
            let mut matched = false;
            let mut first = true;
            while i < pattern.len() && (first || pattern[i] != b']') {
                first = false;
                let lo = pattern[i];
                if pattern.get(i + 1) == Some(&b'-')
                    && pattern.get(i + 2).is_some_and(|h| *h != b']')
                {
                    matched |= lo <= c && c <= pattern[i + 2];
                    i += 3;
                } else {
                    matched |= lo == c;
                    i += 1;
                }
            }
            if i >= pattern.len() {
                // No closing bracket: a literal `[`.
                return (c == b'[').then_some(p + 1);
            }
            (matched != negated).then_some(i + 1)
        }
        literal => (literal == c).then_some(p + 1),
    }
}

/// Longer patterns match nothing (brace expansion copies the pattern).
const MAX_PATTERN: usize = 4096;
/// Alternatives `{a,b}` expand to at most this many patterns.
const MAX_ALTERNATIVES: usize = 256;

fn expand_braces(pattern: &str, out: &mut Vec<String>) {
    if out.len() >= MAX_ALTERNATIVES {
        return;
    }
    let Some(open) = pattern.find('{') else {
        out.push(pattern.to_string());
        return;
    };
    let mut depth = 0;
    let mut close = None;
    let mut commas = Vec::new();
    for (i, c) in pattern[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(open + i);
                    break;
                }
            }
            ',' if depth == 1 => commas.push(open + i),
            _ => {}
        }
    }
    let Some(close) = close else {
        out.push(pattern.to_string());
        return;
    };
    let mut starts = vec![open + 1];
    starts.extend(commas.iter().map(|c| c + 1));
    let mut ends = commas.clone();
    ends.push(close);
    for (s, e) in starts.into_iter().zip(ends) {
        let candidate = format!(
            "{}{}{}",
            &pattern[..open],
            &pattern[s..e],
            &pattern[close + 1..]
        );
        expand_braces(&candidate, out);
    }
}

/// doublestar's `Match`: `**` as a whole segment spans zero or more directories, other
/// segments follow `path.Match`, and `{a,b}` lists alternatives.
pub fn doublestar_match(pattern: &str, path: &str) -> bool {
    if pattern.len() > MAX_PATTERN {
        return false;
    }
    let mut patterns = Vec::new();
    expand_braces(pattern, &mut patterns);
    let path_segments: Vec<&str> = path.split('/').collect();
    patterns.iter().any(|p| {
        let segments: Vec<&str> = p.split('/').collect();
        segments_match(&segments, &path_segments)
    })
}

fn segments_match(pattern: &[&str], path: &[&str]) -> bool {
    // reachable[j]: the pattern so far matches the first j path segments.
    let mut reachable = vec![false; path.len() + 1];
    reachable[0] = true;
    for segment in pattern {
        let mut next = vec![false; path.len() + 1];
        for j in 0..=path.len() {
            if !reachable[j] {
                continue;
            }
            if *segment == "**" {
                next[j..].iter_mut().for_each(|r| *r = true);
                break;
            }
            if j < path.len() && path_match(segment, path[j]).unwrap_or(false) {
                next[j + 1] = true;
            }
        }
        reachable = next;
    }
    reachable[path.len()]
}
