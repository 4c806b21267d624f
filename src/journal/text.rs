//! An entry's text: its path, query, body, headers and path parameters, in
//! one piece of a chunk shared with the entries written before it on the
//! same thread. Journal entries live long and leave the ring in the order
//! they came: given an allocation each, they would sit scattered between
//! the requests' short-lived allocations and keep the heap from shrinking
//! (the journal's resident memory was 2-3 times its budget). In chunks, a
//! chunk is freed whole once its last entry has left the ring.

use std::cell::Cell;

use bytes::{BufMut, Bytes, BytesMut};

use super::pairs::{PairsRef, push_pair};

/// Bytes of one chunk: many entries a chunk, and small enough that the
/// chunks still being filled or not yet emptied (two or so a thread) stay a
/// small part of the journal's budget.
const CHUNK: usize = 32 * 1024;

thread_local! {
    /// What is left of this thread's chunk.
    static SPARE: Cell<BytesMut> = Cell::new(BytesMut::new());
}

/// A buffer with room for `capacity` bytes, from this thread's chunk (a
/// new chunk when it has not that room left).
fn spare(capacity: usize) -> BytesMut {
    let buf = SPARE.with(Cell::take);
    if buf.capacity() >= capacity {
        buf
    } else {
        BytesMut::with_capacity(capacity.max(CHUNK))
    }
}

/// Take the bytes written to `buf` and keep the rest of its room for the
/// next entry.
fn keep(mut buf: BytesMut) -> Bytes {
    let written = buf.split().freeze();
    SPARE.with(|s| s.set(buf));
    written
}

/// A copy of `bytes` in this thread's chunk (an answer's body made for one
/// request, which the journal would otherwise keep in an allocation of its
/// own).
pub(super) fn chunk_copy(bytes: &[u8]) -> Bytes {
    let mut buf = spare(bytes.len());
    buf.put_slice(bytes);
    keep(buf)
}

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
    bytes: Bytes,
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
            buf: spare(capacity),
            text: EntryText::default(),
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
        w.buf.put_slice(rest);
        let shift = |end: u32| end - self.ends[PATH] + length(path);
        let mut t = w.finish();
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

    /// Bytes held (its part of a chunk), for the journal's budget.
    pub(super) fn heap_bytes(&self) -> usize {
        self.bytes.len()
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
    buf: BytesMut,
    /// The sections' ends and counts; its bytes are set by `finish`.
    text: EntryText,
    section: usize,
}

impl TextWriter {
    /// Append to the path (it may be written in pieces).
    pub fn push_path(&mut self, piece: &str) {
        self.enter(PATH);
        self.buf.put_slice(piece.as_bytes());
    }

    pub fn query(&mut self, query: Option<&str>) {
        self.enter(QUERY);
        self.text.has_query = query.is_some();
        self.buf.put_slice(query.unwrap_or_default().as_bytes());
    }

    pub fn body(&mut self, body: Option<&str>) {
        self.enter(BODY);
        self.text.has_body = body.is_some();
        self.buf.put_slice(body.unwrap_or_default().as_bytes());
    }

    pub fn header(&mut self, name: &str, value: &str) {
        self.enter(HEADERS);
        push_pair(&mut self.buf, name, value);
        self.text.headers += 1;
    }

    pub fn path_param(&mut self, name: &str, value: &str) {
        self.enter(PARAMS);
        push_pair(&mut self.buf, name, value);
        self.text.params += 1;
    }

    pub fn finish(mut self) -> EntryText {
        self.enter(PARAMS);
        self.text.bytes = keep(self.buf);
        self.text
    }

    /// Close the sections before `section`: a section not written is empty.
    fn enter(&mut self, section: usize) {
        debug_assert!(section >= self.section, "entry text written out of order");
        let end = length_of(&self.buf);
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
    fn entries_past_a_chunk_read_back_whole() {
        // More than a chunk of entries, one with a body longer than a chunk
        // and one that outgrows the room it asked for.
        let body = "b".repeat(CHUNK + 10);
        let texts: Vec<EntryText> = (0..3 * CHUNK / 40)
            .map(|i| {
                let mut w = EntryText::writer(if i == 7 { 1 } else { 40 });
                w.push_path(&format!("/e/{i}"));
                w.body((i == 5).then_some(body.as_str()));
                w.header("n", &i.to_string());
                w.finish()
            })
            .collect();
        for (i, t) in texts.iter().enumerate() {
            assert_eq!(t.path(), format!("/e/{i}"));
            assert_eq!(t.body(), (i == 5).then_some(body.as_str()));
            assert_eq!(t.headers().get("n"), Some(i.to_string().as_str()));
        }
        let copy = chunk_copy(b"answer");
        assert_eq!(&copy[..], b"answer");
        assert_eq!(texts[9].path(), "/e/9", "a copy leaves earlier text alone");
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
