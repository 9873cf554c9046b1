#!/usr/bin/env python3
"""An independent reference of the engagement metrics (../shared/spec/metrics.md).

Usage: engagement_reference.py LOGS OUT_DIR [--periods day,week,month] [--tz UTC] [--as-of RFC3339] [--identities CSV]
Writes OUT_DIR/engagement_<daily|weekly|monthly>.csv. Standard library only.
"""
import argparse
import csv
import datetime
import os
import sys
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(__file__))
from events_reference import BOTS, CREATES, NEEDS_PARENT, apply_identities, authorship, humans, load, parent_author, parse_ts  # noqa: E402

WEEK_MS = 604_800_000
ADJ = {"day": "daily", "week": "weekly", "month": "monthly"}


def local_date(ms, tz):
    return datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.timezone.utc).astimezone(tz).date()


def period_start(d, family):
    if family == "day":
        return d
    if family == "week":
        return d - datetime.timedelta(days=d.weekday())
    return d.replace(day=1)


def next_start(start, family):
    if family == "day":
        return start + datetime.timedelta(days=1)
    if family == "week":
        return start + datetime.timedelta(days=7)
    return (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def previous_start(start, family):
    if family == "day":
        return start - datetime.timedelta(days=1)
    if family == "week":
        return start - datetime.timedelta(days=7)
    return (start - datetime.timedelta(days=1)).replace(day=1)


def first_instant(day, tz):
    """The first instant (ms) whose local date is `day` or later: bisect over UTC ms."""
    lo = int(datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone.utc).timestamp() * 1000) - 2 * 86_400_000
    hi = lo + 4 * 86_400_000
    while lo < hi:
        mid = (lo + hi) // 2
        if local_date(mid, tz) >= day:
            hi = mid
        else:
            lo = mid + 1
    return lo


def fmt(x):
    if x is None:
        return ""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, int):
        return str(x)
    s = "%.6f" % x
    s = s.rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def guard(text):
    return "'" + text if text[:1] in ("=", "+", "-", "@", "'", "\t", "\r") else text


def gini(xs):
    n = len(xs)
    mean = sum(xs) / n
    return sum(abs(a - b) for a in xs for b in xs) / (2 * n * n * mean)


def core(xs):
    total = sum(xs)
    run = 0
    for k, x in enumerate(sorted(xs, reverse=True)):
        run += x
        if 2 * run >= total:
            return k + 1


