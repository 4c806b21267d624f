//! Integers and numbers: within the merged bounds, on the `multipleOf` grid.

use serde_json::{Number, Value};

use super::Gen;
use super::check::decimal_parts;
use super::facts::Facts;

impl<'a> Gen<'a> {
    /// An integer within the exact integer bounds (and the int32/int64
    /// ranges), a multiple of every `multipleOf`.
    pub(super) fn integer(&mut self, f: &Facts<'a>) -> Value {
        let g = int_grid(f);
        if g.k_lo > g.k_hi {
            return from_decimal(g.lo, 1, 0); // no integer fits: unsatisfiable
        }
        let k = self.rng.range_i128(g.k_lo, g.k_hi);
        from_decimal(k, g.step, 0)
    }

    /// A number on a decimal grid (the `multipleOf`s, else hundredths)
    /// within the bounds.
    pub(super) fn number(&mut self, f: &Facts<'a>) -> Value {
        let g = num_grid(f);
        if g.k_lo > g.k_hi {
            // No point of the grid fits (a range narrower than the step):
            // the middle of the range.
            let mid = g.lo / 2.0 + g.hi / 2.0;
            return Number::from_f64(mid).map_or(Value::Null, Value::Number);
        }
        let k = self.rng.range_i128(g.k_lo, g.k_hi);
        from_decimal(k, g.step, g.decimals)
    }
}

/// The integers generation draws from: `k * step` for `k` in `k_lo..=k_hi`.
struct IntGrid {
    lo: i128,
    k_lo: i128,
    k_hi: i128,
    step: i128,
}

fn int_grid(f: &Facts<'_>) -> IntGrid {
    let (mut lo, mut hi) = (f.int_lo, f.int_hi);
    for fmt in &f.formats {
        let (a, b) = match &*fmt.name {
            "int32" => (i128::from(i32::MIN), i128::from(i32::MAX)),
            "int64" => (i128::from(i64::MIN), i128::from(i64::MAX)),
            _ => continue,
        };
        lo = max_i(lo, Some(a));
        hi = min_i(hi, Some(b));
    }
    // Integral multiples of step/10^d are the multiples of step/gcd(step, 10^d).
    let step = match combined_step(&f.multiple_of) {
        Some((step, d)) => match 10i128.checked_pow(d) {
            Some(p) => step / gcd(step, p),
            None => step,
        },
        None => 1,
    };
    let span = step.saturating_mul(10).max(1000);
    let (lo, hi) = match (lo, hi) {
        (Some(a), Some(b)) => (a, b),
        (Some(a), None) => (a, a.saturating_add(span)),
        (None, Some(b)) => (b.saturating_sub(span), b),
        (None, None) => (0, span),
    };
    IntGrid {
        lo,
        k_lo: -((-lo).div_euclid(step)),
        k_hi: hi.div_euclid(step),
        step,
    }
}

/// The numbers generation draws from: `k * step / 10^decimals` for `k` in
/// `k_lo..=k_hi`, within `lo..hi`.
struct NumGrid {
    lo: f64,
    hi: f64,
    k_lo: i128,
    k_hi: i128,
    step: i128,
    decimals: u32,
    /// The bounds are the same point, or exclusive ones leave no room.
    empty: bool,
}

