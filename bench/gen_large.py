#!/usr/bin/env python3
"""Write the large documents of bench/large-docs, each with a valid request per operation.

    python3 bench/gen_large.py SHAPE OUT_DIR [--seed N]

SHAPE is one of:

  a  100 operations over a graph of 1,000 component schemas (OpenAPI 3.1).
     Every response, and the request body of every POST and PUT, is an
     INLINE object schema wrapping `$ref`s:
     `{type: object, properties: {item: {$ref: C17}, list: {type: array,
     items: {$ref: C42}}}}`. Each component is an object with ~5 properties
     (a uuid id, a string with a pattern, an enum, a number or a nullable
     date-time, and one to three `$ref`s to components further down the
     list, or an array of them); every tenth is an `allOf` of two
     components further down. Refs only point down the list: no cycles. The components
     the operations name sit near the top, so each reaches a large part of
     the graph.
  b  SoftwareOne-like (OpenAPI 3.0.3, no operationIds, `nullable`,
     `application/json` + `text/json` + `application/*+json` request bodies,
     `ProblemDetails` errors, ids like `TKN-5645-5250`): 450 operations on 90
     resources (GET list, POST, GET, PUT, DELETE) over 600 component schemas;
     ten of them are mutually recursive (`Account.children -> Buyer`,
     `Buyer.parent -> Account`, ...) and every entity refers into that ring;
     one operation's 200 response declares 900 media types
     (`application/vnd.x.v1+json` ... `application/vnd.x.v900+json`), all
     `$ref`ing the same schema.
  c  bench/gen_spec.py's 2,000-operation document (the one of bench/run's
     case (g)), written by gen_spec.py itself: the same bytes.

It writes OUT_DIR/large-SHAPE.yaml and OUT_DIR/large-SHAPE.requests.json: a
JSON list with one request per operation, valid by construction:

    {"operation": "get-r0-item" | null, "method": "GET",
     "path": "/v1/r0/items/3f9c...", "headers": {"X-Api-Key": "bench"},
     "body": null | "<JSON text>", "expect": 200}

`path` is concrete (server base path included, template variables filled,
required query parameters appended); `headers` carry the credentials the
security requirement asks for, `Content-Type` when there is a body, and
`Accept` when the success response has no `application/json`; `body` is the
smallest instance of the request schema (required members, plus optional
ones near the top) that the schema accepts; `expect` is the lowest 2xx the
operation declares. The request part reads any document these shapes use
(local `$ref`s, `allOf`, enums, the formats and the patterns below); it
refuses a pattern it has no sample for rather than guess.

Deterministic: the same SHAPE and --seed write the same bytes. Standard
library only (YAML is written by gen_spec.py's block-style writer).
"""

import argparse
import json
import random
import re
import sys
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_spec  # noqa: E402  (bench/gen_spec.py: the YAML writer and shape (c))

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
WORDS = ["alpha", "bravo", "cedar", "delta", "ember", "fjord", "garnet", "harbor",
         "indigo", "juniper", "kestrel", "lumen", "maple", "nectar", "onyx", "prairie",
         "quartz", "raven", "sierra", "tundra", "umber", "violet", "willow", "yarrow"]
STATES = ["draft", "active", "suspended", "closed"]

# Every pattern a shape uses, with a string it matches (checked below).
PATTERN_SAMPLES = {
    # shape (a)
    "^[a-z][a-z0-9-]{2,30}$": "bench-item",
    "^[A-Z]{2}[0-9]{6}$": "AB123456",
    "^\\+?[0-9 ]{7,20}$": "+49 301234567",
    "^#[0-9a-f]{6}$": "#a1b2c3",
    "^[A-Z]{3}-[0-9]{4}-[0-9]{4}$": "TKN-5645-5250",
    # shape (c): bench/gen_spec.py
    "^[A-Z0-9 -]{3,10}$": "AB 123",
    "^[A-Z]{2}$": "DE",
    "^[A-Z]{3}-[0-9]{4}$": "ABC-1234",
    "^[A-Za-z0-9-]{1,64}$": "item-1",
}
FORMAT_SAMPLES = {
    "uuid": "3f9c2e71-5a4b-4d8e-b6c1-0e2f7a9d8b35",
    "date-time": "2025-03-02T09:14:00Z",
    "date": "2025-03-02",
    "email": "bench@example.com",
    "uri": "https://example.com/bench",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
}
for _p, _s in PATTERN_SAMPLES.items():
    assert re.search(_p, _s), (_p, _s)

