//! The content hash Kustomize appends to generated ConfigMap and Secret names
//! (`api/hasher`): SHA-256 over Go's JSON encoding of the kind and data (and, by a quirk,
//! an empty name), first ten
//! hex digits with some letters swapped so that the suffix never reads as a number.

use sha2::{Digest, Sha256};

use super::resource::Resource;
use crate::render::files::Problem;
use crate::render::value::Value;
use serde_json::Value as Json;

/// Renames every resource that still needs its hash, at the end of the build.
pub(super) fn add_name_hashes(resources: &mut [Resource]) -> Result<(), Problem> {
    for resource in resources.iter_mut().filter(|r| r.needs_hash) {
        let hash = content_hash(&resource.value);
        resource.store_previous_id();
        let name = format!("{}-{hash}", resource.name());
        resource.set_name(&name);
    }
    Ok(())
}

/// The hash of a ConfigMap or Secret as Kustomize computes it.
pub(super) fn content_hash(object: &Value) -> String {
    let field = |path: &[&str]| -> Json {
        match object.path(path) {
            None => Json::String(String::new()),
            Some(v) if v.is_map() || v.is_seq() => v.to_json(),
            Some(v) => Json::String(v.scalar().map(|s| s.text.clone()).unwrap_or_default()),
        }
    };
    let mut encoded = serde_json::Map::new();
    let kind = object.get_str("kind").unwrap_or("");
    // Kustomize looks the name up as one key called `metadata/name`, which no object
    // has: the name is always "" in the hash.
    encoded.insert("name".into(), field(&["metadata/name"]));
    encoded.insert("data".into(), field(&["data"]));
    match kind {
        "Secret" => {
            encoded.insert("kind".into(), Json::String("Secret".into()));
            encoded.insert("type".into(), field(&["type"]));
            if let Some(v) = object.get("stringData").filter(|v| v.is_map()) {
                encoded.insert("stringData".into(), v.to_json());
            }
        }
        "ConfigMap" => {
            encoded.insert("kind".into(), Json::String("ConfigMap".into()));
            if let Some(v) = object.get("binaryData").filter(|v| v.is_map()) {
                encoded.insert("binaryData".into(), v.to_json());
            }
        }
        // Kustomize hashes any other kind's whole node; generators only make the two.
        _ => {
            encoded = match object.to_json() {
                Json::Object(m) => m,
                _ => serde_json::Map::new(),
            }
        }
    }
    let mut json = String::new();
    go_json(&Json::Object(encoded), &mut json);
    encode(&Sha256::digest(json.as_bytes()))
}

fn encode(digest: &[u8]) -> String {
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    hex.chars()
        .take(10)
        .map(|c| match c {
            '0' => 'g',
            '1' => 'h',
            '3' => 'k',
            'a' => 'm',
            'e' => 't',
            c => c,
        })
        .collect()
}

/// JSON as Go's `encoding/json` writes it: map keys sorted, no spaces, and `<`, `>`,
/// `&`, U+2028 and U+2029 escaped.
fn go_json(value: &Json, out: &mut String) {
    match value {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Number(n) => out.push_str(&go_number(n)),
        Json::String(s) => crate::golang::json_string(s, out),
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_json(item, out);
            }
            out.push(']');
        }
        Json::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                crate::golang::json_string(key, out);
                out.push(':');
                go_json(&map[key], out);
            }
            out.push('}');
        }
    }
}

fn go_number(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    match n.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 1e21 => format!("{f:.0}"),
        Some(f) => f.to_string(),
        None => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(text: &str) -> Value {
        let p = crate::load::yaml::parse(
            Default::default(),
            &std::sync::Arc::from(text),
            Default::default(),
        );
        Value::from_tree(&p.tree, p.documents[0].unwrap())
    }

    #[test]
    fn hashes_match_kubectl_kustomize() {
        // Names and hashes from `kubectl kustomize` (Kustomize v5.5.0).
        let empty = object("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p-empty}\n");
        assert_eq!(content_hash(&empty), "6ct58987ht");
        let env = object(
            "kind: ConfigMap\nmetadata: {name: p-env}\ndata:\n  A: '\"quoted\"'\n  B: 'plain value  '\n  C: x=y\n  NOVAL: ''\n  dq: z\n  num: '1'\n  q: x y\n",
        );
        assert_eq!(content_hash(&env), "fc97k2hmb2");
        let secret = object(
            "kind: Secret\nmetadata: {name: p-s, labels: {x: 'y'}}\ntype: Opaque\ndata: {a: Yg==}\n",
        );
        assert_eq!(content_hash(&secret), "k695gkmbtk");
    }
}