def engagement(events, family, tz, as_of):
    authors = authorship(events)  # bots' content has its author too
    events = humans(events)
    # Replies by parent content, for responses (any community).
    replies = {}
    for e in events:
        if e["type"] == "reply":
            replies.setdefault(e["parent"], []).append((e["ts"], e["actor"]))
    by_comm = {}
    for e in events:
        by_comm.setdefault((e["kind"], e["community"]), []).append(e)
    rows = []
    for comm, evs in by_comm.items():
        evs.sort(key=lambda e: (e["ts"], e["type"] == "leave"))
        periods = {}
        for e in evs:
            periods.setdefault(period_start(local_date(e["ts"], tz), family), []).append(e)
        first_event = {}
        first_create = {}
        for e in evs:
            p = period_start(local_date(e["ts"], tz), family)
            first_event.setdefault(e["actor"], p)
            if e["type"] in CREATES:
                first_create.setdefault(e["actor"], p)
        active_by_period = {p: {e["actor"] for e in es} for p, es in periods.items()}
        for p, es in periods.items():
            end = first_instant(next_start(p, family), tz)
            count = {t: sum(1 for e in es if e["type"] == t) for t in ("view", "post", "reply", "react", "share", "join", "leave")}
            active = active_by_period[p]
            creators = {e["actor"] for e in es if e["type"] in CREATES}
            reactors = {e["actor"] for e in es if e["type"] == "react"} - creators
            lurkers = len(active) - len(creators) - len(reactors)
            state = {}
            for e in evs:
                if e["ts"] < end:
                    state[e["actor"]] = e["type"] != "leave"
            members = sum(1 for v in state.values() if v)
            new_members = sum(1 for a in active if first_event[a] == p)
            prev = active_by_period.get(previous_start(p, family), set())
            retention = len(active & prev) / len(prev) if prev else None
            posts = [e for e in es if e["type"] == "post"]
            delays = []
            for e in posts:
                cands = [t - e["ts"] for (t, a) in replies.get(e["content"], []) if a != e["actor"] and 0 <= t - e["ts"] <= WEEK_MS]
                if cands:
                    delays.append(min(cands))
            response_rate = len(delays) / len(posts) if posts else None
            if delays:
                delays.sort()
                k = len(delays) // 2
                median = delays[k] / 1000 if len(delays) % 2 else (delays[k - 1] + delays[k]) / 2000
            else:
                median = None
            new_creators = sum(1 for a in creators if first_create[a] == p)
            counts = {}
            for e in es:
                if e["type"] in CREATES:
                    counts[e["actor"]] = counts.get(e["actor"], 0) + 1
            xs = list(counts.values())
            interactions = 0
            unresolved = 0
            for e in es:
                if e["type"] in NEEDS_PARENT:
                    a = parent_author(e, authors)
                    if a is None:
                        unresolved += 1
                    elif a != e["actor"] and a not in BOTS:
                        interactions += 1
                interactions += sum(1 for m in set(e["mentions"]) if m != e["actor"])
            rows.append((
                p, comm,
                [p.isoformat(), end <= as_of if as_of is not None else False, comm[0], comm[1].decode(),
                 len(es), count["view"], count["post"], count["reply"], count["react"], count["share"], count["join"], count["leave"],
                 len(active), len(creators), len(reactors), lurkers, members, new_members,
                 lurkers / len(active), retention, response_rate, median, new_creators,
                 core(xs) if xs else None, gini(xs) if xs else None, interactions, unresolved],
            ))
    rows.sort(key=lambda r: (r[0], r[1]))
    return [r[2] for r in rows]


COLUMNS = ["period_start", "complete", "kind", "community", "events", "views", "posts", "replies", "reactions", "shares",
           "joins", "leaves", "active_users", "creators", "reactors", "lurkers", "members", "new_members", "lurker_share",
           "retention_rate", "response_rate", "median_response_s", "new_creators", "core_creators", "creator_gini",
           "interactions", "unresolved_parents"]


def reference_run():
    """The command line every reference takes (LOGS OUT_DIR [--periods]
    [--tz] [--as-of] [--identities]): returns the arguments, the time zone, the accepted
    events, the load statistics and the as-of instant; OUT_DIR exists."""
    ap = argparse.ArgumentParser()
    ap.add_argument("logs")
    ap.add_argument("out")
    ap.add_argument("--periods", default="day,week,month")
    ap.add_argument("--tz", default="UTC")
    ap.add_argument("--as-of", default=None)
    ap.add_argument("--identities", default=None)
    a = ap.parse_args()
    events, stats = load(a.logs)
    if a.identities:
        apply_identities(events, a.identities)
    as_of = parse_ts(a.as_of) if a.as_of else (max(e["ts"] for e in events) if events else None)
    os.makedirs(a.out, exist_ok=True)
    return a, ZoneInfo(a.tz), events, stats, as_of


def main():
    a, tz, events, stats, as_of = reference_run()
    for family in a.periods.split(","):
        with open(os.path.join(a.out, "engagement_%s.csv" % ADJ[family]), "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(COLUMNS)
            for row in engagement(events, family, tz, as_of):
                row[3] = guard(row[3])
                w.writerow([row[0], fmt(row[1]), row[2], row[3]] + [fmt(v) for v in row[4:]])
    print(stats)


if __name__ == "__main__":
    main()
