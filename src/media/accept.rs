//! Content negotiation: the `Accept` header picks among a response's declared
//! media types (q-values and wildcards honoured); `None` means nothing fits
//! (406).

/// One media range of an `Accept` header.
#[derive(Debug, Clone, PartialEq)]
struct Range {
    kind: String,
    sub: String,
    q: f32,
}

fn parse_accept(accept: &str) -> Vec<Range> {
    let mut out = Vec::new();
    for part in accept.split(',') {
        let mut pieces = part.split(';');
        let mt = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        if mt.is_empty() {
            continue;
        }
        let (kind, sub) = mt.split_once('/').unwrap_or((mt.as_str(), "*"));
        let mut q = 1.0;
        for p in pieces {
            if let Some((k, v)) = p.trim().split_once('=')
                && k.trim().eq_ignore_ascii_case("q")
            {
                q = v.trim().parse().unwrap_or(0.0);
            }
        }
        out.push(Range {
            kind: kind.to_string(),
            sub: sub.to_string(),
            q,
        });
    }
    out
}

/// How specifically a range matches a media type (higher wins), if at all.
fn specificity(r: &Range, media: &str) -> Option<u8> {
    let essence = media.split(';').next().unwrap_or("").trim();
    let (kind, sub) = essence.split_once('/')?;
    if r.kind == "*" && r.sub == "*" {
        return Some(0);
    }
    if r.kind != kind {
        return None;
    }
    if r.sub == "*" {
        return Some(1);
    }
    (r.sub == sub).then_some(2)
}

/// Something declared with a media type (a response's media type object).
pub trait Declared {
    /// As declared: `application/json`, `text/*`.
    fn media_type(&self) -> &str;
}

impl Declared for &str {
    fn media_type(&self) -> &str {
        self
    }
}

/// Pick the declared media type the client accepts best; declared order
/// breaks ties. No `Accept` header: the first declared.
pub fn choose<'m, M: Declared>(content: &'m [M], accept: Option<&str>) -> Option<&'m M> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return content.first();
    };
    let ranges = parse_accept(accept);
    let mut best: Option<(f32, &M)> = None;
    for m in content {
        // The most specific matching range decides this type's q.
        let q = ranges
            .iter()
            .filter_map(|r| specificity(r, m.media_type()).map(|s| (s, r.q)))
            .max_by_key(|(s, _)| *s)
            .map(|(_, q)| q);
        if let Some(q) = q
            && q > 0.0
            && best.is_none_or(|(b, _)| q > b)
        {
            best = Some((q, m));
        }
    }
    best.map(|(_, m)| m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(types: &[&'static str], accept: Option<&str>) -> Option<String> {
        choose(types, accept).map(|m| m.to_string())
    }
    #[test]
    fn negotiation() {
        let j = &["application/json", "text/plain"];
        assert_eq!(pick(j, None).as_deref(), Some("application/json"));
        assert_eq!(pick(j, Some("text/plain")).as_deref(), Some("text/plain"));
        assert_eq!(pick(j, Some("*/*")).as_deref(), Some("application/json"));
        assert_eq!(pick(j, Some("text/*")).as_deref(), Some("text/plain"));
        assert_eq!(
            pick(j, Some("application/json;q=0.5, text/plain;q=0.9")).as_deref(),
            Some("text/plain")
        );
        assert_eq!(pick(j, Some("application/xml")), None);
        assert_eq!(
            pick(j, Some("*/*;q=0.1, application/json;q=0")).as_deref(),
            Some("text/plain")
        );
        assert_eq!(
            pick(j, Some("application/json; charset=utf-8")).as_deref(),
            Some("application/json")
        );
    }
}
