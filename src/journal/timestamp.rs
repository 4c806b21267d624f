//! When an entry was journalled: kept as the clock's reading and written as
//! RFC 3339 (UTC, milliseconds) only when the entry is read, so the hot path
//! neither formats a date nor allocates a string for it.

use std::fmt;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

/// When an entry was journalled. Serialised as RFC 3339, UTC, milliseconds
/// (`2026-12-02T06:25:59.034Z`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(SystemTime);

impl Timestamp {
    /// Now, by the system clock.
    pub fn now() -> Timestamp {
        Timestamp(SystemTime::now())
    }

    /// The clock's reading.
    pub fn system_time(&self) -> SystemTime {
        self.0
    }
}

impl Default for Timestamp {
    /// The Unix epoch: an entry not journalled yet.
    fn default() -> Self {
        Timestamp(SystemTime::UNIX_EPOCH)
    }
}

impl From<SystemTime> for Timestamp {
    fn from(t: SystemTime) -> Self {
        Timestamp(t)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::clock::rfc3339_millis(self.0))
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::clock::rfc3339_millis(self.0))
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        humantime::parse_rfc3339_weak(&text)
            .map(Timestamp)
            .map_err(|e| serde::de::Error::custom(format!("time \"{text}\": {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn written_as_rfc3339_millis_and_read_back() {
        let t = Timestamp(SystemTime::UNIX_EPOCH + Duration::from_millis(1_764_656_759_034));
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, "\"2025-12-02T06:25:59.034Z\"");
        let back: Timestamp = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t);
        assert!(serde_json::from_str::<Timestamp>("\"yesterday\"").is_err());
    }
}
