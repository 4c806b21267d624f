//! The route table: `(method, path)` → operation.
//!
//! Built once at load. Literal segments win over templates
//! (`/data/first` before `/data/{id}`); a method the literal route lacks falls
//! through to a template route that has it; no path at all is a 404; a path
//! whose every candidate lacks the method is a 405 with `Allow`. A `HEAD`
//! request with no `HEAD` operation is routed to the `GET` one. Two documents
//! mounting the same route are a load error.

use std::collections::HashMap;
use std::sync::Arc;

use crate::segments::{decode, split};

use crate::spec::{LoadError, Method, Operation};

/// A request matched to an operation.
#[derive(Debug, Clone)]
pub struct Routed {
    /// The operation.
    pub operation: Arc<Operation>,
    /// Path parameter values, percent-decoded, in template order. The names
    /// are shared with the route table: only the values are made per request.
    pub path_params: Vec<(Arc<str>, String)>,
}

/// Why a request matched no operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotRouted {
    /// No route has this path.
    NotFound,
    /// Routes have this path, none with this method.
    MethodNotAllowed {
        /// The methods the path does have, for the `Allow` header.
        allow: Vec<Method>,
    },
}

/// One segment of a route template.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Part {
    Lit(String),
    Var(Arc<str>),
}

#[derive(Debug, Default)]
struct Node {
    /// foldhash: looked up per request and per segment.
    literal: foldhash::HashMap<String, Node>,
    /// Template segments, most specific first (more literal text first; a
    /// whole-segment variable last).
    templates: Vec<(Vec<Part>, Node)>,
    /// Operations ending here: (method, index into `operations`).
    ops: Vec<(Method, usize)>,
}

/// Every route of the loaded documents.
#[derive(Debug, Default)]
pub struct RouteTable {
    root: Node,
    operations: Vec<Arc<Operation>>,
    /// Each operation's template variable names, in path order: sibling
    /// templates (`/tokens/{name}` GET, `/tokens/{token}` PUT) share trie
    /// nodes, so values are captured by position and named by the template
    /// that matched.
    names: Vec<Vec<Arc<str>>>,
}

impl RouteTable {
    /// Build the table; two operations claiming the same method and route
    /// (from any documents) are an error naming both.
    pub fn build(
        operations: Vec<Arc<Operation>>,
        displays: &HashMap<String, String>,
    ) -> Result<RouteTable, Vec<LoadError>> {
        let mut table = RouteTable {
            root: Node::default(),
            operations: Vec::new(),
            names: Vec::new(),
        };
        let mut seen: HashMap<(Method, String), usize> = HashMap::new();
        let mut errors = Vec::new();
        for op in operations {
            let shape = shape_of(&op.route);
            if let Some(&i) = seen.get(&(op.method.clone(), shape.clone())) {
                let other = &table.operations[i];
                let file = displays
                    .get(&op.document)
                    .cloned()
                    .unwrap_or_else(|| op.document.clone());
                let other_file = displays
                    .get(&other.document)
                    .cloned()
                    .unwrap_or_else(|| other.document.clone());
                let mut e = LoadError::new(
                    file.clone(),
                    format!(
                        "{} {} ({}) is also mounted by {} ({} in {})",
                        op.method,
                        op.route,
                        op.qualified_id(),
                        other.route,
                        other.qualified_id(),
                        other_file
                    ),
                )
                .at(op.loc.fragment());
                e = if other.document == op.document {
                    e.hint("the two paths differ only in parameter names; OpenAPI treats them as the same path")
                } else {
                    e.hint(format!(
                        "give one document its own prefix, e.g. --mount {file}=/{}",
                        op.document
                    ))
                };
                errors.push(e);
                continue;
            }
            let idx = table.operations.len();
            seen.insert((op.method.clone(), shape), idx);
            table.names.push(
                split(&op.route)
                    .flat_map(parse_segment)
                    .filter_map(|p| match p {
                        Part::Var(v) => Some(v),
                        Part::Lit(_) => None,
                    })
                    .collect(),
            );
            table.insert(&op.route, &op.method, idx);
            // A document's root path under a base path (`/ds-api` + `/` is
            // served at `/ds-api`) answers with the trailing slash too.
            if op.path == "/" && op.route != "/" {
                table.insert(&format!("{}/", op.route), &op.method, idx);
            }
            table.operations.push(op);
        }
        if errors.is_empty() {
            Ok(table)
        } else {
            Err(errors)
        }
    }

