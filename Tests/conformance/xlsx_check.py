#!/usr/bin/env python3
"""An independent reader of Silta's workbook (docs/workbook.md): reads
REPORTS/silta.xlsx back with openpyxl and compares every sheet with the
report CSV it shows, cell for cell, value and type.

    xlsx_check.py REPORTS [--people full|tables] [--rows-per-sheet N] [--highlights weekly]

The expected cell of a CSV field follows docs/workbook.md "Cells", written
again here from the docs, not from Silta's code: `period_start` and
`first_seen` are dates, `complete` and the people flags booleans, the ids
(kind, community, person) text with the spreadsheet guard undone, an empty
field no value, a number with a `.` a float, another an integer; ratios
carry a percentage format. With --highlights, the four people lists are
worked out again from the people and bridging CSVs of that family. Every zip
entry must carry the fixed time 1980-01-01 00:00. Prints the differences,
exit 1 when there are any.
"""
import csv
import datetime
import glob
import os
import re
import sys
import zipfile

import openpyxl
from openpyxl.utils.escape import unescape

DATES = {"period_start", "first_seen"}
BOOLEANS = {"complete", "boundary_spanner", "new", "previous_active"}
TEXT = {"kind", "community", "kind_a", "community_a", "kind_b", "community_b", "person"}
RATIOS = {
    "lurker_share", "retention_rate", "response_rate", "advocacy_rate", "jaccard", "density", "reciprocity",
    "transitivity", "largest_component_share",
}
MAX_ROWS = 1048576


def expected(column, field):
    """The value openpyxl should give for a CSV field of `column`."""
    if field == "":
        return None
    if column in TEXT:
        return field[1:] if field.startswith("'") else field
    if column in DATES:
        y, m, d = (int(x) for x in field.split("-"))
        if (y, m, d) < (1900, 3, 1):
            return field
        return datetime.datetime(y, m, d)
    if column in BOOLEANS:
        return {"true": True, "false": False}[field]
    if re.fullmatch(r"-?[0-9]+", field):
        return int(field)
    return float(field)


def actual(value):
    # Office Open XML escapes what XML cannot hold as _xHHHH_ (openpyxl leaves them).
    return unescape(value) if isinstance(value, str) else value


def sheets_of(book, stem):
    names = [stem] + ["%s (%d)" % (stem, k) for k in range(2, 1000)]
    return [book[n] for n in names if n in book.sheetnames]


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, lineterminator="\n"))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def check_lists(book, folder, family):
    """The people lists, worked out again: the latest complete period's rows
    of the people report, ten per list, largest first, ties in file order."""
    problems = []
    complete = [r["period_start"] for r in read_csv(os.path.join(folder, "bridging_%s.csv" % family)) if r["complete"] == "true"]
    people = [r for r in read_csv(os.path.join(folder, "people_%s.csv" % family)) if complete and r["period_start"] == complete[-1]]
    num = lambda r, c: int(r[c])
    lists = {
        "champions": sorted(people, key=lambda r: -num(r, "contributions"))[:10],
        "newcomers": sorted([r for r in people if r["new"] == "true"], key=lambda r: -num(r, "contributions"))[:10],
        "boundary_spanners": sorted([r for r in people if r["boundary_spanner"] == "true"], key=lambda r: -num(r, "contributions"))[:10],
        "most_answered": sorted(people, key=lambda r: -num(r, "interactions_in"))[:10],
    }
    columns = ["period_start", "rank", "person", "contributions", "internal_contributions", "external_contributions",
               "interactions_in", "first_seen", "new", "boundary_spanner"]
    for name, rows in lists.items():
        if name not in book.sheetnames:
            problems.append("no sheet %s" % name)
            continue
        got = [[actual(c.value) for c in row] for row in book[name].iter_rows()]
        if got[0] != columns:
            problems.append("%s: header %r" % (name, got[0]))
        want = []
        for rank, r in enumerate(rows, start=1):
            fields = dict(r, rank=str(rank))
            want.append([expected(c, fields[c]) for c in columns])
        if got[1:] != want:
            problems.append("%s: %r, worked out again: %r" % (name, got[1:3], want[:2]))
    return problems