fn num_grid(f: &Facts<'_>) -> NumGrid {
    let (step, decimals) = combined_step(&f.multiple_of).unwrap_or((1, 2));
    let unit = step as f64 / 10f64.powi(decimals as i32);
    // The range of k such that k*unit lies within the bounds.
    let lower = match (f.minimum, f.ex_min) {
        (Some(a), Some(b)) if b >= a => Some((b, true)),
        (Some(a), _) => Some((a, false)),
        (None, Some(b)) => Some((b, true)),
        (None, None) => None,
    };
    let upper = match (f.maximum, f.ex_max) {
        (Some(a), Some(b)) if b <= a => Some((b, true)),
        (Some(a), _) => Some((a, false)),
        (None, Some(b)) => Some((b, true)),
        (None, None) => None,
    };
    let span = 1000.0_f64.max(unit * 10.0);
    let (lo_v, hi_v) = match (lower, upper) {
        (Some((a, _)), Some((b, _))) => (a, b),
        (Some((a, _)), None) => (a, a + span),
        (None, Some((b, _))) => (b - span, b),
        (None, None) => (0.0, span),
    };
    let clamp = |x: f64| x.clamp(-1e30, 1e30);
    let mut k_lo = (clamp(lo_v) / unit).ceil() as i128;
    let mut k_hi = (clamp(hi_v) / unit).floor() as i128;
    let ok = |k: i128| -> bool {
        let x = from_decimal(k, step, decimals).as_f64().unwrap_or(0.0);
        lower.is_none_or(|(b, ex)| if ex { x > b } else { x >= b })
            && upper.is_none_or(|(b, ex)| if ex { x < b } else { x <= b })
    };
    // Floating division can land one step off; nudge the ends inwards.
    for _ in 0..3 {
        if k_lo <= k_hi && !ok(k_lo) {
            k_lo += 1;
        }
        if k_lo <= k_hi && !ok(k_hi) {
            k_hi -= 1;
        }
    }
    let exclusive = lower.is_some_and(|l| l.1) || upper.is_some_and(|u| u.1);
    NumGrid {
        lo: lo_v,
        hi: hi_v,
        k_lo,
        k_hi,
        step,
        decimals,
        empty: lo_v > hi_v || (lo_v == hi_v && exclusive),
    }
}

/// Some integer satisfies the merged numeric constraints, as [`Gen::integer`] draws.
pub(super) fn integer_fits(f: &Facts<'_>) -> bool {
    let g = int_grid(f);
    g.k_lo <= g.k_hi
}

/// Some number satisfies the merged numeric constraints, as [`Gen::number`]
/// draws (off the grid, the middle of the range, which no `multipleOf` takes).
pub(super) fn number_fits(f: &Facts<'_>) -> bool {
    let g = num_grid(f);
    g.k_lo <= g.k_hi || (!g.empty && f.multiple_of.is_empty())
}

/// `multipleOf`s combined into one decimal step (`step / 10^decimals`): the
/// least common multiple in a shared decimal scale.
pub(super) fn combined_step(ms: &[f64]) -> Option<(i128, u32)> {
    let parts: Vec<(i128, u32)> = ms
        .iter()
        .filter_map(|m| decimal_parts(*m))
        .filter(|(a, _)| *a > 0)
        .collect();
    let d = parts.iter().map(|p| p.1).max()?;
    let mut step: i128 = 1;
    for (a, da) in parts {
        let scaled = a.checked_mul(10i128.checked_pow(d - da)?)?;
        step = (step / gcd(step, scaled)).checked_mul(scaled)?;
    }
    Some((step, d))
}

pub(super) fn gcd(mut a: i128, mut b: i128) -> i128 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

/// `k * step / 10^decimals` as a JSON number, written in decimal so its
/// shortest form is the exact multiple.
pub(super) fn from_decimal(k: i128, step: i128, decimals: u32) -> Value {
    let Some(n) = k.checked_mul(step) else {
        return Value::Null;
    };
    if decimals == 0 {
        return i64::try_from(n)
            .map(Value::from)
            .or_else(|_| u64::try_from(n).map(Value::from))
            .unwrap_or_else(|_| Number::from_f64(n as f64).map_or(Value::Null, Value::Number));
    }
    let x: f64 = format!("{n}e-{decimals}").parse().unwrap_or(0.0);
    Number::from_f64(x).map_or(Value::Null, Value::Number)
}

pub(super) fn min_opt(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

pub(super) fn max_i(a: Option<i128>, b: Option<i128>) -> Option<i128> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

pub(super) fn min_i(a: Option<i128>, b: Option<i128>) -> Option<i128> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

pub(super) fn max_f(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

pub(super) fn min_f(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}
