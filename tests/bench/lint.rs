//! Scale benchmark: synclint against a bare YAML parse of the same files.
//!
//!     cargo bench --bench lint                     # 2000 apps (~15k resources, ~11k files)
//!     cargo bench --bench lint -- --apps 500 --runs 3
//!
//! See tests/bench/README.md for what is measured and how to read the figures.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use ignore::WalkBuilder;
use rayon::prelude::*;
use saphyr_parser::Parser;
use serde_json::json;

// The same allocator as the `synclint` binary (src/main.rs), so the in-process lint is
// the program that ships; the bare parse runs on it too, so the ratio compares like with like.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const GEN_SCRIPT: &str = "../shared/bench/gen_corpus.py";
const TARGET_RATIO: f64 = 1.5;
const TARGET_PEAK_MB: f64 = 200.0;

struct Args {
    apps: usize,
    runs: usize,
    single_runs: usize,
}

fn parse_args() -> Args {
    let mut args = Args {
        apps: 2000,
        runs: 9,
        single_runs: 5,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut num = |name: &str| -> usize {
            it.next().and_then(|v| v.parse().ok()).unwrap_or_else(|| {
                eprintln!("bench: {name} needs a number");
                std::process::exit(2)
            })
        };
        match a.as_str() {
            "--apps" => args.apps = num("--apps"),
            "--runs" => args.runs = num("--runs").max(1),
            "--single-runs" => args.single_runs = num("--single-runs").max(1),
            // `cargo bench` passes `--bench`; a name filter may follow. Neither matters here.
            _ => {}
        }
    }
    args
}

