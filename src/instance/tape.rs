//! A JSON body read into one flat list of tokens: strings stay in the
//! request's bytes, containers record where they end, so reading it is a
//! walk over a `Vec` and dropping it frees three buffers, not a tree.
//!
//! A well-formed body is read by [`scan`](super::scan) in one pass; any
//! other (and every error) by serde_json's own parser (its errors, its
//! 128-level depth limit, its numbers), so a body is valid here exactly
//! when `serde_json` reads it, and reads as it does.

use std::fmt;

use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// One token; a container is followed by its members (keys as strings).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Tok {
    Null,
    Bool(bool),
    /// Index into [`Tape::numbers`].
    Num(u32),
    /// In [`Tape::text`], by byte range.
    Str {
        at: u32,
        len: u32,
    },
    /// A member's name, as [`Tok::Str`]: kept apart so that every name in
    /// a body is one pass over the tokens (the journal's secret check).
    Key {
        at: u32,
        len: u32,
    },
    /// `len` elements; `end` is the index after the last token inside.
    Arr {
        len: u32,
        end: u32,
    },
    /// `len` members (key and value each); `end` as for arrays.
    Obj {
        len: u32,
        end: u32,
    },
}

/// A parsed JSON body.
#[derive(Clone)]
pub struct Tape {
    pub(super) toks: Vec<Tok>,
    /// The strings' text: the body itself, when the quick path read it
    /// (strings without escapes are read in place), then unescaped ones.
    pub(super) text: String,
    numbers: Vec<Number>,
    /// Some object repeats a key: `serde_json::Value` keeps the last, a
    /// tape keeps both, so validators read such a body as a `Value`.
    pub(super) duplicate_keys: bool,
}

impl fmt::Debug for Tape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tape({} tokens)", self.toks.len())
    }
}

/// The same JSON as written, member order and repeated keys included
/// (where each string's text sits in the buffer does not count).
impl PartialEq for Tape {
    fn eq(&self, other: &Tape) -> bool {
        self.duplicate_keys == other.duplicate_keys
            && self.toks.len() == other.toks.len()
            && (0..self.toks.len() as u32).all(|i| match (self.tok(i), other.tok(i)) {
                (Tok::Str { .. }, Tok::Str { .. }) | (Tok::Key { .. }, Tok::Key { .. }) => {
                    self.str_at(i) == other.str_at(i)
                }
                (Tok::Num(a), Tok::Num(b)) => self.number(a) == other.number(b),
                (a, b) => a == b,
            })
    }
}

impl Tape {
    /// Parse `src` as JSON, as `serde_json::from_slice` would.
    pub fn parse(src: &[u8]) -> Result<Tape, serde_json::Error> {
        let mut tape = Tape::with_capacity(src.len());
        // Text checked once here lets both readers skip checking each string.
        match std::str::from_utf8(src) {
            Ok(text) => {
                if super::scan::read(text, &mut tape).is_some() {
                    return Ok(tape);
                }
                tape.clear();
                fill(&mut tape, serde_json::Deserializer::from_str(text))?;
            }
            // serde_json's own error, at its place in the body.
            Err(_) => fill(&mut tape, serde_json::Deserializer::from_slice(src))?,
        }
        Ok(tape)
    }

    fn with_capacity(bytes: usize) -> Tape {
        // About one token per eight bytes of a typical body, and text no
        // longer than the body: an allocation each, no regrowth.
        Tape {
            toks: Vec::with_capacity(bytes / 8 + 1),
            text: String::with_capacity(bytes),
            numbers: Vec::new(),
            duplicate_keys: false,
        }
    }

    /// `text` read by serde_json alone (tests compare the quick path to it).
    #[cfg(test)]
    pub(super) fn parse_with_serde(text: &str) -> Result<Tape, serde_json::Error> {
        let mut tape = Tape::with_capacity(text.len());
        fill(&mut tape, serde_json::Deserializer::from_str(text))?;
        Ok(tape)
    }

