//! What each subcommand does, once its flags are settled.

use std::io::Write;
use std::process::ExitCode;

use super::args::{CheckArgs, DiffArgs, ImportArgs, RecordArgs, RunArgs, ServeArgs, SpecArgs};
use crate::contract::{Contract, FixturePaths};
use crate::journal::JournalLimits;
use crate::pipeline::PipelineOptions;
use crate::report::ReportPaths;
use crate::respond::RespondOptions;
use crate::server::{self, RecordConfig, ServeConfig};
use crate::validate::ValidateOptions;

pub(super) fn load(spec: &SpecArgs) -> Result<Contract, ExitCode> {
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
            host: self.listen.host,
            port: self.listen.port.unwrap_or(default_port),
            pipeline: PipelineOptions {
                ignore_trailing_slash: self.ignore_trailing_slash,
                validate: ValidateOptions {
                    tolerate_nulls: self.tolerate_nulls,
                },
                respond: RespondOptions {
                    seed: self.seed.unwrap_or_else(crate::respond::process_seed),
                    dynamic: self.dynamic,
                    sparse: self.sparse,
                    fixtures_only: self.fixtures_only,
                    errors: self.errors,
                },
                upstream: Default::default(),
                field_usage: !self.no_field_coverage,
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
            upstream_unmatched: self.upstream_unmatched.clone(),
            passthrough: self.passthrough.clone(),
            limits: crate::server::Limits {
                max_body: self.max_body_size,
                max_header_bytes: self.max_header_size,
                max_headers: self.max_headers,
                max_url: self.max_url_length,
                header_timeout: std::time::Duration::from_secs(self.header_timeout.max(1)),
                idle_timeout: std::time::Duration::from_secs(self.idle_timeout.max(1)),
                max_connections: self.max_connections.max(1),
            },
            tls: self.tls().ok().flatten(),
            chaos: self.chaos_rules().unwrap_or_default(),
            chaos_allow_undeclared: self.chaos_allow_undeclared,
            callbacks: crate::callback::Settings {
                targets: self.callbacks_to.clone(),
                delay: std::time::Duration::from_millis(self.callback_delay),
                timeout: std::time::Duration::from_millis(self.callback_timeout.max(1)),
                webhooks: self.webhook.clone(),
            },
        }
    }

    /// `--tls-cert`/`--tls-key` or `--tls-self-signed` (clap makes them
    /// exclusive and pairs cert with key).
    pub fn tls(&self) -> Result<Option<crate::server::TlsSource>, String> {
        if let (Some(out), false) = (&self.tls_self_signed_out, self.tls_self_signed) {
            return Err(format!(
                "--tls-self-signed-out {} names where the self-signed certificate goes: add --tls-self-signed",
                out.display()
            ));
        }
        Ok(match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => Some(crate::server::TlsSource::Files {
                cert: cert.clone(),
                key: key.clone(),
            }),
            _ if self.tls_self_signed => Some(crate::server::TlsSource::SelfSigned {
                out: self.tls_self_signed_out.clone(),
            }),
            _ => None,
        })
    }

    /// `--chaos NAME`: the `[[chaos-rule]]` tables of that name; `--chaos
    /// KEY=VALUE,...`: one rule; none: no chaos (`--latency`, `--fault-rate`
    /// are added by the server).
    pub fn chaos_rules(&self) -> Result<Vec<crate::chaos::ChaosRule>, String> {
        let Some(chosen) = self.chaos.as_deref().map(str::trim) else {
            return Ok(Vec::new());
        };
        if chosen.contains('=') {
            let rule = chosen
                .parse()
                .map_err(|e| format!("--chaos {chosen}: {e}"))?;
            return Ok(vec![rule]);
        }
        let rules: Vec<_> = (self.chaos_profile.iter())
            .filter(|r| r.name == chosen)
            .cloned()
            .collect();
        if rules.is_empty() {
            let mut names: Vec<&str> = self.chaos_profile.iter().map(|r| r.name.as_str()).collect();
            names.dedup();
            return Err(format!(
                "--chaos {chosen}: no [[chaos-rule]] table of specmock.toml has name = \"{chosen}\" ({}); or give a rule inline: --chaos rate=0.2",
                if names.is_empty() {
                    "there are none".to_string()
                } else {
                    format!("the profiles are {}", names.join(", "))
                }
            ));
        }
        Ok(rules)
    }

    /// Load the documents and fixtures, printing what went wrong.
    fn load(&self) -> Result<Contract, ExitCode> {
        if let Err(e) = self.tls().and_then(|_| self.chaos_rules()) {
            eprintln!("specmock: {e}");
            return Err(ExitCode::from(2));
        }
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
        crate::heap::release_free_pages();
        for w in contract.warnings() {
            tracing::warn!("{w}");
        }
        for w in &fixture_warnings {
            tracing::warn!("{w}");
        }
        self.check_partial(&contract).map_err(|why| {
            eprintln!("specmock: {why}");
            ExitCode::from(2)
        })?;
        Ok(contract)
    }

    /// Partial mocking's flags make sense together, and name what exists.
    fn check_partial(&self, contract: &Contract) -> Result<(), String> {
        if let Some(u) = &self.upstream_unmatched
            && !(u.starts_with("http://") || u.starts_with("https://"))
        {
            return Err(format!(
                "--upstream-unmatched must be an http:// or https:// URL, got \"{u}\""
            ));
        }
        if !self.passthrough.is_empty() && self.upstream_unmatched.is_none() {
            return Err("--passthrough forwards to --upstream-unmatched URL: give both".into());
        }
        for p in &self.passthrough {
            if contract.operation(p).is_none() {
                return Err(format!(
                    "--passthrough {p}: no loaded operation has that id (`specmock routes` lists them)"
                ));
            }
        }
        Ok(())
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

pub(super) fn serve(args: ServeArgs) -> ExitCode {
    let started = std::time::Instant::now();
    let contract = match args.load() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let docs = contract.documents().len();
    let ops = contract.operations().count();
    let fixtures = contract.fixtures().len();
    let left_out: usize = contract.documents().iter().map(|d| d.left_out()).sum();
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
        let stop = shutdown_signal();
        // One line on stdout, for scripts: the address to talk to.
        let mut out = std::io::stdout();
        let _ = writeln!(out, "{}", server.url());
        let _ = out.flush();
        log_certificate(&server);
        let left_out = match left_out {
            0 => String::new(),
            n => format!("; {n} left out, answered 501 (see the warnings above)"),
        };
        tracing::info!(
            "serving {ops} operations from {docs} documents ({fixtures} fixtures{left_out}) on {} (ready in {} ms)",
            server.url(),
            started.elapsed().as_millis()
        );
        stop.await;
        tracing::info!("shutting down");
        server.shutdown().await;
        ExitCode::SUCCESS
    })
}