fn main() {
    // Child mode: one bare parse in a fresh process, so its peak RSS can be measured
    // the same way as synclint's.
    let argv: Vec<String> = std::env::args().collect();
    match argv.get(1).map(String::as_str) {
        Some("--child-bare") => {
            let files = walk(Path::new(&argv[2]));
            let (n, bad) = bare_parse(&files);
            println!("{n} {bad}");
            return;
        }
        Some("--launcher") => return launcher_main(),
        _ => {}
    }
    let args = parse_args();
    let crate_root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = crate_root.join(GEN_SCRIPT);
    if !script.is_file() {
        println!("skipped: {GEN_SCRIPT} not found");
        return;
    }
    // Started first, while this process is small: see `Launcher`.
    let mut launcher = Launcher::start();
    let synclint = std::env::var_os("SYNCLINT_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_synclint")));
    // <target>/release/synclint → <target>
    let target_dir = synclint
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| crate_root.join("target"));

    // Measure a private copy: a concurrent `cargo build --release` replaces
    // target/release/synclint mid-run otherwise.
    let synclint = private_copy(&synclint, &target_dir);

    let corpus = match ensure_corpus(&script, &target_dir, args.apps) {
        Ok(c) => c,
        Err(e) => {
            // python3 missing or the generator failed: not the linter's fault.
            println!("skipped: cannot generate the corpus: {e}");
            return;
        }
    };
    let threads = rayon::current_num_threads();
    let load_before = loadavg();
    println!(
        "synclint bench: {} apps, corpus {}, {} runs (median), {} rayon threads, load average {}",
        args.apps,
        corpus.display(),
        args.runs,
        threads,
        load_before
    );

    // --- The files, as a bare walk sees them. ---
    let walk_times: Vec<Duration> = (0..3).map(|_| timed(|| walk(&corpus)).0).collect();
    let files = walk(&corpus);
    let bytes: u64 = files
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let kind_lines = count_kind_lines(&files);

    // --- Warm up: page cache, allocator, the binary itself. ---
    let (_, (parsed, bad)) = timed(|| bare_parse(&files));
    assert_eq!(parsed, files.len());
    if bad > 0 {
        println!("note: {bad} file(s) did not parse as YAML in the bare parse");
    }
    let warm = lint_in_process(&corpus, None).1;
    let lib_files = warm.files;
    let lib_objects = warm.objects;
    let lib_apps = warm.apps;
    let lib_diags = warm.diagnostics;
    let first = run_synclint(&mut launcher, &synclint, &corpus, &target_dir);
    if !first.status.success() {
        eprintln!(
            "synclint failed ({}); stderr:\n{}",
            describe(first.status),
            first.stderr
        );
        std::process::exit(1);
    }

    // --- Whole repository: alternate the three measurements so drift hits all alike. ---
    let mut bare = Vec::new();
    let mut inproc = Vec::new();
    let mut sub = Vec::new();
    let mut peak_kb = first.max_rss_kb;
    for _ in 0..args.runs {
        bare.push(timed(|| bare_parse(&files)).0);
        inproc.push(lint_in_process(&corpus, None).0);
        let r = run_synclint(&mut launcher, &synclint, &corpus, &target_dir);
        assert!(r.status.success(), "synclint failed: {}", r.stderr);
        peak_kb = peak_kb.max(r.max_rss_kb);
        sub.push(r.wall);
    }
    let bare_peak_kb = child_bare_peak(&mut launcher, &corpus, &target_dir);

    // --- Per stage, in process (where the time goes). ---
    let stages = stage_times(&corpus, args.runs.min(3));

    // --- One file of the repository: the pre-commit and editor case. ---
    let one = pick_one_file(&corpus, &files);
    let one_rel = one
        .strip_prefix(&corpus)
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/");
    let mut one_sub = Vec::new();
    let mut one_peak_kb = 0;
    for _ in 0..args.single_runs {
        let r = run_synclint(&mut launcher, &synclint, &one, &target_dir);
        assert!(
            r.status.success(),
            "synclint failed on one file: {}",
            r.stderr
        );
        one_peak_kb = one_peak_kb.max(r.max_rss_kb);
        one_sub.push(r.wall);
    }
    let one_inproc: Vec<Duration> = (0..args.single_runs)
        .map(|_| lint_in_process(&corpus, Some(one_rel.clone())).0)
        .collect();
    let one_file = [one.clone()];
    let one_bare: Vec<Duration> = (0..201)
        .map(|_| timed(|| bare_parse(&one_file)).0)
        .collect();

    // --- Report. ---
    let m = |v: &[Duration]| median(v).as_secs_f64();
    let lo = |v: &[Duration]| v.iter().min().unwrap().as_secs_f64();
    let bare_s = m(&bare);
    let inproc_s = m(&inproc);
    let sub_s = m(&sub);
    let ratio_inproc = inproc_s / bare_s;
    let ratio_sub = sub_s / bare_s;
    let ratio_inproc_min = lo(&inproc) / lo(&bare);
    let load_after = loadavg();
    let peak_mb = peak_kb as f64 / 1024.0;
    let bare_peak_mb = bare_peak_kb as f64 / 1024.0;
    let ratio_ok = ratio_inproc <= TARGET_RATIO;
    let peak_ok = peak_mb < TARGET_PEAK_MB;

    let ms = |s: f64| format!("{:.1} ms", s * 1e3);
    let all = |v: &[Duration]| {
        v.iter()
            .map(|d| format!("{:.0}", d.as_secs_f64() * 1e3))
            .collect::<Vec<_>>()
            .join(" ")
    };
    println!();
    println!(
        "corpus: {} files walked ({:.1} MB), {} `kind:` lines",
        files.len(),
        bytes as f64 / 1e6,
        kind_lines
    );
    println!(
        "synclint: {lib_files} files, {lib_objects} objects, {lib_apps} apps, {lib_diags} findings"
    );
    println!();
    println!(
        "{:<44} {:>10} {:>10}   all runs (ms)",
        "measurement", "median", "min"
    );
    let row = |name: &str, v: &[Duration]| {
        println!(
            "{:<44} {:>10} {:>10}   {}",
            name,
            ms(m(v)),
            ms(lo(v)),
            all(v)
        )
    };
    row("walk only (ignore, sequential)", &walk_times);
    row("bare parse (walk + read + events, rayon)", &bare);
    row("synclint lint() in process", &inproc);
    row("synclint check (subprocess, JSON report)", &sub);
    for (name, v) in &stages {
        row(&format!("  stage: {name}"), v);
    }
    println!(
        "{:<44} {:>10} {:>10}   (201 runs)",
        "one file: bare parse",
        format!("{:.3} ms", m(&one_bare) * 1e3),
        format!("{:.3} ms", lo(&one_bare) * 1e3)
    );
    row("one file: synclint lint() in process", &one_inproc);
    row("one file: synclint check (subprocess)", &one_sub);
    println!(
        "(one file: {one_rel}; stages: {} separate instrumented runs)",
        stages[0].1.len()
    );
    println!();
    let floor_mb = launcher.own_peak_kb() as f64 / 1024.0;
    println!(
        "peak RSS (wait4 ru_maxrss, floor {:.1} MB): synclint check {:.1} MB, one-file check {:.1} MB, bare parse process {:.1} MB",
        floor_mb,
        peak_mb,
        one_peak_kb as f64 / 1024.0,
        bare_peak_mb
    );
    println!(
        "ratio lint/bare (medians): {:.2}x in process, {:.2}x subprocess; {:.2}x in process on minimums (target <= {TARGET_RATIO}x): {}",
        ratio_inproc,
        ratio_sub,
        ratio_inproc_min,
        if ratio_ok { "MET" } else { "NOT MET" }
    );
    println!(
        "peak memory < {TARGET_PEAK_MB} MB: {}",
        if peak_ok { "MET" } else { "NOT MET" }
    );
    println!(
        "load average before / after: {load_before} / {load_after} (other work on the machine skews every figure)"
    );

    let secs = |v: &[Duration]| v.iter().map(|d| d.as_secs_f64()).collect::<Vec<_>>();
    let results = json!({
        "apps": args.apps,
        "runs": args.runs,
        "rayon_threads": threads,
        "corpus": corpus.display().to_string(),
        "files_walked": files.len(),
        "bytes": bytes,
        "kind_lines": kind_lines,
        "synclint_files": lib_files,
        "synclint_objects": lib_objects,
        "synclint_apps": lib_apps,
        "synclint_findings": lib_diags,
        "load_average_before": load_before,
        "load_average_after": load_after,
        "walk_s": {"median": m(&walk_times), "min": lo(&walk_times), "runs": secs(&walk_times)},
        "bare_parse_s": {"median": bare_s, "min": lo(&bare), "runs": secs(&bare)},
        "lint_in_process_s": {"median": inproc_s, "min": lo(&inproc), "runs": secs(&inproc)},
        "lint_subprocess_s": {"median": sub_s, "min": lo(&sub), "runs": secs(&sub)},
        "stages_s": stages.iter().map(|(n, v)| (n.to_string(), json!({"median": m(v), "min": lo(v), "runs": secs(v)}))).collect::<serde_json::Map<_, _>>(),
        "ratio_in_process": ratio_inproc,
        "ratio_in_process_min": ratio_inproc_min,
        "ratio_subprocess": ratio_sub,
        "peak_rss_mb": peak_mb,
        "bare_parse_peak_rss_mb": bare_peak_mb,
        "peak_rss_floor_mb": floor_mb,
        "one_file": {
            "path": one_rel,
            "bare_parse_s": {"median": m(&one_bare), "min": lo(&one_bare)},
            "lint_in_process_s": {"median": m(&one_inproc), "min": lo(&one_inproc), "runs": secs(&one_inproc)},
            "lint_subprocess_s": {"median": m(&one_sub), "min": lo(&one_sub), "runs": secs(&one_sub)},
            "peak_rss_mb": one_peak_kb as f64 / 1024.0,
        },
        "targets": {
            "ratio_max": TARGET_RATIO,
            "peak_mb_max": TARGET_PEAK_MB,
            "ratio_met": ratio_ok,
            "peak_met": peak_ok,
        },
    });
    let out = target_dir.join("bench-results.json");
    let mut f = std::fs::File::create(&out).expect("write bench-results.json");
    writeln!(f, "{}", serde_json::to_string_pretty(&results).unwrap()).unwrap();
    println!("results written to {}", out.display());
}

