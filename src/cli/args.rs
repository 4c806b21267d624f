//! Every flag, declared once.
//!
//! Each field here is a command-line flag (clap), a key of `specmock.toml`
//! (the flag's long name: the config file's keys become arguments before the
//! command line's, see [`super::config_file`]) and a line of
//! `serve --print-config` (serde, the same kebab-case name). Adding a flag is
//! adding a field; its help text is the README's and the man page's.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueHint};
use serde::Serialize;

use crate::contract::SpecPaths;

/// Which documents to load.
#[derive(Debug, Clone, Args, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct SpecArgs {
    /// OpenAPI documents (YAML or JSON), Postman collections (v2.0, v2.1) or folders of them; none: the bundled vendor specs.
    #[arg(value_name = "SPEC|DIR")]
    pub specs: Vec<PathBuf>,
    /// Serve a document under a prefix of your choosing instead of its server
    /// base path, e.g. `--mount specs/axiom.yaml=/axiom` (repeatable).
    #[arg(long, value_name = "FILE=/PREFIX", value_parser = parse_mount, value_hint = ValueHint::FilePath)]
    #[serde(serialize_with = "mounts")]
    pub mount: Vec<(PathBuf, String)>,
    /// Refuse a whole document when any operation in it cannot be built (by
    /// default such an operation is left out with a warning, answers 501, and
    /// the rest is served).
    #[arg(long)]
    pub strict_load: bool,
    /// Most files one document may pull in through `$ref`.
    #[arg(long, value_name = "N", default_value_t = crate::spec::LoadOptions::default().max_ref_files, value_parser = parse_usize)]
    pub max_ref_files: usize,
    /// Let `$ref`s reach files anywhere under DIR (default: only the document's own folder);
    /// never outside it, never the network.
    #[arg(long, value_name = "DIR")]
    pub ref_root: Option<PathBuf>,
    /// A Postman environment file whose values fill the collections' `{{variables}}`
    /// (repeatable; a later file wins, and any wins over the collection's own variables).
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub postman_env: Vec<PathBuf>,
}

impl SpecArgs {
    /// The loader's view of these flags.
    pub fn paths(&self) -> SpecPaths {
        SpecPaths {
            paths: self.specs.clone(),
            mounts: self.mount.clone(),
            options: crate::spec::LoadOptions {
                strict: self.strict_load,
                max_ref_files: self.max_ref_files,
                ref_root: self.ref_root.clone(),
                postman_env: self.postman_env.clone(),
            },
        }
    }
}

/// Where a server listens.
#[derive(Debug, Clone, Args, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ListenArgs {
    /// Address to listen on. Loopback by default; anything else exposes the mock to the network.
    #[arg(long, default_value = "127.0.0.1", value_parser = parse_host)]
    pub host: IpAddr,
    /// Port to listen on (default 4010; `run` picks a free one); 0 picks a free one. The address is printed on stdout.
    #[arg(long, short, value_parser = parse_port)]
    pub port: Option<u16>,
}

/// `fixtures` subcommands.
#[derive(Debug, Subcommand)]
pub enum FixturesCommand {
    /// Validate every fixture's request and response against the contract; exit 1 if any fails.
    #[command(after_help = "Example:\n  specmock fixtures check --fixtures fixtures/ specs/")]
    Check(CheckArgs),
    /// Turn a HAR export (browser network panel, proxy) into fixtures, redacted and checked as
    /// recordings are; entries that match no operation are listed and skipped.
    #[command(
        after_help = "Example:\n  specmock fixtures import session.har --fixtures fixtures/ specs/"
    )]
    Import(ImportArgs),
}

/// `fixtures import` options.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// The HAR file (HTTP Archive 1.2, JSON).
    #[arg(value_name = "FILE.har")]
    pub har: PathBuf,
    #[command(flatten)]
    pub spec: SpecArgs,
    /// Where fixtures are written: DIR/<document>/<operationId>/<name>.json (required; with
    /// several, the first).
    #[allow(rustdoc::invalid_html_tags)]
    #[arg(long, value_name = "DIR")]
    pub fixtures: Vec<PathBuf>,
    /// Also redact body values under this key (repeatable); token, secret, password, apiKey and key always are.
    #[arg(long, value_name = "KEY")]
    pub redact: Vec<String>,
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

