//! The commands behind the CLI: `check`, `rules`, `explain`. `main.rs` parses arguments
//! into these option structs; everything else happens here.

use std::collections::HashMap;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use crate::diagnostic::Severity;
use crate::lint::{self, Options};
use crate::report::{self, Format, Report, Summary};
use crate::rules::{self, REGISTRY};

/// Exit codes (design: Command line).
pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug)]
pub struct CheckArgs {
    pub paths: Vec<PathBuf>,
    pub format: Option<Format>,
    pub output: Option<PathBuf>,
    pub sarif_output: Option<PathBuf>,
    pub fail_on: FailOn,
    pub config: Option<PathBuf>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub color: Color,
    pub stdin_filename: Option<PathBuf>,
    pub quiet: bool,
    pub baseline: Option<PathBuf>,
    pub write_baseline: Option<PathBuf>,
    pub helm: Option<PathBuf>,
    pub base: Option<String>,
}

/// A one-line error for stderr, and exit code 2.
pub struct Failure(pub String);

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// `path` canonicalized as far as it exists; the missing rest (a new file, a new
/// directory) is appended unchanged.
fn canonical_lenient(path: &Path) -> PathBuf {
    let mut rest = Vec::new();
    let mut existing = path;
    loop {
        if let Ok(mut out) = existing.canonicalize() {
            out.extend(rest.iter().rev());
            return out;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name);
                existing = parent;
            }
            _ => return path.to_path_buf(),
        }
    }
}

/// The root relative to the working directory, with a trailing `/` (empty for `.`), so
/// printed paths open in editors and SARIF URIs resolve from the checkout.
fn display_prefix(root: &Path) -> String {
    let Ok(cwd) = std::env::current_dir() else {
        return String::new();
    };
    let (Ok(root), Ok(cwd)) = (root.canonicalize(), cwd.canonicalize()) else {
        return String::new();
    };
    match root.strip_prefix(&cwd) {
        Ok(rel) if rel.as_os_str().is_empty() => String::new(),
        Ok(rel) => format!("{}/", crate::discover::relative(Path::new(""), rel)),
        // Run from inside the repository: `../` up to the root.
        Err(_) => match cwd.strip_prefix(&root) {
            Ok(inside) => "../".repeat(inside.components().count()),
            Err(_) => String::new(),
        },
    }
}