fn timed<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let start = Instant::now();
    let out = f();
    (start.elapsed(), out)
}

fn median(v: &[Duration]) -> Duration {
    let mut s = v.to_vec();
    s.sort();
    s[s.len() / 2]
}

fn describe(s: ExitStatus) -> String {
    match (s.code(), s.signal()) {
        (Some(c), _) => format!("exit {c}"),
        (_, Some(sig)) => format!("signal {sig}"),
        _ => "unknown status".into(),
    }
}

// ---------------------------------------------------------------- corpus

/// Generates the corpus once into <target>/bench-corpus-N, keyed by the generator's
/// content so a changed generator regenerates it.
fn ensure_corpus(script: &Path, target_dir: &Path, apps: usize) -> Result<PathBuf, String> {
    let dir = target_dir.join(format!("bench-corpus-{apps}"));
    let script_text = std::fs::read(script).map_err(|e| e.to_string())?;
    let stamp_text = format!("{:016x}\n", fnv1a64(&script_text));
    // The `.git` directory makes the corpus its own repository root (synclint looks up
    // for `.git`; without it the root would be this crate). Both walks skip `.git`.
    let stamp = dir.join(".git").join("bench-corpus-stamp");
    if std::fs::read_to_string(&stamp).is_ok_and(|s| s == stamp_text) {
        return Ok(dir);
    }
    let partial = target_dir.join(format!("bench-corpus-{apps}.partial"));
    let _ = std::fs::remove_dir_all(&partial);
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "generating corpus: python3 {} --apps {apps} --out {}",
        GEN_SCRIPT,
        dir.display()
    );
    let (t, status) = timed(|| {
        Command::new("python3")
            .arg(script)
            .args(["--apps", &apps.to_string(), "--out"])
            .arg(&partial)
            .stdout(Stdio::null())
            .status()
    });
    let status = status.map_err(|e| format!("python3: {e}"))?;
    if !status.success() {
        return Err(format!("{} failed: {}", GEN_SCRIPT, describe(status)));
    }
    std::fs::create_dir_all(partial.join(".git")).map_err(|e| e.to_string())?;
    std::fs::write(partial.join(".git").join("bench-corpus-stamp"), &stamp_text)
        .map_err(|e| e.to_string())?;
    std::fs::rename(&partial, &dir).map_err(|e| e.to_string())?;
    println!("generated in {:.1} s", t.as_secs_f64());
    Ok(dir)
}