pub(super) fn run(args: RunArgs) -> ExitCode {
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
        log_certificate(&server);
        if let Some(ca) = server.ca_path() {
            envs.push(("SPECMOCK_CA".to_string(), ca.display().to_string()));
        }
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
        let wait = std::time::Duration::from_millis(args.callback_wait);
        if !state.callbacks.wait(wait).await {
            eprintln!(
                "specmock: {} callback(s) still in flight after --callback-wait {} ms; judged without them",
                state.callbacks.in_flight(),
                args.callback_wait
            );
        }
        server.shutdown().await;
        let coverage = state
            .journal
            .coverage(&state.contract.load())
            .scoped(&args.coverage_scope);
        let s = &coverage.summary;
        eprintln!(
            "specmock: {} request(s); {} broke the contract; {} matched no operation; {}/{} operations called",
            s.requests, s.violating_requests, s.unrouted_requests, s.covered, s.operations
        );
        if s.callbacks > 0 {
            eprintln!(
                "specmock: {} callback(s) and webhook(s) sent; {} answered outside the contract",
                s.callbacks, s.violating_callbacks
            );
        }
        eprintln!(
            "specmock: coverage{}: operations {}%, statuses {}% ({}/{}), fields {}% ({}/{})",
            if args.coverage_scope.is_empty() { "" } else { " (scoped)" },
            s.operations_percent(),
            s.statuses_percent(),
            s.statuses_exercised,
            s.statuses,
            s.fields_percent(),
            s.fields_used,
            s.fields
        );
        let shortfalls = args
            .min_coverage
            .map(|m| m.shortfalls(&coverage))
            .unwrap_or_default();
        for f in &shortfalls {
            eprintln!("specmock: --min-coverage: {f}");
        }
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
                let broken = s.violating_requests + s.unrouted_requests + s.violating_callbacks;
                if broken > 0 && !args.allow_violations {
                    eprintln!("specmock: the contract was broken (use --allow-violations to only report)");
                    ExitCode::FAILURE
                } else if !shortfalls.is_empty() {
                    eprintln!("specmock: coverage is below --min-coverage");
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

pub(super) fn record(args: RecordArgs) -> ExitCode {
    let Some(dir) = args.fixtures.first().cloned() else {
        eprintln!(
            "specmock: record needs --fixtures DIR (where the fixtures are written), or `fixtures` in specmock.toml"
        );
        return ExitCode::from(2);
    };
    let contract = match load(&args.spec) {
        Ok(c) => c,
        Err(code) => return code,
    };
    for w in contract.warnings() {
        tracing::warn!("{w}");
    }
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
            host: args.listen.host,
            port: args.listen.port.unwrap_or(4010),
            redact: args.redact.clone(),
            record: Some(RecordConfig {
                dir: dir.clone(),
                upstreams: args.document_upstream.iter().cloned().collect(),
                upstream: args.upstream.clone(),
                strict: args.strict,
            }),
            // Recorded traffic is journalled traffic: its coverage counts too.
            pipeline: crate::pipeline::PipelineOptions {
                field_usage: true,
                ..Default::default()
            },
            ..ServeConfig::default()
        };
        let server = match server::start(contract, &config).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("specmock: {e}");
                return ExitCode::FAILURE;
            }
        };
        let stop = shutdown_signal();
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
        stop.await;
        tracing::info!("shutting down");
        server.shutdown().await;
        ExitCode::SUCCESS
    })
}

