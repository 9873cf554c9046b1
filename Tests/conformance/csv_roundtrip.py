#!/usr/bin/env python3
"""Reads a report's CSV with Python's csv module and its JSON twin with json,
and checks that every cell round-trips: same columns, same rows, text equal
after undoing the spreadsheet guard, numbers equal, empty == null.

Usage: csv_roundtrip.py REPORT.csv REPORT.json. Exit 1 on the first mismatch.
"""
import csv
import json
import sys

GUARDED = ("=", "+", "-", "@", "'", "\t", "\r")


def main():
    with open(sys.argv[1], newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    with open(sys.argv[2], encoding="utf-8") as f:
        doc = json.load(f)
    assert rows[0] == doc["columns"], (rows[0], doc["columns"])
    assert len(rows) - 1 == len(doc["rows"]), (len(rows) - 1, len(doc["rows"]))
    for line, (r, j) in enumerate(zip(rows[1:], doc["rows"]), start=2):
        assert list(j.keys()) == doc["columns"], line
        for name, cell in zip(doc["columns"], r):
            v = j[name]
            if v is None:
                ok = cell == ""
            elif isinstance(v, bool):
                ok = cell == ("true" if v else "false")
            elif isinstance(v, (int, float)):
                ok = cell != "" and float(cell) == float(v)
            else:
                ok = cell == ("'" + v if v[:1] in GUARDED else v)
            if not ok:
                print("line %d, %s: csv %r, json %r" % (line, name, cell, v))
                sys.exit(1)
    print("%s: %d rows round-trip" % (sys.argv[1], len(rows) - 1))


if __name__ == "__main__":
    main()