fn private_copy(bin: &Path, target_dir: &Path) -> PathBuf {
    let copy = target_dir.join("bench-synclint");
    match std::fs::copy(bin, &copy) {
        Ok(_) => copy,
        Err(e) => {
            println!(
                "note: cannot copy {} ({e}); measuring it in place",
                bin.display()
            );
            bin.to_path_buf()
        }
    }
}

fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100000001b3)
    })
}

fn pick_one_file(corpus: &Path, files: &[PathBuf]) -> PathBuf {
    let preferred = corpus.join("apps/svc-00000/deployment.yaml");
    if preferred.is_file() {
        return preferred;
    }
    files
        .iter()
        .find(|p| p.starts_with(corpus.join("apps")))
        .or(files.first())
        .cloned()
        .expect("corpus has files")
}

// ---------------------------------------------------------------- bare parse

/// The YAML/JSON files under `root`, walked as synclint walks (gitignore-aware, hidden
/// files included, `.git` skipped), sequentially.
fn walk(root: &Path) -> Vec<PathBuf> {
    let walker = WalkBuilder::new(root)
        .hidden(false)
        .follow_links(true)
        .git_global(false)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git")
        .build();
    walker
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(ignore::DirEntry::into_path)
        .filter(|p| {
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            name.ends_with(".yaml")
                || name.ends_with(".yml")
                || name.ends_with(".json")
                || name == "kustomization"
        })
        .collect()
}

/// Reads and event-parses every file in parallel: no tree, no linting. Returns the
/// number of files and how many failed to parse.
fn bare_parse(files: &[PathBuf]) -> (usize, usize) {
    let bad: usize = files
        .par_iter()
        .map(|path| {
            let Ok(text) = std::fs::read_to_string(path) else {
                return 1;
            };
            let mut events = 0usize;
            for event in Parser::new_from_str(&text) {
                match event {
                    Ok(e) => {
                        std::hint::black_box(&e);
                        events += 1;
                    }
                    Err(_) => return 1,
                }
            }
            std::hint::black_box(events);
            0
        })
        .sum();
    (files.len(), bad)
}

fn count_kind_lines(files: &[PathBuf]) -> usize {
    files
        .par_iter()
        .map(|p| {
            std::fs::read_to_string(p)
                .map(|t| t.lines().filter(|l| l.starts_with("kind:")).count())
                .unwrap_or(0)
        })
        .sum()
}

