//! `--callbacks-to`: where callbacks may go. A URL in a request body is the
//! client's word, not the user's: nothing is sent to a target the user did
//! not list. Entries are host names (`hooks.example.com`), `host:port`,
//! addresses and CIDR ranges (`10.1.0.0/16`), or `loopback`. The RESOLVED
//! address is checked, not only the name: a name that is not listed must
//! resolve into a listed range, and the client connects only to addresses
//! that passed (its resolver filters them again, so a name that resolves
//! elsewhere between the check and the connection is refused too).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use ipnet::IpNet;

/// One entry of `--callbacks-to`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Rule {
    /// Any loopback address (127.0.0.0/8, ::1).
    Loopback,
    /// An address range, and a port when one was given.
    Net(IpNet, Option<u16>),
    /// A host name (lower-case), and a port when one was given.
    Name(String, Option<u16>),
}

/// The targets callbacks may be sent to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Targets {
    rules: Vec<Rule>,
}

impl Targets {
    /// Parse `--callbacks-to` entries (each may hold several, comma-separated).
    pub fn parse(entries: &[String]) -> Result<Targets, String> {
        let mut rules = Vec::new();
        for e in entries.iter().flat_map(|e| e.split(',')) {
            let e = e.trim();
            if e.is_empty() {
                continue;
            }
            rules.push(parse_rule(e)?);
        }
        Ok(Targets { rules })
    }

    /// No target is listed: every callback is refused.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// List the host (and port) of a URL the user gave (`--webhook NAME=URL`).
    pub fn allow_url(&mut self, url: &reqwest::Url) {
        if let Some(host) = url.host_str() {
            let host = host.trim_matches(['[', ']']).to_ascii_lowercase();
            let port = url.port_or_known_default();
            self.rules.push(match host.parse::<IpAddr>() {
                Ok(ip) => Rule::Net(IpNet::from(ip), port),
                Err(_) => Rule::Name(host, port),
            });
        }
    }

    fn name_listed(&self, host: &str, port: Option<u16>) -> bool {
        self.rules.iter().any(|r| match r {
            Rule::Name(n, p) => n == host && (p.is_none() || *p == port),
            _ => false,
        })
    }

    fn address_listed(&self, ip: IpAddr, port: Option<u16>) -> bool {
        let ip = ip.to_canonical();
        self.rules.iter().any(|r| match r {
            Rule::Loopback => ip.is_loopback(),
            Rule::Net(net, p) => net.contains(&ip) && (p.is_none() || *p == port),
            Rule::Name(..) => false,
        })
    }

    /// May a request go to `url`? The addresses it may connect to, or why not.
    pub async fn check(&self, url: &reqwest::Url) -> Result<Vec<SocketAddr>, String> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!(
                "{} is not an http(s) URL",
                super::send::safe_url(url)
            ));
        }
        let host = url
            .host_str()
            .ok_or("the URL has no host")?
            .trim_matches(['[', ']'])
            .to_ascii_lowercase();
        let port = url.port_or_known_default();
        if self.rules.is_empty() {
            return Err(
                "no --callbacks-to is given: callbacks go nowhere unless it lists their targets (hosts, host:port, CIDR ranges or loopback)".into(),
            );
        }
        let named = self.name_listed(&host, port);
        let addrs = resolve(&host, port.unwrap_or(0)).await?;
        let allowed: Vec<SocketAddr> = addrs
            .iter()
            .copied()
            .filter(|a| named || self.address_listed(a.ip(), port))
            .collect();
        if allowed.is_empty() {
            let list: Vec<String> = addrs.iter().map(|a| a.ip().to_string()).collect();
            return Err(format!(
                "{host}:{} (resolved to {}) is not listed in --callbacks-to",
                port.unwrap_or(0),
                list.join(", ")
            ));
        }
        Ok(allowed)
    }
}

async fn resolve(host: &str, port: u16) -> Result<Vec<SocketAddr>, String> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    tokio::net::lookup_host((host, port))
        .await
        .map(|a| a.collect())
        .map_err(|e| format!("{host} cannot be resolved: {e}"))
}

