#!/usr/bin/env python3
"""Compares two report CSVs cell by cell: text exactly, numbers within 1e-6.

Usage: compare_csv.py ACTUAL EXPECTED. Prints every difference; exit 1 when any.
"""
import csv
import sys


def cells(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def same(a, b):
    if a == b:
        return True
    try:
        return abs(float(a) - float(b)) <= 1e-6
    except ValueError:
        return False


def main():
    actual, expected = cells(sys.argv[1]), cells(sys.argv[2])
    problems = []
    if actual[:1] != expected[:1]:
        problems.append("header: %r != %r" % (actual[:1], expected[:1]))
    if len(actual) != len(expected):
        problems.append("rows: %d != %d" % (len(actual) - 1, len(expected) - 1))
    header = expected[0] if expected else []
    for i, (ra, re_) in enumerate(zip(actual[1:], expected[1:]), start=1):
        for k, (a, b) in enumerate(zip(ra, re_)):
            if not same(a, b):
                problems.append("row %d (%s) %s: %r != %r" % (i, ",".join(re_[:4]), header[k] if k < len(header) else k, a, b))
    for p in problems[:40]:
        print(p)
    print("%s: %d rows compared, %d differences" % (sys.argv[1], len(expected) - 1, len(problems)))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