/// Peak RSS of a fresh process doing one bare parse (this binary in child mode).
fn child_bare_peak(launcher: &mut Launcher, corpus: &Path, target_dir: &Path) -> u64 {
    let Ok(exe) = std::env::current_exe() else {
        return 0;
    };
    let args = [
        OsString::from("--child-bare"),
        corpus.as_os_str().to_owned(),
    ];
    let run = launcher.run(&exe, &args, &target_dir.join("bench-bare.stderr"));
    assert!(
        run.status.success(),
        "bare parse child failed: {}",
        run.stderr
    );
    run.max_rss_kb
}

// ---------------------------------------------------------------- synclint

struct Summary {
    files: usize,
    objects: usize,
    apps: usize,
    diagnostics: usize,
}

/// One `lint::lint` call: its wall time (to the returned outcome; freeing the outcome
/// afterwards is not counted) and the counts.
fn lint_in_process(corpus: &Path, only: Option<String>) -> (Duration, Summary) {
    let options = synclint::lint::Options {
        root: corpus.to_path_buf(),
        only_files: only.map(|f| vec![f]),
        ..Default::default()
    };
    let (t, outcome) = timed(|| synclint::lint::lint(&options));
    let outcome = outcome.unwrap_or_else(|e| panic!("lint failed: {e}"));
    let summary = Summary {
        files: outcome.files,
        objects: outcome.loaded.objects().count(),
        apps: outcome.apps,
        diagnostics: outcome.diagnostics.len(),
    };
    (t, summary)
}

