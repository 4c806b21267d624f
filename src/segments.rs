//! A request path's segments, split and percent-decoded without a copy in
//! the common case: routing, fixture matching and path redaction all walk
//! them on every request.

use percent_encoding::percent_decode_str;

/// Path segments; the leading slash is dropped, so `/` is one empty segment
/// and `/a/` is `["a", ""]` (a trailing slash is part of the path). A byte
/// search: `/` is ASCII, and `str::split('/')`'s char searcher cost more than
/// the rest of routing on short segments.
pub(crate) fn split(path: &str) -> Segments<'_> {
    Segments {
        rest: Some(path.strip_prefix('/').unwrap_or(path)),
    }
}

/// The segments of a path, from either end (see [`split`]).
pub(crate) struct Segments<'a> {
    rest: Option<&'a str>,
}

impl<'a> Iterator for Segments<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        match rest.bytes().position(|b| b == b'/') {
            Some(i) => {
                self.rest = Some(&rest[i + 1..]);
                Some(&rest[..i])
            }
            None => self.rest.take(),
        }
    }
}

impl DoubleEndedIterator for Segments<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let rest = self.rest?;
        match rest.bytes().rposition(|b| b == b'/') {
            Some(i) => {
                self.rest = Some(&rest[..i]);
                Some(&rest[i + 1..])
            }
            None => self.rest.take(),
        }
    }
}

/// A segment percent-decoded; borrowed as it is when it holds no `%` (the
/// common case: no scan for escapes, no UTF-8 check beyond the one `&str`
/// already passed).
pub(crate) fn decode(seg: &str) -> std::borrow::Cow<'_, str> {
    if seg.as_bytes().contains(&b'%') {
        percent_decode_str(seg).decode_utf8_lossy()
    } else {
        std::borrow::Cow::Borrowed(seg)
    }
}
