//! The command line: `serve`, `routes`, `validate`.

use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::config::ConfigFile;
use crate::contract::{Contract, FixturePaths, SpecPaths};
use crate::journal::JournalLimits;
use crate::pipeline::PipelineOptions;
use crate::report::ReportPaths;
use crate::respond::RespondOptions;
use crate::server::{self, RecordConfig, ServeConfig};
use crate::validate::ValidateOptions;

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
        after_help = "The command gets SPECMOCK_URL (the mock's address) and SPECMOCK_URL_<DOCUMENT> per document\n(upper-cased file stem, base path included, e.g. SPECMOCK_URL_AXIOM=http://127.0.0.1:PORT/v2).\n\nExit status: the command's own when it failed; else 1 when any request broke the contract or\nmatched no operation (unless --allow-violations); else 0.\n\nExamples:\n  specmock run --report-junit contract.xml -- npm test\n  specmock run specs/ -- sh -c 'curl -fsS \"$SPECMOCK_URL_UNLEASH/api/admin/api-tokens/x\" ...'"
    )]
    Run(RunArgs),
    /// Record real traffic: proxy to the real API and write each exchange as a fixture, secrets redacted.
    #[command(
        after_help = "Examples:\n  specmock record specs/axiom.yaml --fixtures fixtures/ --port 8080\n  specmock record --fixtures fixtures/ --upstream http://127.0.0.1:9000\n\n--upstream replaces each document's whole server URL (scheme, host and base path):\nPOST /v2/tokens/x/regenerate is forwarded to http://127.0.0.1:9000/tokens/x/regenerate."
    )]
    Record(RecordArgs),
    /// Work with fixtures: `fixtures check` validates every fixture against the contract.
    #[command(subcommand)]
    Fixtures(FixturesCommand),
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
        after_help = "Example:\n  specmock completions bash > /etc/bash_completion.d/specmock"
    )]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `specmock man > specmock.1`.
    Man,
}

/// Which documents to load.
#[derive(Debug, Clone, Args, serde::Serialize)]
pub struct SpecArgs {
    /// OpenAPI documents (YAML or JSON) or folders of them; none: the bundled vendor specs.
    #[arg(value_name = "SPEC|DIR")]
    pub specs: Vec<PathBuf>,
    /// Serve a document under a prefix of your choosing instead of its server
    /// base path, e.g. `--mount specs/axiom.yaml=/axiom` (repeatable).
    #[arg(long, value_name = "FILE=/PREFIX", value_parser = parse_mount)]
    pub mount: Vec<(PathBuf, String)>,
}

impl SpecArgs {
    fn paths(&self) -> SpecPaths {
        SpecPaths {
            paths: self.specs.clone(),
            mounts: self.mount.clone(),
        }
    }
}

/// `fixtures` subcommands.
#[derive(Debug, Subcommand)]
pub enum FixturesCommand {
    /// Validate every fixture's request and response against the contract; exit 1 if any fails.
    #[command(after_help = "Example:\n  specmock fixtures check --fixtures fixtures/ specs/")]
    Check(CheckArgs),
}

/// `fixtures check` options.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    /// Folder of fixtures to check (default: the bundled fixtures, with the bundled specs).
    #[arg(long, value_name = "DIR")]
    pub fixtures: Vec<PathBuf>,
}

/// `record` options.
#[derive(Debug, Clone, Args)]
pub struct RecordArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    /// Where fixtures are written: DIR/<document>/<operationId>/<name>.json (required, here or in specmock.toml).
    #[arg(long, value_name = "DIR")]
    pub fixtures: Option<PathBuf>,
    /// Forward to this URL instead of each document's first server URL (it replaces scheme, host and base path).
    #[arg(long, value_name = "URL")]
    pub upstream: Option<String>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Port to listen on; 0 picks a free one.
    #[arg(long, short, default_value_t = 4010)]
    pub port: u16,
    /// Refuse requests that break the contract instead of forwarding them.
    #[arg(long)]
    pub strict: bool,
    /// Also redact body values under this key (repeatable); token, secret, password, apiKey and key always are.
    #[arg(long, value_name = "KEY")]
    pub redact: Vec<String>,
    /// Per-document upstreams (from specmock.toml `[[document]]` tables): document name -> URL.
    #[arg(skip)]
    pub upstreams: Vec<(String, String)>,
}

