//! Running the user's Helm binary: offline, in a private home, with a timeout.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::HelmError;
use super::args::{HelmOptions, template_args};
use super::deps::prepare_chart;
use super::output::{RenderedDoc, split_output};
use super::tempdir::TempDir;

/// How long `helm template` may run unless the caller says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Output beyond this is an error rather than memory exhaustion.
const MAX_OUTPUT_BYTES: u64 = 512 * 1024 * 1024;
/// After the child is gone, how long we wait for its pipes to close (a grandchild that
/// kept them open is not ours to wait for).
const PIPE_GRACE: Duration = Duration::from_secs(2);

/// The Helm binary to run: `explicit` (`--helm PATH`; a bare name is looked up on
/// PATH) if given, else `helm` on PATH. Nothing is run to find it.
pub fn find_helm(explicit: Option<&Path>) -> Result<PathBuf, HelmError> {
    let default_name = PathBuf::from(format!("helm{}", std::env::consts::EXE_SUFFIX));
    let wanted = explicit.unwrap_or(&default_name);
    if explicit.is_some() && wanted.is_file() {
        return Ok(wanted.to_path_buf());
    }
    let bare_name = wanted.components().count() == 1;
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .filter(|_| bare_name)
        .map(|dir| dir.join(wanted))
        .find(|candidate| is_executable(candidate))
        .ok_or(HelmError::NotFound {
            helm: wanted.to_path_buf(),
        })
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// `helm version`'s first line, to tell the user which Helm rendered their charts.
pub fn version(helm: &Path, timeout: Duration) -> Result<String, HelmError> {
    let home = TempDir::new()?;
    let stdout = run(helm, &["version".into()], home.path(), home.path(), timeout)?;
    Ok(stdout.lines().next().unwrap_or("").trim().to_string())
}

/// Runs `helm template` on `chart_dir` as Argo CD would ([`template_args`]) and returns
/// its output. Value files that do not exist are an error, or skipped with
/// `ignore_missing_value_files`; dependencies are prepared first (see
/// [`super::deps`]). Helm runs in the chart folder, with its config, cache, data,
/// repository and registry files in a fresh temporary folder, so neither the user's
/// repositories nor their credentials are used, and nothing is written to the chart.
pub fn run_template(
    helm: &Path,
    chart_dir: &Path,
    options: &HelmOptions,
    timeout: Duration,
) -> Result<String, HelmError> {
    let mut options = options.clone();
    let mut value_files = Vec::with_capacity(options.value_files.len());
    for file in std::mem::take(&mut options.value_files) {
        if file.is_file() {
            value_files.push(file);
        } else if !options.ignore_missing_value_files {
            return Err(HelmError::MissingValueFile { path: file });
        }
    }
    options.value_files = value_files;

    let tmp = TempDir::new()?;
    let is_disabled = |d: &super::Dependency| {
        d.condition.as_deref().is_some_and(|condition| {
            super::values::condition(chart_dir, &options, condition) == Some(false)
        })
    };
    let chart = prepare_chart(chart_dir, tmp.path(), &is_disabled)?;
    let values_tmp = match options.inline_values() {
        Some(text) => {
            let path = tmp.path().join("values.yaml");
            std::fs::write(&path, text)
                .map_err(|e| HelmError::io("writing the inline values file", e))?;
            Some(path)
        }
        None => None,
    };
    let args = template_args(&chart, &options, values_tmp.as_deref());
    run(helm, &args, &chart, tmp.path(), timeout)
}

/// [`run_template`], cut into documents ([`split_output`]).
pub fn render(
    helm: &Path,
    chart_dir: &Path,
    options: &HelmOptions,
    timeout: Duration,
) -> Result<Vec<RenderedDoc>, HelmError> {
    run_template(helm, chart_dir, options, timeout).map(|out| split_output(&out))
}

/// Runs Helm and returns its stdout. stdout and stderr are read on their own threads so
/// a full pipe cannot block the child; the child is killed when `timeout` passes.
fn run(
    helm: &Path,
    args: &[OsString],
    cwd: &Path,
    tmp: &Path,
    timeout: Duration,
) -> Result<String, HelmError> {
    let home = tmp.join("helm-home");
    let mut command = Command::new(helm);
    command
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // As Argo CD does, a home of its own; beyond that, no repositories or registry
        // credentials of the user's, and no plugins (they live in the data home).
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("HELM_REPOSITORY_CONFIG", home.join("repositories.yaml"))
        .env("HELM_REPOSITORY_CACHE", home.join("repository"))
        .env("HELM_REGISTRY_CONFIG", home.join("registry.json"))
        .env("HELM_PLUGINS", home.join("plugins"));
    let mut child = command.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => HelmError::NotFound {
            helm: helm.to_path_buf(),
        },
        _ => HelmError::io(format!("running {}", helm.display()), e),
    })?;
    let stdout = read_in_background(child.stdout.take());
    let stderr = read_in_background(child.stderr.take());

    let started = Instant::now();
    let mut pause = Duration::from_millis(1);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(HelmError::Timeout {
                    seconds: timeout.as_millis().div_ceil(1000) as u64,
                });
            }
            Ok(None) => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(HelmError::io("waiting for helm", e));
            }
        }
    };
    let stdout = stdout.recv_timeout(PIPE_GRACE).unwrap_or_default();
    let stderr = stderr.recv_timeout(PIPE_GRACE).unwrap_or_default();
    if !status.success() {
        return Err(HelmError::failed(
            status.code(),
            &String::from_utf8_lossy(&stderr),
        ));
    }
    if stdout.len() as u64 > MAX_OUTPUT_BYTES {
        return Err(HelmError::failed(
            status.code(),
            &format!("output larger than {} MiB", MAX_OUTPUT_BYTES >> 20),
        ));
    }
    Ok(String::from_utf8_lossy(&stdout).into_owned())
}

/// Reads a pipe to its end on a thread; keeps at most `MAX_OUTPUT_BYTES + 1` bytes and
/// drains the rest, so the child never blocks on a full pipe.
fn read_in_background(pipe: Option<impl Read + Send + 'static>) -> mpsc::Receiver<Vec<u8>> {
    let (sender, receiver) = mpsc::channel();
    if let Some(mut pipe) = pipe {
        std::thread::spawn(move || {
            let mut kept = Vec::new();
            let _ = (&mut pipe)
                .take(MAX_OUTPUT_BYTES + 1)
                .read_to_end(&mut kept);
            let _ = std::io::copy(&mut pipe, &mut std::io::sink());
            let _ = sender.send(kept);
        });
    }
    receiver
}

#[cfg(all(test, unix))]
#[path = "run_tests.rs"]
mod tests;