/// `export` subcommands.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// A Pact v4 file: one interaction per distinct exchange that kept the contract, matched by the schema.
    #[command(
        after_help = "Example:\n  specmock run --report-json contract.json -- npm test\n  specmock export pact --report contract.json --consumer web --provider unleash -o web-unleash.json"
    )]
    Pact(ExportArgs),
    /// The subset of a document that the requests used: operations, parameters, statuses, properties.
    #[command(
        after_help = "Example:\n  specmock export openapi --report contract.json --document-name unleash -o unleash-used.json\n  specmock validate unleash-used.json"
    )]
    Openapi(ExportArgs),
}

/// `export pact|openapi` options.
#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    /// The JSON report to export from (written by `--report-json`); the documents must be the ones it was made with.
    #[arg(long, value_name = "FILE")]
    pub report: PathBuf,
    /// Write the export here (default: standard output).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// `pact`: the Pact's consumer, the application whose requests were recorded.
    #[arg(long, value_name = "NAME", default_value = "consumer")]
    pub consumer: String,
    /// `pact`: the Pact's provider (default: the name of the document the requests used).
    #[arg(long, value_name = "NAME")]
    pub provider: Option<String>,
    /// `openapi`: which document to export when the requests used several (by name, the file stem).
    #[arg(long, value_name = "NAME")]
    pub document_name: Option<String>,
}

/// `record` options.
#[derive(Debug, Clone, Args)]
pub struct RecordArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    #[command(flatten)]
    pub listen: ListenArgs,
    /// Where fixtures are written: DIR/<document>/<operationId>/<name>.json (required, here or
    /// in specmock.toml; with several, the first).
    // The text above is `--help` output, not Markdown: `<document>` is no HTML tag.
    #[allow(rustdoc::invalid_html_tags)]
    #[arg(long, value_name = "DIR")]
    pub fixtures: Vec<PathBuf>,
    /// Forward to this URL instead of each document's first server URL (it replaces scheme, host and base path).
    #[arg(long, value_name = "URL")]
    pub upstream: Option<String>,
    /// Refuse requests that break the contract instead of forwarding them.
    #[arg(long)]
    pub strict: bool,
    /// Also redact body values under this key (repeatable); token, secret, password, apiKey and key always are.
    #[arg(long, value_name = "KEY")]
    pub redact: Vec<String>,
    /// Per-document upstreams, NAME=URL: what specmock.toml's `[[document]]` `upstream` becomes.
    #[arg(long, hide = true, value_name = "NAME=URL", value_parser = parse_pair)]
    pub document_upstream: Vec<(String, String)>,
}

/// `diff` options.
#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    /// The version the consumer was written against: a document or a folder of them.
    #[arg(value_name = "OLD", value_hint = ValueHint::AnyPath)]
    pub old: PathBuf,
    /// The vendor's new version: a document or a folder of them.
    #[arg(value_name = "NEW", value_hint = ValueHint::AnyPath)]
    pub new: PathBuf,
    /// Fixtures of this consumer (repeatable): what they touch marks breaking changes `used`,
    /// and each is checked against NEW.
    #[arg(long, value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub fixtures: Vec<PathBuf>,
    /// The JSON report of a `specmock run` or `serve --report-json` (repeatable): the
    /// operations, statuses and fields it records mark breaking changes `used`.
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub report: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = crate::diff::output::Format::Text)]
    pub format: crate::diff::output::Format,
    /// Exit 1 on a used breaking change (the default with --fixtures or --report), on any
    /// breaking change (the default without), or never.
    #[arg(long, value_enum, value_name = "WHEN")]
    pub fail_on: Option<crate::diff::output::FailOn>,
    /// Most files one document may pull in through `$ref`.
    #[arg(long, value_name = "N", default_value_t = crate::spec::LoadOptions::default().max_ref_files, value_parser = parse_usize)]
    pub max_ref_files: usize,
    /// Let `$ref`s reach files anywhere under DIR (default: only the document's own folder).
    #[arg(long, value_name = "DIR")]
    pub ref_root: Option<PathBuf>,
}

