//! Keep hostile SQL from taking synclint down: squawk's parser recurses on nesting, is
//! quadratic on long postfix chains (`1::int::int...`, `a.b.c...`), and rowan frees trees
//! recursively. Real migrations stay far below every limit here.

use squawk_syntax::SyntaxNode;

/// Nesting (brackets, `CASE`, runs of prefix operators, postfix chains) beyond this is not
/// handed to the parser.
const MAX_NESTING_ESTIMATE: usize = 256;

/// Tokens between two commas, semicolons or brackets beyond this are not handed to the
/// parser: such a run is one long operator chain (`x = 1 OR x = 2 OR ...`, `BETWEEN`
/// chains), on which the parser recurses or slows down. Long lists reset at each comma.
const MAX_SEGMENT_TOKENS: usize = 20_000;

/// Syntax trees deeper than this are not walked, and not dropped either: rowan frees a tree
/// recursively, so a pathological one is leaked instead.
pub const MAX_TREE_DEPTH: usize = 4000;

/// The parser runs on its own thread with this much stack (reserved, touched only as used).
const PARSE_STACK_BYTES: usize = 64 << 20;

/// Nesting up to which the parser runs on the calling thread: its recursion stays far
/// inside any thread's stack, and starting a thread per script would cost more than
/// parsing most migrations.
const SHALLOW_NESTING: usize = 32;

/// Run `f` on a thread with a large stack, or here when `text` nests shallowly. `None`
/// if `f` panicked. When no thread can be started, `f` runs here: the limits above keep
/// the current stack safe.
pub fn on_parser_thread<T: Send>(text: &str, f: impl FnOnce() -> T + Send + Copy) -> Option<T> {
    if measure(text).nesting <= SHALLOW_NESTING {
        return std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok();
    }
    std::thread::scope(|scope| {
        match std::thread::Builder::new()
            .name("synclint-sql".to_string())
            .stack_size(PARSE_STACK_BYTES)
            .spawn_scoped(scope, f)
        {
            Ok(handle) => handle.join().ok(),
            Err(_) => Some(f()),
        }
    })
}

/// Why `text` should not be handed to the parser, if it should not.
pub fn too_complex(text: &str) -> Option<&'static str> {
    let shape = measure(text);
    if shape.nesting > MAX_NESTING_ESTIMATE {
        Some("SQL nested too deeply to analyse")
    } else if shape.segment_tokens > MAX_SEGMENT_TOKENS {
        Some("expression too long to analyse")
    } else {
        None
    }
}

struct Shape {
    nesting: usize,
    segment_tokens: usize,
}

/// An over-estimate of how deep the parser will recurse on `text` (the deepest nesting of
/// brackets and `CASE`, the longest run of prefix operators like `not not -x`, the longest
/// chain of `::` casts and `.` field accesses), and the most tokens between two commas,
/// semicolons or brackets. Single-quoted strings and comments are skipped; dollar-quoted
/// bodies are not, since `DO` bodies are parsed too.
fn measure(text: &str) -> Shape {
    let bytes = text.as_bytes();
    let (mut depth, mut max) = (0usize, 0usize);
    let (mut prefix_run, mut chain_run) = (0usize, 0usize);
    let (mut segment, mut longest_segment) = (0usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        let rest = &bytes[i..];
        if rest.starts_with(b"--") {
            i = rest
                .iter()
                .position(|b| *b == b'\n')
                .map_or(bytes.len(), |p| i + p);
            continue;
        }
        if rest.starts_with(b"/*") {
            i = find(bytes, i + 2, b"*/").map_or(bytes.len(), |p| p + 2);
            continue;
        }
        if byte == b'\'' {
            i = bytes[i + 1..]
                .iter()
                .position(|b| *b == b'\'')
                .map_or(bytes.len(), |p| i + p + 2);
            continue;
        }
        if is_word_byte(byte) {
            let start = i;
            while i < bytes.len() && is_word_byte(bytes[i]) {
                i += 1;
            }
            let word = &bytes[start..i];
            if word.eq_ignore_ascii_case(b"case") {
                depth += 1;
            } else if word.eq_ignore_ascii_case(b"end") {
                depth = depth.saturating_sub(1);
            }
            prefix_run = if word.eq_ignore_ascii_case(b"not") {
                prefix_run + 1
            } else {
                0
            };
            max = max.max(depth).max(prefix_run);
            segment += 1;
            longest_segment = longest_segment.max(segment);
            continue;
        }
        match byte {
            b'(' | b'[' => depth += 1,
            b')' | b']' => depth = depth.saturating_sub(1),
            b'+' | b'-' | b'~' | b'!' | b'@' | b'#' | b'%' | b'^' | b'&' | b'|' => prefix_run += 1,
            b'.' => chain_run += 1,
            b':' if bytes.get(i + 1) == Some(&b':') => {
                chain_run += 1;
                i += 1;
            }
            b' ' | b'\t' | b'\r' | b'\n' | b'"' => {}
            _ => {
                prefix_run = 0;
                chain_run = 0;
            }
        }
        if matches!(byte, b'(' | b')' | b'[' | b']' | b',' | b';' | b'=') {
            chain_run = 0;
        }
        if matches!(byte, b'(' | b')' | b'[' | b']' | b',' | b';') {
            segment = 0;
        } else if !byte.is_ascii_whitespace() {
            segment += 1;
            longest_segment = longest_segment.max(segment);
        }
        max = max.max(depth).max(prefix_run).max(chain_run);
        i += 1;
    }
    Shape {
        nesting: max,
        segment_tokens: longest_segment,
    }
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte >= 0x80
}

/// The depth of a tree, walked without recursion.
pub fn tree_depth(root: &SyntaxNode) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for event in root.preorder() {
        match event {
            rowan::WalkEvent::Enter(_) => {
                depth += 1;
                max = max.max(depth);
            }
            rowan::WalkEvent::Leave(_) => depth = depth.saturating_sub(1),
        }
    }
    max
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nesting(text: &str) -> usize {
        measure(text).nesting
    }

    #[test]
    fn ordinary_sql_nests_little() {
        let sql = "SELECT CASE WHEN a.b = 1 THEN (x::int) END FROM s.t WHERE NOT c -- ((((\n";
        assert_eq!(nesting(sql), 2);
        assert_eq!(nesting("select '(((((((((('"), 0);
        assert_eq!(nesting("-------------------------------- header"), 0);
        assert_eq!(too_complex(sql), None);
    }

    #[test]
    fn hostile_sql_is_measured() {
        assert_eq!(nesting(&"(".repeat(300)), 300);
        assert_eq!(nesting(&"not ".repeat(300)), 300);
        assert_eq!(nesting(&"- ".repeat(300)), 300);
        assert_eq!(nesting(&format!("1{}", "::int".repeat(300))), 300);
        assert_eq!(nesting(&format!("a{}", ".a".repeat(300))), 300);
        assert_eq!(nesting(&"case when x then ".repeat(300)), 300);
        let chain = format!("select 1{};", " between 1 and 2".repeat(6000));
        assert_eq!(too_complex(&chain), Some("expression too long to analyse"));
    }

    #[test]
    fn long_lists_are_not_chains() {
        let values = format!(
            "insert into t values {};",
            vec!["(1, 'a', 2)"; 20_000].join(", ")
        );
        assert_eq!(too_complex(&values), None);
    }
}
