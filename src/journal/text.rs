//! An entry's text in one allocation: its path, query, body, headers and
//! path parameters. Journal entries live long and are freed in ring order,
//! so each of their allocations is served by the allocator's slow path and
//! pins a chunk of the heap for thousands of requests: one buffer an entry
//! costs a request fewer instructions and the ring fewer scattered chunks.

use super::pairs::{PairsRef, push_pair};

/// Sections in the order they are written.
const PATH: usize = 0;
const QUERY: usize = 1;
const BODY: usize = 2;
const HEADERS: usize = 3;
const PARAMS: usize = 4;

/// The path, query, body, headers and path parameters of an entry, one
/// after the other in one buffer (`ends` holds where each of the first four
/// sections ends; the parameters run to the end).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct EntryText {
    bytes: Vec<u8>,
    ends: [u32; 4],
    has_query: bool,
    has_body: bool,
    headers: u32,
    params: u32,
}

impl EntryText {
    /// A writer with room for `capacity` bytes: sections are written in
    /// order (path, query, body, headers, parameters), each at most once.
    pub fn writer(capacity: usize) -> TextWriter {
        TextWriter {
            text: EntryText {
                bytes: Vec::with_capacity(capacity),
                ..EntryText::default()
            },
            section: PATH,
        }
    }

    pub fn path(&self) -> &str {
        self.str(0, self.ends[PATH])
    }

    pub fn query(&self) -> Option<&str> {
        self.has_query
            .then(|| self.str(self.ends[PATH], self.ends[QUERY]))
    }

    pub fn body(&self) -> Option<&str> {
        self.has_body
            .then(|| self.str(self.ends[QUERY], self.ends[BODY]))
    }

    pub fn headers(&self) -> PairsRef<'_> {
        let (from, to) = (self.ends[BODY] as usize, self.ends[HEADERS] as usize);
        PairsRef::new(&self.bytes[from..to], self.headers as usize)
    }

    pub fn path_params(&self) -> PairsRef<'_> {
        let from = self.ends[HEADERS] as usize;
        PairsRef::new(&self.bytes[from..], self.params as usize)
    }

    /// The same text under another path.
    pub fn with_path(&self, path: &str) -> EntryText {
        let rest = &self.bytes[self.ends[PATH] as usize..];
        let mut w = EntryText::writer(path.len() + rest.len());
        w.push_path(path);
        let shift = |end: u32| end - self.ends[PATH] + length(path);
        let mut t = w.finish();
        t.bytes.extend_from_slice(rest);
        t.ends = [
            length(path),
            shift(self.ends[QUERY]),
            shift(self.ends[BODY]),
            shift(self.ends[HEADERS]),
        ];
        t.has_query = self.has_query;
        t.has_body = self.has_body;
        t.headers = self.headers;
        t.params = self.params;
        t
    }

    /// Heap bytes held (before allocator rounding), for the journal's budget.
    pub(super) fn heap_bytes(&self) -> usize {
        self.bytes.capacity()
    }

    /// Written from `&str`s only, and cut only at their ends.
    fn str(&self, from: u32, to: u32) -> &str {
        std::str::from_utf8(&self.bytes[from as usize..to as usize]).unwrap_or_default()
    }
}

impl std::fmt::Debug for EntryText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EntryText")
            .field("path", &self.path())
            .field("query", &self.query())
            .field("body", &self.body())
            .field("headers", &self.headers())
            .field("path_params", &self.path_params())
            .finish()
    }
}

/// Writes an [`EntryText`] section by section.
pub struct TextWriter {
    text: EntryText,
    section: usize,
}

impl TextWriter {
    /// Append to the path (it may be written in pieces).
    pub fn push_path(&mut self, piece: &str) {
        self.enter(PATH);
        self.text.bytes.extend_from_slice(piece.as_bytes());
    }

    pub fn query(&mut self, query: Option<&str>) {
        self.enter(QUERY);
        self.text.has_query = query.is_some();
        self.text
            .bytes
            .extend_from_slice(query.unwrap_or_default().as_bytes());
    }

    pub fn body(&mut self, body: Option<&str>) {
        self.enter(BODY);
        self.text.has_body = body.is_some();
        self.text
            .bytes
            .extend_from_slice(body.unwrap_or_default().as_bytes());
    }

    pub fn header(&mut self, name: &str, value: &str) {
        self.enter(HEADERS);
        push_pair(&mut self.text.bytes, name, value);
        self.text.headers += 1;
    }

    pub fn path_param(&mut self, name: &str, value: &str) {
        self.enter(PARAMS);
        push_pair(&mut self.text.bytes, name, value);
        self.text.params += 1;
    }

    pub fn finish(mut self) -> EntryText {
        self.enter(PARAMS);
        self.text
    }

    /// Close the sections before `section`: a section not written is empty.
    fn enter(&mut self, section: usize) {
        debug_assert!(section >= self.section, "entry text written out of order");
        let end = length_of(&self.text.bytes);
        for s in self.section..section.min(PARAMS) {
            self.text.ends[s] = end;
        }
        self.section = self.section.max(section);
    }
}

/// Entries are bounded by the server's head and body limits, far below
/// 4 GiB.
fn length(s: &str) -> u32 {
    u32::try_from(s.len()).unwrap_or(u32::MAX)
}

fn length_of(b: &[u8]) -> u32 {
    u32::try_from(b.len()).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> EntryText {
        let mut w = EntryText::writer(8);
        w.push_path("/api/");
        w.push_path("tokens/{token}");
        w.query(Some("a=1"));
        w.body(Some(r#"{"x":"é"}"#));
        w.header("host", "127.0.0.1");
        w.header("authorization", "<redacted>");
        w.path_param("token", "<redacted>");
        w.finish()
    }

    #[test]
    fn every_section_reads_back_as_written() {
        let t = sample();
        assert_eq!(t.path(), "/api/tokens/{token}");
        assert_eq!(t.query(), Some("a=1"));
        assert_eq!(t.body(), Some(r#"{"x":"é"}"#));
        let h: Vec<_> = t.headers().iter().collect();
        assert_eq!(h, [("host", "127.0.0.1"), ("authorization", "<redacted>")]);
        let p: Vec<_> = t.path_params().iter().collect();
        assert_eq!(p, [("token", "<redacted>")]);
    }

    #[test]
    fn sections_not_written_are_empty_and_absent() {
        let mut w = EntryText::writer(0);
        w.push_path("/x");
        w.header("h", "v");
        let t = w.finish();
        assert_eq!(t.path(), "/x");
        assert_eq!((t.query(), t.body()), (None, None));
        assert_eq!(t.headers().get("H"), Some("v"));
        assert!(t.path_params().is_empty());
        // An empty query is kept apart from none.
        let mut w = EntryText::writer(0);
        w.query(Some(""));
        let t = w.finish();
        assert_eq!((t.path(), t.query()), ("", Some("")));
    }

    #[test]
    fn a_new_path_keeps_the_rest() {
        let t = sample();
        let cut = t.with_path("/api/tok...(19 bytes)");
        assert_eq!(cut.path(), "/api/tok...(19 bytes)");
        assert_eq!(cut.query(), t.query());
        assert_eq!(cut.body(), t.body());
        assert_eq!(cut.headers(), t.headers());
        assert_eq!(cut.path_params(), t.path_params());
        assert_eq!(cut.with_path(t.path()), t);
    }
}