/// `run` options.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub serve: ServeArgs,
    /// Report violations but exit 0 when the command succeeded.
    #[arg(long)]
    pub allow_violations: bool,
    /// Fail (exit 1, listing what is missing) when coverage is below these whole percentages,
    /// e.g. `operations=80,statuses=50,fields=60` (any of the three).
    #[arg(long, value_name = "KIND=PERCENT,...")]
    pub min_coverage: Option<crate::journal::MinCoverage>,
    /// Count coverage (and --min-coverage) over these operations only (ids, comma-separated or
    /// repeated): a consumer rarely uses the whole vendor API.
    #[arg(long, value_name = "OPERATION", value_delimiter = ',')]
    pub coverage_scope: Vec<String>,
    /// Milliseconds `run` waits, once the command is done, for callbacks and webhooks still in
    /// flight before its verdict.
    #[arg(long, value_name = "MS", default_value_t = 5000, value_parser = parse_u64)]
    pub callback_wait: u64,
    /// The command to run, after `--`.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

/// `serve` options (and `run`'s).
#[derive(Debug, Clone, Args, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ServeArgs {
    #[command(flatten)]
    #[serde(flatten)]
    pub spec: SpecArgs,
    #[command(flatten)]
    #[serde(flatten)]
    pub listen: ListenArgs,
    /// Memory the request journal may take, counted as allocated (bodies are cut to 8 KiB each):
    /// bytes, or with a unit (kB, MB, GB are powers of 1000; KiB, MiB, GiB of 1024), e.g. 2MiB.
    #[arg(long, value_name = "SIZE", default_value = "2MiB", value_parser = crate::journal::parse_size)]
    pub journal_size: usize,
    /// Require this token (`Authorization: Bearer TOKEN`) on the admin API under /__specmock/.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "SPECMOCK_ADMIN_TOKEN",
        hide_env_values = true
    )]
    // A secret is never printed: `--print-config` says it is set, not what it is.
    #[serde(skip)]
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
    #[arg(long, value_parser = parse_u64)]
    pub seed: Option<u64>,
    /// Always generate bodies from the response schema, ignoring examples (per request: `Prefer: dynamic=true`).
    #[arg(long)]
    pub dynamic: bool,
    /// Answer 500 (listing the violations) instead of serving a document example that breaks its response schema.
    #[arg(long)]
    pub errors: bool,
    /// Generate sparse bodies: optional properties by chance, arrays of varied lengths
    /// (by default every declared property and at least one item; per request: `Prefer: dynamic=sparse`).
    #[arg(long)]
    pub sparse: bool,
    /// Partial mocking: forward every request no operation matches to this URL (the request's
    /// path and query appended), so the real API answers what is not mocked.
    #[arg(long, value_name = "URL")]
    pub upstream_unmatched: Option<String>,
    /// With --upstream-unmatched: forward this operation too (`operationId` or
    /// `document/operationId`; repeatable, or `passthrough` in a `[[document]]` table).
    #[arg(long, value_name = "OPERATION")]
    pub passthrough: Vec<String>,
    /// Do not count which fields (parameters, body properties, enum values, branches) requests
    /// and answers use; coverage then stops at operations and statuses.
    #[arg(long)]
    pub no_field_coverage: bool,
    /// Route `/feeds/` as `/feeds` when no route has the trailing slash (some SDKs add one to every path).
    #[arg(long)]
    pub ignore_trailing_slash: bool,
    /// Accept `null` for optional properties whose schema does not allow it
    /// (some SDKs send null for every unset field); still logged as warnings.
    #[arg(long)]
    pub tolerate_nulls: bool,
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
    #[serde(serialize_with = "latency")]
    pub latency: Option<(u64, u64)>,
    /// Probability (0 to 1) that a response is a fault: the connection reset or an empty body (seeded by --seed).
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = parse_rate)]
    pub fault_rate: f64,
    /// Chaos that keeps the contract: a profile of specmock.toml's [[chaos-rule]] tables by name, or one
    /// rule inline, e.g. `rate=0.2` (a fifth of the answers become declared error statuses),
    /// `operation=getOrder,statuses=429/503,outage=every 60s for 5s,latency=50..300`
    /// (per request: `Prefer: chaos=off`).
    #[arg(long, value_name = "PROFILE|KEY=VALUE,...")]
    pub chaos: Option<String>,
    /// Let --chaos inject statuses the operation does not declare (429 with Retry-After, say),
    /// as specmock's own problem documents.
    #[arg(long)]
    pub chaos_allow_undeclared: bool,
    /// The [[chaos-rule]] tables of specmock.toml, each as KEY=VALUE,... (what the tables become).
    #[arg(long, hide = true, value_name = "KEY=VALUE,...", value_parser = parse_chaos_rule)]
    #[serde(skip)]
    pub chaos_profile: Vec<crate::chaos::ChaosRule>,
    /// Largest request body; bigger ones get 413 (e.g. 10MiB).
    #[arg(long, value_name = "SIZE", default_value = "10MiB", value_parser = crate::journal::parse_size)]
    pub max_body_size: usize,
    /// Largest total size of the request headers; bigger get 431.
    #[arg(long, value_name = "SIZE", default_value = "64KiB", value_parser = crate::journal::parse_size)]
    pub max_header_size: usize,
    /// Most request headers; more get 431.
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = parse_usize)]
    pub max_headers: usize,
    /// Longest path and query; longer get 414.
    #[arg(long, value_name = "SIZE", default_value = "8KiB", value_parser = crate::journal::parse_size)]
    pub max_url_length: usize,
    /// Seconds a client may take to send a request's headers (against slowloris).
    #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = parse_u64)]
    pub header_timeout: u64,
    /// Seconds a keep-alive connection may sit idle before it is closed.
    #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = parse_u64)]
    pub idle_timeout: u64,
    /// Most connections served at once; more wait to be accepted.
    #[arg(long, value_name = "N", default_value_t = 1024, value_parser = parse_usize)]
    pub max_connections: usize,
    /// Serve HTTPS with this certificate chain (PEM, the server's certificate first); needs --tls-key.
    #[arg(long, value_name = "FILE", requires = "tls_key", conflicts_with = "tls_self_signed", value_hint = ValueHint::FilePath)]
    pub tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM: PKCS#8, RSA or EC).
    #[arg(long, value_name = "FILE", requires = "tls_cert", value_hint = ValueHint::FilePath)]
    pub tls_key: Option<PathBuf>,
    /// Serve HTTPS with a certificate made at start for localhost, 127.0.0.1 and ::1: its key
    /// stays in memory, the certificate is written to a file whose path is printed (trust it:
    /// `curl --cacert PATH`); HTTP/2 and HTTP/1.1 by ALPN.
    #[arg(long)]
    pub tls_self_signed: bool,
    /// Write the --tls-self-signed certificate here (default: a file in the temp folder, removed on exit).
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub tls_self_signed_out: Option<PathBuf>,
    /// Where callbacks and webhooks may be sent: host names, host:port, addresses, CIDR ranges or
    /// `loopback` (comma-separated or repeated). The resolved address is checked; nothing is sent
    /// to a target not listed (a URL in a request body is the client's word, not yours).
    #[arg(long, value_name = "TARGET", value_delimiter = ',', value_parser = crate::callback::parse_target)]
    pub callbacks_to: Vec<String>,
    /// Milliseconds between an answer and the callbacks it triggers.
    #[arg(long, value_name = "MS", default_value_t = 100, value_parser = parse_u64)]
    pub callback_delay: u64,
    /// Milliseconds the consumer has to answer a callback or webhook (no retries, no redirects).
    #[arg(long, value_name = "MS", default_value_t = 5000, value_parser = parse_u64)]
    pub callback_timeout: u64,
    /// Send a declared webhook on a schedule: NAME=URL once at start, NAME=URL@INTERVAL again
    /// every 500ms, 10s, 1m...; the URL counts as listed in --callbacks-to (repeatable).
    #[arg(long, value_name = "NAME=URL[@INTERVAL]", value_parser = crate::callback::parse_webhook)]
    #[serde(serialize_with = "webhooks")]
    pub webhook: Vec<crate::callback::Scheduled>,
    /// Print the settings in force (flags, specmock.toml, defaults) as a specmock.toml and exit.
    #[arg(long)]
    #[serde(skip)]
    pub print_config: bool,
}