pub fn check(args: CheckArgs) -> Result<u8, Failure> {
    let stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    let mut paths = args.paths.clone();
    if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    let mut overrides = HashMap::new();
    if stdin {
        let name = args.stdin_filename.clone().ok_or_else(|| {
            Failure("`-` reads a manifest from stdin and needs --stdin-filename PATH".into())
        })?;
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure(format!("cannot read stdin: {e}")))?;
        paths = vec![name.clone()];
        overrides.insert(name, text);
    }
    for p in &paths {
        if !overrides.contains_key(p) && !p.exists() {
            return Err(Failure(format!("path `{}` does not exist", p.display())));
        }
    }
    // Canonical, so that `..` in the path does not lead the root search astray.
    let first = canonical_lenient(&absolute(&paths[0]));
    let root = lint::find_root(&first);
    let root_canonical = root.canonicalize().unwrap_or_else(|_| root.clone());
    let mut only_files: Option<Vec<String>> = None;
    for p in &paths {
        let canonical = canonical_lenient(&absolute(p));
        if canonical == root_canonical {
            only_files = None;
            break;
        }
        let rel = canonical.strip_prefix(&root_canonical).map_err(|_| {
            Failure(format!(
                "`{}` is not inside the repository at `{}`",
                p.display(),
                root.display()
            ))
        })?;
        only_files
            .get_or_insert_with(Vec::new)
            .push(crate::discover::relative(Path::new(""), rel));
    }
    let overrides: HashMap<String, String> = overrides
        .into_iter()
        .filter_map(|(p, text)| {
            // The buffer may be a new file in a directory not created yet.
            let path = canonical_lenient(&absolute(&p));
            let rel = path.strip_prefix(&root_canonical).ok()?;
            Some((crate::discover::relative(Path::new(""), rel), text))
        })
        .collect();
    let options = Options {
        root: root.clone(),
        config: args.config.clone(),
        select: split_ids(&args.select),
        ignore: split_ids(&args.ignore),
        overrides,
        only_files,
        display_prefix: display_prefix(&root),
        helm: args.helm.clone(),
        base: args.base.clone(),
    };
    let mut outcome = lint::lint(&options).map_err(|e| Failure(e.to_string()))?;
    if let Some(path) = &args.baseline {
        let accepted = crate::suppress::baseline::read(path).map_err(Failure)?;
        outcome
            .diagnostics
            .retain(|d| !accepted.contains(&d.fingerprint()));
    }
    if let Some(path) = &args.write_baseline {
        let count = crate::suppress::baseline::write(path, &outcome.diagnostics)
            .map_err(|e| Failure(format!("cannot write baseline {}: {e}", path.display())))?;
        eprintln!(
            "synclint: wrote {count} finding(s) to the baseline {}",
            path.display()
        );
        return Ok(EXIT_OK);
    }
    for warning in &outcome.warnings {
        eprintln!("synclint: warning: {warning}");
    }
    let summary = Summary {
        apps: outcome.apps,
        files: outcome.files,
        external_sources: outcome.external_sources,
        release: outcome
            .release
            .as_ref()
            .map(crate::report::ReleaseSummary::of),
    };
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| v != "0")
                || (to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()))
        }
    };
    let format = args.format.unwrap_or(if to_terminal {
        Format::Human
    } else {
        Format::Concise
    });
    let version = env!("CARGO_PKG_VERSION");
    let report = Report {
        diagnostics: &outcome.diagnostics,
        sources: &outcome.loaded.sources,
        rules: REGISTRY,
        summary: &summary,
        color,
        quiet: args.quiet,
        redactions: &outcome.loaded.redactions,
        tool_version: version,
    };
    write_to(args.output.as_deref(), |out| {
        report::write(format, &report, out)
    })?;
    if let Some(path) = &args.sarif_output {
        let sarif = Report {
            color: false,
            ..report
        };
        write_to(Some(path), |out| report::write(Format::Sarif, &sarif, out))?;
    }
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Note => Some(Severity::Note),
        FailOn::Never => None,
    };
    let failed = threshold.is_some_and(|t| outcome.diagnostics.iter().any(|d| d.severity >= t));
    Ok(if failed { EXIT_FINDINGS } else { EXIT_OK })
}

/// `--select a,b --select c` → `[a, b, c]`.
fn split_ids(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

fn write_to(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Failure> {
    match path {
        Some(path) => std::fs::File::create(path)
            .map(std::io::BufWriter::new)
            .and_then(|mut f| write(&mut f).and_then(|_| f.flush()))
            .map_err(|e| Failure(format!("cannot write {}: {e}", path.display()))),
        None => {
            let stdout = std::io::stdout();
            let mut lock = std::io::BufWriter::new(stdout.lock());
            match write(&mut lock).and_then(|_| lock.flush()) {
                // A closed pipe (`| head`) is not an error worth a message.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => other.map_err(|e| Failure(format!("cannot write output: {e}"))),
            }
        }
    }
}

pub fn list_rules(json: bool) -> String {
    if json {
        let rules: Vec<_> = REGISTRY
            .iter()
            .map(
                |r| serde_json::json!({"id": r.id, "severity": r.severity, "summary": r.summary()}),
            )
            .collect();
        return serde_json::to_string_pretty(&rules).unwrap_or_default() + "\n";
    }
    let width = REGISTRY.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let mut out = String::new();
    for r in REGISTRY {
        out += &format!(
            "{:width$}  {:7}  {}\n",
            r.id,
            r.severity.as_str(),
            r.summary()
        );
    }
    out
}

pub fn explain(id: &str) -> Result<String, Failure> {
    match rules::find(id) {
        Some(rule) => Ok(format!("{}\n", rule.body().trim_end())),
        None => {
            let close: Vec<&str> = REGISTRY
                .iter()
                .map(|r| r.id)
                .filter(|r| r.contains(id) || id.contains(*r))
                .collect();
            let hint = if close.is_empty() {
                String::new()
            } else {
                format!(" (did you mean {}?)", close.join(", "))
            };
            Err(Failure(format!(
                "unknown rule `{id}`{hint}; `synclint rules` lists them"
            )))
        }
    }
}
