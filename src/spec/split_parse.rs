//! Parsing a large YAML document on every core.
//!
//! YAML parsing is half of loading a large document, and one parser runs on
//! one core. A block-style document is a mapping whose entries start at
//! column 0 (and those of its largest entry, `paths:` in practice, at one
//! fixed indentation): cut at those lines, each piece is a YAML mapping of
//! its own, parsed in parallel and joined in order. Anything that makes the
//! cut unsafe (anchors or aliases, which may cross pieces; a top-level
//! sequence or flow mapping; document markers; a key twice) falls back to
//! parsing the whole text on one core, which also gives any error its true
//! line and column.

use serde_json::{Map, Value};

/// Below this, one core parses faster than threads start.
pub const MIN_BYTES: usize = 256 * 1024;

/// Parse `text` with `parse` in pieces on the available cores; `None` when
/// the text cannot be cut safely or a piece does not parse (the caller then
/// parses it whole).
pub fn parse_in_pieces(
    text: &str,
    parse: &(dyn Fn(&str) -> Option<Value> + Sync),
) -> Option<Value> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores < 2 || text.len() < MIN_BYTES || may_alias(text) {
        return None;
    }
    let pieces = cut(text, cores)?;
    if pieces.len() < 2 {
        return None;
    }
    let parsed: Vec<Option<Value>> = std::thread::scope(|s| {
        let handles: Vec<_> = pieces
            .iter()
            .map(|p| s.spawn(move || parse(&p.text())))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().ok().flatten())
            .collect()
    });
    join(&pieces, parsed)
}

/// One piece: whole top-level entries, or entries of one top-level key.
struct Piece<'t> {
    /// `Some(header)`: the entries are under this top-level key's line.
    under: Option<&'t str>,
    body: &'t str,
}

impl Piece<'_> {
    fn text(&self) -> String {
        match self.under {
            Some(header) => format!("{header}\n{}", self.body),
            None => self.body.to_string(),
        }
    }
}

/// Anchors (`&a`) and aliases (`*a`) may refer across pieces: any sign of
/// one (conservatively, `&` or `*` before a name character after a space,
/// `[`, `{` or `,`) and the text is parsed whole.
fn may_alias(text: &str) -> bool {
    let b = text.as_bytes();
    b.windows(3).any(|w| {
        matches!(w[0], b' ' | b'[' | b'{' | b',' | b'\t')
            && matches!(w[1], b'&' | b'*')
            && (w[2].is_ascii_alphanumeric() || w[2] == b'_')
    })
}

/// Lines with their byte offsets.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut at = 0;
    text.split_inclusive('\n').map(move |l| {
        let start = at;
        at += l.len();
        (start, l)
    })
}

/// A line that starts an entry at `indent` spaces: a key there (not a
/// comment, not a sequence item, not a document marker or directive).
fn starts_entry(line: &str, indent: usize) -> bool {
    let bytes = line.as_bytes();
    if bytes.len() <= indent || !bytes[..indent].iter().all(|&c| c == b' ') {
        return false;
    }
    // Not a comment or blank, and nothing that could be a sequence item,
    // a tag, an anchor, an alias or a complex key: only a plain or quoted key.
    !matches!(
        bytes[indent],
        b' ' | b'\t' | b'\n' | b'\r' | b'#' | b'-' | b'?' | b'!' | b'&' | b'*' | b'|' | b'>'
    )
}