# Optional members are filled down to this depth of a request body; deeper,
# only required ones (so a body stays small on a deep or recursive graph).
OPTIONAL_DEPTH = 2


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


# --------------------------------------------------------------------------- shape (a)


def shape_a(rng):
    n = 1000
    schemas = {}

    def down(i, span=60):
        """A component further down the list than i."""
        return rng.randint(i + 1, min(n - 1, i + span))

    for i in range(n):
        name = f"C{i}"
        word = WORDS[i % len(WORDS)]
        leaf = i >= n - 12
        if not leaf and i % 10 == 7:
            j = down(i)
            k = down(i)
            while k == j:
                k = down(i)
            schemas[name] = {"description": f"Both C{j} and C{k}.", "allOf": [ref(f"C{j}"), ref(f"C{k}")]}
            continue
        props = {
            "id": {"type": "string", "format": "uuid"},
            f"{word}{i}Name": {"type": "string", "minLength": 1, "maxLength": 80},
            f"{word}{i}Code": {"type": "string",
                               "pattern": list(PATTERN_SAMPLES)[i % 4]},
            f"{word}{i}State": {"type": "string", "enum": STATES[: 2 + i % 3]},
        }
        if i % 3 == 0:
            props[f"{word}{i}Amount"] = {"type": "number", "minimum": 0, "maximum": 1_000_000}
        elif i % 3 == 1:
            props[f"{word}{i}At"] = {"type": ["string", "null"], "format": "date-time"}
        else:
            props[f"{word}{i}Count"] = {"type": "integer", "minimum": 0, "maximum": 10_000}
        if not leaf:
            refs = 1 + i % 3  # one to three links down the list
            for r in range(refs):
                target = f"C{down(i)}"
                if r == 1:
                    props[f"{word}{i}Items"] = {"type": "array", "maxItems": 20, "items": ref(target)}
                else:
                    props[f"{word}{i}Link{r}"] = ref(target)
        required = ["id", f"{word}{i}Name"]
        if i % 2 == 0:
            required.append(f"{word}{i}State")
        schemas[name] = {"type": "object", "description": f"Component {i} ({word}).",
                         "required": required, "properties": props}

    def wrapper(op):
        """The inline object of the brief, naming two components near the top."""
        item = (op * 7) % 300
        lst = (op * 13 + 5) % 300
        return {"type": "object", "required": ["item"],
                "properties": {"item": ref(f"C{item}"),
                               "list": {"type": "array", "maxItems": 50, "items": ref(f"C{lst}")},
                               "next": {"type": ["string", "null"], "format": "uri"}}}

    def json_of(schema):
        return {"application/json": {"schema": schema}}

    paths = {}
    op = 0
    id_param = {"name": "id", "in": "path", "required": True,
                "schema": {"type": "string", "format": "uuid"}}
    for r in range(25):
        tag = f"r{r}"
        paths[f"/v1/r{r}/items"] = {
            "get": {"operationId": f"list-r{r}-items", "tags": [tag],
                    "parameters": [{"name": "limit", "in": "query",
                                    "schema": {"type": "integer", "minimum": 1, "maximum": 100}}],
                    "responses": {"200": {"description": "A page.", "content": json_of(wrapper(op))}}},
            "post": {"operationId": f"create-r{r}-item", "tags": [tag],
                     "requestBody": {"required": True, "content": json_of(wrapper(op + 1))},
                     "responses": {"201": {"description": "Created.", "content": json_of(wrapper(op + 1))},
                                   "400": {"description": "Bad request."}}},
        }
        paths[f"/v1/r{r}/items/{{id}}"] = {
            "parameters": [id_param],
            "get": {"operationId": f"get-r{r}-item", "tags": [tag],
                    "responses": {"200": {"description": "The item.", "content": json_of(wrapper(op + 2))},
                                  "404": {"description": "No such item."}}},
            "put": {"operationId": f"replace-r{r}-item", "tags": [tag],
                    "requestBody": {"required": True, "content": json_of(wrapper(op + 3))},
                    "responses": {"200": {"description": "Replaced.", "content": json_of(wrapper(op + 3))}}},
        }
        op += 4
    return {
        "openapi": "3.1.0",
        "info": {"title": "bench/large-docs shape (a): 100 operations, 1,000 components",
                 "version": "1.0.0",
                 "description": "Written by specmock's bench/gen_large.py: inline wrappers over a "
                                "graph of $ref'd components, no cycles."},
        "servers": [{"url": "https://api.example.com"}],
        "security": [{"apiKey": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"apiKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key"}},
            "schemas": schemas,
        },
    }


