//! Go's encodings, as the Go tools synclint emulates produce them: Kustomize hashes the
//! `json.Marshal` text of generated objects, and Argo CD's Sprig functions (`toJson`,
//! `b64enc`) write the same forms. One copy, so both stay byte-for-byte Go's.

/// A JSON string as Go's `json.Marshal` writes it (Go 1.22+: `\b` and `\f` short forms;
/// HTML-safe `<`, `>`, `&`, and U+2028/U+2029 escaped).
pub fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `base64.StdEncoding.EncodeToString`: standard alphabet, with padding.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_base64_as_go_writes_them() {
        let mut out = String::new();
        json_string("<a & b>\u{1}\u{8}\"", &mut out);
        assert_eq!(out, r#""\u003ca \u0026 b\u003e\u0001\b\"""#);
        assert_eq!(base64(b"hi"), "aGk=");
        assert_eq!(base64(b"hello!"), "aGVsbG8h");
    }
}
