//! Which marks of a catalogue one exchange used: the parameters present,
//! the body properties sent and served, the enum values, the branches a
//! value fits.

use std::borrow::Cow;

use serde_json::Value;

use super::catalog::{Catalog, MarkId, Node, type_bit};
use crate::instance::Node as Json;
use crate::request::Request;
use crate::spec::ParamIn;

/// Marks hit by one exchange, each once.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Hits(pub Vec<MarkId>);

/// Collects hits, each once: a bit per mark of the catalogue, so a hit
/// costs the same however many came before it.
struct Marker {
    hits: Vec<MarkId>,
    /// The first 256 marks' bits in place (most catalogues), the rest on the heap.
    near: [u64; 4],
    far: Vec<u64>,
}

impl Marker {
    fn new(cat: &Catalog, hits: Vec<MarkId>) -> Marker {
        let mut m = Marker {
            near: [0; 4],
            far: vec![0; cat.marks.len().div_ceil(64).saturating_sub(4)],
            hits: Vec::new(),
        };
        for h in hits {
            m.hit(h);
        }
        m
    }

    fn hit(&mut self, m: MarkId) {
        let (word, bit) = (m as usize / 64, 1u64 << (m % 64));
        let w = match word {
            0..4 => self.near.get_mut(word),
            _ => self.far.get_mut(word - 4),
        };
        match w {
            Some(w) if *w & bit != 0 => {}
            Some(w) => {
                *w |= bit;
                self.hits.push(m);
            }
            // A mark of another catalogue: kept, as a list would.
            None if !self.hits.contains(&m) => self.hits.push(m),
            None => {}
        }
    }
}

/// Walks too deep or too wide stop here: a hostile body costs bounded work.
const MAX_VISITS: usize = 20_000;

impl Catalog {
    /// The parameters present in `req` (path parameters always are) and the
    /// properties of its body.
    pub fn observe_request(
        &self,
        req: &Request,
        media: Option<&str>,
        body: Option<Json<'_>>,
    ) -> Hits {
        // One allocation up front, not a regrowth per few marks.
        let mut hits = Marker::new(self, Vec::with_capacity(16));
        let query = req.query.as_deref().unwrap_or("");
        for p in &self.params {
            let mark = &p.mark;
            // Borrowed where it can be: most parameters are only looked for.
            let value: Option<Cow<str>> = match p.at {
                ParamIn::Path => Some(Cow::Borrowed("")),
                ParamIn::Query => query_param(query, &p.name),
                ParamIn::Header => req.header_str(&p.name).map(Cow::Borrowed),
                ParamIn::Cookie => req.header_str(hyper::header::COOKIE).and_then(|c| {
                    c.split(';').find_map(|kv| {
                        let (k, v) = kv.trim().split_once('=')?;
                        (k == p.name).then_some(Cow::Borrowed(v))
                    })
                }),
            };
            let Some(value) = value else { continue };
            hits.hit(*mark);
            let value = value.as_ref();
            for (e, m) in &p.enums {
                let matches = match e {
                    Value::String(s) => s == value,
                    // `?limit=10` against `enum: [10, 20]`.
                    other => serde_json::from_str::<Value>(value).ok().as_ref() == Some(other),
                };
                if matches {
                    hits.hit(*m);
                }
            }
        }
        if let Some(body) = body {
            let root = self
                .request
                .iter()
                .find(|(m, _)| Some(m.as_str()) == media)
                .or(self.request.first())
                .map(|(_, n)| *n);
            if let Some(root) = root {
                Walk::new(self, &mut hits).value(root, body);
            }
        }
        Hits(hits.hits)
    }

    /// The properties of a response body answered under the declared status
    /// key `status_key` (`200`, `4XX`, `default`) as `media`.
    pub fn observe_response(&self, status_key: &str, media: &str, body: Json<'_>, hits: &mut Hits) {
        let root = self
            .responses
            .iter()
            .filter(|(k, _, _)| k == status_key)
            .find(|(_, m, _)| {
                m == media || crate::media::essence(m) == crate::media::essence(media)
            })
            .or_else(|| self.responses.iter().find(|(k, _, _)| k == status_key))
            .map(|(_, _, n)| *n);
        if let Some(root) = root {
            let mut marker = Marker::new(self, std::mem::take(&mut hits.0));
            Walk::new(self, &mut marker).value(root, body);
            hits.0 = marker.hits;
        }
    }
}

