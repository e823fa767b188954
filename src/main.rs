//! The `synclint` command line: argument parsing only; the work is in the library.

use std::path::PathBuf;

// Parsing thousands of files allocates many small nodes from several threads at once;
// mimalloc's per-thread heaps make that markedly cheaper than glibc malloc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use synclint::report::Format;
use synclint::run::{self, CheckArgs, Color, FailOn};

#[derive(Parser)]
#[command(
    name = "synclint",
    version,
    about = "Lint Argo CD GitOps repositories before they sync"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lint a repository, or files within one (the whole repository gives context).
    Check(Box<Check>),
    /// List the rules.
    Rules {
        #[arg(long, value_enum, default_value = "table")]
        format: RulesFormat,
    },
    /// Show a rule's documentation.
    Explain { rule: String },
    /// Print a shell completion script.
    Completions { shell: clap_complete::Shell },
}

#[derive(Clone, Copy, ValueEnum)]
enum RulesFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOnArg {
    Error,
    Warning,
    Note,
    Never,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(clap::Args)]
struct Check {
    /// Repository, directory or files to lint; `-` reads a manifest from stdin.
    paths: Vec<PathBuf>,
    /// Output format [default: human on a terminal, concise otherwise].
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Write the report to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also write SARIF to FILE.
    #[arg(long, value_name = "FILE")]
    sarif_output: Option<PathBuf>,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value = "warning")]
    fail_on: FailOnArg,
    /// Config file [default: .synclint.yaml in the repository root].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Run only these rules (comma-separated).
    #[arg(long, value_name = "RULES")]
    select: Vec<String>,
    /// Skip these rules (comma-separated).
    #[arg(long, value_name = "RULES")]
    ignore: Vec<String>,
    /// When to use colour (NO_COLOR and CLICOLOR_FORCE are honoured).
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorArg,
    /// The path of the manifest read from stdin (`-`), inside its repository.
    #[arg(long, value_name = "PATH")]
    stdin_filename: Option<PathBuf>,
    /// Print findings only, no summary.
    #[arg(short, long)]
    quiet: bool,
    /// Hide findings whose fingerprints are in FILE (see --write-baseline).
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Write the fingerprints of all current findings to FILE and exit 0.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// The Helm binary that renders charts [default: `helm` on PATH].
    #[arg(long, value_name = "PATH", env = "SYNCLINT_HELM")]
    helm: Option<PathBuf>,
    /// The revision of the previous release, for release-aware rules [default: the pull
    /// request's base in CI, HEAD with uncommitted changes, else HEAD~1].
    #[arg(long, value_name = "REV")]
    base: Option<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(c) => run::check(CheckArgs {
            paths: c.paths,
            format: c.format,
            output: c.output,
            sarif_output: c.sarif_output,
            fail_on: match c.fail_on {
                FailOnArg::Error => FailOn::Error,
                FailOnArg::Warning => FailOn::Warning,
                FailOnArg::Note => FailOn::Note,
                FailOnArg::Never => FailOn::Never,
            },
            config: c.config,
            select: c.select,
            ignore: c.ignore,
            color: match c.color {
                ColorArg::Auto => Color::Auto,
                ColorArg::Always => Color::Always,
                ColorArg::Never => Color::Never,
            },
            stdin_filename: c.stdin_filename,
            quiet: c.quiet,
            baseline: c.baseline,
            write_baseline: c.write_baseline,
            helm: c.helm,
            base: c.base,
        }),
        Command::Rules { format } => {
            print!("{}", run::list_rules(matches!(format, RulesFormat::Json)));
            Ok(run::EXIT_OK)
        }
        Command::Explain { rule } => run::explain(&rule).map(|page| {
            print!("{page}");
            run::EXIT_OK
        }),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "synclint",
                &mut std::io::stdout(),
            );
            Ok(run::EXIT_OK)
        }
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(run::Failure(message)) => {
            eprintln!("synclint: error: {message}");
            ExitCode::from(run::EXIT_ERROR)
        }
    }
}
