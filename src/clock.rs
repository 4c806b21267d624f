//! Times as specmock writes them: RFC 3339 in UTC, the date and time to the
//! second formatted once a second per thread (a log line per request must
//! not pay for calendar arithmetic).

use std::cell::RefCell;
use std::fmt::{self, Write};
use std::time::{SystemTime, UNIX_EPOCH};

thread_local! {
    /// The last whole second formatted on this thread: (seconds, "YYYY-MM-DDTHH:MM:SS").
    static SECOND: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
}

/// RFC 3339 UTC with milliseconds, as the journal writes times.
pub fn rfc3339_millis(t: SystemTime) -> String {
    let mut s = String::with_capacity(24);
    let _ = write_second(&mut s, t, |out, since| {
        // By hand: the format machinery costs more than the rest of the line.
        let ms = since.subsec_millis();
        for c in [
            '.',
            digit(ms / 100),
            digit(ms / 10 % 10),
            digit(ms % 10),
            'Z',
        ] {
            out.push(c);
        }
        Ok(())
    });
    s
}

fn digit(n: u32) -> char {
    char::from(b'0' + (n % 10) as u8)
}

/// RFC 3339 UTC with microseconds.
pub fn write_time(out: &mut impl Write, now: SystemTime) -> fmt::Result {
    write_second(out, now, |out, since| {
        // By hand: `write!` with a width costs several times as much, once
        // per log line.
        let mut text = *b".000000Z";
        let mut n = since.subsec_micros();
        for digit in text[1..7].iter_mut().rev() {
            *digit = b'0' + (n % 10) as u8;
            n /= 10;
        }
        out.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    })
}

/// The date and time to the second (cached per thread), then `fraction`.
fn write_second<W: Write>(
    out: &mut W,
    now: SystemTime,
    fraction: impl FnOnce(&mut W, std::time::Duration) -> fmt::Result,
) -> fmt::Result {
    let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    SECOND.with(|cell| {
        let mut cached = cell.borrow_mut();
        if cached.0 != secs {
            let whole = UNIX_EPOCH + std::time::Duration::from_secs(secs);
            let text = humantime::format_rfc3339_seconds(whole).to_string();
            cached.1 = text.trim_end_matches('Z').to_string();
            cached.0 = secs;
        }
        out.write_str(&cached.1)?;
        fraction(out, since)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_is_rfc3339_with_micros_and_the_cache_follows_the_clock() {
        let mut s = String::new();
        let t = UNIX_EPOCH + std::time::Duration::from_micros(1_764_563_439_703_456);
        write_time(&mut s, t).unwrap();
        assert_eq!(s, "2025-12-01T04:30:39.703456Z");
        s.clear();
        write_time(&mut s, t + std::time::Duration::from_secs(86_400)).unwrap();
        assert_eq!(s, "2025-12-02T04:30:39.703456Z");
        s.clear();
        write_time(&mut s, UNIX_EPOCH + std::time::Duration::from_micros(42)).unwrap();
        assert_eq!(s, "1970-01-01T00:00:00.000042Z");
        assert_eq!(rfc3339_millis(t), "2025-12-01T04:30:39.703Z");
        let before_epoch = UNIX_EPOCH - std::time::Duration::from_secs(1);
        assert_eq!(rfc3339_millis(before_epoch), "1970-01-01T00:00:00.000Z");
    }
}
