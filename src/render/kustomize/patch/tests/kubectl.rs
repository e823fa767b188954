//! Differential tests: small kustomizations built by `kubectl kustomize` (Kustomize v5)
//! compared with our patches applied to the same base. Skipped when kubectl is missing.

use std::path::PathBuf;
use std::process::Command;

use super::cases::{self, Case};
use super::documents;
use super::edge_cases;
use crate::render::kustomize::patch::{
    Target, json6902, strategic_merge, strategic_merge_deletes_object,
};
use crate::render::value::Value;
use crate::source::FileId;

#[test]
fn patches_render_as_kubectl_kustomize_does() {
    let available = Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        println!("kubectl is not on PATH: skipping the comparison with `kubectl kustomize`");
        return;
    }
    let mut failures = Vec::new();
    for case in cases::CASES.iter().chain(edge_cases::CASES) {
        let expected = kubectl_kustomize(case);
        assert_eq!(
            expected.is_err(),
            case.fails,
            "kubectl on `{}`: {expected:?}",
            case.name
        );
        let actual = ours(case);
        let outcome = match (expected, actual) {
            (Ok(expected), Ok(actual)) if expected == actual => continue,
            (Err(_), Err(_)) => continue,
            (expected, actual) => format!("kubectl: {}\nours: {}", show(expected), show(actual)),
        };
        failures.push(format!("case `{}`:\n{outcome}", case.name));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn show(rendered: Result<Rendered, String>) -> String {
    match rendered {
        Ok(objects) => objects.join("\n"),
        Err(e) => format!("error: {e}"),
    }
}

/// The objects as JSON, in a stable order.
type Rendered = Vec<String>;

fn sorted(objects: impl IntoIterator<Item = serde_json::Value>) -> Rendered {
    let mut out: Vec<String> = objects
        .into_iter()
        .map(|o| serde_json::to_string_pretty(&o).unwrap_or_default())
        .collect();
    out.sort();
    out
}

fn kubectl_kustomize(case: &Case) -> Result<Rendered, String> {
    let dir = scratch_dir(case.name);
    let write = |name: &str, text: &str| std::fs::write(dir.join(name), text);
    let mut kustomization = String::from("resources: [base.yaml]\npatches:\n");
    let mut written = write("base.yaml", case.base).is_ok();
    for (i, patch) in case.patches.iter().enumerate() {
        written &= write(&format!("p{i}.yaml"), patch.text).is_ok();
        kustomization.push_str(&format!("- path: p{i}.yaml\n"));
        if let Some(target) = patch.target {
            kustomization.push_str(&format!("  target: {target}\n"));
        }
    }
    written &= write("kustomization.yaml", &kustomization).is_ok();
    assert!(
        written,
        "cannot write the kustomization for `{}`",
        case.name
    );
    let output = Command::new("kubectl").arg("kustomize").arg(&dir).output();
    let _ = std::fs::remove_dir_all(&dir);
    let output = output.map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    let text = String::from_utf8_lossy(&output.stdout);
    Ok(sorted(
        documents(FileId(90), &text).iter().map(Value::to_json),
    ))
}

fn ours(case: &Case) -> Result<Rendered, String> {
    let mut objects = documents(FileId(1), case.base);
    for (i, spec) in case.patches.iter().enumerate() {
        let patch = documents(FileId(10 + i as u32), spec.text).remove(0);
        let target = match spec.target {
            Some(t) => Some(Target::parse(&documents(FileId(80), t).remove(0))?),
            None => None,
        };
        let mut kept = Vec::new();
        for mut object in objects {
            let selected = match &target {
                Some(target) => target.matches(&object),
                None => same_object(&object, &patch),
            };
            if !selected {
                kept.push(object);
            } else if patch.is_seq() {
                json6902(&mut object, &patch)?;
                kept.push(object);
            } else if !strategic_merge_deletes_object(&patch) {
                strategic_merge(&mut object, &patch)?;
                kept.push(object);
            }
        }
        objects = kept;
    }
    Ok(sorted(objects.iter().map(Value::to_json)))
}

/// A patch without a target applies to the object with its kind and name.
fn same_object(object: &Value, patch: &Value) -> bool {
    let id = |v: &Value| {
        (
            v.get_str("kind").map(str::to_string),
            v.path_str(&["metadata", "name"]).map(str::to_string),
        )
    };
    id(object) == id(patch)
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("synclint-kpatch-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temporary directory");
    dir
}
