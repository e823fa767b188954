//! Rule cases (`testdata/rules/<id>/`) and rule-page examples (`rules/<id>.md`), linted
//! as small repositories of their own.
//!
//! A case is a file or a directory. `# expect: <rule>` (or `# expect: <rule> x2`; `--
//! expect:` in SQL) at the end of a line says a finding of the rule must start on that
//! line; a case without such comments must produce no finding of the rule. The findings'
//! text is snapshot-tested.
//!
//! A case directory with a `base/` folder is a release: `base/` is committed to a Git
//! repository first, then the rest of the case is written over it, uncommitted (the
//! release base is then `HEAD`, as in a pre-commit run). Page sections do the same with
//! code blocks marked `file=PATH base`.

use std::path::{Path, PathBuf};

use synclint::lint::{Options, lint};
use synclint::rules::REGISTRY;

fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh directory under the system temp dir holding a copy of `case`.
fn isolate(case: &Path, tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("synclint-rules-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    if case.is_dir() {
        copy_dir(case, &dir);
    } else {
        std::fs::copy(case, dir.join(case.file_name().unwrap())).unwrap();
    }
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Runs git in `dir`, hermetically (no user or system config).
fn git(dir: &Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "synclint")
        .env("GIT_AUTHOR_EMAIL", "tests@synclint.invalid")
        .env("GIT_COMMITTER_NAME", "synclint")
        .env("GIT_COMMITTER_EMAIL", "tests@synclint.invalid")
        .stdout(std::process::Stdio::null())
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?} failed in {}", dir.display());
}

fn git_available() -> bool {
    let found = std::process::Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(std::env::var_os("CI").is_none(), "git is required in CI");
        eprintln!("skipped: release cases need git, which is not installed");
    }
    found
}

/// The external tool a case needs: `git` for a release (a `base/` folder), `helm` for a
/// chart (a `Chart.yaml` anywhere).
fn needs_tool(case: &Path) -> Option<&'static str> {
    if case.join("base").is_dir() {
        return Some("git");
    }
    let mut stack = vec![case.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n == "Chart.yaml") {
                return Some("helm");
            }
        }
    }
    None
}

fn tool_available(tool: &str) -> bool {
    let found = match tool {
        "git" => git_available(),
        _ => synclint::helm::find_helm(None).is_ok(),
    };
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{tool} is required in CI (.ci/run installs what is missing)"
        );
        eprintln!("skipped: rule cases that need {tool}, which is not installed");
    }
    found
}

/// A case with a `base/` folder becomes a Git repository whose last commit is `base/`
/// and whose work tree has the rest of the case on top.
fn release_from_base(root: &Path) {
    let base = root.join("base");
    if !base.is_dir() {
        return;
    }
    let now = root.with_extension("now");
    let _ = std::fs::remove_dir_all(&now);
    std::fs::rename(root, &now).unwrap();
    std::fs::create_dir_all(root).unwrap();
    copy_dir(&now.join("base"), root);
    git(root, &["init", "-q"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "base"]);
    std::fs::remove_dir_all(now.join("base")).unwrap();
    copy_dir(&now, root);
    std::fs::remove_dir_all(&now).unwrap();
}

/// Lints `root` with only `rule` enabled; returns (path, line) of each finding and a
/// readable rendering of them for snapshots.
fn run(root: &Path, rule: &str) -> (Vec<(String, u32)>, String) {
    let options = Options {
        root: root.to_path_buf(),
        select: vec![rule.to_string()],
        ..Options::default()
    };
    let outcome = lint(&options).unwrap_or_else(|e| panic!("{}: {e}", root.display()));
    let mut text = String::new();
    let mut found = Vec::new();
    for d in outcome.diagnostics.iter().filter(|d| d.rule == rule) {
        found.push((d.location.path.clone(), d.location.line));
        text += &format!(
            "{}:{}:{}: {}: {}\n",
            d.location.path, d.location.line, d.location.column, d.severity, d.message
        );
        if let Some(label) = &d.label {
            text += &format!("  label: {label}\n");
        }
        for r in &d.related {
            text += &format!(
                "  related {}:{}:{}: {}\n",
                r.location.path, r.location.line, r.location.column, r.label
            );
        }
        if let Some(help) = &d.help {
            text += &format!("  help: {help}\n");
        }
    }
    found.sort();
    (found, text)
}

/// `# expect:` comments in every file of the case.
fn expectations(root: &Path, rule: &str) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            for (i, line) in text.lines().enumerate() {
                let Some(at) = line.find("# expect:").or_else(|| line.find("-- expect:")) else {
                    continue;
                };
                let marker = if line[at..].starts_with('#') { 9 } else { 10 };
                let spec = line[at + marker..].trim();
                let mut words = spec.split_whitespace();
                if words.next() != Some(rule) {
                    continue;
                }
                let count = words
                    .next()
                    .and_then(|w| w.strip_prefix('x'))
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(1);
                for _ in 0..count {
                    out.push((rel.clone(), i as u32 + 1));
                }
            }
        }
    }
    out.sort();
    out
}