pub(super) fn fixtures_check(args: &CheckArgs) -> ExitCode {
    let contract = match load(&args.spec) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let report = match crate::fixtures::check_dirs(contract.loaded(), &args.fixtures) {
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

/// Where the self-signed certificate is, for the user to trust it.
fn log_certificate(server: &server::RunningServer) {
    if let Some(ca) = server.ca_path() {
        tracing::info!(
            "self-signed certificate for {} written to {} (trust it: curl --cacert {})",
            crate::server::SELF_SIGNED_NAMES.join(", "),
            ca.display(),
            ca.display()
        );
    }
}

pub(super) fn fixtures_import(args: &ImportArgs) -> ExitCode {
    let Some(dir) = args.fixtures.first() else {
        eprintln!(
            "specmock: fixtures import needs --fixtures DIR (where the fixtures are written)"
        );
        return ExitCode::from(2);
    };
    let contract = match load(&args.spec) {
        Ok(c) => c.redacting(&args.redact),
        Err(code) => return code,
    };
    let done = match crate::har::import(&contract, &args.har, dir) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("specmock: {e}");
            return ExitCode::FAILURE;
        }
    };
    for p in &done.written {
        println!("wrote {}", p.display());
    }
    for s in &done.skipped {
        println!("skipped {s}");
    }
    println!(
        "{} fixture(s) written, {} already there, {} entr{} skipped",
        done.written.len(),
        done.already,
        done.skipped.len(),
        if done.skipped.len() == 1 { "y" } else { "ies" }
    );
    ExitCode::SUCCESS
}

