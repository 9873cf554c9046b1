"""An independent reading of ../shared/spec/events.md, for conformance tests.

Standard library only. Written from the contract, not from Silta's code:
json.loads for the grammar, zoneinfo for time zones, plain dicts and sets.
Slow but simple; meant for generated test data, not for production.
"""
import csv
import gzip
import json
import os
import re
import zlib

MIB = 1_048_576
TYPES = {"join", "leave", "view", "post", "reply", "react", "share"}
CREATES = {"post", "reply", "share"}
NEEDS_PARENT = {"reply", "react", "share"}


class Reject(Exception):
    def __init__(self, reason):
        self.reason = reason


def _days_from_civil(y, m, d):
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


TS = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$", re.ASCII)


def parse_ts(text):
    m = TS.match(text)
    if not m:
        return None
    y, mo, d, h, mi, s = (int(m.group(i)) for i in range(1, 7))
    leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    mdays = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    if not (1 <= mo <= 12 and 1 <= d <= mdays[mo - 1] and h <= 23 and mi <= 59 and s <= 60):
        return None
    frac = m.group(7) or ""
    ms = int((frac + "000")[:3]) if frac else 0
    if s == 60:
        ms = 0  # the next second's first instant
    off = 0
    if m.group(9):
        oh, om = int(m.group(10)), int(m.group(11))
        if oh > 23 or om > 59:
            return None
        off = (oh * 60 + om) * (-1 if m.group(9) == "-" else 1)
    t = (_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - off * 60) * 1000 + ms
    if not (-62135596800000 <= t <= 253402300799999):
        return None
    return t


def _reject_constant(name):
    raise ValueError(name)


def _string_field(obj, key, required):
    """Type, lone surrogate, length, as events.md orders them. Returns the UTF-8 bytes or None."""
    v = obj.get(key)
    if v is None:
        if required:
            raise Reject("missing_field")
        return None
    if not isinstance(v, str):
        raise Reject("wrong_type")
    try:
        b = v.encode("utf-8")
    except UnicodeEncodeError:
        raise Reject("invalid_utf8")
    if not 1 <= len(b) <= 200:
        raise Reject("wrong_type")
    return b


def parse_line(raw):
    """Returns an event dict or raises Reject."""
    if len(raw) > MIB:
        raise Reject("line_too_long")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Reject("invalid_utf8")
    if text.startswith("\ufeff"):
        raise Reject("invalid_json")
    try:
        obj = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise Reject("invalid_json")
    if not isinstance(obj, dict):
        raise Reject("not_object")
    e = {"id": _string_field(obj, "id", True)}
    ts_text = _string_field(obj, "ts", True)
    e["ts"] = parse_ts(ts_text.decode("utf-8"))
    if e["ts"] is None:
        raise Reject("bad_timestamp")
    e["community"] = _string_field(obj, "community", True)
    kind = _string_field(obj, "kind", True)
    if kind not in (b"internal", b"external"):
        raise Reject("unknown_kind")
    e["kind"] = kind.decode()
    e["actor"] = _string_field(obj, "actor", True)
    t = _string_field(obj, "type", True)
    if t.decode("utf-8", "replace") not in TYPES:
        raise Reject("unknown_type")
    e["type"] = t.decode()
    e["content"] = _string_field(obj, "content", e["type"] in CREATES)
    e["parent"] = _string_field(obj, "parent", e["type"] in NEEDS_PARENT)
    e["parent_actor"] = _string_field(obj, "parent_actor", False)
    mentions = obj.get("mentions")
    e["mentions"] = []
    if mentions is not None:
        if not isinstance(mentions, list):
            raise Reject("wrong_type")
        for m in mentions:
            if not isinstance(m, str):
                raise Reject("wrong_type")
            try:
                mb = m.encode("utf-8")
            except UnicodeEncodeError:
                raise Reject("invalid_utf8")
            if not 1 <= len(mb) <= 200:
                raise Reject("wrong_type")
            e["mentions"].append(mb)
    _string_field(obj, "source", False)
    if e["type"] not in CREATES:
        e["content"] = None
        e["mentions"] = []
    return e


def read_file(path):
    """The lines of one log, as bytes. Damage ends the file: the partial line is dropped."""
    data = open(path, "rb").read()
    if path.endswith(".ndjson.gz"):
        out = []
        pos = 0
        damaged = False
        while pos < len(data):
            if pos > 0 and data[pos] == 0 and not data[pos:].strip(b"\0"):
                break
            d = zlib.decompressobj(31)
            try:
                out.append(d.decompress(data[pos:]))
            except zlib.error:
                damaged = True
                break
            if not d.eof:
                damaged = True
                break
            pos = len(data) - len(d.unused_data)
        data = b"".join(out)
        if damaged:
            data = data[: data.rfind(b"\n") + 1]
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return [l[:-1] if l.endswith(b"\r") else l for l in lines]


def load(logs):
    """Accepted, de-duplicated events (first read wins), and counts."""
    paths = []
    for root, _, files in os.walk(logs):
        for f in files:
            if f.endswith(".ndjson.gz") or f.endswith(".ndjson"):
                full = os.path.join(root, f)
                paths.append((os.path.relpath(full, logs).encode(), full))
    paths.sort()
    seen = set()
    events = []
    stats = {"lines": 0, "accepted": 0, "duplicates": 0, "rejected": {}}
    for _, full in paths:
        for raw in read_file(full):
            if not raw.strip(b" \t"):
                continue
            stats["lines"] += 1
            try:
                e = parse_line(raw)
            except Reject as r:
                stats["rejected"][r.reason] = stats["rejected"].get(r.reason, 0) + 1
                continue
            stats["accepted"] += 1
            key = (e["id"], e["ts"])
            if key in seen:
                stats["duplicates"] += 1
                continue
            seen.add(key)
            events.append(e)
    return events, stats


def authorship(events):
    """content id -> (author, (kind, community)) by the smallest claim."""
    best = {}
    for e in events:
        if e["type"] in CREATES:
            claim = (e["ts"], e["actor"], e["kind"], e["community"], e["id"])
            c = e["content"]
            if c not in best or claim < best[c]:
                best[c] = claim
    return {c: (v[1], (v[2], v[3])) for c, v in best.items()}


def parent_author(e, authors):
    if e["parent_actor"] is not None:
        return e["parent_actor"]
    a = authors.get(e["parent"])
    return a[0] if a else None


# Persons that are bots, once apply_identities ran (identities.md).
BOTS = set()


def apply_identities(events, path):
    """Rewrites every actor, parent_actor and mention through the identity
    file at `path` (id,person[,bot]; an empty person is the id itself),
    drops mentions of bots, keeps each mentioned person once, and marks each
    event whose actor is a bot with e["bot"]. Fills BOTS."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], [r for r in rows[1:] if r]
    person = {}
    for r in rows:
        fields = dict(zip(header, r))
        pid = fields["id"].encode()
        person[pid] = fields["person"].encode() if fields["person"] else pid
        if fields.get("bot") == "true":
            BOTS.add(person[pid])
    for e in events:
        e["actor"] = person.get(e["actor"], e["actor"])
        if e["parent_actor"] is not None:
            e["parent_actor"] = person.get(e["parent_actor"], e["parent_actor"])
        mentioned = []
        for m in e["mentions"]:
            m = person.get(m, m)
            if m not in BOTS and m not in mentioned:
                mentioned.append(m)
        e["mentions"] = mentioned
        e["bot"] = e["actor"] in BOTS


def humans(events):
    """The events that count in a metric: all but bots' (identities.md)."""
    return [e for e in events if not e.get("bot")]
