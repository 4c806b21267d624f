//! Strings: lengths, formats, patterns, and names that say what they hold.

use rand::distr::Distribution;
use serde_json::{Map, Value};

use super::facts::Facts;
use super::rng::Rng;
use super::{Gen, MAX_STRING_CHARS};

pub(super) const WORDS: &[&str] = &[
    "amber", "atlas", "birch", "cobalt", "delta", "ember", "fable", "garnet", "harbor", "indigo",
    "juniper", "kestrel", "lumen", "maple", "nectar", "onyx", "pebble", "quartz", "raven",
    "sierra", "timber", "umber", "velvet", "willow", "xenon", "yarrow", "zephyr", "orbit", "cedar",
    "meadow", "summit", "beacon",
];

impl<'a> Gen<'a> {
    pub(super) fn string(&mut self, f: &Facts<'a>, name: Option<&str>) -> String {
        let lo = usize::try_from(f.min_len)
            .unwrap_or(usize::MAX)
            .min(MAX_STRING_CHARS);
        let hi = f
            .max_len
            .map_or(MAX_STRING_CHARS, |m| {
                usize::try_from(m).unwrap_or(usize::MAX)
            })
            .min(MAX_STRING_CHARS)
            .max(lo);
        let fits = |s: &str| {
            let n = s.chars().count();
            n >= lo && n <= hi
        };
        if !f.patterns.is_empty() {
            return self.patterned(f, lo, hi);
        }
        // A format value that misses the lengths is kept when jsonschema
        // asserts the format (plain text would fail it too).
        if let Some(fmt) = f.formats.first()
            && let Some(s) = self.formatted(&fmt.name, lo, hi)
            && (fits(&s) || is_checked_format(&fmt.name))
        {
            return s;
        }
        if f.formats.is_empty()
            && let Some(s) = name.and_then(|n| self.named(n))
            && fits(&s)
        {
            return s;
        }
        self.plain(lo, hi)
    }

    /// A string shaped by the property's name, for the common names that
    /// say what they hold: identifiers, secrets, links, emails.
    pub(super) fn named(&mut self, name: &str) -> Option<String> {
        let lower = name.to_ascii_lowercase();
        let r = &mut self.rng;
        let mut chars = |alphabet: &[u8], n: usize| -> String {
            (0..n)
                .map(|_| alphabet[r.index(alphabet.len())] as char)
                .collect()
        };
        const HEX: &[u8] = b"0123456789abcdef";
        const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        if lower == "id" || name.ends_with("Id") || name.ends_with("ID") || lower.ends_with("_id") {
            return Some(chars(HEX, 12));
        }
        let secret = [
            "token",
            "secret",
            "apikey",
            "api_key",
            "key",
            "password",
            "accesstoken",
            "access_token",
            "refreshtoken",
            "refresh_token",
        ];
        if secret.contains(&lower.as_str()) {
            return Some(chars(ALNUM, 32));
        }
        let link = [
            "url", "uri", "href", "link", "icon", "avatar", "image", "website", "homepage",
        ];
        if link.contains(&lower.as_str()) || lower.ends_with("url") {
            let (w, n) = (WORDS[self.rng.index(WORDS.len())], self.rng.below(10_000));
            return Some(format!("https://example.com/{w}/{n}"));
        }
        if lower == "email" || lower.ends_with("_email") || name.ends_with("Email") {
            return self.formatted("email", 0, usize::MAX);
        }
        None
    }

