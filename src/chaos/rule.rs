//! One chaos rule as written: `--chaos rate=0.2,statuses=500/503` on the
//! command line, or a `[[chaos-rule]]` table of `specmock.toml` (which the config
//! file hands over in the same `key=value,...` form).

use std::time::Duration;

/// The keys a rule has (and a `[[chaos-rule]]` table).
pub const RULE_KEYS: &[&str] = &[
    "name",
    "operation",
    "rate",
    "statuses",
    "outage",
    "latency",
    "slow",
];

/// One rule: which operations, and what happens to their answers.
#[derive(Debug, Clone, PartialEq)]
pub struct ChaosRule {
    /// The profile it belongs to (`--chaos NAME` picks a profile's rules).
    pub name: String,
    /// An operation id (bare, `document/id`, or as displayed); `None`: all.
    pub operation: Option<String>,
    /// Share (0..=1) of answers replaced by an error status.
    pub rate: f64,
    /// The statuses to answer with; empty: the operation's own declared errors.
    pub statuses: Vec<u16>,
    /// An outage window repeated from the server's start.
    pub outage: Option<Outage>,
    /// Milliseconds in `[min, max]`, uniform, added to the answers `slow` picks.
    pub latency: Option<(u64, u64)>,
    /// Share (0..=1) of answers that get `latency` (1: all): a few slow
    /// answers among fast ones, the long tail real APIs have.
    pub slow: f64,
    /// `--fault-rate`: replaced by a fault (reset or empty body) instead of a status.
    pub(crate) faults: bool,
}

impl Default for ChaosRule {
    fn default() -> Self {
        ChaosRule {
            name: "default".into(),
            operation: None,
            rate: 0.0,
            statuses: Vec::new(),
            outage: None,
            latency: None,
            slow: 1.0,
            faults: false,
        }
    }
}

/// `every 60s for 5s`: down for the last `down` of every `every`, counted
/// from the server's start (so it starts up).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outage {
    /// The period.
    pub every: Duration,
    /// How long each outage lasts (shorter than the period).
    pub down: Duration,
}

impl Outage {
    /// When `elapsed` since start falls in an outage, how long it has left.
    pub fn left(&self, elapsed: Duration) -> Option<Duration> {
        let period = self.every.as_millis().max(1);
        let into = elapsed.as_millis() % period;
        let up = period - self.down.as_millis();
        (into >= up).then(|| Duration::from_millis((period - into) as u64))
    }
}

impl std::str::FromStr for ChaosRule {
    type Err = String;

    /// `key=value` pairs separated by commas: `rate=0.2,statuses=500/503`,
    /// `outage=every 60s for 5s`, `latency=50..300`, `operation=getOrder`.
    fn from_str(s: &str) -> Result<ChaosRule, String> {
        let mut rule = ChaosRule::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part.split_once('=').ok_or_else(|| {
                format!(
                    "\"{part}\": expected KEY=VALUE (keys: {}), e.g. rate=0.2",
                    RULE_KEYS.join(", ")
                )
            })?;
            let (key, value) = (key.trim(), value.trim());
            match key {
                "name" => rule.name = value.to_string(),
                "operation" if value == "*" || value.is_empty() => rule.operation = None,
                "operation" => rule.operation = Some(value.to_string()),
                "rate" => rule.rate = probability("rate", value)?,
                "slow" => rule.slow = probability("slow", value)?,
                "statuses" => rule.statuses = statuses(value)?,
                "outage" => rule.outage = Some(outage(value)?),
                "latency" => {
                    rule.latency = Some(parse_latency(value).map_err(|e| format!("latency: {e}"))?)
                }
                other => {
                    return Err(format!(
                        "unknown chaos key \"{other}\"; the keys are {}",
                        RULE_KEYS.join(", ")
                    ));
                }
            }
        }
        Ok(rule)
    }
}

fn probability(key: &str, value: &str) -> Result<f64, String> {
    value
        .parse::<f64>()
        .ok()
        .filter(|p| (0.0..=1.0).contains(p))
        .ok_or_else(|| format!("{key}: expected a probability from 0 to 1, found \"{value}\""))
}