    fn clear(&mut self) {
        self.toks.clear();
        self.text.clear();
        self.numbers.clear();
        self.duplicate_keys = false;
    }

    pub(super) fn push_number(&mut self, n: Number) {
        // Fewer numbers than tokens, and tokens are counted in u32.
        let k = self.numbers.len() as u32;
        self.numbers.push(n);
        self.toks.push(Tok::Num(k));
    }

    /// True when some object repeats a key.
    pub fn has_duplicate_keys(&self) -> bool {
        self.duplicate_keys
    }

    /// True when some object at or inside the token at `i` has a member
    /// whose name `hit` says yes to.
    pub(super) fn any_name_within(&self, i: u32, mut hit: impl FnMut(&str) -> bool) -> bool {
        (i..self.skip(i)).any(|k| matches!(self.tok(k), Tok::Key { .. }) && hit(self.str_at(k)))
    }

    /// The index after the token at `i` and everything inside it.
    pub(super) fn skip(&self, i: u32) -> u32 {
        match self.toks[i as usize] {
            Tok::Arr { end, .. } | Tok::Obj { end, .. } => end,
            _ => i + 1,
        }
    }

    pub(super) fn tok(&self, i: u32) -> Tok {
        self.toks[i as usize]
    }

    pub(super) fn number(&self, k: u32) -> &Number {
        &self.numbers[k as usize]
    }

    /// The text of the string token at `i`.
    pub(super) fn str_at(&self, i: u32) -> &str {
        match self.toks[i as usize] {
            Tok::Str { at, len } | Tok::Key { at, len } => {
                &self.text[at as usize..(at + len) as usize]
            }
            _ => "",
        }
    }

    /// The value at `i` as a `serde_json::Value` (error messages, the
    /// stages that need a `Value`).
    pub(super) fn value_at(&self, i: u32) -> Value {
        match self.toks[i as usize] {
            Tok::Null => Value::Null,
            Tok::Bool(b) => Value::Bool(b),
            Tok::Num(k) => Value::Number(self.number(k).clone()),
            Tok::Str { .. } | Tok::Key { .. } => Value::String(self.str_at(i).to_owned()),
            Tok::Arr { len, .. } => {
                let mut items = Vec::with_capacity(len as usize);
                let mut at = i + 1;
                for _ in 0..len {
                    items.push(self.value_at(at));
                    at = self.skip(at);
                }
                Value::Array(items)
            }
            Tok::Obj { len, .. } => {
                let mut map = Map::with_capacity(len as usize);
                let mut at = i + 1;
                for _ in 0..len {
                    map.insert(self.str_at(at).to_owned(), self.value_at(at + 1));
                    at = self.skip(at + 1);
                }
                Value::Object(map)
            }
        }
    }

    /// Does the object opened at `start` repeat a key? Pairwise for the
    /// small objects bodies hold (length and end bytes compared before the
    /// text), hashed past that.
    pub(super) fn repeats_key(&self, start: u32, len: u32) -> bool {
        let tape = self;
        let keys = || {
            let mut at = start + 1;
            (0..len).map(move |_| {
                let k = tape.str_at(at);
                at = tape.skip(at + 1);
                k
            })
        };
        if len > 16 {
            let mut seen = std::collections::HashSet::with_capacity(len as usize);
            return !keys().all(|k| seen.insert(k));
        }
        let mut small = [(0u64, ""); 16];
        for (slot, k) in small.iter_mut().zip(keys()) {
            let b = k.as_bytes();
            let ends =
                u64::from(*b.first().unwrap_or(&0)) << 8 | u64::from(*b.last().unwrap_or(&0));
            *slot = ((k.len() as u64) << 16 | ends, k);
        }
        let small = &small[..len as usize];
        small
            .iter()
            .enumerate()
            .any(|(i, a)| small[i + 1..].iter().any(|b| a.0 == b.0 && a.1 == b.1))
    }
}