/// Flags that make no sense in a config file: they are not keys.
pub const NOT_KEYS: &[&str] = &[
    "config",
    "print-config",
    "help",
    "version",
    "report",
    "output",
    "document-name",
    "old",
    "new",
];

fn parse_port(s: &str) -> Result<u16, String> {
    s.trim()
        .parse::<u16>()
        .map_err(|_| format!("expected an integer from 0 to 65535, found \"{s}\""))
}

fn parse_u64(s: &str) -> Result<u64, String> {
    s.trim().parse::<u64>().map_err(|_| {
        format!(
            "expected a whole number from 0 to {}, found \"{s}\"",
            u64::MAX
        )
    })
}

fn parse_usize(s: &str) -> Result<usize, String> {
    s.trim()
        .parse::<usize>()
        .map_err(|_| format!("expected a whole number, found \"{s}\""))
}

fn parse_host(s: &str) -> Result<IpAddr, String> {
    s.trim().parse::<IpAddr>().map_err(|_| {
        format!("expected an IP address such as 127.0.0.1 or ::1 (not a host name), found \"{s}\"")
    })
}

pub(super) fn parse_latency(s: &str) -> Result<(u64, u64), String> {
    crate::chaos::parse_latency(s)
}

fn parse_chaos_rule(s: &str) -> Result<crate::chaos::ChaosRule, String> {
    s.parse()
}

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("expected a probability from 0 to 1, found \"{s}\"")),
    }
}