/// The stages of `lint::lint`, timed one by one in a copy of its pipeline, then their sum
/// beside a whole `lint()` run of the same iterations (the difference is config,
/// suppression, sorting, and noise).
fn stage_times(corpus: &Path, runs: usize) -> Vec<(&'static str, Vec<Duration>)> {
    use synclint::graph::migration::Patterns;
    use synclint::graph::{AppGraph, RepoIndex};
    use synclint::rules::{self, Check, Context};
    use synclint::{apps, discover, lint, load};
    let names = [
        "discover",
        "load (read+parse+objects)",
        "apps::resolve (with rendering)",
        "RepoIndex::build",
        "graphs + rules (rayon)",
        "sum of the stages above",
        "whole lint(), same iterations",
    ];
    let mut out: Vec<(&'static str, Vec<Duration>)> =
        names.into_iter().map(|n| (n, Vec::new())).collect();
    let options = lint::Options {
        root: corpus.to_path_buf(),
        ..Default::default()
    };
    for _ in 0..runs {
        let whole = lint_in_process(corpus, None).0;
        let config = lint::load_config(&options).expect("config");
        let (t_discover, discovery) = timed(|| discover::discover(corpus));
        let (t_load, mut loaded) = timed(|| load::load(&discovery, &Default::default(), ""));
        let identity = apps::RepoIdentity::new(corpus, &config);
        let settings = apps::Settings::new(&identity, corpus);
        let (t_apps, resolved) = timed(|| apps::resolve(&mut loaded, &settings));
        let (t_index, repo) = timed(|| RepoIndex::build(&loaded));
        let patterns = Patterns {
            commands: config.migration_commands.clone(),
            names: config.migration_names.clone(),
            directories: config.migration_dirs.clone(),
        };
        let context = Context {
            loaded: &loaded,
            config: &config,
            repo: &repo,
            patterns: &patterns,
            release: None,
        };
        let (t_rules, findings) = timed(|| {
            resolved
                .apps
                .par_iter()
                .map(|app| {
                    let graph = AppGraph::build(app, &loaded, &patterns);
                    let mut found = Vec::new();
                    for rule in rules::REGISTRY {
                        if let Check::App(check) = rule.check {
                            check(&graph, &context, &mut found);
                        }
                    }
                    found.len()
                })
                .sum::<usize>()
        });
        std::hint::black_box(findings);
        let known = t_discover + t_load + t_apps + t_index + t_rules;
        for (i, t) in [t_discover, t_load, t_apps, t_index, t_rules, known, whole]
            .into_iter()
            .enumerate()
        {
            out[i].1.push(t);
        }
    }
    out
}

struct Run {
    wall: Duration,
    max_rss_kb: u64,
    status: ExitStatus,
    stderr: String,
}

fn run_synclint(launcher: &mut Launcher, bin: &Path, path: &Path, target_dir: &Path) -> Run {
    let mut args = vec![OsString::from("check"), path.as_os_str().to_owned()];
    args.extend(
        [
            "--format",
            "json",
            "-o",
            "/dev/null",
            "--fail-on",
            "never",
            "--color",
            "never",
        ]
        .map(OsString::from),
    );
    launcher.run(bin, &args, &target_dir.join("bench-synclint.stderr"))
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

// ---------------------------------------------------------------- peak memory

/// Runs the measured subprocesses from a small helper process.
///
/// `ru_maxrss` from wait4 is the child's own peak RSS, but Linux carries the peak of the
/// address space a process exec'd *from* into it, and Rust spawns with vfork, whose
/// child shares the parent's address space until exec. Spawned from this bench (which
/// holds a whole lint result in memory), every child would report at least this bench's
/// peak. The helper is this binary in `--launcher` mode, started before the bench grows;
/// its own peak (a few MB) is the floor of every figure, printed with the results.
struct Launcher {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Launcher {
    fn start() -> Launcher {
        let exe = std::env::current_exe().expect("current_exe");
        let mut child = Command::new(exe)
            .arg("--launcher")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start launcher");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Launcher {
            child,
            stdin,
            stdout,
        }
    }

    /// Runs `program args` with stdout to /dev/null and stderr to `stderr_path`.
    fn run(&mut self, program: &Path, args: &[OsString], stderr_path: &Path) -> Run {
        // One request a line: fields separated by NUL (paths have no NUL or newline).
        let mut fields = vec![
            stderr_path.as_os_str().to_owned(),
            program.as_os_str().to_owned(),
        ];
        fields.extend(args.iter().cloned());
        let line: Vec<String> = fields
            .iter()
            .map(|f| f.to_string_lossy().into_owned())
            .collect();
        writeln!(self.stdin, "{}", line.join("\0")).expect("launcher request");
        self.stdin.flush().unwrap();
        let mut reply = String::new();
        self.stdout.read_line(&mut reply).expect("launcher reply");
        let v: Vec<i64> = reply
            .split_whitespace()
            .map(|x| x.parse().expect("launcher reply"))
            .collect();
        assert_eq!(v.len(), 3, "launcher reply: {reply:?}");
        Run {
            status: ExitStatus::from_raw(v[0] as i32),
            wall: Duration::from_nanos(v[1] as u64),
            max_rss_kb: v[2] as u64,
            stderr: std::fs::read_to_string(stderr_path).unwrap_or_default(),
        }
    }

    /// The launcher's own peak RSS: the floor below which no child figure can go.
    fn own_peak_kb(&self) -> u64 {
        vm_hwm_kb(self.child.id()).unwrap_or(0)
    }
}

fn vm_hwm_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn launcher_main() {
    let stdin = std::io::stdin();
    let mut out = std::io::stdout();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let fields: Vec<&str> = line.split('\0').collect();
        let (stderr_path, program, args) = (fields[0], fields[1], &fields[2..]);
        let reply = match std::fs::File::create(stderr_path) {
            Ok(err) => {
                let mut cmd = Command::new(program);
                cmd.args(args)
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(err);
                match spawn_measured(cmd) {
                    Ok((raw, wall, kb)) => format!("{raw} {} {kb}", wall.as_nanos()),
                    Err(e) => {
                        let _ = std::fs::write(stderr_path, format!("cannot run {program}: {e}"));
                        "512 0 0".into() // exit code 2
                    }
                }
            }
            Err(_) => "512 0 0".into(),
        };
        if writeln!(out, "{reply}").and_then(|_| out.flush()).is_err() {
            break;
        }
    }
}

/// Spawns and reaps the child with wait4, which gives this child's own peak RSS
/// (`ru_maxrss`, KiB on Linux). Returns the raw wait status, wall time and peak.
fn spawn_measured(mut cmd: Command) -> std::io::Result<(i32, Duration, u64)> {
    let start = Instant::now();
    let child = cmd.spawn()?;
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = loop {
        let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if rc == -1 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        break rc;
    };
    let wall = start.elapsed();
    if rc == -1 {
        return Err(std::io::Error::last_os_error());
    }
    // The child is reaped; dropping `Child` does not wait, so nothing else touches it.
    drop(child);
    Ok((status, wall, usage.ru_maxrss as u64))
}