    /// Put one route into the trie.
    fn insert(&mut self, route: &str, method: &Method, idx: usize) {
        {
            let mut node = &mut self.root;
            for seg in split(route) {
                let parts = parse_segment(seg);
                node = match parts.as_slice() {
                    [Part::Lit(l)] => node.literal.entry(l.clone()).or_default(),
                    _ => {
                        let pos = node
                            .templates
                            .iter()
                            .position(|(p, _)| same_shape(p, &parts));
                        let pos = match pos {
                            Some(p) => p,
                            None => {
                                node.templates.push((parts, Node::default()));
                                node.templates
                                    .sort_by_key(|(p, _)| std::cmp::Reverse(literal_len(p)));
                                node.templates
                                    .iter()
                                    .position(|(p, _)| same_shape(p, &parse_segment(seg)))
                                    .unwrap_or(0)
                            }
                        };
                        &mut node.templates[pos].1
                    }
                };
            }
            node.ops.push((method.clone(), idx));
        }
    }

    /// Every operation, in load order.
    pub fn operations(&self) -> &[Arc<Operation>] {
        &self.operations
    }

    /// Match a request. `path` is the raw request path (no query string).
    pub fn route(&self, method: &Method, path: &str) -> Result<Routed, NotRouted> {
        // Each segment is decoded once, and the search stops at the first
        // route (in precedence order) that has the method: the common case
        // touches one branch of the trie and allocates only the parameters.
        // One allocation: paths are short, and a growing Vec reallocates twice.
        let mut segs: Vec<std::borrow::Cow<'_, str>> = Vec::with_capacity(16);
        segs.extend(split(path).map(decode));
        let head_as_get = (method == Method::HEAD).then_some(&Method::GET);
        for want in std::iter::once(method).chain(head_as_get) {
            let mut params = Vec::new();
            if let Some(idx) = find(&self.root, &segs, want, &mut params) {
                for ((name, _), own) in params.iter_mut().zip(&self.names[idx]) {
                    if !Arc::ptr_eq(name, own) {
                        *name = own.clone();
                    }
                }
                return Ok(Routed {
                    operation: self.operations[idx].clone(),
                    path_params: params,
                });
            }
        }
        // No route has the method: the full search tells 404 from 405.
        let mut matches: Vec<&Node> = Vec::new();
        collect(&self.root, &segs, &mut matches);
        if matches.is_empty() {
            return Err(NotRouted::NotFound);
        }
        let mut allow: Vec<Method> = Vec::new();
        for node in &matches {
            for (m, _) in &node.ops {
                if !allow.contains(m) {
                    allow.push(m.clone());
                }
            }
        }
        if allow.contains(&Method::GET) && !allow.contains(&Method::HEAD) {
            allow.push(Method::HEAD);
        }
        allow.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        Err(NotRouted::MethodNotAllowed { allow })
    }
}

impl RouteTable {
    /// For a path no route has: the operation it reaches when its empty
    /// segments are taken as values (`/pets/` against `/pets/{id}`), and the
    /// names of the path parameters left empty, so the client hears which
    /// parameter is missing (a 422, as Prism answers) instead of a 404.
    /// Computed only for a 404, never on the routed path.
    pub fn empty_parameters(
        &self,
        method: &Method,
        path: &str,
    ) -> Option<(Arc<Operation>, Vec<String>)> {
        // A value no decoded segment can hold stands in for each blank one.
        const BLANK: &str = "\u{0}";
        let segs: Vec<std::borrow::Cow<'_, str>> = split(path)
            .map(|s| {
                if s.is_empty() {
                    std::borrow::Cow::Borrowed(BLANK)
                } else {
                    decode(s)
                }
            })
            .collect();
        if !segs.iter().any(|s| s == BLANK) {
            return None;
        }
        let head_as_get = (method == Method::HEAD).then_some(&Method::GET);
        for want in std::iter::once(method).chain(head_as_get) {
            let mut params = Vec::new();
            if let Some(idx) = find(&self.root, &segs, want, &mut params) {
                let empty: Vec<String> = params
                    .iter()
                    .zip(&self.names[idx])
                    .filter(|((_, v), _)| v == BLANK)
                    .map(|(_, own)| own.to_string())
                    .collect();
                return (!empty.is_empty()).then(|| (self.operations[idx].clone(), empty));
            }
        }
        None
    }

