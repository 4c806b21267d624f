#!/usr/bin/env python3
"""Write a large OpenAPI 3.1 document for bench/run's case (g).

    python3 bench/gen_spec.py OUT.yaml [--operations 2000] [--format yaml|json]

The document has OPERATIONS operations in all: OPERATIONS - 1 generated ones
plus the Unleash `update-api-token` PUT copied from specs/unleash.yaml (its
schemas too), so bench/run's case (b) runs on it unchanged. The generated
part looks like a real API: resources `/v1/resource{i}/items` (GET list,
POST create) and `/v1/resource{i}/items/{id}` (GET, PUT, DELETE), path and
query and header parameters with constraints, request bodies and responses
that $ref component schemas (a few hundred of them: entities, inputs, nested
line items, shared Owner/Address/Error/Page), nullable fields in 3.1 style,
enums, formats, patterns, a response example now and then. Security: an
apiKey in the Authorization header, as Unleash's.

Deterministic (no randomness): the same arguments write the same bytes.
Standard library only. YAML is written in block style, every string value
and every key that is not a plain name double-quoted (JSON's escapes are
valid YAML), so no YAML library is needed to write it and any YAML 1.2
parser reads it.
"""

import argparse
import json
import re
import sys

# How many distinct entity schemas the resources share (resource i uses
# entity i % ENTITY_KINDS): with inputs and line items, ~3x this many
# component schemas.
ENTITY_KINDS = 120

STATUSES = ["active", "paused", "archived", "deleted"]
CURRENCIES = ["EUR", "USD", "GBP", "JPY", "CHF"]
WORDS = ["alpha", "bravo", "cedar", "delta", "ember", "fjord", "garnet", "harbor",
         "indigo", "juniper", "kestrel", "lumen", "maple", "nectar", "onyx", "prairie"]

# --- the Unleash operation, as in specs/unleash.yaml -------------------------

UNLEASH_PATH = "/api/admin/api-tokens/{token}"
UNLEASH_OPERATION = {
    "operationId": "update-api-token",
    "summary": "Update API token",
    "description": "Gives an existing API token a new expiry date. The `token` path "
                   "parameter is the token's `secret`. When no token has that secret, "
                   "the call still answers 200 OK and changes nothing.",
    "tags": ["API tokens"],
    "parameters": [
        {
            "name": "token",
            "in": "path",
            "required": True,
            "description": "The secret of the token to update.",
            "x-specmock-secret": True,
            "schema": {"type": "string"},
            "example": "default:development.be7536c3a160ff15e3a92da45de531dd54bc1ae15d8455c0476f086b",
        },
        {
            "name": "Authorization",
            "in": "header",
            "required": True,
            "description": "An admin API token or personal access token, sent as the whole "
                           "header value with no scheme prefix.",
            "schema": {"type": "string"},
            "example": "*:*.964a287e1b728cb5f4f3e0120df92cb5",
        },
    ],
    "requestBody": {
        "required": True,
        "description": "updateApiTokenSchema",
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/updateApiTokenSchema"},
                "examples": {
                    "new-expiry": {
                        "summary": "Move the expiry date",
                        "value": {"expiresAt": "2023-09-04T11:26:24+02:00"},
                    }
                },
            }
        },
    },
    "responses": {
        "200": {
            "description": "This response has no body.",
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/API tokens_updateApiToken_Response_200"},
                    "examples": {
                        "updated": {
                            "summary": "The token was updated (or did not exist)",
                            "value": {},
                        }
                    },
                }
            },
        },
        "401": {"description": "Authorization information is missing or invalid.", "content": {}},
        "403": {"description": "The credentials are valid, but the user lacks the permissions "
                               "this operation needs.", "content": {}},
        "415": {"description": "The operation does not accept a payload of the type sent.",
                "content": {}},
    },
}
UNLEASH_SCHEMAS = {
    "updateApiTokenSchema": {
        "type": "object",
        "properties": {
            "expiresAt": {
                "type": "string",
                "format": "date-time",
                "description": "The new time when this token should expire.",
            }
        },
        "required": ["expiresAt"],
    },
    "API tokens_updateApiToken_Response_200": {"type": "object", "properties": {}},
}


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def shared_schemas():
    return {
        "Address": {
            "type": "object",
            "required": ["country"],
            "properties": {
                "street": {"type": "string", "maxLength": 200},
                "city": {"type": "string", "maxLength": 100},
                "postalCode": {"type": "string", "pattern": "^[A-Z0-9 -]{3,10}$"},
                "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
            },
        },
        "Owner": {
            "type": "object",
            "required": ["id", "name"],
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "name": {"type": "string", "minLength": 1, "maxLength": 120},
                "email": {"type": "string", "format": "email"},
                "address": ref("Address"),
            },
        },
        "Money": {
            "type": "object",
            "required": ["amount", "currency"],
            "properties": {
                "amount": {"type": "number", "minimum": 0},
                "currency": {"type": "string", "enum": CURRENCIES},
            },
        },
        "Page": {
            "type": "object",
            "required": ["offset", "limit", "total"],
            "properties": {
                "offset": {"type": "integer", "minimum": 0},
                "limit": {"type": "integer", "minimum": 1, "maximum": 200},
                "total": {"type": "integer", "minimum": 0},
            },
        },
        "Error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "array", "items": {"type": "string"}},
            },
        },
    }


