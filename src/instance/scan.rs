//! The quick path of [`Tape::parse`]: well-formed JSON, as clients send
//! it, read straight into the tape in one pass over the bytes, without a
//! serde visitor call per token.
//!
//! It only ever answers "read" or "not sure". Anything it is not sure of
//! (any error, a lone surrogate, nesting past [`MAX_DEPTH`]) goes to
//! serde_json's parser from the start, and a float, `-0` or an integer past
//! 19 digits is handed to serde_json's number parser, so what is accepted,
//! how numbers read and every error message stay serde_json's.

use serde_json::Number;

use super::tape::{Tape, Tok};

/// serde_json refuses nesting past 128 levels; a deeper body than this is
/// left to it, so the limit and its message stay its own.
const MAX_DEPTH: u32 = 100;

/// The bytes that end a run of a string's text as written.
static SPECIAL_IN_STRING: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 0x20 {
        t[c] = true;
        c += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

/// Read `text` into `tape` (empty on entry). `None`: not read; the tape
/// holds a partial read and must be cleared.
pub(super) fn read(text: &str, tape: &mut Tape) -> Option<()> {
    // Token and string offsets are u32.
    u32::try_from(text.len()).ok()?;
    tape.text.push_str(text);
    let mut r = Reader {
        text,
        b: text.as_bytes(),
        at: 0,
        tape,
    };
    r.value(0)?;
    r.skip_space();
    (r.at == r.b.len()).then_some(())
}

struct Reader<'s, 't> {
    text: &'s str,
    b: &'s [u8],
    at: usize,
    tape: &'t mut Tape,
}

impl Reader<'_, '_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    /// The next byte after white space, consumed when it is `want`.
    fn eat(&mut self, want: u8) -> bool {
        self.skip_space();
        let hit = self.peek() == Some(want);
        self.at += usize::from(hit);
        hit
    }

    fn index(&self) -> u32 {
        // Fewer tokens than bytes, and the text fits a u32.
        self.tape.toks.len() as u32
    }

    fn value(&mut self, depth: u32) -> Option<()> {
        self.skip_space();
        match self.peek()? {
            b'{' => self.object(depth + 1),
            b'[' => self.array(depth + 1),
            b'"' => {
                self.at += 1;
                self.string(false)
            }
            b't' => self.word("true", Tok::Bool(true)),
            b'f' => self.word("false", Tok::Bool(false)),
            b'n' => self.word("null", Tok::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn word(&mut self, word: &str, tok: Tok) -> Option<()> {
        self.b[self.at..]
            .starts_with(word.as_bytes())
            .then_some(())?;
        self.at += word.len();
        self.tape.toks.push(tok);
        Some(())
    }

    fn array(&mut self, depth: u32) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        let start = self.index();
        self.tape.toks.push(Tok::Arr { len: 0, end: 0 });
        self.at += 1;
        let mut len = 0;
        if !self.eat(b']') {
            loop {
                self.value(depth)?;
                len += 1;
                if self.eat(b',') {
                    continue;
                }
                self.eat(b']').then_some(())?;
                break;
            }
        }
        let end = self.index();
        self.tape.toks[start as usize] = Tok::Arr { len, end };
        Some(())
    }

    fn object(&mut self, depth: u32) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        let start = self.index();
        self.tape.toks.push(Tok::Obj { len: 0, end: 0 });
        self.at += 1;
        let mut len = 0;
        if !self.eat(b'}') {
            loop {
                self.eat(b'"').then_some(())?;
                self.string(true)?;
                self.eat(b':').then_some(())?;
                self.value(depth)?;
                len += 1;
                if self.eat(b',') {
                    continue;
                }
                self.eat(b'}').then_some(())?;
                break;
            }
        }
        let end = self.index();
        self.tape.toks[start as usize] = Tok::Obj { len, end };
        if len > 1 && self.tape.repeats_key(start, len) {
            self.tape.duplicate_keys = true;
        }
        Some(())
    }

    /// A string, from after its opening quote. One without escapes is
    /// the body's own text (the tape's text starts as a copy of it); one
    /// with escapes is unescaped onto the end.
    fn string(&mut self, key: bool) -> Option<()> {
        let start = self.at;
        self.plain_run();
        let (at, len) = match self.peek()? {
            b'"' => (start, self.at - start),
            b'\\' => {
                let at = self.tape.text.len();
                self.tape.text.push_str(&self.text[start..self.at]);
                loop {
                    match self.peek()? {
                        b'"' => break,
                        b'\\' => {
                            self.at += 1;
                            self.escape()?;
                        }
                        // A control character: serde_json's error to give.
                        _ => return None,
                    }
                    let run = self.at;
                    self.plain_run();
                    // Cut at ASCII bytes of valid UTF-8: char boundaries.
                    self.tape.text.push_str(&self.text[run..self.at]);
                }
                (at, self.tape.text.len() - at)
            }
            _ => return None,
        };
        self.at += 1;
        let (at, len) = (u32::try_from(at).ok()?, len as u32);
        self.tape.toks.push(match key {
            true => Tok::Key { at, len },
            false => Tok::Str { at, len },
        });
        Some(())
    }

    /// Past the bytes a string holds as written (not `"`, `\`, or a
    /// control character).
    fn plain_run(&mut self) {
        let (b, mut i) = (self.b, self.at);
        while i < b.len() && !SPECIAL_IN_STRING[usize::from(b[i])] {
            i += 1;
        }
        self.at = i;
    }

    /// One escape, from after its backslash.
    fn escape(&mut self) -> Option<()> {
        let c = self.peek()?;
        self.at += 1;
        let ch = match c {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = self.hex4()?;
                match hi {
                    0xD800..=0xDBFF => {
                        // Only a whole surrogate pair; a lone half is
                        // serde_json's error to give.
                        self.b[self.at..].starts_with(b"\\u").then_some(())?;
                        self.at += 2;
                        let lo = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&lo) {
                            return None;
                        }
                        char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?
                    }
                    0xDC00..=0xDFFF => return None,
                    _ => char::from_u32(hi)?,
                }
            }
            _ => return None,
        };
        self.tape.text.push(ch);
        Some(())
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.b.get(self.at..self.at + 4)?;
        let mut n = 0;
        for &d in digits {
            n = n << 4 | char::from(d).to_digit(16)?;
        }
        self.at += 4;
        Some(n)
    }

    fn number(&mut self) -> Option<()> {
        let from = self.at;
        let negative = self.peek() == Some(b'-');
        self.at += usize::from(negative);
        let digits = self.at;
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => self.skip_digits(),
            _ => return None,
        }
        let int_digits = self.at - digits;
        let mut plain = true;
        if self.peek() == Some(b'.') {
            self.at += 1;
            self.digits_after()?;
            plain = false;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            self.digits_after()?;
            plain = false;
        }
        let n = match plain && int_digits <= 19 {
            true => {
                // At most 19 digits: fits a u64 without overflow.
                let magnitude = self.b[digits..self.at]
                    .iter()
                    .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
                match (negative, magnitude) {
                    (false, m) => Number::from(m),
                    (true, 1..=0x8000_0000_0000_0000) => {
                        Number::from((magnitude as i64).wrapping_neg())
                    }
                    // -0, or below i64's range: a float, as serde_json reads it.
                    (true, _) => self.float(from)?,
                }
            }
            // How a float's last bit rounds is serde_json's to say.
            false => self.float(from)?,
        };
        self.tape.push_number(n);
        Some(())
    }

    fn float(&self, from: usize) -> Option<Number> {
        serde_json::from_str(&self.text[from..self.at]).ok()
    }

    fn skip_digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
    }

    /// At least one digit (after `.`, `e`, or an exponent's sign).
    fn digits_after(&mut self) -> Option<()> {
        matches!(self.peek(), Some(b'0'..=b'9')).then_some(())?;
        self.skip_digits();
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quick path's tape, or `None` where it leaves the body to serde_json.
    fn quick(text: &str) -> Option<Tape> {
        let mut tape = Tape::parse_with_serde("null").unwrap();
        tape.toks.clear();
        read(text, &mut tape).map(|()| tape)
    }

    /// Where the quick path reads a body, its tape is serde_json's, token
    /// for token; where serde_json refuses one, the quick path does too.
    fn agrees(text: &str) -> Result<(), proptest::test_runner::TestCaseError> {
        match (quick(text), Tape::parse_with_serde(text)) {
            (Some(ours), Ok(theirs)) => proptest::prop_assert!(ours == theirs, "{text}"),
            (Some(_), Err(e)) => proptest::prop_assert!(false, "read {text:?}; serde_json: {e}"),
            (None, _) => {}
        }
        Ok(())
    }

    #[test]
    fn the_bodies_clients_send_take_the_quick_path() {
        for text in [
            r#"{"expiresAt":"2023-09-04T11:26:24+02:00"}"#,
            r#"{"name":"Billing export","tags":["a","b"],"n":-42,"big":18446744073709551615}"#,
            r#"{ "a" : [ 1 , { "b" : [ ] } , { } ] , "c" : null, "d": true, "e": false }"#,
            "{\"esc\":\"tab\\t quote\\\" slash\\/ \\u00e9 \\ud83e\\udd80 nul\\u0000\"}",
            "  [\"\u{e9}\u{1f980}\", 0, -9223372036854775808]\n",
        ] {
            let ours = quick(text).unwrap_or_else(|| panic!("left to serde_json: {text}"));
            assert!(ours == Tape::parse_with_serde(text).unwrap(), "{text}");
        }
    }

    #[test]
    fn floats_read_as_serde_json_rounds_them() {
        for text in [
            "1.5",
            "1e3",
            "-0",
            "-0.0",
            "12345678901234567890",
            "-9223372036854775809",
        ] {
            let ours = quick(text).unwrap_or_else(|| panic!("left to serde_json: {text}"));
            assert!(ours == Tape::parse_with_serde(text).unwrap(), "{text}");
        }
        assert!(
            quick("[1e400]").is_none(),
            "out of range: serde_json's error"
        );
    }

    #[test]
    fn errors_and_edges_are_left_to_serde_json() {
        let deep = "[".repeat(101) + &"]".repeat(101);
        for text in [
            "01",
            "[1,]",
            "{\"a\" 1}",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\ud800\\u0041\"",
            "\"\t\"",
            "\"\\x\"",
            "tru",
            "nulls",
            "{} {}",
            "",
            &deep,
        ] {
            assert!(quick(text).is_none(), "{text}");
        }
        assert!(quick(&("[".repeat(100) + &"]".repeat(100))).is_some());
    }

    /// Well-formed JSON text: every escape, numbers of every form, nesting,
    /// white space around every token.
    fn json_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let key = "\"([a-z\u{e9}\u{1f980} ]|\\\\[\"\\\\/bfnrt]|\\\\u00[0-7][0-9a-fA-F]|\\\\u[1-9a-c][0-9a-f]{3}|\\\\ud83e\\\\udd80){0,6}\"";
        let leaf = prop_oneof![
            Just("null".to_string()),
            Just("true".to_string()),
            Just("false".to_string()),
            "-?(0|[1-9][0-9]{0,20})(\\.[0-9]{1,3})?([eE][+-]?[0-9]{1,2})?",
            key,
        ];
        let space = "[ \t\r\n]{0,2}";
        leaf.prop_recursive(4, 40, 5, move |inner| {
            prop_oneof![
                proptest::collection::vec((space, inner.clone()), 0..5).prop_map(|v| format!(
                    "[{}]",
                    v.into_iter()
                        .map(|(s, x)| s + &x)
                        .collect::<Vec<_>>()
                        .join(",")
                )),
                proptest::collection::vec((key, space, inner), 0..5).prop_map(|v| format!(
                    "{{{}}}",
                    v.into_iter()
                        .map(|(k, s, x)| format!("{s}{k}{s}:{x}{s}"))
                        .collect::<Vec<_>>()
                        .join(",")
                )),
            ]
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { cases: 3000, ..Default::default() })]

        #[test]
        fn json_documents_take_the_quick_path_and_read_as_serde_json_reads_them(text in json_text()) {
            proptest::prop_assert!(quick(&text).is_some(), "{text}");
            agrees(&text)?;
        }

        #[test]
        fn member_names_are_found_on_a_tape_as_in_a_value(text in json_text(), probe in "[a-z]") {
            let tape = Tape::parse(text.as_bytes()).unwrap();
            let value: serde_json::Value = serde_json::from_str(&text).unwrap();
            let hit = |k: &str| k.contains(probe.as_str());
            // Repeated keys: the tape keeps both names, a Value the last.
            if !tape.has_duplicate_keys() {
                proptest::prop_assert_eq!(
                    super::super::Node::from(&tape).any_member_name(hit),
                    super::super::Node::from(&value).any_member_name(hit),
                    "{}", text
                );
            }
        }

        #[test]
        fn objects_read_as_serde_json_reads_them(
            keys in proptest::collection::vec("[ab]{0,2}", 0..20),
            nums in proptest::collection::vec(proptest::num::i64::ANY, 0..20),
        ) {
            let members: Vec<String> =
                keys.iter().zip(&nums).map(|(k, n)| format!("{k:?}:[{n},{{\"{k}\":{n}}}]")).collect();
            let text = format!("{{{}}}", members.join(","));
            proptest::prop_assert!(quick(&text).is_some(), "{text}");
            agrees(&text)?;
        }
    }
}
