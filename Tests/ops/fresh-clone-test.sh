#!/bin/sh
# The README's first command on a fresh machine: a fresh clone of this
# checkout, a python3 with no packages first on PATH (a bare virtual
# environment), and `make run-jobs` must build and run the night. Run by
# `make test-fresh-clone` (part of `make test`).
set -eu
repo=$(CDPATH= cd -- "$(dirname -- "$0")/../.." && pwd -P)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/silta-fresh-clone.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
fail() { echo "fresh-clone-test: FAIL: $*" >&2; exit 1; }

git clone -q "$repo" "$scratch/clone" || fail "git clone"
python3 -m venv "$scratch/bare-python" || fail "python3 -m venv"
"$scratch/bare-python/bin/python3" -c 'import networkx' 2>/dev/null && fail "the bare python3 has packages"
( cd "$scratch/clone" && PATH="$scratch/bare-python/bin:$PATH" make run-jobs ) >"$scratch/run.log" 2>&1 \
    || { tail -n 30 "$scratch/run.log" >&2; fail "make run-jobs in a fresh clone"; }
grep -q '"exit_code": 0' "$scratch/clone/var/reports/run_summary.json" || fail "the night did not exit 0"
[ -s "$scratch/clone/var/reports/engagement_weekly.csv" ] || fail "no engagement report"
[ -s "$scratch/clone/var/reports/silta.xlsx" ] || fail "no workbook"
echo "fresh-clone-test: ok (make run-jobs in a fresh clone with a bare python3)"