/// `run` options.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub serve: ServeArgs,
    /// Report violations but exit 0 when the command succeeded.
    #[arg(long)]
    pub allow_violations: bool,
    /// The command to run, after `--`.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

/// `serve` options.
#[derive(Debug, Clone, Args, serde::Serialize)]
pub struct ServeArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    /// Address to listen on. Loopback by default; anything else exposes the mock to the network.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Port to listen on (default 4010 for serve, a free one for run); 0 picks a free one. The address is printed on stdout.
    #[arg(long, short)]
    pub port: Option<u16>,
    /// Memory the request journal may take, counted as allocated (bodies are cut to 8 KiB each), e.g. 2MiB, 16MiB.
    #[arg(long, value_name = "SIZE", default_value = "2MiB", value_parser = crate::journal::parse_size)]
    pub journal_size: usize,
    /// Require this token (`Authorization: Bearer TOKEN`) on the admin API under /__specmock/.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "SPECMOCK_ADMIN_TOKEN",
        hide_env_values = true
    )]
    #[serde(serialize_with = "redacted")]
    pub admin_token: Option<String>,
    /// Leave the admin API open even when listening off loopback (trusted networks only).
    #[arg(long)]
    pub admin_open: bool,
    /// Write a JSON report (coverage, violations) here on shutdown and on POST /__specmock/report.
    #[arg(long, value_name = "FILE")]
    pub report_json: Option<PathBuf>,
    /// Write a JUnit XML report (one test case per operation) here on shutdown and on POST /__specmock/report.
    #[arg(long, value_name = "FILE")]
    pub report_junit: Option<PathBuf>,
    /// Serve recorded or hand-written fixtures from this folder (repeatable); see the README for the format.
    #[arg(long, value_name = "DIR")]
    pub fixtures: Vec<PathBuf>,
    /// Do not serve the fixtures bundled with the vendor specs.
    #[arg(long)]
    pub no_fixtures: bool,
    /// Answer only from fixtures: a request no fixture matches gets a 404 naming the closest one.
    #[arg(long)]
    pub fixtures_only: bool,
    /// Seed for generated bodies: the same request gets the same bytes across runs (random per process by default).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Always generate bodies from the response schema, ignoring examples (per request: `Prefer: dynamic=true`).
    #[arg(long)]
    pub dynamic: bool,
    /// Reload documents and fixtures when their files change (a broken edit keeps the old ones serving).
    #[arg(long)]
    pub watch: bool,
    /// Keep state: POST creates, GET reads and lists, PUT replaces, PATCH merges, DELETE removes (resources inferred from the paths).
    #[arg(long)]
    pub stateful: bool,
    /// Turn CORS off for the mocked API (it is on by default; the admin API never has it).
    #[arg(long)]
    pub no_cors: bool,
    /// Added latency for every response: milliseconds, or a random range MIN..MAX (per request: `Prefer: delay=MS`).
    #[arg(long, value_name = "MS|MIN..MAX", value_parser = parse_latency)]
    pub latency: Option<(u64, u64)>,
    /// Probability (0 to 1) that a response is a fault: the connection reset or an empty body (seeded by --seed).
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = parse_rate)]
    pub fault_rate: f64,
    /// Largest request body; bigger ones get 413 (e.g. 10MiB).
    #[arg(long, value_name = "SIZE", default_value = "10MiB", value_parser = crate::journal::parse_size)]
    pub max_body_size: usize,
    /// Largest total size of the request headers; bigger get 431.
    #[arg(long, value_name = "SIZE", default_value = "64KiB", value_parser = crate::journal::parse_size)]
    pub max_header_size: usize,
    /// Most request headers; more get 431.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub max_headers: usize,
    /// Longest path and query; longer get 414.
    #[arg(long, value_name = "SIZE", default_value = "8KiB", value_parser = crate::journal::parse_size)]
    pub max_url_length: usize,
    /// Seconds a client may take to send a request's headers (against slowloris).
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub header_timeout: u64,
    /// Seconds a keep-alive connection may sit idle before it is closed.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub idle_timeout: u64,
    /// Most connections served at once; more wait to be accepted.
    #[arg(long, value_name = "N", default_value_t = 1024)]
    pub max_connections: usize,
    /// Print the settings in force (flags, specmock.toml, defaults) as JSON and exit.
    #[arg(long)]
    #[serde(skip)]
    pub print_config: bool,
    /// Accept `null` for optional properties whose schema does not allow it
    /// (some SDKs send null for every unset field); still logged as warnings.
    #[arg(long)]
    pub tolerate_nulls: bool,
}

