"""Adafruit's official Python client (`adafruit-io`, module `Adafruit_IO`)
against a running specmock: the client's feed and data calls, each judged
pass or fail.

    drive.py calls URL SEED RESULTS.jsonl   make the 9 calls against URL
                                            (specmock serving
                                            specs/adafruit-io.yaml), print
                                            one line per call, append one
                                            JSON line per call to RESULTS
    drive.py tally RESULTS.jsonl            the table per seed and the
                                            total; exit 1 unless every call
                                            passed on every seed

A call passes when the client returns without raising and what it returns
carries the fields a caller of that method reads: a Feed's `id`, `name` and
`key` (the client addresses feeds by key), a Data point's `id` and `value`
(`receive*` is documented as "a Data instance whose value property holds the
retrieved value"). The client itself never checks them: `Feed.from_dict` and
`Data.from_dict` fill a missing field with None, so a missing field shows up
only here.
"""

import json
import sys

from Adafruit_IO import Client, Data, Feed

USERNAME = "jdoe_maker"  # the username parameter's example in the document
KEY = "aio_specmock_key"  # any key: specmock checks only that one is sent
FEED_KEY = "temperature"  # the feed_key parameter's example

FEED_FIELDS = ("id", "name", "key")
DATA_FIELDS = ("id", "value")

CALLS = [
    "list feeds",
    "get feed",
    "create feed",
    "delete feed",
    "send data",
    "receive data",
    "last data",
    "next data",
    "previous data",
]


KINDS = {"Feed": (Feed, FEED_FIELDS), "Data": (Data, DATA_FIELDS)}


def check_one(obj, kind):
    """None if `obj` is a `kind` (Feed or Data) with every field a caller
    reads set, else what is wrong."""
    cls, fields = KINDS[kind]
    if not isinstance(obj, cls):
        return f"expected a {kind}, got {type(obj).__name__}"
    for f in fields:
        if getattr(obj, f) is None:
            return f"{kind} has no '{f}'"
    return None


def check_list(objs, kind):
    """The same for each item of a list, and how many there were (an empty
    list passes: an account may have no feeds, a feed no data)."""
    if not isinstance(objs, list):
        return f"expected a list of {kind}, got {type(objs).__name__}"
    for i, o in enumerate(objs):
        m = check_one(o, kind)
        if m:
            return f"item {i} of {len(objs)}: {m}"
    return Counted(len(objs))


class Counted(int):
    """A passing list check, carrying the list's length for the report."""


def exchange(aio):
    """What the client last got back, for the failure message."""
    r = aio._last_response
    if r is None:
        return ""
    body = r.text.replace("\n", " ")
    if len(body) > 300:
        body = body[:300] + "..."
    extra = ""
    v = r.headers.get("x-specmock-violations")
    if v:
        extra = f" violations: {v}"
    return (
        f" [{r.request.method} {r.request.path_url} -> {r.status_code}"
        f" {r.headers.get('content-type', '-')}{extra}; body: {body}]"
    )


def calls(url, seed, results_path):
    aio = Client(USERNAME, KEY, base_url=url)
    # The client's own way to create a feed, as the vendor's documentation
    # shows it (`Feed(name="newfeed")`), with the key a program then uses.
    # history and visibility are set because the client's defaults for them
    # ('ON' and 'Private') break the vendor's own Feed schema (a boolean;
    # 'private' or 'public'), which specmock rightly rejects (422); every
    # other unset field goes out as null (serve --tolerate-nulls, in `run`).
    new_feed = Feed(
        name=f"SDK test {seed}",
        key=f"sdk-test-{seed}",
        history=True,
        visibility="private",
    )
    steps = [
        ("list feeds", lambda: check_list(aio.feeds(), "Feed")),
        ("get feed", lambda: check_one(aio.feeds(FEED_KEY), "Feed")),
        (
            "create feed",
            lambda: check_one(aio.create_feed(new_feed), "Feed"),
        ),
        ("delete feed", lambda: aio.delete_feed(new_feed.key)),
        (
            "send data",
            lambda: check_one(aio.send_data(FEED_KEY, "22.5"), "Data"),
        ),
        ("receive data", lambda: check_list(aio.data(FEED_KEY), "Data")),
        ("last data", lambda: check_one(aio.receive(FEED_KEY), "Data")),
        (
            "next data",
            lambda: check_one(aio.receive_next(FEED_KEY), "Data"),
        ),
        (
            "previous data",
            lambda: check_one(aio.receive_previous(FEED_KEY), "Data"),
        ),
    ]
    assert [n for n, _ in steps] == CALLS
    passed = 0
    with open(results_path, "a", encoding="utf-8") as out:
        for name, step in steps:
            aio._last_response = None
            try:
                problem = step()
            except Exception as e:  # the client raising is the failure
                problem = f"{type(e).__name__}: {e}"
            note = ""
            if isinstance(problem, Counted):
                n = int(problem)
                note, problem = f" ({n} item{'' if n == 1 else 's'})", None
            if problem:
                problem += exchange(aio)
                print(f"  FAIL {name}: {problem}")
            else:
                passed += 1
                print(f"  ok   {name}{note}")
            out.write(
                json.dumps({"seed": seed, "call": name, "ok": not problem, "error": problem})
                + "\n"
            )
    print(f"  seed {seed}: {passed}/{len(steps)}")


def tally(results_path):
    rows = [json.loads(l) for l in open(results_path, encoding="utf-8") if l.strip()]
    seeds = sorted({r["seed"] for r in rows})
    if not seeds:
        print("no results")
        return 1
    print(f"{'seed':>5} {'passed':>7}  failed calls")
    all_ok = True
    for s in seeds:
        mine = [r for r in rows if r["seed"] == s]
        ok = sum(r["ok"] for r in mine)
        failed = [r["call"] for r in mine if not r["ok"]]
        all_ok &= ok == len(CALLS) and len(mine) == len(CALLS)
        print(f"{s:>5} {ok:>4}/{len(CALLS)}  {', '.join(failed) or '-'}")
    print()
    print(f"{'call':<14} passed on")
    for c in CALLS:
        ok = sum(1 for r in rows if r["call"] == c and r["ok"])
        print(f"{c:<14} {ok:>3}/{len(seeds)} seeds")
    total = sum(r["ok"] for r in rows)
    perfect = sum(
        1 for s in seeds if sum(r["ok"] for r in rows if r["seed"] == s) == len(CALLS)
    )
    print()
    print(
        f"total: {total}/{len(CALLS) * len(seeds)} calls passed; "
        f"{perfect}/{len(seeds)} seeds with {len(CALLS)}/{len(CALLS)}"
    )
    return 0 if all_ok else 1


def main(argv):
    if len(argv) == 5 and argv[1] == "calls":
        calls(argv[2], int(argv[3]), argv[4])
        return 0
    if len(argv) == 3 and argv[1] == "tally":
        return tally(argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
