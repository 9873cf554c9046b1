#!/usr/bin/env python3
"""Runs the pandas and DuckDB one-liners of docs/reports.md "Which file to
open", as printed there, on a folder of reports, and checks what they read
against the CSV parsed here: ids exactly as the events had them (the
spreadsheet guard undone), numbers as numbers, empty cells undefined.

    oneliners_check.py docs/reports.md REPORTS
"""
import csv
import math
import re
import sys


def blocks(doc):
    text = open(doc, encoding="utf-8").read()
    code = dict()
    for lang, body in re.findall(r"```(python|sql)\n(.*?)```", text, re.S):
        first, _, rest = body.partition("\n")
        code[first.strip()] = rest.strip()
    return code["# pandas"], code["-- DuckDB"]


def reference(folder):
    with open(folder + "/engagement_weekly.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, lineterminator="\n"))
    header = rows[0]
    out = []
    for r in rows[1:]:
        row = dict(zip(header, r))
        for k in ("kind", "community"):
            if row[k].startswith("'"):
                row[k] = row[k][1:]
        out.append(row)
    return header, out


def same_number(value, field):
    if field == "":
        return value is None or (isinstance(value, float) and math.isnan(value))
    return value is not None and not (isinstance(value, float) and math.isnan(value)) and float(value) == float(field)


def main():
    doc, folder = sys.argv[1], sys.argv[2]
    pandas_code, duckdb_code = blocks(doc)
    header, rows = reference(folder)
    problems = []

    scope = {}
    exec(pandas_code.replace("var/reports", folder), scope)
    df = scope["df"]
    if list(df.columns) != header or len(df) != len(rows):
        problems.append("pandas: columns %r, %d rows" % (list(df.columns), len(df)))
    else:
        for k, row in enumerate(rows):
            got = df.iloc[k]
            if got["community"] != row["community"] or got["kind"] != row["kind"]:
                problems.append("pandas row %d: %r/%r, the CSV %r/%r" % (k, got["kind"], got["community"], row["kind"], row["community"]))
            for column in ("events", "response_rate", "median_response_s", "retention_rate"):
                if not same_number(got[column], row[column]):
                    problems.append("pandas row %d %s: %r, the CSV %r" % (k, column, got[column], row[column]))

    import duckdb
    result = duckdb.sql(duckdb_code.replace("var/reports", folder).rstrip(";"))
    names = result.columns
    got_rows = result.fetchall()
    if names != header or len(got_rows) != len(rows):
        problems.append("duckdb: columns %r, %d rows" % (names, len(got_rows)))
    else:
        for k, (got, row) in enumerate(zip(got_rows, rows)):
            got = dict(zip(names, got))
            if got["community"] != row["community"] or got["kind"] != row["kind"]:
                problems.append("duckdb row %d: %r/%r, the CSV %r/%r" % (k, got["kind"], got["community"], row["kind"], row["community"]))
            if str(got["period_start"]) != row["period_start"] or got["complete"] != (row["complete"] == "true"):
                problems.append("duckdb row %d: %r %r" % (k, got["period_start"], got["complete"]))
            for column in ("events", "response_rate", "median_response_s", "retention_rate"):
                if not same_number(got[column], row[column]):
                    problems.append("duckdb row %d %s: %r, the CSV %r" % (k, column, got[column], row[column]))
    if problems:
        print("\n".join(problems[:40]))
        return 1
    print("pandas and DuckDB read %d rows as the CSV has them" % len(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