# --------------------------------------------------------------------------- shape (b)

RING = ["Account", "Buyer", "Seller", "Licensee", "Agreement",
        "Subscription", "Order", "Product", "Listing", "Program"]
MODULES = ["accounts", "catalog", "commerce", "billing", "notifications", "spotlight"]


def shape_b(rng):
    schemas = {}
    nullable_str = {"type": "string", "nullable": True}
    # Shared, SoftwareOne's own shapes.
    schemas["ObjectReference"] = {"type": "object", "required": ["id"],
                                  "properties": {"id": {"type": "string"}}}
    schemas["Actor"] = {"type": "object", "description": "Who did something. Recursive through `audit`.",
                        "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                                       "icon": nullable_str, "audit": ref("Audit")}}
    schemas["AuditEvent"] = {"type": "object", "properties": {
        "at": {"type": "string", "format": "date-time"}, "by": ref("Actor")}}
    schemas["Audit"] = {"type": "object", "properties": {
        "created": ref("AuditEvent"), "updated": ref("AuditEvent")}}
    schemas["Meta"] = {"type": "object", "properties": {
        "omitted": {"type": "array", "items": {"type": "string"}},
        "pagination": ref("Pagination")}}
    schemas["Pagination"] = {"type": "object", "properties": {
        "offset": {"type": "integer", "format": "int32"}, "limit": {"type": "integer", "format": "int32"},
        "total": {"type": "integer", "format": "int32"}}}
    schemas["ProblemDetails"] = {"type": "object", "additionalProperties": {}, "properties": {
        "type": nullable_str, "title": nullable_str,
        "status": {"type": "integer", "format": "int32", "nullable": True},
        "detail": nullable_str, "instance": nullable_str, "traceId": nullable_str}}
    schemas["Money"] = {"type": "object", "required": ["amount", "currency"], "properties": {
        "amount": {"type": "number", "minimum": 0},
        "currency": {"type": "string", "enum": ["EUR", "USD", "GBP", "DKK", "SEK"]}}}
    shared = len(schemas)  # 8

    # The ring of ten mutually recursive schemas.
    for i, name in enumerate(RING):
        nxt, prev = RING[(i + 1) % len(RING)], RING[(i - 1) % len(RING)]
        schemas[name] = {"type": "object", "description": f"{name}: children are {nxt}s, parent a {prev}.",
                         "properties": {
                             "id": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}-[0-9]{4}$"},
                             "name": {"type": "string"},
                             "status": {"type": "string", "enum": ["Active", "Enabled", "Disabled"]},
                             "parent": {"allOf": [ref(prev)], "nullable": True},
                             "children": {"type": "array", "items": ref(nxt)},
                             "audit": ref("Audit")}}

    # 90 resources x 6 schemas: Entity, Reference, CreateDto, UpdateDto, Settings, Statistics.
    resources = []
    for r in range(90):
        module = MODULES[r % len(MODULES)]
        noun = f"{WORDS[r % len(WORDS)]}{r}"
        cap = noun[0].upper() + noun[1:]
        resources.append((module, noun, cap))
    extras = 600 - shared - len(RING) - 6 * len(resources)  # 42 attribute schemas
    for k in range(extras):
        schemas[f"Attribute{k}"] = {"type": "object", "properties": {
            "key": {"type": "string"}, "value": nullable_str,
            "kind": {"type": "string", "enum": ["Text", "Number", "Flag"]}}}
    for r, (module, noun, cap) in enumerate(resources):
        prefix = cap[:3].upper()
        ring = RING[r % len(RING)]
        schemas[f"{cap}Settings"] = {"type": "object", "properties": {
            "sharedAccount": {"type": "boolean"}, "configurable": {"type": "boolean"},
            "attributes": {"type": "array", "items": ref(f"Attribute{r % extras}")},
            "type": {"type": "array", "items": {"type": "string", "enum": ["Client", "Vendor", "Operations"]}}}}
        schemas[f"{cap}Statistics"] = {"type": "object", "properties": {
            "count": {"type": "integer", "format": "int32", "minimum": 0},
            "total": ref("Money"), "lastAt": {"type": "string", "format": "date-time", "nullable": True}}}
        schemas[f"{cap}Reference"] = {"type": "object", "properties": {
            "id": {"type": "string"}, "name": {"type": "string"}, "icon": nullable_str}}
        schemas[cap] = {"type": "object", "description": f"A {noun} ({prefix}-....-....).", "properties": {
            "id": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}-[0-9]{4}$"},
            "name": {"type": "string"}, "description": nullable_str, "icon": nullable_str,
            "status": {"type": "string", "enum": ["Active", "Disabled", "Expired"]},
            "audit": ref("Audit"), "$meta": ref("Meta"),
            ring.lower(): ref(ring),
            "related": {"type": "array", "items": ref(f"{resources[(r + 1) % 90][2]}Reference")},
            "settings": ref(f"{cap}Settings"), "statistics": ref(f"{cap}Statistics")}}
        dto_props = {"name": {"type": "string", "minLength": 1, "maxLength": 200},
                     "description": nullable_str, "icon": nullable_str,
                     "modules": {"type": "array", "nullable": True, "items": ref("ObjectReference")},
                     "settings": ref(f"{cap}Settings")}
        schemas[f"Create{cap}Dto"] = {"type": "object", "additionalProperties": False,
                                      "required": ["name"], "properties": dto_props}
        schemas[f"Update{cap}Dto"] = {"type": "object", "additionalProperties": False,
                                      "properties": {k: v for k, v in dto_props.items() if k != "settings"}}
    assert len(schemas) == 600, len(schemas)

    problem = {"application/json": {"schema": ref("ProblemDetails")}}

    def body_of(name):
        return {"required": True, "content": {mt: {"schema": ref(name)} for mt in
                                               ("application/json", "text/json", "application/*+json")}}

    def errors():
        return {"400": {"description": "Bad Request", "content": problem},
                "401": {"description": "Unauthorized"},
                "404": {"description": "Not Found", "content": problem}}

    id_param = {"name": "id", "in": "path", "required": True, "description": "The object's ID.",
                "schema": {"type": "string"}, "example": "TKN-5645-5250"}
    paths = {}
    for r, (module, noun, cap) in enumerate(resources):
        ok = {"application/json": {"schema": ref(cap)}}
        page = {"application/json": {"schema": {"type": "object", "properties": {
            "$meta": ref("Meta"), "data": {"type": "array", "items": ref(cap)}}}}}
        get_ok = {"description": "OK", "content": ok}
        if r == 0:  # the one with 900 media types, all the same schema
            get_ok = {"description": "OK, in any of 900 versioned media types",
                      "content": {f"application/vnd.x.v{v}+json": {"schema": ref(cap)} for v in range(1, 901)}}
        base = f"/public/v1/{module}/{noun}s"
        paths[base] = {
            "get": {"summary": f"List {noun}s", "tags": [cap],
                    "parameters": [{"name": "offset", "in": "query", "schema": {"type": "integer", "format": "int32"}},
                                   {"name": "limit", "in": "query", "schema": {"type": "integer", "format": "int32"}},
                                   {"name": "rql", "in": "query", "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "OK", "content": page}, **errors()}},
            "post": {"summary": f"Create {noun}", "tags": [cap], "requestBody": body_of(f"Create{cap}Dto"),
                     "responses": {"201": {"description": "Created", "content": ok}, **errors()}},
        }
        paths[base + "/{id}"] = {
            "get": {"summary": f"Get {noun}", "tags": [cap], "parameters": [id_param],
                    "responses": {"200": get_ok, **errors()}},
            "put": {"summary": f"Update {noun}", "tags": [cap], "parameters": [id_param],
                    "requestBody": body_of(f"Update{cap}Dto"),
                    "responses": {"200": {"description": "OK", "content": ok}, **errors()}},
            "delete": {"summary": f"Delete {noun}", "tags": [cap], "parameters": [id_param],
                       "responses": {"204": {"description": "No Content"}, **errors()}},
        }
    return {
        "openapi": "3.0.3",
        "info": {"title": "bench/large-docs shape (b): SoftwareOne-like, 450 operations, 600 components",
                 "version": "v1",
                 "description": "Written by specmock's bench/gen_large.py."},
        "servers": [{"url": "https://api.platform.example.com"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
                       "schemas": schemas},
    }


# --------------------------------------------------------------------------- requests


class Walker:
    """A valid request for each operation of a document (the subset of OpenAPI these shapes use)."""

    def __init__(self, doc):
        self.doc = doc

    def resolve(self, node):
        seen = 0
        while isinstance(node, dict) and "$ref" in node:
            pointer = node["$ref"]
            if not pointer.startswith("#/"):
                raise SystemExit(f"gen_large: only local $refs: {pointer}")
            node = self.doc
            for part in pointer[2:].split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            seen += 1
            if seen > 64:
                raise SystemExit(f"gen_large: $ref chain too long at {pointer}")
        return node

    def instance(self, schema, depth=0):
        if depth > 60:
            raise SystemExit("gen_large: a required chain deeper than 60: a required cycle?")
        s = self.resolve(schema)
        if "allOf" in s:
            out = None
            for part in s["allOf"]:
                v = self.instance(part, depth)
                out = v if out is None else ({**out, **v} if isinstance(out, dict) else out)
            rest = {k: v for k, v in s.items() if k not in ("allOf", "description", "nullable")}
            if rest:
                v = self.instance(rest, depth)
                out = {**(out or {}), **v} if isinstance(v, dict) else v
            return out
        for key in ("anyOf", "oneOf"):
            if key in s:
                options = [o for o in s[key] if self.resolve(o).get("type") != "null"]
                return self.instance(options[0], depth)
        if "const" in s:
            return s["const"]
        if "enum" in s:
            return s["enum"][0]
        t = s.get("type")
        if isinstance(t, list):
            t = next(x for x in t if x != "null")
        if t is None:
            t = "object" if "properties" in s else "string"
        if t == "object":
            out = {}
            required = set(s.get("required", []))
            for name, prop in s.get("properties", {}).items():
                p = self.resolve(prop)
                if p.get("readOnly"):
                    continue
                if name in required or depth < OPTIONAL_DEPTH:
                    out[name] = self.instance(prop, depth + 1)
            return out
        if t == "array":
            n = s.get("minItems", 1 if depth < OPTIONAL_DEPTH else 0)
            return [self.instance(s["items"], depth + 1) for _ in range(n)] if n else []
        if t == "string":
            if "pattern" in s:
                if s["pattern"] not in PATTERN_SAMPLES:
                    raise SystemExit(f"gen_large: no sample for pattern {s['pattern']!r}: add one")
                v = PATTERN_SAMPLES[s["pattern"]]
            elif s.get("format") in FORMAT_SAMPLES:
                v = FORMAT_SAMPLES[s["format"]]
            else:
                v = "bench"
            lo, hi = s.get("minLength", 0), s.get("maxLength", 10**9)
            if len(v) < lo:
                v += "x" * (lo - len(v))
            if len(v) > hi:
                raise SystemExit(f"gen_large: sample {v!r} is longer than maxLength {hi}")
            return v
        if t in ("integer", "number"):
            v = s.get("minimum", 0)
            if "exclusiveMinimum" in s and not isinstance(s["exclusiveMinimum"], bool):
                v = max(v, s["exclusiveMinimum"] + 1)
            if "maximum" in s and v > s["maximum"]:
                v = s["maximum"]
            return int(v) if t == "integer" else v
        if t == "boolean":
            return True
        if t == "null":
            return None
        raise SystemExit(f"gen_large: no instance for type {t!r}")

    def security_headers(self, op, query):
        reqs = op.get("security", self.doc.get("security", []))
        headers = {}
        if not reqs:
            return headers
        schemes = self.doc.get("components", {}).get("securitySchemes", {})
        for name in reqs[0]:
            sch = schemes[name]
            if sch["type"] == "apiKey":
                if sch["in"] == "header":
                    headers[sch["name"]] = "*:*.964a287e1b728cb5f4f3e0120df92cb5" \
                        if sch["name"].lower() == "authorization" else "bench-key"
                elif sch["in"] == "query":
                    query.append((sch["name"], "bench-key"))
                else:
                    headers["Cookie"] = f"{sch['name']}=bench-key"
            elif sch["type"] == "http" and sch.get("scheme", "").lower() == "basic":
                headers["Authorization"] = "Basic YmVuY2g6YmVuY2g="
            else:  # http bearer, oauth2, openIdConnect: a bearer token
                headers["Authorization"] = "Bearer bench-token"
        return headers

    def scalar(self, schema):
        v = self.instance(schema, depth=OPTIONAL_DEPTH)
        if isinstance(v, bool):
            return "true" if v else "false"
        return str(v)

    def requests(self):
        servers = self.doc.get("servers") or [{"url": "/"}]
        base = urllib.parse.urlsplit(servers[0]["url"]).path.rstrip("/")
        out = []
        for path, item in self.doc["paths"].items():
            item = self.resolve(item)
            for method in (m for m in item if m in METHODS):
                op = item[method]
                params = {}
                for p in item.get("parameters", []) + op.get("parameters", []):
                    p = self.resolve(p)
                    params[(p["name"], p["in"])] = p
                query = []
                headers = self.security_headers(op, query)
                concrete = path
                for (name, where), p in params.items():
                    if where == "path":
                        value = p["example"] if isinstance(p.get("example"), str) else \
                            self.scalar(p.get("schema", {"type": "string"}))
                        concrete = concrete.replace("{" + name + "}", urllib.parse.quote(value, safe=""))
                    elif not p.get("required"):
                        continue
                    elif where == "query":
                        query.append((name, self.scalar(p.get("schema", {"type": "string"}))))
                    elif where == "header" and name.lower() not in ("accept", "content-type", "authorization"):
                        headers[name] = self.scalar(p.get("schema", {"type": "string"}))
                if "{" in concrete:
                    raise SystemExit(f"gen_large: {method.upper()} {path}: a template variable has no parameter")
                body = None
                rb = self.resolve(op.get("requestBody", {}))
                content = rb.get("content", {})
                if content:
                    mt = "application/json" if "application/json" in content else next(iter(content))
                    body = json.dumps(self.instance(content[mt]["schema"]), separators=(",", ":"))
                    headers["Content-Type"] = mt
                codes = sorted(c for c in op["responses"] if c.isdigit() and c.startswith("2"))
                expect = int(codes[0]) if codes else None
                if codes:
                    resp = self.resolve(op["responses"][codes[0]])
                    types = list(resp.get("content", {}))
                    if types and "application/json" not in types:
                        headers["Accept"] = types[-1]
                full = base + concrete
                if query:
                    full += "?" + urllib.parse.urlencode(query)
                out.append({"operation": op.get("operationId"), "method": method.upper(), "path": full,
                            "headers": headers, "body": body, "expect": expect})
        return out


# --------------------------------------------------------------------------- main


def write_yaml(doc, out, title):
    text = f"# Generated by bench/gen_large.py ({title}): do not edit.\n" + \
        "\n".join(gen_spec.yaml_lines(doc)) + "\n"
    out.write_text(text, encoding="utf-8")
    return len(text)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("shape", choices=["a", "b", "c"])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--seed", type=int, default=20261201, help="seed of the graph's shape (default 20261201)")
    args = ap.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    doc_path = args.out_dir / f"large-{args.shape}.yaml"
    req_path = args.out_dir / f"large-{args.shape}.requests.json"
    rng = random.Random(f"{args.seed}/{args.shape}")
    if args.shape == "a":
        doc = shape_a(rng)
        size = write_yaml(doc, doc_path, "shape a")
    elif args.shape == "b":
        doc = shape_b(rng)
        size = write_yaml(doc, doc_path, "shape b")
    else:
        gen_spec.main([str(doc_path), "--operations", "2000"])
        doc = gen_spec.document(2000)
        size = doc_path.stat().st_size
    reqs = Walker(doc).requests()
    req_path.write_text(json.dumps(reqs, indent=1) + "\n", encoding="utf-8")
    print(f"{doc_path}: shape {args.shape}, {len(reqs)} operations, "
          f"{len(doc['components']['schemas'])} component schemas, {size // 1024} KiB; "
          f"requests in {req_path.name}", file=sys.stderr)


if __name__ == "__main__":
    main()
