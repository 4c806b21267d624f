//! The command line: one settings model for flags and `specmock.toml`.
//!
//! - `args`: every flag, declared once (clap for the command line, serde for
//!   `--print-config`); its long name is also its config key.
//! - `config_file`: `specmock.toml` turned into arguments placed before the
//!   command line's own, so the file and the flags fill the same structs.
//! - `commands`: what each subcommand does.

mod args;
mod commands;
mod config_file;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

pub use args::{
    CheckArgs, DiffArgs, ExportArgs, ExportCommand, FixturesCommand, ListenArgs, RecordArgs,
    RunArgs, ServeArgs, SpecArgs,
};
pub use commands::document_env_name;
pub use config_file::{ConfigFile, DEFAULT_FILE, every_key};

/// A contract-testing mock server generated from OpenAPI documents.
#[derive(Debug, Parser)]
#[command(name = "specmock", version, about, long_about = None)]
#[command(
    after_help = "Examples:\n  specmock serve                      serve the four bundled vendor specs on 127.0.0.1:4010\n  specmock serve specs/ --port 0      serve every document in specs/ on a free port\n  specmock routes                     list every operation of the bundled specs\n  specmock validate my-api.yaml       check a document and its examples"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Read settings from this file (default: ./specmock.toml when it exists); flags win over it.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Log format on stderr: one human-readable line per request, or JSON for machines. RUST_LOG sets the level.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve mocks of the documents (the bundled vendor specs when none are given).
    #[command(
        after_help = "Examples:\n  specmock serve\n  specmock serve specs/unleash.yaml --port 8080\n  specmock serve a.yaml b.yaml --mount b.yaml=/b"
    )]
    Serve(ServeArgs),
    /// Start a mock, run a command against it, stop the mock, write reports; exit non-zero when the command failed or the contract was broken.
    #[command(
        after_help = "The command gets SPECMOCK_URL (the mock's address) and SPECMOCK_URL_<DOCUMENT> per document\n(upper-cased file stem, base path included, e.g. SPECMOCK_URL_AXIOM=http://127.0.0.1:PORT/v2);\nwith --tls-self-signed the URLs are https:// and SPECMOCK_CA is the certificate to trust.\n\nExit status: the command's own when it failed; else 1 when any request broke the contract or\nmatched no operation (unless --allow-violations); else 1 when coverage is below --min-coverage;\nelse 0.\n\nExamples:\n  specmock run --report-junit contract.xml -- npm test\n  specmock run specs/ -- sh -c 'curl -fsS \"$SPECMOCK_URL_UNLEASH/api/admin/api-tokens/x\" ...'"
    )]
    Run(RunArgs),
    /// Record real traffic: proxy to the real API and write each exchange as a fixture, secrets redacted.
    #[command(
        after_help = "Examples:\n  specmock record specs/axiom.yaml --fixtures my-fixtures/ --port 8080\n  specmock record --fixtures my-fixtures/ --upstream http://127.0.0.1:9000\n\n--upstream replaces each document's whole server URL (scheme, host and base path):\nPOST /v2/tokens/x/regenerate is forwarded to http://127.0.0.1:9000/tokens/x/regenerate."
    )]
    Record(RecordArgs),
    /// Work with fixtures: `fixtures check` validates every fixture against the contract.
    #[command(subcommand)]
    Fixtures(FixturesCommand),
    /// Export what the consumer used, from a JSON report: a Pact v4 file or an OpenAPI subset.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Compare two versions of a contract: each change classified for a client, the ones this
    /// consumer's fixtures and run reports touch marked used; exit 1 on a used breaking change.
    #[command(
        after_help = "Exit status: 1 when --fail-on is met (default: a used breaking change with --fixtures or\n--report, any breaking change without; a fixture that breaks NEW counts too); 2 when a side\ndoes not load or a usage file cannot be read; else 0.\n\nExamples:\n  specmock diff v1/axiom.yaml v2/axiom.yaml\n  specmock diff v1/ v2/ --fixtures my-fixtures/ --report contract.json --format markdown"
    )]
    Diff(DiffArgs),
    /// Print one line per operation: METHOD, route, operationId, file.
    #[command(after_help = "Example:\n  specmock routes specs/")]
    Routes(SpecArgs),
    /// Load and compile documents, and check every example against its schema.
    #[command(
        after_help = "Exit status: 0 when every document loads and every example matches its schema, 1 otherwise.\n\nExample:\n  specmock validate specs/"
    )]
    Validate(SpecArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(
        after_help = "Example:\n  mkdir -p ~/.local/share/bash-completion/completions\n  specmock completions bash > ~/.local/share/bash-completion/completions/specmock"
    )]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write the man pages, one per command (specmock.1, specmock-serve.1, ...), into DIR.
    #[command(
        after_help = "Example:\n  mkdir -p ~/.local/share/man/man1 && specmock man ~/.local/share/man/man1 && man specmock-serve"
    )]
    Man {
        /// The folder to write the pages into (it must exist).
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
}

