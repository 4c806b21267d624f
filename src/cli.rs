//! The command line: `serve`, `routes`, `validate`.

use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::contract::{Contract, SpecPaths};
use crate::pipeline::PipelineOptions;
use crate::server::{self, ServeConfig};
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
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve mocks of the documents (the bundled vendor specs when none are given).
    #[command(
        after_help = "Examples:\n  specmock serve\n  specmock serve specs/unleash.yaml --port 8080\n  specmock serve a.yaml b.yaml --mount b.yaml=/b"
    )]
    Serve(ServeArgs),
    /// Print one line per operation: METHOD, route, operationId, file.
    #[command(after_help = "Example:\n  specmock routes specs/")]
    Routes(SpecArgs),
    /// Load and compile documents, and check every example against its schema.
    #[command(
        after_help = "Exit status: 0 when every document loads and every example matches its schema, 1 otherwise.\n\nExample:\n  specmock validate specs/"
    )]
    Validate(SpecArgs),
}

/// Which documents to load.
#[derive(Debug, Clone, Args)]
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

/// `serve` options.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    /// Address to listen on. Loopback by default; anything else exposes the mock to the network.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Port to listen on; 0 picks a free one (the address is printed on stdout).
    #[arg(long, short, default_value_t = 4010)]
    pub port: u16,
    /// Accept `null` for optional properties whose schema does not allow it
    /// (some SDKs send null for every unset field); still logged as warnings.
    #[arg(long)]
    pub tolerate_nulls: bool,
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

/// Parse the command line and run; what `main` calls.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    match cli.command {
        Command::Serve(args) => serve(args),
        Command::Routes(args) => routes(&args),
        Command::Validate(args) => validate(&args),
    }
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
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

fn serve(args: ServeArgs) -> ExitCode {
    let started = std::time::Instant::now();
    let contract = match load(&args.spec) {
        Ok(c) => c,
        Err(code) => return code,
    };
    for w in contract.warnings() {
        tracing::warn!("{w}");
    }
    let docs = contract.documents().len();
    let ops = contract.operations().count();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("specmock: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let config = ServeConfig {
            host: args.host,
            port: args.port,
            pipeline: PipelineOptions {
                validate: ValidateOptions {
                    tolerate_nulls: args.tolerate_nulls,
                },
            },
        };
        let server = match server::start(contract, &config).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("specmock: {e}");
                return ExitCode::FAILURE;
            }
        };
        // One line on stdout, for scripts: the address to talk to.
        let mut out = std::io::stdout();
        let _ = writeln!(out, "{}", server.url());
        let _ = out.flush();
        tracing::info!(
            "serving {ops} operations from {docs} documents on {} (ready in {} ms)",
            server.url(),
            started.elapsed().as_millis()
        );
        shutdown_signal().await;
        tracing::info!("shutting down");
        server.shutdown().await;
        ExitCode::SUCCESS
    })
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
