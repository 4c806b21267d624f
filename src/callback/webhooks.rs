//! Webhooks (OpenAPI 3.1): sent when the admin API asks
//! (`POST /__specmock/webhooks/{name}`) or on a schedule
//! (`--webhook NAME=URL[@INTERVAL]`), for frontend work against a mock that
//! keeps pushing events.

use std::sync::Arc;
use std::time::Duration;

use super::{Choice, Dispatcher};
use crate::contract::Contract;
use crate::spec::CallbackKind;

/// Shortest interval a schedule may have: a typo (`@1ms`) must not flood the consumer.
pub const MIN_INTERVAL: Duration = Duration::from_millis(100);

/// A `--webhook NAME=URL[@INTERVAL]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheduled {
    /// The webhook's name in the document.
    pub name: String,
    /// Where it goes (listed as a target by being given here).
    pub url: reqwest::Url,
    /// How often; `None`: once, at start.
    pub every: Option<Duration>,
}

impl std::fmt::Display for Scheduled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}", self.name, self.url)?;
        if let Some(d) = self.every {
            write!(f, "@{}ms", d.as_millis())?;
        }
        Ok(())
    }
}

/// Parse `NAME=URL[@INTERVAL]`; the interval is `500ms`, `10s` or `1m`.
pub fn parse_webhook(s: &str) -> Result<Scheduled, String> {
    let (name, rest) = s
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=URL[@INTERVAL] (e.g. newPet=http://127.0.0.1:3000/hooks@10s), found \"{s}\""))?;
    let (url, every) = match rest.rsplit_once('@') {
        Some((u, i)) if interval(i).is_some() => (u, interval(i)),
        Some((_, i)) if !i.contains('/') && !i.contains(':') => {
            return Err(format!(
                "\"{i}\" is not an interval: write 500ms, 10s or 1m (at least {} ms)",
                MIN_INTERVAL.as_millis()
            ));
        }
        _ => (rest, None),
    };
    let url: reqwest::Url = url
        .parse()
        .map_err(|e| format!("\"{url}\" is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("\"{url}\" is not an http(s) URL"));
    }
    if every.is_some_and(|d| d < MIN_INTERVAL) {
        return Err(format!(
            "the interval must be at least {} ms",
            MIN_INTERVAL.as_millis()
        ));
    }
    Ok(Scheduled {
        name: name.trim().to_string(),
        url,
        every,
    })
}

fn interval(s: &str) -> Option<Duration> {
    let s = s.trim();
    let (n, unit) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1_000)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60_000)
    } else {
        return None;
    };
    n.trim()
        .parse::<u64>()
        .ok()
        .map(|n| Duration::from_millis(n.saturating_mul(unit)))
}

/// Start one task per `--webhook`: at start, then every interval, while the
/// server lives. A webhook no loaded document declares is said once.
pub(super) fn schedule(
    d: &Dispatcher,
    contract: Arc<dyn Fn() -> Option<Arc<Contract>> + Send + Sync>,
) {
    for w in d.inner.scheduled.clone() {
        let dispatcher = Dispatcher {
            inner: d.inner.clone(),
        };
        let contract = contract.clone();
        tokio::spawn(async move {
            let mut warned = false;
            loop {
                let Some(c) = contract() else { return };
                let declared = c
                    .callbacks()
                    .any(|cb| cb.kind == CallbackKind::Webhook && cb.name == w.name);
                if declared {
                    let _ = dispatcher.webhook(&c, &w.name, w.url.as_str(), Choice::default());
                } else if !warned {
                    tracing::warn!(
                        "--webhook {}: no loaded document declares the webhook \"{}\"; nothing is sent",
                        w.name,
                        w.name
                    );
                    warned = true;
                }
                drop(c);
                match w.every {
                    Some(every) => tokio::time::sleep(every).await,
                    None => return,
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_urls_and_intervals() {
        let w = parse_webhook("newPet=http://127.0.0.1:3000/hooks@10s").unwrap();
        assert_eq!(w.name, "newPet");
        assert_eq!(w.url.as_str(), "http://127.0.0.1:3000/hooks");
        assert_eq!(w.every, Some(Duration::from_secs(10)));
        let w = parse_webhook("newPet=http://user@127.0.0.1:3000/h").unwrap();
        assert_eq!(w.every, None);
        assert_eq!(w.url.username(), "user");
        assert_eq!(
            parse_webhook("a=http://h.test/@500ms").unwrap().every,
            Some(Duration::from_millis(500))
        );
        assert!(parse_webhook("newPet").unwrap_err().contains("NAME=URL"));
        assert!(
            parse_webhook("a=http://h.test/@5x")
                .unwrap_err()
                .contains("interval")
        );
        assert!(
            parse_webhook("a=http://h.test/@5ms")
                .unwrap_err()
                .contains("at least")
        );
        assert!(
            parse_webhook("a=ftp://h.test/")
                .unwrap_err()
                .contains("http(s)")
        );
    }
}
