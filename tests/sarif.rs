//! The demo's SARIF, checked by the real validators: Microsoft's SARIF Multitool with
//! GitHub code scanning's ingestion rules (`sarif-validate`) and the official SARIF 2.1.0
//! JSON schema. Both come from `../shared/tools/install-test-tools.sh`, which `.ci/run`
//! runs; elsewhere the checks skip with a message (and fail in CI, where they must run).

use std::path::{Path, PathBuf};
use std::process::Command;

fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn demo_sarif(name: &str) -> PathBuf {
    let out = std::env::temp_dir().join(format!("synclint-{}-{name}.sarif", std::process::id()));
    let status = Command::new(env!("CARGO_BIN_EXE_synclint"))
        .current_dir(crate_root())
        .args([
            "check",
            "testdata/repos/shop",
            "--format",
            "sarif",
            "--fail-on",
            "never",
            "-o",
        ])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    out
}

fn skip_or_fail(what: &str) {
    if std::env::var_os("CI").is_some() {
        panic!(
            "{what} is required in CI: run `eval \"$(../shared/tools/install-test-tools.sh)\"` first"
        );
    }
    eprintln!(
        "skipped: {what} not available (run ../shared/tools/install-test-tools.sh to enable)"
    );
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|p| p.join(program).is_file()))
}

#[test]
fn demo_sarif_passes_github_ingestion_rules() {
    if !on_path("sarif-validate") {
        return skip_or_fail("sarif-validate");
    }
    let sarif = demo_sarif("multitool");
    let out = Command::new("sarif-validate").arg(&sarif).output().unwrap();
    assert!(
        out.status.success(),
        "sarif-validate failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn schema_python() -> Option<PathBuf> {
    let tools = std::env::var_os("SYNCLINT_TEST_TOOLS")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/synclint-test-tools"))
        })?;
    let python = tools.join("venv/bin/python");
    python.is_file().then_some(python)
}

#[test]
fn demo_sarif_matches_the_official_schema() {
    let schema = crate_root().join("../shared/schemas/sarif-schema-2.1.0.json");
    let Some(python) = schema_python().filter(|_| schema.is_file()) else {
        return skip_or_fail("the SARIF schema (../shared/schemas) or the jsonschema venv");
    };
    let sarif = demo_sarif("schema");
    let script = "import json,sys,jsonschema\n\
        schema=json.load(open(sys.argv[1])); doc=json.load(open(sys.argv[2]))\n\
        errors=list(jsonschema.Draft4Validator(schema).iter_errors(doc))\n\
        [print(e.message, list(e.absolute_path)) for e in errors]\n\
        sys.exit(1 if errors else 0)\n";
    let out = Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(&schema)
        .arg(&sarif)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "schema errors:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
