//! How an answer is delivered: added latency and injected faults, per
//! request (`Prefer: delay=`, `Prefer: fault=`) or for every request
//! (`--latency`, `--fault-rate`), drawn from the seed and the request's
//! number so that a run is reproducible.

use std::time::Duration;

use crate::generate::derive_seed;
use crate::respond::prefer::{Fault, Preferences};

/// The longest delay a request may ask for.
pub const MAX_DELAY: Duration = Duration::from_secs(5 * 60);

/// The delivery settings of a server (`--latency`, `--fault-rate`, `--seed`).
#[derive(Debug, Clone, Copy, Default)]
pub struct DeliverySettings {
    /// Milliseconds in `[min, max]`, drawn per request.
    pub latency: Option<(u64, u64)>,
    /// Probability (0..=1) that an answer is replaced by a fault.
    pub fault_rate: f64,
    /// The seed the draws derive from.
    pub seed: u64,
}

/// What to do with the `n`th answer before it is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Delivery {
    /// Wait this long first (bounded by [`MAX_DELAY`]).
    pub delay: Option<Duration>,
    /// Replace the answer by a fault.
    pub fault: Option<Fault>,
}

/// The delivery of the `n`th answer: the request's own preferences first,
/// else the server's settings.
pub fn plan(settings: &DeliverySettings, prefs: &Preferences, n: u64) -> Delivery {
    let draw = |what: &str| derive_seed(settings.seed, what, &n.to_string());
    let delay_ms = prefs.delay_ms.or_else(|| {
        settings.latency.map(|(min, max)| {
            let r = draw("latency");
            min + r % (max.saturating_sub(min) + 1)
        })
    });
    let fault = prefs.fault.or_else(|| {
        if settings.fault_rate <= 0.0 {
            return None;
        }
        let r = draw("fault");
        let p = (r >> 11) as f64 / (1u64 << 53) as f64;
        (p < settings.fault_rate).then_some(if r & 1 == 0 {
            Fault::Reset
        } else {
            Fault::Empty
        })
    });
    Delivery {
        delay: delay_ms
            .filter(|ms| *ms > 0)
            .map(|ms| Duration::from_millis(ms).min(MAX_DELAY)),
        fault,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preferences_win_and_draws_are_reproducible() {
        let s = DeliverySettings {
            latency: Some((10, 20)),
            fault_rate: 0.5,
            seed: 7,
        };
        let none = Preferences::default();
        let a: Vec<Delivery> = (0..50).map(|n| plan(&s, &none, n)).collect();
        let b: Vec<Delivery> = (0..50).map(|n| plan(&s, &none, n)).collect();
        assert_eq!(a, b);
        assert!(a.iter().all(|d| {
            let ms = d.delay.unwrap().as_millis();
            (10..=20).contains(&ms)
        }));
        let faults = a.iter().filter(|d| d.fault.is_some()).count();
        assert!((10..40).contains(&faults), "{faults} of 50");
        let asked = Preferences {
            delay_ms: Some(1_000_000_000),
            ..Preferences::default()
        };
        assert_eq!(plan(&s, &asked, 0).delay, Some(MAX_DELAY));
        assert_eq!(
            plan(&DeliverySettings::default(), &none, 0),
            Delivery::default()
        );
    }
}
