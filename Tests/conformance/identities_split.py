#!/usr/bin/env python3
"""Makes the identity file's invariant testable without a reference: splits
every person of a folder of activity logs into per-system ids, adds bots'
traffic, and writes the identity file that undoes both (docs/identities.md).
Silta's reports of the new logs with that file must equal its reports of the
original logs without one.

Usage: identities_split.py LOGS OUT_LOGS IDENTITIES_CSV [--seed N]

- Each `actor`, `parent_actor` and mention of a valid event becomes one of
  the person's aliases (`slack:P`, `tw:P`, `yam:P`, or `P` itself), chosen
  per event and field; the file maps every alias to `P`.
- Bots (two of them with two aliases each, one alias marked as a bot) post
  new content, reply to and react to people's posts within the response
  window, share content across communities, join, view and leave; and
  people's events gain mentions of bots. Every bot event lies within the
  original logs' time range, so the as-of instant does not move.
- Lines that are not valid events (by the reference parser) are copied as they are.
Standard library only.
"""
import argparse
import csv
import gzip
import hashlib
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(__file__))
from events_reference import Reject, parse_line  # noqa: E402

ALIASES = ["slack:", "tw:", "yam:", ""]
BOTS = {"welcomebot": ["slack:B01", "teams:B01"], "digestbot": ["slack:B02", "rss:digest"]}


def pick(seed, *parts):
    h = hashlib.sha256(("|".join([str(seed)] + [str(p) for p in parts])).encode()).digest()
    return h[0]


def alias(seed, person, *where):
    return ALIASES[pick(seed, person, *where) % len(ALIASES)] + person


def read_lines(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        return f.read().split(b"\n")


def valid_event(raw):
    """The line as a JSON object when it is an event the contract accepts
    (the reference parser's verdict); else None, and it is copied as it is."""
    try:
        parse_line(raw[:-1] if raw.endswith(b"\r") else raw)
    except Reject:
        return None
    return json.loads(raw)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("logs")
    ap.add_argument("out")
    ap.add_argument("identities")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    persons = set()
    posts = []  # (ts, content, community, kind)
    contents = []  # (content, community, kind)
    stamps = []
    files = []
    for root, _, names in os.walk(a.logs):
        for name in sorted(names):
            if name.endswith(".ndjson.gz") or name.endswith(".ndjson"):
                files.append(os.path.join(root, name))
    files.sort()
    outputs = {}
    for path in files:
        out_lines = []
        for raw in read_lines(path):
            e = valid_event(raw) if raw.strip() else None
            if e is None:
                out_lines.append(raw)
                continue
            persons.add(e["actor"])
            stamps.append(e["ts"])
            e["actor"] = alias(a.seed, e["actor"], e["id"], "actor")
            if isinstance(e.get("parent_actor"), str):
                persons.add(e["parent_actor"])
                e["parent_actor"] = alias(a.seed, e["parent_actor"], e["id"], "parent")
            if isinstance(e.get("mentions"), list):
                new = []
                for k, m in enumerate(e["mentions"]):
                    if isinstance(m, str):
                        persons.add(m)
                        new.append(alias(a.seed, m, e["id"], "mention", k))
                    else:
                        new.append(m)
                e["mentions"] = new
            if e["type"] in ("post", "reply", "share") and isinstance(e.get("content"), str):
                contents.append((e["content"], e["community"], e["kind"]))
                if e["type"] == "post":
                    posts.append((e["ts"], e["content"], e["community"], e["kind"]))
            # A mention of a bot on some of people's creations: dropped by the file.
            if e["type"] in ("post", "reply") and pick(a.seed, e["id"], "botmention") < 20:
                e.setdefault("mentions", [])
                if isinstance(e["mentions"], list):
                    e["mentions"].append(BOTS["welcomebot"][pick(a.seed, e["id"], "which") % 2])
            out_lines.append(json.dumps(e, separators=(",", ":"), ensure_ascii=False).encode())
        outputs[path] = out_lines
    lo, hi = min(stamps), max(stamps)
    bot_ids = [i for ids in BOTS.values() for i in ids]
    extra = []
    n = 0

    def bot_event(ts, community, kind, type_, **fields):
        nonlocal n
        n += 1
        e = {"id": "bot-event-%d" % n, "ts": ts, "community": community, "kind": kind, "actor": rng.choice(bot_ids),
             "type": type_, "source": "bots"}
        e.update(fields)
        extra.append(json.dumps(e, separators=(",", ":")).encode())

    for ts, content, community, kind in rng.sample(posts, min(len(posts), max(1, len(posts) // 10))):
        # Replies and reactions within the response window, never past the logs' end.
        later = min(hi, ts)  # same instant: still a candidate response, and inside the range
        bot_event(later, community, kind, "reply", content="bot-reply-%d" % n, parent=content)
        bot_event(later, community, kind, "react", parent=content)
    for ts in rng.sample(stamps, min(len(stamps), 200)):
        content, community, kind = rng.choice(contents)
        other = rng.choice(contents)
        bot_event(ts, community, kind, "post", content="bot-post-%d" % n, mentions=[rng.choice(sorted(persons))])
        bot_event(ts, other[1], other[2], "share", content="bot-share-%d" % n, parent=content)
        bot_event(ts, community, kind, rng.choice(["view", "join", "leave"]))
    assert all(lo <= json.loads(x)["ts"] <= hi for x in extra)
    # Bots' events go to the end of the first file (storage order only breaks ties among people's own events).
    first = files[0]
    lines = outputs[first]
    if lines and lines[-1] == b"":
        lines.pop()
    outputs[first] = lines + extra + [b""]
    for path, lines in outputs.items():
        rel = os.path.relpath(path, a.logs)
        target = os.path.join(a.out, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        data = b"\n".join(lines)
        if path.endswith(".gz"):
            with gzip.open(target, "wb") as f:
                f.write(data)
        else:
            with open(target, "wb") as f:
                f.write(data)
    with open(a.identities, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "person", "bot"])
        for p in sorted(persons):
            for prefix in ALIASES:
                if prefix:
                    w.writerow([prefix + p, p, ""])
            if pick(a.seed, p, "own") < 64:
                w.writerow([p, "", "false"])  # a person named as its own id
        for name, ids in BOTS.items():
            w.writerow([ids[0], name, "true"])
            w.writerow([ids[1], name, ""])


if __name__ == "__main__":
    main()
