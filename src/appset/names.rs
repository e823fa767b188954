//! Argo CD's name helpers: `SanitizeName` (the `normalize` function and the
//! `*Normalized` parameters) and `SlugifyName` (the `slugify` function, built on
//! gosimple/slug).

/// Lower-case, every character outside `[-a-z0-9.]` becomes `-`, at most 253 bytes,
/// then `-` and `.` trimmed from both ends.
pub fn sanitize_name(name: &str) -> String {
    let mut out: String = name
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'a'..='z' | '0'..='9' | '-' | '.' => c,
            _ => '-',
        })
        .collect();
    // Only ASCII is left, so any byte length is a character boundary.
    out.truncate(253);
    out.trim_matches(['-', '.']).to_string()
}

/// `slugify maxSize smartTruncate name`: the sanitized name with `.` turned into `-`,
/// dashes collapsed and trimmed, then cut to `max_size` bytes; smart truncation cuts
/// at the last `-` within the limit instead of inside a word.
pub fn slugify(name: &str, max_size: i64, smart_truncate: bool) -> String {
    let mut slug = sanitize_name(name.trim());
    let max = usize::try_from(max_size).unwrap_or(0);
    if !smart_truncate && slug.len() >= max {
        slug.truncate(max);
    }
    let mut collapsed = String::with_capacity(slug.len());
    for c in slug.chars() {
        let c = if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            c
        } else {
            '-'
        };
        if !(c == '-' && collapsed.ends_with('-')) {
            collapsed.push(c);
        }
    }
    let mut slug = collapsed.trim_matches(['-', '_']).to_string();
    if max > 0 && smart_truncate && slug.len() > max {
        slug = match slug.as_bytes()[..=max].iter().rposition(|b| *b == b'-') {
            Some(cut) => slug[..cut].to_string(),
            None => slug[..max].to_string(),
        };
    }
    slug
}