    /// A string matching every pattern (and format and length), from the
    /// first pattern's generator, else from examples, a witness or plain text.
    pub(super) fn patterned(&mut self, f: &Facts<'a>, lo: usize, hi: usize) -> String {
        let ok = |s: &str| {
            let n = s.chars().count();
            n >= lo
                && n <= hi
                && f.patterns.iter().all(|p| p.matches(s))
                && f.formats.iter().all(|x| x.matches(s))
        };
        let p = f.patterns[0];
        let mut last = String::new();
        for (i, rep) in [8, 8, 8, 4, 4, 4, 2, 2, 2, 1, 1, 1, 0, 0, 0, 0]
            .into_iter()
            .enumerate()
        {
            // Several patterns (allOf): each takes a turn at generating.
            let p = f.patterns[i % f.patterns.len()];
            let Some(re) = p.generator(rep) else {
                continue;
            };
            let s: Result<String, _> = re.sample(&mut self.rng.0);
            let Ok(s) = s else { continue };
            if ok(&s) {
                return s;
            }
            // Too short for minLength: an unanchored pattern allows more text around a match.
            let n = s.chars().count();
            if n < lo {
                let padded = format!("{s}{}", self.plain(lo - n, lo - n));
                if ok(&padded) {
                    return padded;
                }
            }
            last = s;
        }
        let mut candidates: Vec<String> = f
            .examples
            .iter()
            .filter_map(|e| e.as_str().map(str::to_string))
            .collect();
        candidates.extend(jsonschema_regex::pattern_witness(&p.source));
        for c in candidates {
            if ok(&c) {
                return c;
            }
        }
        for _ in 0..16 {
            let s = self.plain(lo, hi);
            if ok(&s) {
                return s;
            }
        }
        if last.is_empty() {
            self.plain(lo, hi)
        } else {
            last
        }
    }

    /// Readable text of a length within `lo..=hi`: one to three words, more
    /// for `minLength`, cut at `maxLength`.
    pub(super) fn plain(&mut self, lo: usize, hi: usize) -> String {
        let words = 1 + self.rng.index(3);
        let mut s = String::new();
        let mut n = 0;
        while n < words || s.len() < lo {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(WORDS[self.rng.index(WORDS.len())]);
            n += 1;
        }
        if s.len() > hi {
            s.truncate(hi); // ASCII: bytes are characters
            while s.ends_with(' ') {
                s.pop();
            }
            while s.len() < lo {
                s.push('s');
            }
        }
        s
    }

    /// A string of a format, or `None` for formats with no shape of their own.
    pub(super) fn formatted(&mut self, format: &str, lo: usize, hi: usize) -> Option<String> {
        let r = &mut self.rng;
        let word = |r: &mut Rng| WORDS[r.index(WORDS.len())];
        Some(match format {
            "date-time" => {
                let (date, secs) = (random_date(r), r.below(86_400));
                let time = hms(secs);
                match r.below(3) {
                    0 => format!("{date}T{time}Z"),
                    1 => format!("{date}T{time}.{:03}Z", r.below(1000)),
                    _ => format!("{date}T{time}+{:02}:00", r.below(13)),
                }
            }
            "date" => random_date(r),
            "time" => {
                let time = hms(r.below(86_400));
                if r.chance(1, 2) {
                    format!("{time}Z")
                } else {
                    format!("{time}.{:03}Z", r.below(1000))
                }
            }
            "duration" => match r.below(3) {
                0 => format!("P{}D", 1 + r.below(30)),
                1 => format!("PT{}H{}M", 1 + r.below(23), 1 + r.below(59)),
                _ => format!("P{}DT{}H", 1 + r.below(30), 1 + r.below(23)),
            },
            "uuid" => {
                let (a, b) = (r.next(), r.next());
                let mut bytes = [0u8; 16];
                bytes[..8].copy_from_slice(&a.to_be_bytes());
                bytes[8..].copy_from_slice(&b.to_be_bytes());
                bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
                bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
                // 8-4-4-4-12 hex digits, written straight into one string.
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let mut id = String::with_capacity(36);
                for (i, b) in bytes.iter().enumerate() {
                    if matches!(i, 4 | 6 | 8 | 10) {
                        id.push('-');
                    }
                    id.push(char::from(HEX[usize::from(b >> 4)]));
                    id.push(char::from(HEX[usize::from(b & 0x0f)]));
                }
                id
            }
            "email" | "idn-email" => {
                let (a, b) = (word(r), word(r));
                format!("{a}.{b}{}@example.com", r.below(100))
            }
            "hostname" | "idn-hostname" => format!("{}-{}.example.com", word(r), r.below(100)),
            "uri" | "iri" => format!(
                "https://{}.example.com/{}/{}",
                word(r),
                word(r),
                r.below(10_000)
            ),
            "uri-reference" | "iri-reference" => format!("/{}/{}", word(r), r.below(10_000)),
            "uri-template" => format!("https://example.com/{}/{{id}}", word(r)),
            "ipv4" => format!("192.0.2.{}", 1 + r.below(254)),
            "ipv6" => {
                let groups: Vec<String> =
                    (0..6).map(|_| format!("{:x}", r.below(0x1_0000))).collect();
                format!("2001:db8:{}", groups.join(":"))
            }
            "json-pointer" => format!("/{}/{}", word(r), r.below(10)),
            "relative-json-pointer" => format!("{}/{}", r.below(3), word(r)),
            "regex" => format!("^{}[0-9]*$", word(r)),
            "byte" => {
                // n bytes encode to 4*ceil(n/3) characters; pick n to fit the lengths.
                let max_n = (hi / 4) * 3;
                let min_n = lo.div_ceil(4) * 3;
                let n = if min_n <= max_n {
                    min_n + r.index((max_n - min_n).min(24) + 1)
                } else {
                    min_n
                };
                let bytes: Vec<u8> = (0..n).map(|_| r.below(256) as u8).collect();
                base64(&bytes)
            }
            _ => return None,
        })
    }
}

