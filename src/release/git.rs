//! Running the `git` program: read-only commands only, arguments as a list (no shell), no
//! prompts, and a time limit so a hung git (a credential prompt, a lazy fetch) cannot hang
//! synclint.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use super::error::ReleaseError;

/// How to run git: which program, how long one command may take, extra environment.
#[derive(Clone, Debug)]
pub struct Git {
    program: PathBuf,
    timeout: Duration,
    env: Vec<(OsString, OsString)>,
}

/// Variables a calling Git hook may export that would point git at another repository or
/// index than the one holding the synclint root (and relative ones break in another cwd).
const INHERITED_REPOSITORY_VARIABLES: [&str; 4] = [
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
];

impl Default for Git {
    fn default() -> Git {
        Git::new()
    }
}

impl Git {
    /// How long one git command may run before synclint stops it.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

    /// `git` from `PATH`, with the default time limit.
    pub fn new() -> Git {
        Git {
            program: PathBuf::from("git"),
            timeout: Git::DEFAULT_TIMEOUT,
            env: Vec::new(),
        }
    }

    /// Another git program (a path or a name looked up on `PATH`).
    pub fn with_program(mut self, program: impl Into<PathBuf>) -> Git {
        self.program = program.into();
        self
    }

    /// The time limit for one command (capped at a day, so the deadline arithmetic
    /// cannot overflow).
    pub fn with_timeout(mut self, timeout: Duration) -> Git {
        self.timeout = timeout.min(Duration::from_secs(24 * 60 * 60));
        self
    }

