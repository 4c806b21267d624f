#!/usr/bin/env python3
"""Write two versions of bench/gen_spec.py's document, for bench/diff.

    python3 bench/gen_drift.py OUTDIR [--operations 2000]

OUTDIR/v1/api.json is gen_spec.py's document as it is; OUTDIR/v2/api.json is
a next version with changes spread over it, so `specmock diff` has work in
every rule family:

- every 50th resource loses its DELETE (api-method-removed);
- every 3rd resource's item path parameter is renamed {id} -> {itemId}
  (the same path: an info);
- every 10th resource's list `q` parameter: maxLength 100 -> 50;
- every 7th EntityKInput: ownerId becomes required, status loses "deleted";
- every 5th EntityK: `enabled` is removed (from every response it is in);
- every 11th resource's create answers 202 instead of 201.

Deterministic, standard library only.
"""

import argparse
import copy
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_spec  # noqa: E402


def next_version(doc):
    new = copy.deepcopy(doc)
    new["info"]["version"] = "2.0.0"
    paths = new["paths"]
    schemas = new["components"]["schemas"]
    for path in list(paths):
        if not path.startswith("/v1/resource"):
            continue
        i = int(path.split("/")[2][len("resource"):])
        item = paths[path]
        if path.endswith("{id}"):
            if i % 50 == 0:
                item.pop("delete", None)
            if i % 3 == 0:
                for p in item.get("parameters", []):
                    if p.get("name") == "id":
                        p["name"] = "itemId"
                paths[path.replace("{id}", "{itemId}")] = paths.pop(path)
        else:
            if i % 10 == 0 and "get" in item:
                for p in item["get"]["parameters"]:
                    if p.get("name") == "q":
                        p["schema"]["maxLength"] = 50
            if i % 11 == 0 and "post" in item:
                r = item["post"]["responses"]
                r["202"] = r.pop("201")
    for k in range(gen_spec.ENTITY_KINDS):
        inp, ent = schemas.get(f"Entity{k}Input"), schemas.get(f"Entity{k}")
        if inp and k % 7 == 0:
            inp["required"] = inp["required"] + ["ownerId"]
            inp["properties"]["status"]["enum"] = [s for s in inp["properties"]["status"]["enum"] if s != "deleted"]
        if ent and k % 5 == 0:
            ent["properties"].pop("enabled", None)
    return new


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="folder to write v1/api.json and v2/api.json into")
    ap.add_argument("--operations", type=int, default=2000)
    args = ap.parse_args(argv)
    old = gen_spec.document(args.operations)
    for name, doc in (("v1", old), ("v2", next_version(old))):
        os.makedirs(os.path.join(args.out, name), exist_ok=True)
        with open(os.path.join(args.out, name, "api.json"), "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
    print(f"{args.out}/v1/api.json, {args.out}/v2/api.json: {gen_spec.count_operations(old)} operations", file=sys.stderr)


if __name__ == "__main__":
    main()