/// Formats jsonschema asserts (their values cannot be stretched to a length).
fn is_checked_format(f: &str) -> bool {
    matches!(
        f,
        "date"
            | "date-time"
            | "duration"
            | "email"
            | "hostname"
            | "ipv4"
            | "ipv6"
            | "iri"
            | "iri-reference"
            | "json-pointer"
            | "regex"
            | "relative-json-pointer"
            | "time"
            | "uri"
            | "uri-reference"
            | "uri-template"
            | "uuid"
    )
}

/// A `pattern` (or `patternProperties` key) compiled once per document: its
/// check, from jsonschema itself so it agrees with the validators, and its
/// generators for each repetition bound generation tries.
pub(super) struct Pattern {
    pub source: Box<str>,
    check: Option<jsonschema::Validator>,
    generators: [Option<rand_regex::Regex>; REPEATS.len()],
}

/// The repetition bounds patterned strings are drawn with, widest first.
pub(super) const REPEATS: [u32; 5] = [8, 4, 2, 1, 0];

impl Pattern {
    pub(super) fn new(source: &str) -> Pattern {
        Pattern {
            source: source.into(),
            check: leaf_validator("pattern", source),
            generators: REPEATS.map(|r| pattern_generator(source, r)),
        }
    }

    /// `pattern` semantics (ECMA-262, unanchored). A pattern that does not
    /// compile did not load either; it matches everything here.
    pub fn matches(&self, s: &str) -> bool {
        self.check
            .as_ref()
            .is_none_or(|v| v.is_valid(&Value::String(s.to_string())))
    }

    /// The generator for repetition bound `max_repeat` (one of [`REPEATS`]),
    /// or `None` when the pattern cannot be generated from.
    pub fn generator(&self, max_repeat: u32) -> Option<&rand_regex::Regex> {
        let i = REPEATS.iter().position(|r| *r == max_repeat)?;
        self.generators[i].as_ref()
    }
}

/// A `format` and its check, from jsonschema itself (unknown formats accept anything).
pub(super) struct Format {
    pub name: Box<str>,
    check: Option<jsonschema::Validator>,
}

impl Format {
    pub(super) fn new(name: &str) -> Format {
        Format {
            name: name.into(),
            check: leaf_validator("format", name),
        }
    }

    pub fn matches(&self, s: &str) -> bool {
        self.check
            .as_ref()
            .is_none_or(|v| v.is_valid(&Value::String(s.to_string())))
    }
}

/// A validator for one keyword on its own, compiled as the loader compiles
/// schemas (2020-12, formats asserted).
fn leaf_validator(keyword: &str, arg: &str) -> Option<jsonschema::Validator> {
    let mut schema = Map::new();
    schema.insert(keyword.to_string(), Value::String(arg.to_string()));
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&Value::Object(schema))
        .ok()
}