/// Parse the command line (and `specmock.toml`) and run; what `main` calls.
pub fn main() -> ExitCode {
    let cli = match parse(std::env::args_os().collect()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let _log_guard = init_logging(cli.log_format);
    match cli.command {
        Command::Serve(args) if args.print_config => print_config(&args, cli.log_format),
        Command::Serve(args) => commands::serve(args),
        Command::Run(args) => commands::run(args),
        Command::Record(args) => commands::record(args),
        Command::Fixtures(FixturesCommand::Check(args)) => commands::fixtures_check(&args),
        Command::Fixtures(FixturesCommand::Import(args)) => commands::fixtures_import(&args),
        Command::Export(ExportCommand::Pact(args)) => commands::export(&args, false),
        Command::Export(ExportCommand::Openapi(args)) => commands::export(&args, true),
        Command::Diff(args) => commands::diff(&args),
        Command::Routes(args) => commands::routes(&args),
        Command::Validate(args) => commands::validate(&args),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "specmock",
                &mut std::io::stdout(),
            );
            ExitCode::SUCCESS
        }
        Command::Man { dir } => match clap_mangen::generate_to(Cli::command(), &dir) {
            Ok(()) => {
                println!("man pages written to {}", dir.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!(
                    "specmock: cannot write the man pages into {}: {e} (create the folder first: mkdir -p {})",
                    dir.display(),
                    dir.display()
                );
                ExitCode::FAILURE
            }
        },
    }
}

/// The command line, with the config file's keys as arguments placed after
/// the subcommand and before the user's own (which win: a key whose flag the
/// user gave is left out).
pub fn parse(raw: Vec<OsString>) -> Result<Cli, ExitCode> {
    let root = Cli::command();
    let first = root
        .clone()
        .try_get_matches_from(&raw)
        .unwrap_or_else(|e| e.exit());
    let explicit = first.get_one::<PathBuf>("config").cloned();
    let config = ConfigFile::find(explicit.as_deref(), &root).map_err(|e| {
        eprintln!("specmock: {e}");
        ExitCode::from(2)
    })?;
    let matches = match &config {
        None => first,
        Some(config) => {
            let (names, sub, sub_matches) = subcommand(&root, &first);
            let given = |id: &str| {
                let source = if sub.get_arguments().any(|a| a.get_id() == id) {
                    sub_matches.value_source(id)
                } else if root.get_arguments().any(|a| a.get_id() == id) {
                    first.value_source(id)
                } else {
                    None
                };
                matches!(
                    source,
                    Some(
                        clap::parser::ValueSource::CommandLine
                            | clap::parser::ValueSource::EnvVariable
                    )
                )
            };
            let injected = config.arguments(&root, sub, &given).map_err(|e| {
                eprintln!("specmock: {}: {e}", config.path.display());
                ExitCode::from(2)
            })?;
            let at = subcommand_end(&root, &raw, &names);
            let mut argv: Vec<OsString> = raw[..at].to_vec();
            argv.extend(injected.positionals.iter().map(OsString::from));
            argv.extend(injected.options.iter().map(OsString::from));
            argv.extend(raw[at..].iter().cloned());
            match root.clone().try_get_matches_from(argv) {
                Ok(m) => m,
                Err(e) => return Err(blame_config(e, &injected.keys, &config.path)),
            }
        }
    };
    Cli::from_arg_matches(&matches).map_err(|e| e.exit())
}