#[test]
fn rule_cases() {
    let mut failures = Vec::new();
    let mut cases_seen = 0;
    let mut snapshots = Vec::new();
    for rule in REGISTRY {
        let dir = crate_root().join("testdata/rules").join(rule.id);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            failures.push(format!(
                "{}: no testdata/rules/{} directory",
                rule.id, rule.id
            ));
            continue;
        };
        let mut cases: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        cases.sort();
        let (mut fire, mut pass) = (0, 0);
        let mut snapshot = String::new();
        // Cases that need an external tool are snapshotted apart, so the main snapshot
        // does not depend on what is installed.
        let mut tool_snapshots: Vec<(&str, String)> = Vec::new();
        for case in cases {
            let name = case.file_name().unwrap().to_string_lossy().to_string();
            let needs = needs_tool(&case);
            if let Some(tool) = needs
                && !tool_available(tool)
            {
                // Counted, so that the 3-and-3 rule does not depend on the machine.
                if name.starts_with("fire") {
                    fire += 1;
                } else {
                    pass += 1;
                }
                continue;
            }
            let root = isolate(&case, &format!("{}-{name}", rule.id));
            release_from_base(&root);
            let (found, text) = run(&root, rule.id);
            let expected = expectations(&root, rule.id);
            cases_seen += 1;
            if name.starts_with("fire") {
                fire += 1;
                if expected.is_empty() {
                    failures.push(format!(
                        "{}/{name}: a fire case without `# expect:` comments",
                        rule.id
                    ));
                }
            } else {
                pass += 1;
            }
            if found != expected {
                failures.push(format!(
                    "{}/{name}: expected findings at {expected:?}, got {found:?}\n{text}",
                    rule.id
                ));
            }
            let entry = format!("== {name}\n{text}");
            match needs {
                Some(tool) => match tool_snapshots.iter_mut().find(|(t, _)| *t == tool) {
                    Some((_, s)) => *s += &entry,
                    None => tool_snapshots.push((tool, entry)),
                },
                None => snapshot += &entry,
            }
            let _ = std::fs::remove_dir_all(&root);
        }
        if fire < 3 || pass < 3 {
            failures.push(format!(
                "{}: needs at least 3 fire and 3 pass cases (has {fire} and {pass})",
                rule.id
            ));
        }
        snapshots.push((rule.id.to_string(), snapshot));
        for (tool, text) in tool_snapshots {
            snapshots.push((format!("{}-{tool}", rule.id), text));
        }
    }
    assert!(cases_seen > 0);
    assert!(
        failures.is_empty(),
        "{} failing rule cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
    for (id, snapshot) in snapshots {
        insta::assert_snapshot!(format!("cases-{id}"), snapshot);
    }
}

/// Code blocks of a section marked `file=PATH` (and `base`): base files are committed
/// to a Git repository first, the others written over them. `false`: git is missing.
fn write_file_blocks(dir: &Path, section: &str) -> bool {
    let mut blocks: Vec<(String, bool, String)> = Vec::new();
    let mut rest = section;
    while let Some(start) = rest.find("```") {
        let after = &rest[start + 3..];
        let Some(info_end) = after.find('\n') else {
            break;
        };
        let info = &after[..info_end];
        let body = &after[info_end + 1..];
        let Some(end) = body.find("```") else { break };
        if let Some(path) = info
            .split_whitespace()
            .find_map(|w| w.strip_prefix("file="))
        {
            let is_base = info.split_whitespace().any(|w| w == "base");
            blocks.push((path.to_string(), is_base, body[..end].to_string()));
        }
        rest = &body[end + 3..];
    }
    let write = |(path, _, text): &(String, bool, String)| {
        let target = dir.join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, text).unwrap();
    };
    if blocks.iter().any(|b| b.1) {
        if !git_available() {
            return false;
        }
        // The base holds the base files (and the example manifest, unchanged).
        blocks.iter().filter(|b| b.1).for_each(write);
        git(dir, &["init", "-q"]);
        git(dir, &["add", "-A"]);
        git(dir, &["commit", "-q", "-m", "base"]);
    }
    blocks.iter().filter(|b| !b.1).for_each(write);
    true
}

/// The first ```yaml block of a page section.
fn yaml_block(section: &str) -> Option<String> {
    let start = section.find("```yaml")? + "```yaml".len();
    let end = section[start..].find("```")?;
    Some(
        section[start..start + end]
            .trim_start_matches('\n')
            .to_string(),
    )
}

#[test]
fn rule_pages_examples_fire_and_fixes_pass() {
    let mut failures = Vec::new();
    for rule in REGISTRY {
        for heading in [
            "What it checks",
            "Why it matters",
            "Example",
            "Use instead",
            "How to suppress",
            "References",
        ] {
            if rule.section(heading).is_none() {
                failures.push(format!("rules/{}.md: no `## {heading}` section", rule.id));
            }
        }
        if rule.summary().is_empty() {
            failures.push(format!(
                "rules/{}.md: no summary in the front matter",
                rule.id
            ));
        }
        for (heading, must_fire) in [("Example", true), ("Use instead", false)] {
            let Some(yaml) = rule.section(heading).and_then(yaml_block) else {
                failures.push(format!(
                    "rules/{}.md: `## {heading}` has no ```yaml block",
                    rule.id
                ));
                continue;
            };
            let dir = std::env::temp_dir().join(format!(
                "synclint-page-{}-{}-{must_fire}",
                std::process::id(),
                rule.id
            ));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("example.yaml"), &yaml).unwrap();
            let section = rule.section(heading).unwrap_or("");
            if !write_file_blocks(&dir, section) {
                continue;
            }
            let (found, text) = run(&dir, rule.id);
            if must_fire && found.is_empty() {
                failures.push(format!(
                    "rules/{}.md: the Example does not fire the rule",
                    rule.id
                ));
            }
            if !must_fire && !found.is_empty() {
                failures.push(format!(
                    "rules/{}.md: the Use instead example fires the rule:\n{text}",
                    rule.id
                ));
            }
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