/// A random-string generator for a pattern, or `None` when it cannot be made
/// (lookarounds, backreferences).
pub(super) fn pattern_generator(pattern: &str, max_repeat: u32) -> Option<rand_regex::Regex> {
    let parse = |p: &str| {
        let rust = jsonschema_regex::to_rust_regex(p).ok()?;
        regex_syntax::ParserBuilder::new().build().parse(&rust).ok()
    };
    // Lookarounds cannot be generated: generate from the rest of the
    // pattern and let the check (and retries) sort the candidates.
    let hir = parse(pattern).or_else(|| parse(&strip_lookarounds(pattern)))?;
    rand_regex::Regex::with_hir(printable(hir), max_repeat).ok()
}

/// A pattern with its lookaround groups (`(?=..)`, `(?!..)`, `(?<=..)`,
/// `(?<!..)`) removed.
pub(super) fn strip_lookarounds(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len());
    let (mut i, mut class) = (0, false);
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            out.extend(&chars[i..(i + 2).min(chars.len())]);
            i += 2;
            continue;
        }
        if class {
            class = c != ']';
        } else if c == '[' {
            class = true;
        } else if c == '(' {
            let rest: String = chars[i..chars.len().min(i + 4)].iter().collect();
            if ["(?=", "(?!", "(?<=", "(?<!"]
                .iter()
                .any(|p| rest.starts_with(p))
            {
                // Skip to the matching parenthesis.
                let (mut depth, mut j, mut in_class) = (0usize, i, false);
                while j < chars.len() {
                    match chars[j] {
                        '\\' => j += 1,
                        '[' if !in_class => in_class = true,
                        ']' if in_class => in_class = false,
                        '(' if !in_class => depth += 1,
                        ')' if !in_class => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                i = j + 1;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Rewrite a pattern's HIR for generation: character classes keep only their
/// printable ASCII part when they have one (readable output, and `\d`/`\w`
/// mean ASCII in ECMA-262 anyway), and assertions (`^`, `$`, `\b`) become
/// empty (rand_regex refuses them; a generated string is checked afterwards).
fn printable(h: regex_syntax::hir::Hir) -> regex_syntax::hir::Hir {
    use regex_syntax::hir::{
        Capture, Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange, Hir, HirKind,
        Repetition,
    };
    match h.into_kind() {
        HirKind::Class(Class::Unicode(c)) => {
            let mut ascii = c.clone();
            ascii.intersect(&ClassUnicode::new([ClassUnicodeRange::new(' ', '~')]));
            Hir::class(Class::Unicode(if ascii.ranges().is_empty() {
                c
            } else {
                ascii
            }))
        }
        HirKind::Class(Class::Bytes(c)) => {
            let mut ascii = c.clone();
            ascii.intersect(&ClassBytes::new([ClassBytesRange::new(b' ', b'~')]));
            Hir::class(Class::Bytes(if ascii.ranges().is_empty() {
                c
            } else {
                ascii
            }))
        }
        HirKind::Look(_) | HirKind::Empty => Hir::empty(),
        HirKind::Literal(l) => Hir::literal(l.0),
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            sub: Box::new(printable(*r.sub)),
            ..r
        }),
        HirKind::Capture(c) => Hir::capture(Capture {
            sub: Box::new(printable(*c.sub)),
            ..c
        }),
        HirKind::Concat(v) => Hir::concat(v.into_iter().map(printable).collect()),
        HirKind::Alternation(v) => Hir::alternation(v.into_iter().map(printable).collect()),
    }
}

/// A day between 2000-01-01 and 2034-12-31 as `YYYY-MM-DD`.
fn random_date(r: &mut Rng) -> String {
    let days = 10_957 + r.below(12_784) as i64;
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Seconds of the day as `HH:MM:SS`.
fn hms(secs: u64) -> String {
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
pub(super) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Standard base64 with padding (the OpenAPI `byte` format).
pub(super) fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
