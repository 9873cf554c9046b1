#!/usr/bin/env python3
"""An independent reference of the people report (docs/people.md).

Usage: people_reference.py LOGS OUT_DIR [--periods day,week,month] [--tz UTC] [--as-of RFC3339]
                           [--identities CSV] [--key FILE]
Writes OUT_DIR/people_<daily|weekly|monthly>.csv: with --key, persons are
"p" + the first 16 hex digits of HMAC-SHA256(key file's bytes, person id);
without it, the raw person ids. Standard library only (hmac, hashlib).
"""
import csv
import hashlib
import hmac
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from engagement_reference import ADJ, first_instant, fmt, guard, local_date, next_start, period_start, previous_start, reference_run  # noqa: E402
from events_reference import BOTS, CREATES, NEEDS_PARENT, authorship, humans, parent_author  # noqa: E402

COLUMNS = ["period_start", "complete", "person", "events", "contributions", "reactions", "internal_communities",
           "external_communities", "internal_contributions", "external_contributions", "boundary_spanner",
           "interactions_out", "interactions_in", "first_seen", "new", "active_periods", "previous_active"]


def targets(e, authors):
    """The persons event e makes an interaction towards (events.md)."""
    out = []
    if e["type"] in NEEDS_PARENT:
        a = parent_author(e, authors)
        if a is not None and a != e["actor"] and a not in BOTS:
            out.append(a)
    if e["type"] in CREATES:
        for m in dict.fromkeys(e["mentions"]):
            if m != e["actor"] and m not in BOTS:
                out.append(m)
    return out


def people(events, family, tz, as_of, name):
    authors = authorship(events)  # bots' content keeps its author
    evs = humans(events)
    first = {}
    for e in evs:
        if e["actor"] not in first or e["ts"] < first[e["actor"]]:
            first[e["actor"]] = e["ts"]
    rows = {}
    received = {}

    def row(key):
        if key not in rows:
            rows[key] = {"events": 0, "contributions": 0, "reactions": 0, "internal": set(), "external": set(),
                         "internal_contributions": 0, "external_contributions": 0, "out": 0}
        return rows[key]

    for e in evs:
        p = period_start(local_date(e["ts"], tz), family)
        r = row((p, e["actor"]))
        r["events"] += 1
        r[e["kind"]].add(e["community"])
        if e["type"] in CREATES:
            r["contributions"] += 1
            r[e["kind"] + "_contributions"] += 1
        if e["type"] == "react":
            r["reactions"] += 1
        ts = targets(e, authors)
        r["out"] += len(ts)
        for t in ts:
            received[(p, t)] = received.get((p, t), 0) + 1
    periods_of = {}
    for (p, person) in rows:
        periods_of.setdefault(person, set()).add(p)
    out = []
    for (p, person), r in rows.items():
        seen = local_date(first[person], tz)
        mine = periods_of[person]
        complete = as_of is not None and first_instant(next_start(p, family), tz) <= as_of
        out.append((p, name(person), [
            p.isoformat(), complete, None, r["events"], r["contributions"], r["reactions"], len(r["internal"]), len(r["external"]),
            r["internal_contributions"], r["external_contributions"],
            r["internal_contributions"] > 0 and r["external_contributions"] > 0,
            r["out"], received.get((p, person), 0), seen.isoformat(), period_start(seen, family) == p,
            sum(1 for q in mine if q <= p), previous_start(p, family) in mine]))
    out.sort(key=lambda x: (x[0], x[1]))
    for _, cell, values in out:
        values[2] = cell
    return [v for _, _, v in out]


def main():
    key = None
    if "--key" in sys.argv:
        k = sys.argv.index("--key")
        with open(sys.argv[k + 1], "rb") as f:
            key = f.read()
        del sys.argv[k:k + 2]
    a, tz, events, stats, as_of = reference_run()

    def name(person):
        if key is None:
            return person
        return b"p" + hmac.new(key, person, hashlib.sha256).hexdigest()[:16].encode()

    for family in a.periods.split(","):
        with open(os.path.join(a.out, "people_%s.csv" % ADJ[family]), "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(COLUMNS)
            for row in people(events, family, tz, as_of, name):
                row[2] = guard(row[2].decode("utf-8"))
                w.writerow([row[0], fmt(row[1]), row[2]] + [v if isinstance(v, str) else fmt(v) for v in row[3:]])
    print(stats)


if __name__ == "__main__":
    main()