fn parse_mount(s: &str) -> Result<(PathBuf, String), String> {
    let (file, prefix) = s
        .rsplit_once('=')
        .ok_or_else(|| format!("expected FILE=/PREFIX, found \"{s}\""))?;
    if !prefix.starts_with('/') {
        return Err(format!(
            "the prefix must start with '/', found \"{prefix}\""
        ));
    }
    Ok((PathBuf::from(file), prefix.to_string()))
}

fn parse_pair(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .ok_or_else(|| format!("expected NAME=VALUE, found \"{s}\""))
}

/// Mounts print as the flag takes them: `FILE=/PREFIX`.
fn mounts<S: serde::Serializer>(v: &[(PathBuf, String)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(|(f, p)| format!("{}={p}", f.display())))
}

/// Webhooks print as the flag takes them: `NAME=URL@INTERVAL`.
fn webhooks<S: serde::Serializer>(
    v: &[crate::callback::Scheduled],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(|w| w.to_string()))
}

/// Latency prints as the flag takes it: `MS` or `MIN..MAX`.
fn latency<S: serde::Serializer>(v: &Option<(u64, u64)>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some((a, b)) if a == b => s.serialize_str(&a.to_string()),
        Some((a, b)) => s.serialize_str(&format!("{a}..{b}")),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_refused_with_what_was_expected() {
        assert_eq!(
            parse_port("abc").unwrap_err(),
            "expected an integer from 0 to 65535, found \"abc\""
        );
        assert!(parse_port("65536").is_err());
        assert_eq!(parse_port("0"), Ok(0));
        assert!(parse_latency("5..1").unwrap_err().contains("backwards"));
        assert_eq!(parse_latency("5"), Ok((5, 5)));
        assert!(parse_rate("2").is_err());
        assert!(parse_mount("a.yaml=b").is_err());
        assert!(parse_host("localhost").unwrap_err().contains("IP address"));
    }
}