def main():
    folder = sys.argv[1]
    people = "full"
    rows_per_sheet = MAX_ROWS
    highlights = None
    args = sys.argv[2:]
    while args:
        if args[0] == "--people":
            people = args[1]
        elif args[0] == "--rows-per-sheet":
            rows_per_sheet = int(args[1])
        elif args[0] == "--highlights":
            highlights = args[1]
        args = args[2:]
    path = os.path.join(folder, "silta.xlsx")
    problems = []
    with zipfile.ZipFile(path) as z:
        if z.testzip() is not None:
            problems.append("a zip entry's CRC is wrong")
        for info in z.infolist():
            if info.date_time != (1980, 1, 1, 0, 0, 0):
                problems.append("%s carries the time %r" % (info.filename, info.date_time))
    book = openpyxl.load_workbook(path)
    if book.sheetnames[0] != "Read me":
        problems.append("the first sheet is %r, not 'Read me'" % book.sheetnames[0])
    readme_text = " ".join(str(c.value) for row in book["Read me"].iter_rows() for c in row if c.value is not None)
    shown = ["Read me"]
    cells = 0
    for path in sorted(glob.glob(os.path.join(folder, "*.csv"))):
        stem = os.path.basename(path)[:-4]
        if stem.startswith("people_") and people == "tables":
            if stem in book.sheetnames:
                problems.append("%s is a sheet though the people report was to be left out" % stem)
            continue
        with open(path, newline="", encoding="utf-8") as f:
            table = list(csv.reader(f, lineterminator="\n"))
        header, rows = table[0], table[1:]
        sheets = sheets_of(book, stem)
        if not sheets:
            problems.append("%s has no sheet" % stem)
            continue
        shown += [s.title for s in sheets]
        per = rows_per_sheet - 1
        want_sheets = max(1, -(-len(rows) // per))
        if len(sheets) != want_sheets:
            problems.append("%s: %d sheets for %d rows, wanted %d" % (stem, len(sheets), len(rows), want_sheets))
        for column in header:
            if column not in readme_text:
                problems.append("Read me does not name %s's column %s" % (stem, column))
        for n, sheet in enumerate(sheets):
            got = list(sheet.iter_rows())
            part = rows[n * per:(n + 1) * per]
            if [actual(c.value) for c in got[0]] != header:
                problems.append("%s: header %r" % (sheet.title, [c.value for c in got[0]]))
            if sheet.freeze_panes != "A2":
                problems.append("%s: frozen at %r, not under the header" % (sheet.title, sheet.freeze_panes))
            last = openpyxl.utils.get_column_letter(len(header))
            if sheet.auto_filter.ref != "A1:%s%d" % (last, len(part) + 1):
                problems.append("%s: filter %r" % (sheet.title, sheet.auto_filter.ref))
            if len(got) - 1 != len(part):
                problems.append("%s: %d rows, the CSV's part has %d" % (sheet.title, len(got) - 1, len(part)))
            for r, (row, fields) in enumerate(zip(got[1:], part), start=2):
                values = [actual(c.value) for c in row] + [None] * (len(header) - len(row))
                for k, column in enumerate(header):
                    want = expected(column, fields[k])
                    have = values[k]
                    cells += 1
                    if type(want) is not type(have) or want != have:
                        if len(problems) < 40:
                            problems.append(
                                "%s!%s%d (%s): %r (%s), the CSV says %r (%r)"
                                % (sheet.title, openpyxl.utils.get_column_letter(k + 1), r, column, have,
                                   type(have).__name__, fields[k], want))
                        else:
                            problems.append("...")
                        continue
                    if want is None:
                        continue
                    cell = row[k]
                    if column in RATIOS and "%" not in cell.number_format:
                        problems.append("%s!%s: ratio without a percentage format" % (sheet.title, cell.coordinate))
                    if column in DATES and isinstance(want, datetime.datetime) and not cell.is_date:
                        problems.append("%s!%s: date without a date format" % (sheet.title, cell.coordinate))
                    if column in TEXT and cell.data_type != "s":
                        problems.append("%s!%s: an id that is not a text cell" % (sheet.title, cell.coordinate))
    if highlights:
        problems += check_lists(book, folder, highlights)
    for name in book.sheetnames:
        if name not in shown and name not in ("champions", "newcomers", "boundary_spanners", "most_answered"):
            problems.append("sheet %r shows no report CSV" % name)
    if problems:
        print("\n".join(problems[:60]))
        return 1
    print("%d cells in %d sheets equal their CSVs" % (cells, len(shown) - 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