    /// The declared route nearest to a path no route has, for the 404's
    /// hint: segment edit distance (a template segment that matches costs
    /// nothing, a mistyped literal costs its normalized character distance,
    /// a missing or extra segment 1), a route with another method costing a
    /// little more. Computed only for a 404, never on the routed path.
    pub fn closest(&self, method: &Method, path: &str) -> Option<(Method, String)> {
        let segs: Vec<String> = split(path).map(|s| decode(s).into_owned()).collect();
        let mut best: Option<(f64, &Operation)> = None;
        for op in &self.operations {
            let template: Vec<Vec<Part>> = split(&op.route).map(parse_segment).collect();
            let mut cost = segment_distance(&segs, &template);
            if op.method != *method {
                cost += 0.25;
            }
            if best.as_ref().is_none_or(|(c, _)| cost < *c) {
                best = Some((cost, op));
            }
        }
        best.map(|(_, op)| (op.method.clone(), op.route.clone()))
    }
}

/// Levenshtein over segments, with a substitution costing the character
/// distance of the two segments (0 when the template segment matches).
fn segment_distance(segs: &[String], template: &[Vec<Part>]) -> f64 {
    let mut prev: Vec<f64> = (0..=template.len()).map(|j| j as f64).collect();
    let mut scratch = Vec::new();
    for (i, seg) in segs.iter().enumerate() {
        let mut row = vec![(i + 1) as f64; template.len() + 1];
        for (j, parts) in template.iter().enumerate() {
            scratch.clear();
            let sub = if match_segment(parts, seg, &mut scratch) {
                0.0
            } else {
                let text: String = parts
                    .iter()
                    .map(|p| match p {
                        Part::Lit(l) => l.as_str(),
                        Part::Var(_) => "",
                    })
                    .collect();
                1.0 - strsim::normalized_levenshtein(seg, &text)
            };
            row[j + 1] = (prev[j] + sub).min(prev[j + 1] + 1.0).min(row[j] + 1.0);
        }
        prev = row;
    }
    prev[template.len()]
}

/// Depth-first, literal before template: the first route (in precedence
/// order) the path ends on that has `method`; `params` holds its parameters.
fn find(
    node: &Node,
    segs: &[std::borrow::Cow<'_, str>],
    method: &Method,
    params: &mut Vec<(Arc<str>, String)>,
) -> Option<usize> {
    let Some((first, rest)) = segs.split_first() else {
        return node.ops.iter().find(|(m, _)| m == method).map(|(_, i)| *i);
    };
    if let Some(child) = node.literal.get(first.as_ref())
        && let Some(i) = find(child, rest, method, params)
    {
        return Some(i);
    }
    for (parts, child) in &node.templates {
        let mark = params.len();
        if match_segment(parts, first, params)
            && let Some(i) = find(child, rest, method, params)
        {
            return Some(i);
        }
        params.truncate(mark);
    }
    None
}

/// Every node the path ends on, whatever its methods.
fn collect<'n>(node: &'n Node, segs: &[std::borrow::Cow<'_, str>], out: &mut Vec<&'n Node>) {
    let Some((first, rest)) = segs.split_first() else {
        if !node.ops.is_empty() {
            out.push(node);
        }
        return;
    };
    if let Some(child) = node.literal.get(first.as_ref()) {
        collect(child, rest, out);
    }
    let mut scratch = Vec::new();
    for (parts, child) in &node.templates {
        scratch.clear();
        if match_segment(parts, first, &mut scratch) {
            collect(child, rest, out);
        }
    }
}

fn parse_segment(seg: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut rest = seg;
    while !rest.is_empty() {
        match (rest.find('{'), rest.find('}')) {
            (Some(s), Some(e)) if s < e => {
                if s > 0 {
                    parts.push(Part::Lit(rest[..s].to_string()));
                }
                parts.push(Part::Var(rest[s + 1..e].into()));
                rest = &rest[e + 1..];
            }
            _ => {
                parts.push(Part::Lit(rest.to_string()));
                break;
            }
        }
    }
    if parts.is_empty() {
        parts.push(Part::Lit(String::new()));
    }
    parts
}

/// Match one decoded segment against a template segment, appending the
/// variables to `out`; variables match at least one character, each as few
/// as the literals after it allow. On no match `out` may hold partial values.
fn match_segment(parts: &[Part], seg: &str, out: &mut Vec<(Arc<str>, String)>) -> bool {
    let mut pos = 0;
    for (i, part) in parts.iter().enumerate() {
        match part {
            Part::Lit(l) => {
                if !seg[pos..].starts_with(l.as_str()) {
                    return false;
                }
                pos += l.len();
            }
            Part::Var(name) => {
                let end = match parts.get(i + 1) {
                    Some(Part::Lit(next)) => {
                        let Some(found) = seg.get(pos + 1..).and_then(|s| s.find(next.as_str()))
                        else {
                            return false;
                        };
                        pos + 1 + found
                    }
                    _ => seg.len(),
                };
                if end <= pos || end > seg.len() {
                    return false;
                }
                out.push((name.clone(), seg[pos..end].to_string()));
                pos = end;
            }
        }
    }
    pos == seg.len()
}

fn literal_len(parts: &[Part]) -> usize {
    parts
        .iter()
        .map(|p| if let Part::Lit(l) = p { l.len() } else { 0 })
        .sum()
}

fn same_shape(a: &[Part], b: &[Part]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| match (x, y) {
            (Part::Lit(l), Part::Lit(m)) => l == m,
            (Part::Var(_), Part::Var(_)) => true,
            _ => false,
        })
}