/// The value of query parameter `name` (`name[]` too), decoded, if present.
fn query_param<'q>(query: &'q str, name: &str) -> Option<Cow<'q, str>> {
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        let k = k.strip_suffix("[]").unwrap_or(k);
        let same = if k.contains(['%', '+']) {
            percent_encoding::percent_decode_str(k).decode_utf8_lossy() == name
        } else {
            k == name
        };
        same.then(|| {
            if v.contains('%') {
                percent_encoding::percent_decode_str(v).decode_utf8_lossy()
            } else {
                Cow::Borrowed(v)
            }
        })
    })
}

struct Walk<'c, 'h> {
    cat: &'c Catalog,
    hits: &'h mut Marker,
    visits: usize,
}

impl<'c, 'h> Walk<'c, 'h> {
    fn new(cat: &'c Catalog, hits: &'h mut Marker) -> Self {
        Walk {
            cat,
            hits,
            visits: 0,
        }
    }

    fn node(&self, id: usize) -> &'c Node {
        &self.cat.nodes[id]
    }

    fn value(&mut self, id: usize, v: Json<'_>) {
        self.visits += 1;
        if self.visits > MAX_VISITS {
            return;
        }
        let node = self.node(id);
        if !node.enums.is_empty() {
            // Enums are mostly strings: the text is read once, not per value.
            let text = v.str();
            for (e, m) in &node.enums {
                let same = match (text, e) {
                    (Some(t), Value::String(e)) => t == e,
                    (Some(_), _) => false,
                    (None, e) => v.same_as(e),
                };
                if same {
                    self.hits.hit(*m);
                }
            }
        }
        if let Some(map) = v.object() {
            // Members mostly come in the schema's order (clients generate
            // both from it): the search starts after the last one found.
            let props = &node.props;
            let mut from = 0;
            for (k, child) in map.iter() {
                let found = (from..props.len())
                    .chain(0..from)
                    .find(|&i| self.cat.names_equal(props[i].0, k));
                if let Some(i) = found {
                    from = i + 1;
                    let (_, mark, below) = &props[i];
                    self.hits.hit(*mark);
                    if let Some(b) = below {
                        self.value(*b, child);
                    }
                } else if let Some((mark, below)) = node.additional {
                    self.hits.hit(mark);
                    if let Some(b) = below {
                        self.value(b, child);
                    }
                }
            }
        } else if let Some(items) = v.array()
            && let Some(item) = node.items
        {
            for x in items.iter() {
                self.value(item, x);
            }
        }
        self.branches(node, v);
    }

    /// The branches `v` fits: its type admitted, the members they require
    /// present, no single-valued enum below (a discriminator) contradicted.
    fn branches(&mut self, node: &'c Node, v: Json<'_>) {
        let mut exclusive_taken = false;
        for b in &node.branches {
            if b.exclusive && exclusive_taken {
                continue;
            }
            let fits = b.types & type_bit(v) != 0
                && match v.object() {
                    Some(map) => {
                        b.required.iter().all(|r| map.get(r).is_some())
                            && self.node(b.node).props.iter().all(|(name, _, below)| {
                                // The enum first: most members have none, and
                                // looking a member up is a walk of the object.
                                match below.map(|n| &self.node(n).enums[..]) {
                                    Some([(only, _)]) => map
                                        .get(self.cat.text(*name))
                                        .is_none_or(|got| got.same_as(only)),
                                    _ => true,
                                }
                            })
                    }
                    None => true,
                };
            if fits {
                self.hits.hit(b.mark);
                exclusive_taken |= b.exclusive;
                self.value(b.node, v);
            }
        }
    }
}