pub(super) fn diff(args: &DiffArgs) -> ExitCode {
    let inputs = crate::diff::Inputs {
        old: args.old.clone(),
        new: args.new.clone(),
        fixtures: args.fixtures.clone(),
        reports: args.report.clone(),
        fail_on: args.fail_on,
        load: crate::spec::LoadOptions {
            strict: false,
            max_ref_files: args.max_ref_files,
            ref_root: args.ref_root.clone(),
            ..Default::default()
        },
    };
    match crate::diff::run(&inputs) {
        Ok(outcome) => {
            let _ = std::io::stdout().write_all(outcome.render(args.format).as_bytes());
            if outcome.failed() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(lines) => {
            // The first line says what failed; the rest are its details.
            for (i, l) in lines.iter().enumerate() {
                if i == 0 {
                    eprintln!("specmock: {l}");
                } else {
                    eprintln!("{l}");
                }
            }
            ExitCode::from(2)
        }
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

/// SIGTERM or Ctrl-C. The handlers are installed when this is called, not
/// when it is first awaited: call it before printing the address, so a
/// script that signals as soon as it reads the address stops us cleanly.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let term = signal(SignalKind::terminate()).ok();
        let int = signal(SignalKind::interrupt()).ok();
        async move {
            match (term, int) {
                (Some(mut t), Some(mut i)) => {
                    tokio::select! {
                        _ = t.recv() => {}
                        _ = i.recv() => {}
                    }
                }
                _ => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}

pub(super) fn routes(args: &SpecArgs) -> ExitCode {
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

pub(super) fn validate(args: &SpecArgs) -> ExitCode {
    let contract = match load(args) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let mut failed = false;
    for d in contract.documents() {
        // Notices (a vendor extension's example that breaks its schema) are
        // shown, but only warnings fail: they are what `serve` forgives.
        for n in &d.notices {
            println!("note: {n}");
        }
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
            let left_out = d.left_out();
            if left_out > 0 {
                println!(
                    "{}: {left_out} of {} operations cannot be built (serve leaves them out and answers them 501)",
                    d.display,
                    d.operations.len()
                );
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// `export pact|openapi`: read a JSON report, load its documents, write the export.
pub(super) fn export(args: &super::args::ExportArgs, openapi: bool) -> ExitCode {
    let report = match std::fs::read(&args.report) {
        Ok(b) => b,
        Err(e) => {
            eprintln!(
                "specmock: cannot read the report {}: {e} (write one with --report-json FILE on serve or run)",
                args.report.display()
            );
            return ExitCode::FAILURE;
        }
    };
    let report: serde_json::Value = match serde_json::from_slice(&report) {
        Ok(v) => v,
        Err(e) => {
            eprintln!(
                "specmock: {}: line {}, column {}: not JSON: {e}; give the file --report-json wrote",
                args.report.display(),
                e.line(),
                e.column()
            );
            return ExitCode::FAILURE;
        }
    };
    let contract = match load(&args.spec) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let made = if openapi {
        crate::export::openapi(&contract, &report, args.document_name.as_deref())
    } else {
        let provider = args.provider.clone().unwrap_or_else(|| {
            crate::export::provider_name(&contract, &report).unwrap_or_else(|| "provider".into())
        });
        let names = crate::export::Names {
            consumer: args.consumer.clone(),
            provider,
        };
        crate::export::pact(&contract, &report, &names)
    };
    let value = match made {
        Ok(v) => v,
        Err(e) => {
            eprintln!("specmock: {}: {e}", args.report.display());
            return ExitCode::FAILURE;
        }
    };
    let mut bytes = serde_json::to_vec_pretty(&value).unwrap_or_default();
    bytes.push(b'\n');
    let what = if openapi {
        format!(
            "{} path(s) of {}",
            value["paths"].as_object().map_or(0, |p| p.len()),
            value["info"]["title"].as_str().unwrap_or("the document")
        )
    } else {
        format!(
            "{} interaction(s) between {} and {}",
            value["interactions"].as_array().map_or(0, Vec::len),
            value["consumer"]["name"].as_str().unwrap_or_default(),
            value["provider"]["name"].as_str().unwrap_or_default()
        )
    };
    match &args.output {
        Some(path) => {
            if let Err(e) = crate::report::write_atomic(path, &bytes) {
                eprintln!("specmock: cannot write {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
            eprintln!("specmock: wrote {what} to {}", path.display());
        }
        None => {
            let _ = std::io::stdout().lock().write_all(&bytes);
        }
    }
    ExitCode::SUCCESS
}