fn parse_latency(s: &str) -> Result<(u64, u64), String> {
    let parse = |v: &str| {
        v.trim()
            .parse::<u64>()
            .map_err(|_| format!("\"{v}\" is not a number of milliseconds"))
    };
    match s.split_once("..") {
        Some((a, b)) => {
            let (a, b) = (parse(a)?, parse(b)?);
            if a > b {
                return Err(format!("the range {s} is backwards: write MIN..MAX"));
            }
            Ok((a, b))
        }
        None => parse(s).map(|v| (v, v)),
    }
}

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("\"{s}\" is not a probability between 0 and 1")),
    }
}

fn parse_mount(s: &str) -> Result<(PathBuf, String), String> {
    let (file, prefix) = s
        .rsplit_once('=')
        .ok_or_else(|| format!("expected FILE=/PREFIX, got \"{s}\""))?;
    if !prefix.starts_with('/') {
        return Err(format!("the prefix must start with '/', got \"{prefix}\""));
    }
    Ok((PathBuf::from(file), prefix.to_string()))
}

/// Parse the command line (and `specmock.toml`) and run; what `main` calls.
pub fn main() -> ExitCode {
    use clap::{CommandFactory, FromArgMatches};
    let matches = Cli::command().get_matches();
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    let config = match load_config(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("specmock: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(cfg) = &config {
        let sub = matches.subcommand().map(|(_, m)| m);
        let applied = match (&mut cli.command, sub) {
            (Command::Serve(a), Some(m)) => apply_serve(a, m, cfg),
            (Command::Run(a), Some(m)) => apply_serve(&mut a.serve, m, cfg).map(|_| {
                if !given(m, "allow_violations")
                    && let Some(v) = cfg.allow_violations
                {
                    a.allow_violations = v;
                }
            }),
            (Command::Record(a), Some(m)) => apply_record(a, m, cfg),
            _ => Ok(()),
        };
        if let Err(e) = applied {
            eprintln!("specmock: specmock.toml: {e}");
            return ExitCode::from(2);
        }
        if !given(&matches, "log_format")
            && let Some(f) = &cfg.log_format
        {
            cli.log_format = match f.as_str() {
                "json" => LogFormat::Json,
                "text" => LogFormat::Text,
                other => {
                    eprintln!(
                        "specmock: specmock.toml: log-format must be \"text\" or \"json\", not \"{other}\""
                    );
                    return ExitCode::from(2);
                }
            };
        }
    }
    let _log_guard = init_logging(cli.log_format);
    match cli.command {
        Command::Serve(args) if args.print_config => print_config(&args),
        Command::Serve(args) => serve(args),
        Command::Run(args) => run(args),
        Command::Record(args) => record(args),
        Command::Fixtures(FixturesCommand::Check(args)) => fixtures_check(&args),
        Command::Routes(args) => routes(&args),
        Command::Validate(args) => validate(&args),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "specmock",
                &mut std::io::stdout(),
            );
            ExitCode::SUCCESS
        }
        Command::Man => {
            match clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("specmock: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// `--config FILE`, else `./specmock.toml` when it exists.
fn load_config(explicit: Option<&std::path::Path>) -> Result<Option<ConfigFile>, String> {
    match explicit {
        Some(p) => ConfigFile::load(p).map(Some),
        None => {
            let p = std::path::Path::new(crate::config::DEFAULT_FILE);
            if p.is_file() {
                ConfigFile::load(p).map(Some)
            } else {
                Ok(None)
            }
        }
    }
}

/// True when the user set this argument (on the command line or by its env var).
fn given(m: &clap::ArgMatches, id: &str) -> bool {
    use clap::parser::ValueSource;
    matches!(
        m.value_source(id),
        Some(ValueSource::CommandLine | ValueSource::EnvVariable)
    )
}

/// Fill what the command line left unset from the config file.
fn apply_serve(a: &mut ServeArgs, m: &clap::ArgMatches, c: &ConfigFile) -> Result<(), String> {
    apply_specs(&mut a.spec, m, c)?;
    macro_rules! flag {
        ($field:ident, $id:literal) => {
            if !given(m, $id)
                && let Some(v) = c.$field
            {
                a.$field = v;
            }
        };
    }
    if !given(m, "host")
        && let Some(h) = &c.host
    {
        a.host = h
            .parse()
            .map_err(|_| format!("host: \"{h}\" is not an IP address"))?;
    }
    if !given(m, "port") && c.port.is_some() {
        a.port = c.port;
    }
    if !given(m, "fixtures") {
        if let Some(f) = &c.fixtures {
            a.fixtures = f.clone();
        }
        for d in c.document.iter().flatten() {
            if let Some(f) = &d.fixtures {
                a.fixtures.push(f.clone());
            }
        }
    }
    flag!(no_fixtures, "no_fixtures");
    flag!(fixtures_only, "fixtures_only");
    if !given(m, "seed") && c.seed.is_some() {
        a.seed = c.seed;
    }
    flag!(dynamic, "dynamic");
    flag!(tolerate_nulls, "tolerate_nulls");
    if !given(m, "journal_size")
        && let Some(s) = &c.journal_size
    {
        a.journal_size = crate::journal::parse_size(s).map_err(|e| format!("journal-size: {e}"))?;
    }
    if !given(m, "admin_token") && c.admin_token.is_some() {
        a.admin_token = c.admin_token.clone();
    }
    flag!(admin_open, "admin_open");
    if !given(m, "report_json") && c.report_json.is_some() {
        a.report_json = c.report_json.clone();
    }
    if !given(m, "report_junit") && c.report_junit.is_some() {
        a.report_junit = c.report_junit.clone();
    }
    flag!(no_cors, "no_cors");
    if !given(m, "latency")
        && let Some(l) = &c.latency
    {
        a.latency = Some(parse_latency(l).map_err(|e| format!("latency: {e}"))?);
    }
    if !given(m, "fault_rate")
        && let Some(r) = c.fault_rate
    {
        a.fault_rate = parse_rate(&r.to_string()).map_err(|e| format!("fault-rate: {e}"))?;
    }
    flag!(stateful, "stateful");
    flag!(watch, "watch");
    for (id, value, slot) in [
        ("max_body_size", &c.max_body_size, &mut a.max_body_size),
        (
            "max_header_size",
            &c.max_header_size,
            &mut a.max_header_size,
        ),
        ("max_url_length", &c.max_url_length, &mut a.max_url_length),
    ] {
        if !given(m, id)
            && let Some(v) = value
        {
            *slot = crate::journal::parse_size(v)
                .map_err(|e| format!("{}: {e}", id.replace('_', "-")))?;
        }
    }
    if !given(m, "max_headers")
        && let Some(v) = c.max_headers
    {
        a.max_headers = v;
    }
    if !given(m, "header_timeout")
        && let Some(v) = c.header_timeout
    {
        a.header_timeout = v;
    }
    if !given(m, "idle_timeout")
        && let Some(v) = c.idle_timeout
    {
        a.idle_timeout = v;
    }
    if !given(m, "max_connections")
        && let Some(v) = c.max_connections
    {
        a.max_connections = v;
    }
    Ok(())
}

fn apply_specs(spec: &mut SpecArgs, m: &clap::ArgMatches, c: &ConfigFile) -> Result<(), String> {
    if !given(m, "specs") {
        if let Some(s) = &c.specs {
            spec.specs = s.clone();
        }
        for d in c.document.iter().flatten() {
            let covered = spec
                .specs
                .iter()
                .any(|s| s == &d.path || (s.is_dir() && d.path.starts_with(s)));
            if !covered {
                spec.specs.push(d.path.clone());
            }
        }
    }
    if !given(m, "mount") {
        for raw in c.mount.iter().flatten() {
            spec.mount
                .push(parse_mount(raw).map_err(|e| format!("mount: {e}"))?);
        }
        for d in c.document.iter().flatten() {
            if let Some(p) = &d.prefix {
                if !p.starts_with('/') {
                    return Err(format!(
                        "document {}: prefix must start with '/'",
                        d.path.display()
                    ));
                }
                spec.mount.push((d.path.clone(), p.clone()));
            }
        }
    }
    Ok(())
}

fn apply_record(a: &mut RecordArgs, m: &clap::ArgMatches, c: &ConfigFile) -> Result<(), String> {
    apply_specs(&mut a.spec, m, c)?;
    if !given(m, "fixtures") && a.fixtures.is_none() {
        a.fixtures = c.fixtures.as_ref().and_then(|f| f.first().cloned());
    }
    if !given(m, "upstream") && c.upstream.is_some() {
        a.upstream = c.upstream.clone();
    }
    if !given(m, "host")
        && let Some(h) = &c.host
    {
        a.host = h
            .parse()
            .map_err(|_| format!("host: \"{h}\" is not an IP address"))?;
    }
    if !given(m, "port")
        && let Some(p) = c.port
    {
        a.port = p;
    }
    if !given(m, "strict")
        && let Some(v) = c.strict
    {
        a.strict = v;
    }
    if !given(m, "redact")
        && let Some(r) = &c.redact
    {
        a.redact = r.clone();
    }
    for d in c.document.iter().flatten() {
        if let Some(u) = &d.upstream {
            a.upstreams
                .push((crate::spec::stem(&d.path.to_string_lossy()), u.clone()));
        }
    }
    Ok(())
}

/// Secrets never reach the output: a set token prints as `<redacted>`.
fn redacted<S: serde::Serializer>(v: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(_) => s.serialize_str(crate::redact::REDACTED),
        None => s.serialize_none(),
    }
}

/// The settings in force, as JSON (what `--print-config` shows).
fn print_config(args: &ServeArgs) -> ExitCode {
    match serde_json::to_string_pretty(args) {
        Ok(s) => {
            println!("{s}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("specmock: {e}");
            ExitCode::FAILURE
        }
    }
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

fn load(spec: &SpecArgs) -> Result<Contract, ExitCode> {
    Contract::load(&spec.paths()).map_err(|errors| {
        eprintln!("specmock: the documents did not load:");
        for e in &errors.0 {
            eprintln!("  {e}");
        }
        ExitCode::FAILURE
    })
}

impl ServeArgs {
    /// The server configuration these flags describe.
    pub fn config(&self, default_port: u16) -> ServeConfig {
        ServeConfig {
            host: self.host,
            port: self.port.unwrap_or(default_port),
            pipeline: PipelineOptions {
                validate: ValidateOptions {
                    tolerate_nulls: self.tolerate_nulls,
                },
                respond: RespondOptions {
                    seed: self.seed.unwrap_or_else(crate::respond::process_seed),
                    dynamic: self.dynamic,
                    fixtures_only: self.fixtures_only,
                },
            },
            journal: JournalLimits {
                max_bytes: self.journal_size,
                ..JournalLimits::default()
            },
            admin_token: self.admin_token.clone(),
            admin_open: self.admin_open,
            reports: ReportPaths {
                json: self.report_json.clone(),
                junit: self.report_junit.clone(),
            },
            redact: Vec::new(),
            record: None,
            cors: !self.no_cors,
            latency: self.latency,
            fault_rate: self.fault_rate,
            stateful: self.stateful,
            limits: crate::server::Limits {
                max_body: self.max_body_size,
                max_header_bytes: self.max_header_size,
                max_headers: self.max_headers,
                max_url: self.max_url_length,
                header_timeout: std::time::Duration::from_secs(self.header_timeout.max(1)),
                idle_timeout: std::time::Duration::from_secs(self.idle_timeout.max(1)),
                max_connections: self.max_connections.max(1),
            },
        }
    }

    /// Load the documents and fixtures, printing what went wrong.
    fn load(&self) -> Result<Contract, ExitCode> {
        let fixture_paths = FixturePaths {
            dirs: self.fixtures.clone(),
            no_bundled: self.no_fixtures,
        };
        let (contract, fixture_warnings) =
            Contract::load_with_fixtures(&self.spec.paths(), &fixture_paths).map_err(|errors| {
                eprintln!("specmock: the documents did not load:");
                for e in &errors.0 {
                    eprintln!("  {e}");
                }
                ExitCode::FAILURE
            })?;
        crate::contract::release_load_garbage();
        for w in contract.warnings() {
            tracing::warn!("{w}");
        }
        for w in &fixture_warnings {
            tracing::warn!("{w}");
        }
        Ok(contract)
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("specmock: cannot start the runtime: {e}");
            ExitCode::FAILURE
        })
}

fn serve(args: ServeArgs) -> ExitCode {
    let started = std::time::Instant::now();
    let contract = match args.load() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let docs = contract.documents().len();
    let ops = contract.operations().count();
    let fixtures = contract.fixtures().len();
    let runtime = match runtime() {
        Ok(r) => r,
        Err(code) => return code,
    };
    runtime.block_on(async move {
        let config = args.config(4010);
        let server = match server::start(contract, &config).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("specmock: {e}");
                return ExitCode::FAILURE;
            }
        };
        let _watch = if args.watch {
            let fixture_paths = FixturePaths { dirs: args.fixtures.clone(), no_bundled: args.no_fixtures };
            match crate::watch::watch(server.state().clone(), args.spec.paths(), fixture_paths) {
                Ok(w) => Some(w),
                Err(e) => {
                    eprintln!("specmock: {e}");
                    return ExitCode::FAILURE;
                }
            }
        } else {
            None
        };
        // One line on stdout, for scripts: the address to talk to.
        let mut out = std::io::stdout();
        let _ = writeln!(out, "{}", server.url());
        let _ = out.flush();
        tracing::info!(
            "serving {ops} operations from {docs} documents ({fixtures} fixtures) on {} (ready in {} ms)",
            server.url(),
            started.elapsed().as_millis()
        );
        shutdown_signal().await;
        tracing::info!("shutting down");
        server.shutdown().await;
        ExitCode::SUCCESS
    })
}

fn run(args: RunArgs) -> ExitCode {
    let contract = match args.serve.load() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let runtime = match runtime() {
        Ok(r) => r,
        Err(code) => return code,
    };
    runtime.block_on(async move {
        let config = args.serve.config(0);
        let server = match server::start(contract, &config).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("specmock: {e}");
                return ExitCode::FAILURE;
            }
        };
        let url = server.url();
        let mut envs = vec![("SPECMOCK_URL".to_string(), url.clone())];
        for d in server.state().contract.load().documents() {
            envs.push((document_env_name(&d.name), format!("{url}{}", d.base_path)));
        }
        // Only the program name: arguments may carry secrets.
        tracing::info!("mock on {url}; running {}", args.command[0]);
        let command = args.command.clone();
        let status = tokio::task::spawn_blocking(move || {
            std::process::Command::new(&command[0]).args(&command[1..]).envs(envs).status()
        })
        .await;
        let state = server.state().clone();
        server.shutdown().await;
        let coverage = state.journal.coverage(&state.contract.load());
        let s = &coverage.summary;
        eprintln!(
            "specmock: {} request(s); {} broke the contract; {} matched no operation; {}/{} operations called",
            s.requests, s.violating_requests, s.unrouted_requests, s.covered, s.operations
        );
        for op in coverage.operations.iter().filter(|o| o.violations > 0) {
            for sample in &op.violation_samples {
                eprintln!("  {}: {sample}", op.qualified);
            }
        }
        for u in &coverage.unrouted {
            eprintln!("  no operation: {} {} (x{})", u.method, u.path, u.count);
        }
        match status {
            Ok(Ok(st)) if !st.success() => {
                let code = st.code().unwrap_or(1);
                eprintln!("specmock: the command failed (exit {code})");
                ExitCode::from(u8::try_from(code.clamp(1, 255)).unwrap_or(1))
            }
            Ok(Ok(_)) => {
                if (s.violating_requests > 0 || s.unrouted_requests > 0) && !args.allow_violations {
                    eprintln!("specmock: the contract was broken (use --allow-violations to only report)");
                    ExitCode::FAILURE
                } else {
                    ExitCode::SUCCESS
                }
            }
            Ok(Err(e)) => {
                eprintln!("specmock: cannot run {:?}: {e}", args.command[0]);
                ExitCode::from(127)
            }
            Err(e) => {
                eprintln!("specmock: the command's runner failed: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

fn record(args: RecordArgs) -> ExitCode {
    let Some(dir) = args.fixtures.clone() else {
        eprintln!(
            "specmock: record needs --fixtures DIR (where the fixtures are written), or `fixtures` in specmock.toml"
        );
        return ExitCode::from(2);
    };
    let contract = match load(&args.spec) {
        Ok(c) => c,
        Err(code) => return code,
    };
    if let Some(u) = &args.upstream
        && !(u.starts_with("http://") || u.starts_with("https://"))
    {
        eprintln!("specmock: --upstream must be an http:// or https:// URL, got \"{u}\"");
        return ExitCode::FAILURE;
    }
    let runtime = match runtime() {
        Ok(r) => r,
        Err(code) => return code,
    };
    runtime.block_on(async move {
        let config = ServeConfig {
            host: args.host,
            port: args.port,
            redact: args.redact.clone(),
            record: Some(RecordConfig {
                dir: dir.clone(),
                upstreams: args.upstreams.iter().cloned().collect(),
                upstream: args.upstream.clone(),
                strict: args.strict,
            }),
            ..ServeConfig::default()
        };
        let server = match server::start(contract, &config).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("specmock: {e}");
                return ExitCode::FAILURE;
            }
        };
        let mut out = std::io::stdout();
        let _ = writeln!(out, "{}", server.url());
        let _ = out.flush();
        tracing::info!(
            "recording on {} into {} (upstream: {})",
            server.url(),
            dir.display(),
            args.upstream
                .as_deref()
                .unwrap_or("each document's server URL")
        );
        shutdown_signal().await;
        tracing::info!("shutting down");
        server.shutdown().await;
        ExitCode::SUCCESS
    })
}

fn fixtures_check(args: &CheckArgs) -> ExitCode {
    let contract = match load(&args.spec) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let report = match crate::fixtures::check_dirs(&contract, &args.fixtures) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("specmock: {e}");
            return ExitCode::FAILURE;
        }
    };
    for line in report.lines() {
        println!("{line}");
    }
    if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `SPECMOCK_URL_<DOCUMENT>`: the file stem upper-cased, other characters as `_`.
pub fn document_env_name(doc: &str) -> String {
    let stem: String = doc
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("SPECMOCK_URL_{stem}")
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn routes(args: &SpecArgs) -> ExitCode {
    let contract = match load(args) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let mut rows = Vec::new();
    for d in contract.documents() {
        for op in &d.operations {
            rows.push([
                op.method.to_string(),
                op.route.clone(),
                op.display_id.clone(),
                d.display.clone(),
            ]);
        }
    }
    let widths: Vec<usize> = (0..3)
        .map(|i| rows.iter().map(|r| r[i].len()).max().unwrap_or(0))
        .collect();
    let mut out = std::io::stdout().lock();
    for r in rows {
        let _ = writeln!(
            out,
            "{:<w0$}  {:<w1$}  {:<w2$}  {}",
            r[0],
            r[1],
            r[2],
            r[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
    }
    ExitCode::SUCCESS
}

fn validate(args: &SpecArgs) -> ExitCode {
    let contract = match load(args) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let mut failed = false;
    for d in contract.documents() {
        if d.warnings.is_empty() {
            println!(
                "{}: ok ({}, {} operations)",
                d.display,
                d.version,
                d.operations.len()
            );
        } else {
            failed = true;
            for w in &d.warnings {
                println!("{w}");
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