/// `MS` or `MIN..MAX` milliseconds (`--latency` and a rule's `latency`).
pub fn parse_latency(s: &str) -> Result<(u64, u64), String> {
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

/// `500/503` (also `500 503` or `500|503`): error statuses, 400 to 599.
fn statuses(value: &str) -> Result<Vec<u16>, String> {
    value
        .split(['/', '|', ' '])
        .filter(|s| !s.is_empty())
        .map(|s| match s.parse::<u16>() {
            Ok(c) if (400..600).contains(&c) => Ok(c),
            _ => Err(format!(
                "statuses: \"{s}\" is not an error status (400 to 599); write them as 429/503"
            )),
        })
        .collect()
}

/// `every 60s for 5s` (units: ms, s, m).
fn outage(value: &str) -> Result<Outage, String> {
    let bad = || {
        format!(
            "outage: expected \"every PERIOD for LENGTH\" (e.g. every 60s for 5s), found \"{value}\""
        )
    };
    let words: Vec<&str> = value.split_whitespace().collect();
    let [every_word, every, for_word, down] = words[..] else {
        return Err(bad());
    };
    if !every_word.eq_ignore_ascii_case("every") || !for_word.eq_ignore_ascii_case("for") {
        return Err(bad());
    }
    let (every, down) = (
        duration(every).ok_or_else(bad)?,
        duration(down).ok_or_else(bad)?,
    );
    if down.is_zero() || down >= every {
        return Err(format!(
            "outage: \"{value}\": the outage must be shorter than its period and longer than 0"
        ));
    }
    Ok(Outage { every, down })
}

/// `250ms`, `5s`, `2m`.
fn duration(s: &str) -> Option<Duration> {
    let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit())?);
    let n: u64 = n.parse().ok()?;
    match unit {
        "ms" => Some(Duration::from_millis(n)),
        "s" => Some(Duration::from_secs(n)),
        "m" => Some(Duration::from_secs(n * 60)),
        _ => None,
    }
}

/// A `[[chaos-rule]]` table as the `key=value,...` text a rule is parsed from.
pub fn table_to_text(t: &toml::Table) -> Result<String, String> {
    let mut parts = Vec::new();
    for (key, value) in t {
        if !RULE_KEYS.contains(&key.as_str()) {
            return Err(format!(
                "unknown key `{key}`; a [[chaos-rule]] table has {}",
                RULE_KEYS.join(", ")
            ));
        }
        let text = match value {
            toml::Value::String(s) => s.clone(),
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::Array(items) => items
                .iter()
                .map(|v| match v {
                    toml::Value::Integer(i) => Ok(i.to_string()),
                    other => Err(format!("{key}: expected status codes, found {other}")),
                })
                .collect::<Result<Vec<_>, _>>()?
                .join("/"),
            other => return Err(format!("{key}: expected a value, found {other}")),
        };
        if text.contains(',') {
            return Err(format!("{key}: a value cannot hold a comma"));
        }
        parts.push(format!("{key}={text}"));
    }
    let text = parts.join(",");
    text.parse::<ChaosRule>()?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse_and_bad_ones_say_what_is_expected() {
        let r: ChaosRule = "operation=getOrder, rate=0.5, statuses=429/503, outage=every 4s for 2s, latency=10..20"
            .parse()
            .unwrap();
        assert_eq!(r.operation.as_deref(), Some("getOrder"));
        assert_eq!(r.statuses, [429, 503]);
        assert_eq!(
            r.outage,
            Some(Outage {
                every: Duration::from_secs(4),
                down: Duration::from_secs(2)
            })
        );
        assert_eq!(r.latency, Some((10, 20)));
        let e = "rate=2".parse::<ChaosRule>().unwrap_err();
        assert!(e.contains("probability"), "{e}");
        let e = "statuses=200".parse::<ChaosRule>().unwrap_err();
        assert!(e.contains("not an error status"), "{e}");
        let e = "outage=every 5s for 5s".parse::<ChaosRule>().unwrap_err();
        assert!(e.contains("shorter than its period"), "{e}");
        let e = "outage=60s".parse::<ChaosRule>().unwrap_err();
        assert!(e.contains("every 60s for 5s"), "{e}");
        let e = "rat=0.1".parse::<ChaosRule>().unwrap_err();
        assert!(e.contains("unknown chaos key \"rat\""), "{e}");
    }

    #[test]
    fn an_outage_is_the_end_of_each_period() {
        let o = Outage {
            every: Duration::from_secs(4),
            down: Duration::from_secs(1),
        };
        assert_eq!(o.left(Duration::from_millis(500)), None);
        assert_eq!(
            o.left(Duration::from_millis(3500)),
            Some(Duration::from_millis(500))
        );
        assert_eq!(o.left(Duration::from_millis(4100)), None);
    }

    #[test]
    fn tables_become_rule_text() {
        let t: toml::Table =
            toml::from_str("name = 'flaky'\nrate = 0.5\nstatuses = [500, 503]\n").unwrap();
        assert_eq!(
            table_to_text(&t).unwrap(),
            "name=flaky,rate=0.5,statuses=500/503"
        );
        let t: toml::Table = toml::from_str("rates = 0.5\n").unwrap();
        assert!(
            table_to_text(&t)
                .unwrap_err()
                .contains("unknown key `rates`")
        );
    }
}