def entity_schemas(k):
    """Entity{k}, Entity{k}Input and Entity{k}Line."""
    extra = WORDS[k % len(WORDS)]
    line = {
        "type": "object",
        "required": ["sku", "quantity"],
        "properties": {
            "sku": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"},
            "quantity": {"type": "integer", "minimum": 1, "maximum": 1000},
            "price": ref("Money"),
            "note": {"type": ["string", "null"], "maxLength": 500},
        },
    }
    entity = {
        "type": "object",
        "description": f"A {extra} record (kind {k}).",
        "required": ["id", "name", "status", "createdAt"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "name": {"type": "string", "minLength": 1, "maxLength": 100},
            "description": {"type": ["string", "null"], "maxLength": 2000},
            "status": {"type": "string", "enum": STATUSES},
            "createdAt": {"type": "string", "format": "date-time"},
            "updatedAt": {"type": ["string", "null"], "format": "date-time"},
            "tags": {"type": "array", "maxItems": 20, "uniqueItems": True,
                     "items": {"type": "string", "maxLength": 40}},
            f"{extra}Count": {"type": "integer", "minimum": 0},
            f"{extra}Ratio": {"type": "number", "minimum": 0, "maximum": 1},
            "enabled": {"type": "boolean"},
            "owner": ref("Owner"),
            "total": ref("Money"),
            "lines": {"type": "array", "maxItems": 50, "items": ref(f"Entity{k}Line")},
            "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    }
    inp = {
        "type": "object",
        "additionalProperties": False,
        "required": ["name"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 100},
            "description": {"type": ["string", "null"], "maxLength": 2000},
            "status": {"type": "string", "enum": STATUSES},
            "tags": {"type": "array", "maxItems": 20, "items": {"type": "string", "maxLength": 40}},
            f"{extra}Count": {"type": "integer", "minimum": 0},
            "enabled": {"type": "boolean"},
            "ownerId": {"type": "string", "format": "uuid"},
            "lines": {"type": "array", "maxItems": 50, "items": ref(f"Entity{k}Line")},
            "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    }
    return {f"Entity{k}": entity, f"Entity{k}Input": inp, f"Entity{k}Line": line}


def example_entity(i, k):
    extra = WORDS[k % len(WORDS)]
    return {
        "id": f"{i:08x}-0000-4000-8000-{k:012x}",
        "name": f"{extra} {i}",
        "description": None,
        "status": STATUSES[i % len(STATUSES)],
        "createdAt": "2025-03-02T09:14:00Z",
        "tags": [extra],
        f"{extra}Count": i,
        "enabled": True,
    }


def error_responses():
    return {
        "400": {"$ref": "#/components/responses/BadRequest"},
        "401": {"$ref": "#/components/responses/Unauthorized"},
        "404": {"$ref": "#/components/responses/NotFound"},
    }


def resource_paths(i):
    """Five operations on resource i: list, create, get, replace, delete."""
    k = i % ENTITY_KINDS
    ent, inp = f"Entity{k}", f"Entity{k}Input"
    tag = f"resource{i}"
    json_of = lambda schema: {"application/json": {"schema": schema}}  # noqa: E731
    item_ok = {"description": "The item.", "content": json_of(ref(ent))}
    if i % 4 == 0:  # some operations carry an example, most are generated
        item_ok["content"]["application/json"]["examples"] = {
            "one": {"value": example_entity(i, k)}
        }
    collection = {
        "get": {
            "operationId": f"list-resource{i}-items",
            "summary": f"List resource {i} items",
            "tags": [tag],
            "parameters": [
                {"$ref": "#/components/parameters/Limit"},
                {"$ref": "#/components/parameters/Offset"},
                {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["name", "-name", "createdAt", "-createdAt"]}},
                {"name": "status", "in": "query", "schema": {"type": "array", "items": {"type": "string", "enum": STATUSES}}, "style": "form", "explode": True},
                {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 100}},
                {"$ref": "#/components/parameters/RequestId"},
            ],
            "responses": {
                "200": {
                    "description": "A page of items.",
                    "content": json_of({
                        "type": "object",
                        "required": ["items", "page"],
                        "properties": {
                            "items": {"type": "array", "items": ref(ent)},
                            "page": ref("Page"),
                        },
                    }),
                },
                **error_responses(),
            },
        },
        "post": {
            "operationId": f"create-resource{i}-item",
            "summary": f"Create a resource {i} item",
            "tags": [tag],
            "parameters": [{"$ref": "#/components/parameters/RequestId"},
                           {"name": "Idempotency-Key", "in": "header", "schema": {"type": "string", "maxLength": 64}}],
            "requestBody": {"required": True, "content": json_of(ref(inp))},
            "responses": {
                "201": {"description": "Created.", "content": json_of(ref(ent)),
                        "headers": {"Location": {"schema": {"type": "string"}}}},
                **error_responses(),
            },
        },
    }
    id_param = {"name": "id", "in": "path", "required": True,
                "schema": {"type": "string", "pattern": "^[A-Za-z0-9-]{1,64}$"}}
    item = {
        "parameters": [id_param],
        "get": {
            "operationId": f"get-resource{i}-item",
            "summary": f"Get a resource {i} item",
            "tags": [tag],
            "parameters": [{"name": "expand", "in": "query", "schema": {"type": "array", "items": {"type": "string", "enum": ["owner", "lines"]}}},
                           {"$ref": "#/components/parameters/RequestId"}],
            "responses": {"200": item_ok, **error_responses()},
        },
        "put": {
            "operationId": f"replace-resource{i}-item",
            "summary": f"Replace a resource {i} item",
            "tags": [tag],
            "parameters": [{"name": "If-Match", "in": "header", "schema": {"type": "string"}}],
            "requestBody": {"required": True, "content": json_of(ref(inp))},
            "responses": {"200": {"description": "The replaced item.", "content": json_of(ref(ent))},
                          **error_responses()},
        },
        "delete": {
            "operationId": f"delete-resource{i}-item",
            "summary": f"Delete a resource {i} item",
            "tags": [tag],
            "responses": {"204": {"description": "Deleted."}, **error_responses()},
        },
    }
    return {f"/v1/resource{i}/items": collection, f"/v1/resource{i}/items/{{id}}": item}


def document(operations):
    generated = operations - 1  # plus the Unleash one
    if generated < 1:
        raise SystemExit("--operations must be at least 2")
    paths = {}
    count = 0
    i = 0
    while count < generated:
        for path, item in resource_paths(i).items():
            for method in ("get", "post", "put", "delete"):
                if method in item:
                    if count >= generated:
                        del item[method]
                    else:
                        count += 1
            if any(m in item for m in ("get", "post", "put", "delete")):
                paths[path] = item
        i += 1
    paths[UNLEASH_PATH] = {"put": UNLEASH_OPERATION}

    schemas = shared_schemas()
    for k in range(min(ENTITY_KINDS, i)):
        schemas.update(entity_schemas(k))
    schemas.update(UNLEASH_SCHEMAS)

    err = {"content": {"application/json": {"schema": ref("Error")}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"Generated benchmark API ({operations} operations)",
            "version": "1.0.0",
            "description": "Written by specmock's bench/gen_spec.py for bench/run case (g).",
        },
        "servers": [{"url": "https://api.example.com"}],
        "security": [{"apiKey": []}],
        "tags": [{"name": "API tokens"}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "apiKey": {"type": "apiKey", "in": "header", "name": "Authorization",
                           "description": "An API token, sent as the whole Authorization header value."},
            },
            "parameters": {
                "Limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}},
                "Offset": {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
                "RequestId": {"name": "X-Request-Id", "in": "header", "schema": {"type": "string", "format": "uuid"}},
            },
            "responses": {
                "BadRequest": {"description": "The request is malformed.", **err},
                "Unauthorized": {"description": "No valid credentials.", **err},
                "NotFound": {"description": "No such item.", **err},
            },
            "schemas": schemas,
        },
    }


def yaml_lines(value, indent=0):
    """Block-style YAML; keys and strings double-quoted via JSON's escaping."""
    pad = "  " * indent
    if isinstance(value, dict):
        if not value:
            yield pad + "{}"
            return
        for key, item in value.items():
            head = pad + yaml_key(key) + ":"
            if isinstance(item, (dict, list)) and item:
                yield head
                yield from yaml_lines(item, indent + 1)
            else:
                yield head + " " + scalar(item)
    elif isinstance(value, list):
        if not value:
            yield pad + "[]"
            return
        for item in value:
            if isinstance(item, (dict, list)) and item:
                lines = list(yaml_lines(item, indent + 1))
                # the first line goes after the dash
                yield pad + "- " + lines[0].lstrip(" ")
                yield from lines[1:]
            else:
                yield pad + "- " + scalar(item)
    else:
        yield pad + scalar(value)


PLAIN_KEY = re.compile(r"^[A-Za-z_$][A-Za-z0-9_.$-]*$")
YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def yaml_key(key):
    """A key plain when YAML reads it back as the same string, else quoted."""
    key = str(key)
    if PLAIN_KEY.match(key) and key.lower() not in YAML_WORDS:
        return key
    return json.dumps(key)


def scalar(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return json.dumps(v)
    if isinstance(v, (dict, list)):
        return "{}" if isinstance(v, dict) else "[]"
    return json.dumps(str(v))


def count_operations(doc):
    methods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
    return sum(1 for item in doc["paths"].values() for m in item if m in methods)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="file to write (- for stdout)")
    ap.add_argument("--operations", type=int, default=2000, help="operations in all (default 2000)")
    ap.add_argument("--format", choices=["yaml", "json"], default=None,
                    help="default: from the file name (.json: JSON), else YAML")
    args = ap.parse_args(argv)
    fmt = args.format or ("json" if args.out.endswith(".json") else "yaml")
    doc = document(args.operations)
    if fmt == "json":
        text = json.dumps(doc, indent=1) + "\n"
    else:
        text = "# Generated by bench/gen_spec.py: do not edit.\n" + "\n".join(yaml_lines(doc)) + "\n"
    if args.out == "-":
        sys.stdout.write(text)
    else:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    n = count_operations(doc)
    print(f"{args.out}: {n} operations, {len(doc['components']['schemas'])} component schemas, "
          f"{len(text) // 1024} KiB ({fmt})", file=sys.stderr)


if __name__ == "__main__":
    main()