fn fill<'de, R: serde_json::de::Read<'de>>(
    tape: &mut Tape,
    mut de: serde_json::Deserializer<R>,
) -> Result<(), serde_json::Error> {
    Seed { tape }.deserialize(&mut de)?;
    de.end()
}

/// Appends one value (and everything inside it) to the tape.
struct Seed<'t> {
    tape: &'t mut Tape,
}

impl Seed<'_> {
    fn again(&mut self) -> Seed<'_> {
        Seed { tape: self.tape }
    }

    fn index<E: serde::de::Error>(&self) -> Result<u32, E> {
        u32::try_from(self.tape.toks.len()).map_err(|_| E::custom("body too large"))
    }

    fn number<E: serde::de::Error>(self, n: Number) -> Result<(), E> {
        self.index::<E>()?;
        self.tape.push_number(n);
        Ok(())
    }

    /// Close the container opened at `start` with `len` members.
    fn close<E: serde::de::Error>(&mut self, start: u32, len: u32) -> Result<(), E> {
        let end = self.index()?;
        match &mut self.tape.toks[start as usize] {
            Tok::Arr { len: l, end: e } | Tok::Obj { len: l, end: e } => {
                *l = len;
                *e = end;
            }
            _ => {}
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        self.tape.toks.push(Tok::Null);
        Ok(())
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }

    fn visit_bool<E: serde::de::Error>(self, b: bool) -> Result<(), E> {
        self.tape.toks.push(Tok::Bool(b));
        Ok(())
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<(), E> {
        self.number(v.into())
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<(), E> {
        self.number(v.into())
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<(), E> {
        // As serde_json's own `Value` reads a float it cannot hold.
        match Number::from_f64(v) {
            Some(n) => self.number(n),
            None => self.visit_unit(),
        }
    }

    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<(), E> {
        let (at, len) = (u32::try_from(self.tape.text.len()), u32::try_from(s.len()));
        let (Ok(at), Ok(len)) = (at, len) else {
            return Err(E::custom("body too large"));
        };
        self.tape.text.push_str(s);
        self.tape.toks.push(Tok::Str { at, len });
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        let start = self.index()?;
        self.tape.toks.push(Tok::Arr { len: 0, end: 0 });
        let mut len = 0u32;
        while seq.next_element_seed(self.again())?.is_some() {
            len += 1;
        }
        self.close(start, len)
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let start = self.index()?;
        self.tape.toks.push(Tok::Obj { len: 0, end: 0 });
        let mut len = 0u32;
        while map.next_key_seed(self.again())?.is_some() {
            // The key just read is a name, not a string value.
            if let Some(tok) = self.tape.toks.last_mut()
                && let Tok::Str { at, len } = *tok
            {
                *tok = Tok::Key { at, len };
            }
            map.next_value_seed(self.again())?;
            len += 1;
        }
        self.close(start, len)?;
        if len > 1 && self.tape.repeats_key(start, len) {
            self.tape.duplicate_keys = true;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) {
        let tape = Tape::parse(text.as_bytes()).unwrap();
        let want: Value = serde_json::from_str(text).unwrap();
        assert_eq!(tape.value_at(0), want, "{text}");
    }

    #[test]
    fn reads_what_serde_json_reads() {
        for text in [
            "null",
            "true",
            "-0",
            "1.0",
            "18446744073709551615",
            "-9223372036854775808",
            r#""a\"b\u00e9\ud83e\udd80""#,
            r#"{"a":[1,{"b":[]},{}],"c":"d","e\n":null}"#,
            r#"[[[]],[{"x":[true,false]}]]"#,
            "  {\"é\" : \"ü\" }  ",
        ] {
            round_trip(text);
        }
    }

    #[test]
    fn refuses_what_serde_json_refuses_with_its_message() {
        for text in [
            "",
            "{",
            "[1,]",
            "1e400",
            "{\"a\":1} x",
            "\"\\x\"",
            &"[".repeat(200),
        ] {
            let ours = Tape::parse(text.as_bytes()).unwrap_err();
            let theirs = serde_json::from_str::<Value>(text).unwrap_err();
            assert_eq!(ours.to_string(), theirs.to_string(), "{text}");
        }
        for bytes in [&b"{\"a\":\"\xff\"}"[..], b"[\"\xc3\"]", b"\"\x01\""] {
            let ours = Tape::parse(bytes).unwrap_err();
            let theirs = serde_json::from_slice::<Value>(bytes).unwrap_err();
            assert_eq!(ours.to_string(), theirs.to_string());
        }
    }

    #[test]
    fn finds_repeated_keys_at_any_depth() {
        let parse = |t: &str| Tape::parse(t.as_bytes()).unwrap();
        assert!(!parse(r#"{"a":{"a":1},"b":[{"a":1,"b":2}]}"#).has_duplicate_keys());
        assert!(parse(r#"{"a":[{"x":1,"x":2}]}"#).has_duplicate_keys());
        let wide: String = (0..40).map(|i| format!("\"k{i}\":1,")).collect();
        assert!(!parse(&format!("{{{wide}\"z\":0}}")).has_duplicate_keys());
        assert!(parse(&format!("{{{wide}\"k7\":0}}")).has_duplicate_keys());
    }

    /// Near-JSON text, valid or not, tokens from JSON's alphabet: the tape
    /// accepts exactly what serde_json accepts, with its value or its error.
    fn agrees_with_serde_json(text: &[u8]) -> Result<(), proptest::test_runner::TestCaseError> {
        match (Tape::parse(text), serde_json::from_slice::<Value>(text)) {
            (Ok(t), Ok(v)) => {
                proptest::prop_assert_eq!(t.value_at(0), v);
                // Token for token (repeated keys too) as serde_json alone reads it.
                let text = std::str::from_utf8(text).unwrap();
                proptest::prop_assert!(t == Tape::parse_with_serde(text).unwrap());
            }
            (Err(a), Err(b)) => proptest::prop_assert_eq!(a.to_string(), b.to_string()),
            (a, b) => {
                proptest::prop_assert!(false, "tape {:?}, serde_json {:?}", a.is_ok(), b.is_ok())
            }
        }
        Ok(())
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { cases: 3000, ..Default::default() })]

        #[test]
        fn near_json_is_read_as_serde_json_reads_it(
            parts in proptest::collection::vec(proptest::prop_oneof![
                proptest::strategy::Just("{".to_string()),
                proptest::strategy::Just("}".to_string()),
                proptest::strategy::Just("[".to_string()),
                proptest::strategy::Just("]".to_string()),
                proptest::strategy::Just(",".to_string()),
                proptest::strategy::Just(":".to_string()),
                proptest::strategy::Just(" ".to_string()),
                proptest::strategy::Just("\t\r\n".to_string()),
                proptest::strategy::Just("null".to_string()),
                proptest::strategy::Just("true".to_string()),
                proptest::strategy::Just("fals".to_string()),
                "\"([a-zé\\x00-\\x1f\\x7f]|\\\\[nu\"/bfrtx]|\\\\u[0-9a-fA-F]{0,4}|\\\\ud8[0-9a-f]{2}|\\\\udc[0-9a-f]{2}){0,4}\"",
                "-?[0-9]{1,21}(\\.[0-9]{0,2})?([eE][+-]?[0-9]{0,3})?",
            ], 0..24),
        ) {
            agrees_with_serde_json(parts.concat().as_bytes())?;
        }

        #[test]
        fn any_bytes_are_read_as_serde_json_reads_them(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..32)) {
            agrees_with_serde_json(&bytes)?;
        }
    }
}