/// The subcommand the user chose (`fixtures check` is two names), its
/// definition and its matches.
fn subcommand<'a>(
    root: &'a clap::Command,
    m: &'a clap::ArgMatches,
) -> (Vec<String>, &'a clap::Command, &'a clap::ArgMatches) {
    let (mut names, mut cmd, mut m) = (Vec::new(), root, m);
    while let Some((name, sm)) = m.subcommand() {
        match cmd.find_subcommand(name) {
            Some(c) => cmd = c,
            None => break,
        }
        names.push(name.to_string());
        m = sm;
    }
    (names, cmd, m)
}

/// The index just after the subcommand's name(s) in `raw`: the global
/// options before it that take a separate value (`--config FILE`,
/// `--log-format F`) are skipped with it.
fn subcommand_end(root: &clap::Command, raw: &[OsString], names: &[String]) -> usize {
    let takes_value: Vec<String> = root
        .get_arguments()
        .filter(|a| a.get_action().takes_values())
        .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
        .collect();
    let mut i = 1;
    let mut want = names.iter();
    let mut next = want.next();
    while i < raw.len() {
        let Some(name) = next else { break };
        let t = raw[i].to_string_lossy();
        if takes_value.iter().any(|o| *o == t) {
            i += 2;
            continue;
        }
        if t == name.as_str() {
            next = want.next();
        }
        i += 1;
        if next.is_none() {
            break;
        }
    }
    i.min(raw.len())
}

/// A bad value that came from the file is the file's fault: say so, by key.
fn blame_config(
    e: clap::Error,
    keys: &std::collections::BTreeSet<String>,
    file: &std::path::Path,
) -> ExitCode {
    use clap::error::{ContextKind, ContextValue};
    let arg = match e.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(s)) => s.clone(),
        _ => String::new(),
    };
    let key = arg
        .trim_start_matches('-')
        .split([' ', '=', '[', '<'])
        .next()
        .unwrap_or("")
        .to_string();
    if !keys.contains(&key) {
        e.exit();
    }
    let detail = std::error::Error::source(&e)
        .map(|s| s.to_string())
        .unwrap_or_else(|| {
            let rendered = e.render().to_string();
            let line = rendered
                .lines()
                .next()
                .unwrap_or("")
                .trim_start_matches("error: ");
            line.to_string()
        });
    eprintln!("specmock: {}: {key}: {detail}", file.display());
    ExitCode::from(2)
}

/// The settings in force as a specmock.toml (the same keys; it loads back).
fn print_config(args: &ServeArgs, log_format: LogFormat) -> ExitCode {
    let mut table = match toml::Table::try_from(args) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("specmock: {e}");
            return ExitCode::FAILURE;
        }
    };
    let format = match log_format {
        LogFormat::Text => "text",
        LogFormat::Json => "json",
    };
    table.insert("log-format".into(), toml::Value::String(format.into()));
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "# specmock.toml: the settings in force (flags, config file, defaults)."
    );
    if args.admin_token.is_some() {
        let _ = writeln!(
            out,
            "# admin-token is set and not printed: give it with SPECMOCK_ADMIN_TOKEN or --admin-token."
        );
    }
    let _ = write!(out, "{table}");
    ExitCode::SUCCESS
}

/// Logs go to stderr through a non-blocking writer (a slow terminal or pipe
/// never holds up a request); the guard flushes them at exit.
fn init_logging(format: LogFormat) -> tracing_appender::non_blocking::WorkerGuard {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // The worker drains every pending line, then flushes: buffering batches the
    // writes under load and still shows each line as soon as things are quiet.
    // The channel is allocated whole up front (32 bytes a line): the default
    // 128,000 lines would hold 4 MB for the life of the process. 16,384 lines
    // is a quarter-second of our busiest logging; past it lines are dropped
    // (lossy), never a request held up.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(16 * 1024)
        .lossy(true)
        .thread_name("specmock-log")
        .finish(std::io::BufWriter::with_capacity(
            64 * 1024,
            std::io::stderr(),
        ));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_target(false);
    let _ = match format {
        LogFormat::Json => builder.json().with_target(true).try_init(),
        LogFormat::Text => builder
            .event_format(crate::logline::TextLine {
                ansi: std::io::IsTerminal::is_terminal(&std::io::stderr()),
            })
            .try_init(),
    };
    guard
}
