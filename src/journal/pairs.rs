//! Names and values as the journal keeps them (headers, path parameters):
//! all of a list in one buffer, so journalling a request costs one
//! allocation per list, not two per pair (a `String` per header name and
//! value was a sixth of a request's instructions).

use serde::{Deserialize, Serialize};

/// Names and values in the order received (an entry's headers or path
/// parameters), secret values already redacted. Serialised as
/// `[[name, value], ...]`.
///
/// One allocation per list: each pair is its name's and its value's lengths
/// (`u32`, little-endian) followed by their bytes. Journal entries live long
/// and are freed in ring order, so the allocator serves each of their
/// allocations from its slow path: every one saved is worth ~400
/// instructions.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Pairs {
    bytes: Vec<u8>,
    len: usize,
}

impl Pairs {
    /// Room for `pairs` pairs of `text` bytes of names and values in all.
    pub fn with_capacity(pairs: usize, text: usize) -> Pairs {
        Pairs {
            bytes: Vec::with_capacity(pairs * 8 + text),
            len: 0,
        }
    }

    /// Add one pair at the end.
    pub fn push(&mut self, name: &str, value: &str) {
        push_pair(&mut self.bytes, name, value);
        self.len += 1;
    }

    /// The pairs, borrowed.
    pub fn view(&self) -> PairsRef<'_> {
        PairsRef::new(&self.bytes, self.len)
    }

    /// `(name, value)` in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + '_ {
        self.view().iter()
    }

    /// The first value of `name` (ASCII case-insensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.view().get(name)
    }

    /// How many pairs.
    pub fn len(&self) -> usize {
        self.len
    }

    /// No pair at all.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Heap bytes held (before allocator rounding), for the journal's budget.
    pub(super) fn heap_bytes(&self) -> usize {
        self.bytes.capacity()
    }
}

/// Pairs held elsewhere (in an entry's one buffer), borrowed: the same
/// encoding as [`Pairs`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PairsRef<'a> {
    bytes: &'a [u8],
    len: usize,
}

impl<'a> PairsRef<'a> {
    pub(super) fn new(bytes: &'a [u8], len: usize) -> PairsRef<'a> {
        PairsRef { bytes, len }
    }

    /// `(name, value)` in order.
    pub fn iter(self) -> impl ExactSizeIterator<Item = (&'a str, &'a str)> + 'a {
        let (bytes, mut at) = (self.bytes, 0usize);
        (0..self.len).map(move |_| {
            let n = read_u32(bytes, at);
            let v = read_u32(bytes, at + 4);
            let name = text(bytes, at + 8, n);
            let value = text(bytes, at + 8 + n, v);
            at += 8 + n + v;
            (name, value)
        })
    }

    /// The first value of `name` (ASCII case-insensitive).
    pub fn get(self, name: &str) -> Option<&'a str> {
        self.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// How many pairs.
    pub fn len(&self) -> usize {
        self.len
    }

    /// No pair at all.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl std::fmt::Debug for PairsRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for PairsRef<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

/// Append one pair: its name's and its value's lengths (`u32`,
/// little-endian), then their bytes.
pub(super) fn push_pair(bytes: &mut impl bytes::BufMut, name: &str, value: &str) {
    let (n, v) = (length(name), length(value));
    bytes.put_slice(&n.to_le_bytes());
    bytes.put_slice(&v.to_le_bytes());
    bytes.put_slice(&name.as_bytes()[..n as usize]);
    bytes.put_slice(&value.as_bytes()[..v as usize]);
}

/// Lists are bounded by the server's head limit, far below 4 GiB; a longer
/// name or value is cut at 4 GiB, never mistaken for another.
fn length(s: &str) -> u32 {
    u32::try_from(s.len()).unwrap_or(u32::MAX)
}

fn read_u32(bytes: &[u8], at: usize) -> usize {
    let mut b = [0u8; 4];
    b.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(b) as usize
}

/// Pushed from `&str`s, so valid UTF-8 (a name cut at 4 GiB is the one case
/// that could split a character: it reads as empty rather than panic).
fn text(bytes: &[u8], at: usize, len: usize) -> &str {
    std::str::from_utf8(&bytes[at..at + len]).unwrap_or_default()
}

impl<K: AsRef<str>, V: AsRef<str>> FromIterator<(K, V)> for Pairs {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut list = Pairs::default();
        for (k, v) in iter {
            list.push(k.as_ref(), v.as_ref());
        }
        list
    }
}

impl std::fmt::Debug for Pairs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.view().fmt(f)
    }
}

impl Serialize for Pairs {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Pairs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let pairs: Vec<(String, String)> = Vec::deserialize(d)?;
        Ok(pairs.into_iter().collect())
    }
}

/// `[(name, value)]` as a JSON object, in order (path parameters).
pub(super) fn as_object<S: serde::Serializer>(v: &PairsRef<'_>, s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(v.iter())
}

/// A JSON object of strings read back as pairs.
pub(super) fn from_object<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Pairs, D::Error> {
    let m: serde_json::Map<String, serde_json::Value> = Deserialize::deserialize(d)?;
    Ok(m.iter()
        .map(|(k, v)| (k.as_str(), v.as_str().unwrap_or_default()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_duplicates_and_empty_values() {
        let h: Pairs = [("accept", "*/*"), ("x-a", ""), ("X-A", "2"), ("", "v")]
            .into_iter()
            .collect();
        let got: Vec<_> = h.iter().collect();
        assert_eq!(
            got,
            vec![("accept", "*/*"), ("x-a", ""), ("X-A", "2"), ("", "v")]
        );
        assert_eq!(h.get("x-a"), Some(""));
        assert_eq!(h.get("ACCEPT"), Some("*/*"));
        assert_eq!(h.get("missing"), None);
        assert_eq!(h.len(), 4);
    }

    #[test]
    fn serialises_as_pairs_and_reads_back() {
        let h: Pairs = [("host", "127.0.0.1"), ("authorization", "<redacted>")]
            .into_iter()
            .collect();
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(
            json,
            r#"[["host","127.0.0.1"],["authorization","<redacted>"]]"#
        );
        let back: Pairs = serde_json::from_str(&json).unwrap();
        assert_eq!(back, h);
    }
}