fn parse_rule(e: &str) -> Result<Rule, String> {
    let bad = |why: &str| {
        format!(
            "--callbacks-to \"{e}\": {why}; give host names, host:port, addresses, CIDR ranges (10.0.0.0/8) or `loopback`"
        )
    };
    if e.eq_ignore_ascii_case("loopback") {
        return Ok(Rule::Loopback);
    }
    if e.contains('/') {
        return e
            .parse::<IpNet>()
            .map(|n| Rule::Net(n.trunc(), None))
            .map_err(|_| bad("not a CIDR range"));
    }
    if let Ok(ip) = e.parse::<IpAddr>() {
        return Ok(Rule::Net(IpNet::from(ip), None));
    }
    if let Ok(sa) = e.parse::<SocketAddr>() {
        return Ok(Rule::Net(IpNet::from(sa.ip()), Some(sa.port())));
    }
    let (host, port) = match e.rsplit_once(':') {
        Some((h, p)) => (h, Some(p.parse::<u16>().map_err(|_| bad("not a port"))?)),
        None => (e, None),
    };
    let ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_');
    if !ok {
        return Err(bad("not a host name"));
    }
    Ok(Rule::Name(host.to_ascii_lowercase(), port))
}

/// The client's resolver: only addresses the targets allow are connected to
/// (IP literals never reach it; `check` handles them).
#[derive(Debug)]
pub struct CheckedResolver(pub Arc<Targets>);

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let targets = self.0.clone();
        let host = name.as_str().to_ascii_lowercase();
        Box::pin(async move {
            let addrs = resolve(&host, 0).await?;
            // The port was checked before sending; a listed name allows any address.
            let named = targets.name_listed(&host, None)
                || targets
                    .rules
                    .iter()
                    .any(|r| matches!(r, Rule::Name(n, _) if *n == host));
            let allowed: Vec<SocketAddr> = addrs
                .into_iter()
                .filter(|a| named || targets.address_listed(a.ip(), None))
                .collect();
            if allowed.is_empty() {
                return Err(format!("{host} resolves outside --callbacks-to").into());
            }
            Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> reqwest::Url {
        s.parse().unwrap()
    }

    async fn check(list: &[&str], u: &str) -> Result<Vec<SocketAddr>, String> {
        let t = Targets::parse(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
        t.check(&url(u)).await
    }

    #[tokio::test]
    async fn nothing_listed_refuses_everything() {
        let e = check(&[], "http://127.0.0.1:9/hook").await.unwrap_err();
        assert!(e.contains("no --callbacks-to"), "{e}");
    }

    #[tokio::test]
    async fn loopback_allows_loopback_addresses_and_names_resolving_there() {
        assert!(check(&["loopback"], "http://127.0.0.1:9/").await.is_ok());
        assert!(check(&["loopback"], "http://[::1]:9/").await.is_ok());
        assert!(check(&["loopback"], "http://localhost:9/").await.is_ok());
        // 0.0.0.0 reaches this machine on Linux, but it is not loopback.
        let e = check(&["loopback"], "http://0.0.0.0:9/").await.unwrap_err();
        assert!(e.contains("resolved to 0.0.0.0"), "{e}");
        let e = check(&["loopback"], "http://192.0.2.7/").await.unwrap_err();
        assert!(e.contains("not listed"), "{e}");
    }

    #[tokio::test]
    async fn ranges_ports_and_names() {
        assert!(check(&["192.0.2.0/24"], "http://192.0.2.7/").await.is_ok());
        assert!(
            check(&["192.0.2.0/24"], "http://198.51.100.1/")
                .await
                .is_err()
        );
        assert!(
            check(&["127.0.0.1:8080"], "http://127.0.0.1:8080/")
                .await
                .is_ok()
        );
        assert!(
            check(&["127.0.0.1:8080"], "http://127.0.0.1:8081/")
                .await
                .is_err()
        );
        assert!(
            check(&["localhost:7000"], "http://localhost:7000/")
                .await
                .is_ok()
        );
        assert!(
            check(&["localhost:7000"], "http://localhost:7001/")
                .await
                .is_err()
        );
        assert!(check(&["loopback"], "ftp://127.0.0.1/").await.is_err());
    }

    #[test]
    fn bad_entries_say_what_to_give() {
        for bad in ["10.0.0.0/99", "host:port", "a b"] {
            let e = Targets::parse(&[bad.to_string()]).unwrap_err();
            assert!(e.contains("CIDR ranges") && e.contains(bad), "{e}");
        }
        let t = Targets::parse(&["loopback, 10.0.0.0/8".to_string()]).unwrap();
        assert_eq!(t.rules.len(), 2);
    }
}