/// A route with variable names erased: `/a/{id}` and `/a/{key}` are one route.
fn shape_of(route: &str) -> String {
    split(route)
        .map(|seg| {
            parse_segment(seg)
                .into_iter()
                .map(|p| match p {
                    Part::Lit(l) => l,
                    Part::Var(_) => "{}".to_string(),
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Loc, Response, StatusKey};

    fn op(doc: &str, id: &str, method: Method, route: &str) -> Arc<Operation> {
        op_at(doc, id, method, route, route)
    }

    fn op_at(doc: &str, id: &str, method: Method, route: &str, path: &str) -> Arc<Operation> {
        Arc::new(Operation {
            document: doc.into(),
            qualified: format!("{doc}/{id}").into(),
            display_header: None,
            secret_segments: vec![],
            index: 0,
            operation_id: id.into(),
            id_derived: false,
            display_id: id.into(),
            method,
            path: path.into(),
            route: route.into(),
            loc: Loc::new("t.yaml", ""),
            summary: None,
            parameters: vec![],
            security: vec![],
            request_body: None,
            responses: vec![Response {
                headers: vec![],
                status: StatusKey::Code(200),
                description: String::new(),
                content: vec![],
                loc: Loc::new("t.yaml", ""),
            }],
            unavailable: None,
        })
    }

    fn table(ops: Vec<Arc<Operation>>) -> RouteTable {
        RouteTable::build(ops, &HashMap::new()).unwrap()
    }

    fn id(t: &RouteTable, m: Method, p: &str) -> Result<String, NotRouted> {
        t.route(&m, p).map(|r| r.operation.operation_id.clone())
    }

    #[test]
    fn literal_beats_template_and_methods_fall_through() {
        let t = table(vec![
            op(
                "a",
                "getData",
                Method::GET,
                "/api/v2/{u}/feeds/{f}/data/{id}",
            ),
            op(
                "a",
                "destroyData",
                Method::DELETE,
                "/api/v2/{u}/feeds/{f}/data/{id}",
            ),
            op(
                "a",
                "firstData",
                Method::GET,
                "/api/v2/{u}/feeds/{f}/data/first",
            ),
        ]);
        assert_eq!(
            id(&t, Method::GET, "/api/v2/u/feeds/f/data/first").unwrap(),
            "firstData"
        );
        assert_eq!(
            id(&t, Method::GET, "/api/v2/u/feeds/f/data/42").unwrap(),
            "getData"
        );
        // DELETE on the literal path falls through to the template that has it.
        assert_eq!(
            id(&t, Method::DELETE, "/api/v2/u/feeds/f/data/first").unwrap(),
            "destroyData"
        );
        assert_eq!(
            id(&t, Method::POST, "/api/v2/u/feeds/f/data/first"),
            Err(NotRouted::MethodNotAllowed {
                allow: vec![Method::DELETE, Method::GET, Method::HEAD]
            })
        );
        assert_eq!(
            id(&t, Method::GET, "/api/v2/u/feeds/f/nope/first"),
            Err(NotRouted::NotFound)
        );
    }

    #[test]
    fn closest_route_by_segments_and_method() {
        let t = table(vec![
            op("a", "regen", Method::POST, "/v2/tokens/{id}/regenerate"),
            op("a", "list", Method::GET, "/v2/tokens"),
            op("a", "get", Method::GET, "/v2/tokens/{id}"),
            op("b", "upd", Method::PUT, "/api/admin/api-tokens/{token}"),
        ]);
        let c = |m: Method, p: &str| {
            t.closest(&m, p)
                .map(|(m, r)| format!("{m} {r}"))
                .unwrap_or_default()
        };
        assert_eq!(
            c(Method::POST, "/v2/tokens/abc/regenerat"),
            "POST /v2/tokens/{id}/regenerate"
        );
        assert_eq!(c(Method::GET, "/v2/token"), "GET /v2/tokens");
        assert_eq!(c(Method::GET, "/v2/tokens/x/y"), "GET /v2/tokens/{id}");
        assert_eq!(
            c(Method::PUT, "/api/admin/api-token/abc"),
            "PUT /api/admin/api-tokens/{token}"
        );
        assert_eq!(
            c(Method::GET, "/api/admin/api-tokens/abc/x"),
            "PUT /api/admin/api-tokens/{token}"
        );
        assert_eq!(table(vec![]).closest(&Method::GET, "/x"), None);
    }

    #[test]
    fn params_are_captured_and_decoded() {
        let t = table(vec![op(
            "a",
            "x",
            Method::POST,
            "/v2/tokens/{id}/regenerate",
        )]);
        let r = t
            .route(&Method::POST, "/v2/tokens/a%20b/regenerate")
            .unwrap();
        assert_eq!(r.path_params, vec![("id".into(), "a b".to_string())]);
        assert_eq!(
            t.route(&Method::DELETE, "/v2/tokens/x/regenerate")
                .unwrap_err(),
            NotRouted::MethodNotAllowed {
                allow: vec![Method::POST]
            }
        );
        // Encoded slashes stay inside one segment.
        let r = t
            .route(&Method::POST, "/v2/tokens/a%2Fb/regenerate")
            .unwrap();
        assert_eq!(r.path_params[0].1, "a/b");
        assert_eq!(
            id(&t, Method::POST, "/v2/tokens//regenerate"),
            Err(NotRouted::NotFound)
        );
        assert_eq!(
            id(&t, Method::POST, "/v2/tokens/x/regenerate/"),
            Err(NotRouted::NotFound)
        );
    }

    #[test]
    fn partial_segment_templates() {
        let t = table(vec![
            op("a", "json", Method::GET, "/files/{name}.json"),
            op("a", "any", Method::GET, "/files/{name}"),
        ]);
        let r = t.route(&Method::GET, "/files/report.json").unwrap();
        assert_eq!(r.operation.operation_id, "json");
        assert_eq!(r.path_params[0].1, "report");
        assert_eq!(id(&t, Method::GET, "/files/report.txt").unwrap(), "any");
    }

    #[test]
    fn head_uses_get() {
        let t = table(vec![op("a", "g", Method::GET, "/x")]);
        assert_eq!(id(&t, Method::HEAD, "/x").unwrap(), "g");
    }

    #[test]
    fn clash_between_documents_names_both() {
        let errs = RouteTable::build(
            vec![
                op("one", "a", Method::GET, "/x/{id}"),
                op("two", "b", Method::GET, "/x/{key}"),
            ],
            &HashMap::new(),
        )
        .unwrap_err();
        let msg = errs[0].to_string();
        assert!(
            msg.contains("one/a") && msg.contains("two/b") && msg.contains("--mount"),
            "{msg}"
        );
    }

    #[test]
    fn blank_segments_name_the_empty_parameter() {
        let t = table(vec![
            op("d", "list", Method::GET, "/pets"),
            op("d", "get", Method::GET, "/pets/{id}"),
            op("d", "photo", Method::GET, "/pets/{id}/photos/{photo}"),
        ]);
        let empty = |m: Method, p: &str| {
            t.empty_parameters(&m, p)
                .map(|(o, names)| (o.operation_id.clone(), names))
        };
        assert_eq!(
            empty(Method::GET, "/pets/"),
            Some(("get".into(), vec!["id".into()]))
        );
        assert_eq!(
            empty(Method::GET, "/pets//photos/"),
            Some(("photo".into(), vec!["id".into(), "photo".into()]))
        );
        assert_eq!(empty(Method::GET, "/pets/1"), None);
        assert_eq!(empty(Method::DELETE, "/pets/"), None);
        // The trailing slash stays significant: `/pets/` does not route to `/pets`.
        assert_eq!(id(&t, Method::GET, "/pets/"), Err(NotRouted::NotFound));
    }

    #[test]
    fn root_route() {
        let t = table(vec![op("a", "root", Method::GET, "/")]);
        assert_eq!(id(&t, Method::GET, "/").unwrap(), "root");
        assert_eq!(id(&t, Method::GET, "/x"), Err(NotRouted::NotFound));
    }

    fn params(t: &RouteTable, m: Method, p: &str) -> Vec<(String, String)> {
        let params = t.route(&m, p).unwrap().path_params;
        params
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect()
    }

    fn pair(name: &str, value: &str) -> (String, String) {
        (name.to_string(), value.to_string())
    }

    #[test]
    fn siblings_bind_values_under_their_own_names() {
        let t = table(vec![
            op("u", "get", Method::GET, "/api-tokens/{name}"),
            op("u", "put", Method::PUT, "/api-tokens/{token}"),
            op("c", "gw", Method::GET, "/accounts/{account_id}/gateway"),
            op(
                "c",
                "pages",
                Method::GET,
                "/accounts/{account_identifier}/pages",
            ),
            op("d", "deep", Method::GET, "/a/{x}/b/{y}/c/{z}"),
            op("d", "deep2", Method::PUT, "/a/{p}/b/{q}/c/{r}"),
            op("d", "lit", Method::GET, "/a/{x}/b/mine/c/{z}"),
        ]);
        assert_eq!(
            params(&t, Method::PUT, "/api-tokens/abc"),
            [pair("token", "abc")]
        );
        assert_eq!(
            params(&t, Method::GET, "/api-tokens/abc"),
            [pair("name", "abc")]
        );
        assert_eq!(
            params(&t, Method::GET, "/accounts/42/pages"),
            [pair("account_identifier", "42")]
        );
        assert_eq!(
            params(&t, Method::GET, "/accounts/42/gateway"),
            [pair("account_id", "42")]
        );
        assert_eq!(
            params(&t, Method::PUT, "/a/1/b/2/c/3"),
            [pair("p", "1"), pair("q", "2"), pair("r", "3")]
        );
        // Literal before template, with a different name each side; a method
        // the literal route lacks falls through to the template.
        assert_eq!(id(&t, Method::GET, "/a/1/b/mine/c/3").unwrap(), "lit");
        assert_eq!(
            params(&t, Method::PUT, "/a/1/b/mine/c/3"),
            [pair("p", "1"), pair("q", "mine"), pair("r", "3")]
        );
    }

    #[test]
    fn colon_suffixes_and_mixed_segments() {
        let t = table(vec![
            op("g", "cancel", Method::POST, "/ops/{id}:cancel"),
            op("g", "get", Method::GET, "/ops/{name}"),
            op("g", "search", Method::POST, "/pets:search"),
            op("g", "report", Method::GET, "/reports/{name}.{format}"),
        ]);
        assert_eq!(id(&t, Method::POST, "/ops/abc:cancel").unwrap(), "cancel");
        assert_eq!(
            params(&t, Method::POST, "/ops/abc:cancel"),
            [pair("id", "abc")]
        );
        assert_eq!(
            params(&t, Method::GET, "/ops/abc:cancel"),
            [pair("name", "abc:cancel")]
        );
        assert_eq!(id(&t, Method::POST, "/pets:search").unwrap(), "search");
        assert_eq!(
            params(&t, Method::GET, "/reports/q3.csv"),
            [pair("name", "q3"), pair("format", "csv")]
        );
    }

    #[test]
    fn a_root_path_under_a_base_path_answers_with_and_without_the_slash() {
        let t = table(vec![op_at("d", "root", Method::GET, "/ds-api", "/")]);
        assert_eq!(id(&t, Method::GET, "/ds-api").unwrap(), "root");
        assert_eq!(id(&t, Method::GET, "/ds-api/").unwrap(), "root");
    }
}
