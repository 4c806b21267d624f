//! Which marks of a catalogue one exchange used: the parameters present,
//! the body properties sent and served, the enum values, the branches a
//! value fits.

use std::borrow::Cow;

use serde_json::Value;

use super::catalog::{Catalog, MarkId, Node, type_bit};
use crate::request::Request;
use crate::spec::ParamIn;

/// Marks hit by one exchange, each once.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Hits(pub Vec<MarkId>);

impl Hits {
    fn hit(&mut self, m: MarkId) {
        if !self.0.contains(&m) {
            self.0.push(m);
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
        body: Option<&Value>,
    ) -> Hits {
        // One allocation up front, not a regrowth per few marks.
        let mut hits = Hits(Vec::with_capacity(16));
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
        hits
    }

    /// The properties of a response body answered under the declared status
    /// key `status_key` (`200`, `4XX`, `default`) as `media`.
    pub fn observe_response(&self, status_key: &str, media: &str, body: &Value, hits: &mut Hits) {
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
            Walk::new(self, hits).value(root, body);
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
    hits: &'h mut Hits,
    visits: usize,
}

impl<'c, 'h> Walk<'c, 'h> {
    fn new(cat: &'c Catalog, hits: &'h mut Hits) -> Self {
        Walk {
            cat,
            hits,
            visits: 0,
        }
    }

    fn node(&self, id: usize) -> &'c Node {
        &self.cat.nodes[id]
    }

    fn value(&mut self, id: usize, v: &Value) {
        self.visits += 1;
        if self.visits > MAX_VISITS {
            return;
        }
        let node = self.node(id);
        for (e, m) in &node.enums {
            if e == v {
                self.hits.hit(*m);
            }
        }
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    if let Some((_, mark, below)) = node.props.iter().find(|(n, _, _)| &**n == k) {
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
            }
            Value::Array(items) => {
                if let Some(item) = node.items {
                    for x in items {
                        self.value(item, x);
                    }
                }
            }
            _ => {}
        }
        self.branches(node, v);
    }

    /// The branches `v` fits: its type admitted, the members they require
    /// present, no single-valued enum below (a discriminator) contradicted.
    fn branches(&mut self, node: &'c Node, v: &Value) {
        let mut exclusive_taken = false;
        for b in &node.branches {
            if b.exclusive && exclusive_taken {
                continue;
            }
            let fits = b.types & type_bit(v) != 0
                && match v {
                    Value::Object(map) => {
                        b.required.iter().all(|r| map.contains_key(&**r))
                            && self.node(b.node).props.iter().all(|(name, _, below)| {
                                let Some(got) = map.get(&**name) else {
                                    return true;
                                };
                                match below.map(|n| &self.node(n).enums[..]) {
                                    Some([(only, _)]) => only == got,
                                    _ => true,
                                }
                            })
                    }
                    _ => true,
                };
            if fits {
                self.hits.hit(b.mark);
                exclusive_taken |= b.exclusive;
                self.value(b.node, v);
            }
        }
    }
}