/// Cut into about `n` pieces of similar size, at entry boundaries.
fn cut(text: &str, n: usize) -> Option<Vec<Piece<'_>>> {
    // Top-level entries: (start, end) byte ranges.
    let mut tops: Vec<(usize, usize)> = Vec::new();
    for (at, line) in lines(text) {
        let first = line.as_bytes().first().copied().unwrap_or(b'\n');
        if matches!(
            first,
            b'-' | b'%' | b'{' | b'[' | b'.' | b'!' | b'&' | b'*' | b'?' | b'|' | b'>'
        ) {
            return None;
        }
        if starts_entry(line, 0) {
            if let Some(last) = tops.last_mut() {
                last.1 = at;
            }
            tops.push((at, text.len()));
        } else if tops.is_empty() && !line.trim().is_empty() && !line.trim_start().starts_with('#')
        {
            return None;
        }
    }
    let (big_at, &(big_start, big_end)) =
        tops.iter().enumerate().max_by_key(|(_, (s, e))| e - s)?;
    let share = text.len() / n;
    let mut pieces = Vec::new();
    // Everything before the largest entry, as whole entries.
    if big_at > 0 {
        pieces.push(Piece {
            under: None,
            body: &text[..big_start],
        });
    }
    // The largest entry: its own entries, cut into pieces of about `share`.
    let block = &text[big_start..big_end];
    let header_len = block.find('\n')? + 1;
    let header = block[..header_len].trim_end();
    if !header.ends_with(':') {
        return None; // a value on the header line: not a block mapping
    }
    let inner = &block[header_len..];
    let indent = lines(inner).find_map(|(_, l)| {
        let t = l.trim_start_matches(' ');
        (!t.trim().is_empty() && !t.starts_with('#')).then(|| l.len() - t.len())
    })?;
    if indent == 0 {
        return None;
    }
    let mut from = 0;
    for (at, line) in lines(inner) {
        if at > from && at - from >= share && starts_entry(line, indent) {
            pieces.push(Piece {
                under: Some(header),
                body: &inner[from..at],
            });
            from = at;
        }
    }
    pieces.push(Piece {
        under: Some(header),
        body: &inner[from..],
    });
    if big_end < text.len() {
        pieces.push(Piece {
            under: None,
            body: &text[big_end..],
        });
    }
    Some(pieces)
}

/// Join the parsed pieces in order; `None` if one failed or a key repeats.
fn join(pieces: &[Piece<'_>], parsed: Vec<Option<Value>>) -> Option<Value> {
    let mut out = Map::new();
    for (piece, v) in pieces.iter().zip(parsed) {
        let Value::Object(map) = v? else { return None };
        for (k, v) in map {
            match (piece.under.is_some(), out.get_mut(&k), v) {
                (true, Some(Value::Object(existing)), Value::Object(more)) => {
                    for (k2, v2) in more {
                        if existing.insert(k2, v2).is_some() {
                            return None;
                        }
                    }
                }
                (_, Some(_), _) => return None,
                (_, None, v) => {
                    out.insert(k, v);
                }
            }
        }
    }
    Some(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Option<Value> {
        super::super::source::parse_yaml_text(text).ok()
    }

    fn big_document() -> String {
        let mut s =
            String::from("openapi: 3.1.0\ninfo: {title: t, version: '1'}\n# a comment\npaths:\n");
        for i in 0..4000 {
            s.push_str(&format!(
                "  /r{i}/items:\n    get:\n      description: |\n        Lists r{i}.\n        # not a comment\n      responses: {{'200': {{description: ok}}}}\n"
            ));
        }
        s.push_str("components:\n  schemas:\n    A: {type: object}\n");
        s
    }

    #[test]
    fn pieces_join_into_what_one_parse_gives() {
        let text = big_document();
        assert!(text.len() > MIN_BYTES);
        let whole = yaml(&text).unwrap();
        let pieces = cut(&text, 2).unwrap();
        assert!(pieces.len() >= 3, "{}", pieces.len());
        let joined = parse_in_pieces(&text, &|t| yaml(t)).unwrap();
        assert_eq!(joined, whole);
        // The order of keys is kept.
        let keys: Vec<&String> = joined["paths"]
            .as_object()
            .unwrap()
            .keys()
            .take(3)
            .collect();
        assert_eq!(keys, ["/r0/items", "/r1/items", "/r2/items"]);
    }

    #[test]
    fn what_may_cross_pieces_is_parsed_whole() {
        let mut text = big_document();
        text.push_str("x-anchor: &shared {a: 1}\n");
        assert!(parse_in_pieces(&text, &|t| yaml(t)).is_none());
        // A key twice across pieces: the whole parse reports it.
        let mut text = big_document();
        text.push_str("paths:\n  /r0/items: {}\n");
        assert!(parse_in_pieces(&text, &|t| yaml(t)).is_none());
        let text = format!("---\n{}", big_document());
        assert!(parse_in_pieces(&text, &|t| yaml(t)).is_none());
    }
}