    /// One more environment variable for every git command (tests use it to ignore the
    /// user's configuration).
    pub fn with_env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Git {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn program(&self) -> &Path {
        &self.program
    }

    /// Runs `git <args>` in `dir`, feeding `input` on stdin, and returns what it printed
    /// whatever its exit status. Fails only when git cannot be started or runs too long.
    pub(crate) fn run(
        &self,
        dir: &Path,
        args: &[&str],
        input: Option<Vec<u8>>,
    ) -> Result<GitOutput, ReleaseError> {
        let mut command = Command::new(&self.program);
        command
            .current_dir(dir)
            // Global options: no pager, no index refresh written back, paths printed
            // as they are, and no fsmonitor hook program run on our behalf.
            .args(["--no-pager", "--no-optional-locks"])
            .args(["-c", "core.quotepath=off", "-c", "core.fsmonitor=false"])
            .args(args)
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_OPTIONAL_LOCKS", "0")
            // English messages, so the few we recognise (not a repository, dubious
            // ownership) are recognised whatever the user's locale.
            .env("LC_ALL", "C")
            .stdin(if input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for name in INHERITED_REPOSITORY_VARIABLES {
            command.env_remove(name);
        }
        for (key, value) in &self.env {
            command.env(key, value);
        }
        let command_line = format!("git {}", args.join(" "));
        let mut child = command.spawn().map_err(|error| {
            if error.kind() == std::io::ErrorKind::NotFound {
                ReleaseError::GitNotFound {
                    program: self.program.display().to_string(),
                }
            } else {
                ReleaseError::GitFailed {
                    command: command_line.clone(),
                    message: format!("could not start git: {error}"),
                }
            }
        })?;

        // stdin, stdout and stderr each get a thread, so a full pipe never blocks the
        // others and the main thread can keep the clock.
        let (sender, receiver) = mpsc::channel();
        let started = start_pipe_threads(&mut child, input, sender);
        if let Err(error) = started {
            let _ = child.kill();
            let _ = child.wait();
            return Err(ReleaseError::GitFailed {
                command: command_line,
                message: format!("could not start a thread to talk to git: {error}"),
            });
        }

        let deadline = Instant::now() + self.timeout;
        let timed_out = |child: &mut std::process::Child| {
            // Best effort: the process may have exited in the meantime.
            let _ = child.kill();
            let _ = child.wait();
            ReleaseError::Timeout {
                command: command_line.clone(),
                limit: self.timeout,
            }
        };
        let mut stdout = Vec::new();
        let mut stderr = Vec::new();
        for _ in 0..2 {
            let left = deadline.saturating_duration_since(Instant::now());
            match receiver.recv_timeout(left) {
                Ok((Stream::Stdout, bytes)) => stdout = bytes,
                Ok((Stream::Stderr, bytes)) => stderr = bytes,
                Err(_) => return Err(timed_out(&mut child)),
            }
        }
        // Both pipes are closed, so git is exiting: wait for its status, still bounded.
        loop {
            match child.try_wait() {
                Ok(Some(status)) => {
                    return Ok(GitOutput {
                        command: command_line,
                        success: status.success(),
                        code: status.code(),
                        stdout,
                        stderr,
                    });
                }
                Ok(None) if Instant::now() < deadline => {
                    thread::sleep(Duration::from_millis(1));
                }
                Ok(None) => return Err(timed_out(&mut child)),
                Err(error) => {
                    return Err(ReleaseError::GitFailed {
                        command: command_line,
                        message: format!("could not wait for git: {error}"),
                    });
                }
            }
        }
    }

    /// Like [`Git::run`], but a non-zero exit is an error.
    pub(crate) fn run_ok(
        &self,
        dir: &Path,
        args: &[&str],
        input: Option<Vec<u8>>,
    ) -> Result<Vec<u8>, ReleaseError> {
        let output = self.run(dir, args, input)?;
        if output.success {
            Ok(output.stdout)
        } else {
            Err(output.failure())
        }
    }
}

#[derive(Clone, Copy)]
enum Stream {
    Stdout,
    Stderr,
}

/// Starts a thread that writes `input` to git's stdin, and one per output stream that
/// sends everything read to `sender`.
fn start_pipe_threads(
    child: &mut std::process::Child,
    input: Option<Vec<u8>>,
    sender: mpsc::Sender<(Stream, Vec<u8>)>,
) -> std::io::Result<()> {
    if let (Some(mut pipe), Some(bytes)) = (child.stdin.take(), input) {
        thread::Builder::new().spawn(move || {
            // A write error means git exited early; its status says why.
            let _ = pipe.write_all(&bytes);
        })?;
    }
    if let Some(pipe) = child.stdout.take() {
        spawn_reader(pipe, Stream::Stdout, sender.clone())?;
    }
    if let Some(pipe) = child.stderr.take() {
        spawn_reader(pipe, Stream::Stderr, sender)?;
    }
    Ok(())
}

fn spawn_reader(
    mut pipe: impl Read + Send + 'static,
    stream: Stream,
    sender: mpsc::Sender<(Stream, Vec<u8>)>,
) -> std::io::Result<()> {
    thread::Builder::new().spawn(move || {
        let mut bytes = Vec::new();
        // A read error ends the stream early; the exit status or the parser reports it.
        let _ = pipe.read_to_end(&mut bytes);
        // The receiver is gone only after a timeout, when nobody needs the bytes.
        let _ = sender.send((stream, bytes));
    })?;
    Ok(())
}

/// What one git command printed, and how it ended.
#[derive(Debug)]
pub(crate) struct GitOutput {
    pub command: String,
    pub success: bool,
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl GitOutput {
    /// The error for a failed command: the repository-level problems git reports
    /// (dubious ownership) get their own error, anything else quotes git's message.
    pub fn failure(&self) -> ReleaseError {
        let stderr = String::from_utf8_lossy(&self.stderr);
        if let Some(toplevel) = dubious_ownership_path(&stderr) {
            return ReleaseError::UnsafeRepository { toplevel };
        }
        let message = stderr
            .lines()
            .map(str::trim)
            .find(|line| !line.is_empty())
            .map(|line| line.strip_prefix("fatal: ").unwrap_or(line).to_string())
            .unwrap_or_else(|| match self.code {
                Some(code) => format!("exit status {code}"),
                None => "killed by a signal".to_string(),
            });
        ReleaseError::GitFailed {
            command: self.command.clone(),
            message,
        }
    }
}

/// The repository path in git's "detected dubious ownership in repository at '<path>'".
fn dubious_ownership_path(stderr: &str) -> Option<String> {
    let rest = stderr
        .split("dubious ownership in repository at '")
        .nth(1)?;
    Some(rest.split('\'').next().unwrap_or(rest).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dubious_ownership_names_the_repository() {
        let stderr = "fatal: detected dubious ownership in repository at '/srv/repo'\n\
                      To add an exception for this directory, call:\n";
        assert_eq!(dubious_ownership_path(stderr).as_deref(), Some("/srv/repo"));
        assert_eq!(dubious_ownership_path("fatal: bad revision"), None);
    }
}
