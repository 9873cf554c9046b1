#!/bin/sh
# `make install` into a scratch PREFIX, then checks what an operator relies on:
# every job installed with --version; the jobs find the Swift runtime in
# PREFIX/lib/silta and need nothing else but libc, libm, zlib and the C++
# runtime every Debian system has; the docs the help names are installed; the
# whole install stays under 200 MB; and a night run by the installed wrapper
# in cron's environment (env -i) succeeds with no toolchain on PATH. Run by
# `make test-install` (part of `make test`).
set -eu
repo=$(CDPATH= cd -- "$(dirname -- "$0")/../.." && pwd -P)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/silta-install-test.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
prefix="$scratch/prefix"
fail() { echo "install-test: FAIL: $*" >&2; exit 1; }

make -C "$repo" --no-print-directory install PREFIX="$prefix" >"$scratch/install.log" 2>&1 \
    || { tail -n 30 "$scratch/install.log" >&2; fail "make install"; }

# Every job of the catalog, as the installed nightly lists them.
jobs=$("$prefix/bin/silta-nightly" --list-jobs | cut -f1) || fail "silta-nightly --list-jobs"
[ -n "$jobs" ] || fail "silta-nightly --list-jobs listed nothing"
for job in $jobs; do
    [ -x "$prefix/libexec/silta/$job" ] || fail "$job not installed"
    version=$("$prefix/bin/silta-$job" --version) || fail "silta-$job --version"
    [ -n "$version" ] || fail "silta-$job --version printed nothing"
    case $version in "silta $job "*) ;; *) fail "silta-$job --version says '$version', not 'silta $job <version>'" ;; esac
    # Each library: the system's basic ones, or the Swift runtime from PREFIX/lib/silta, never the toolchain's.
    ldd "$prefix/libexec/silta/$job" | while read -r name arrow path rest; do
        case $name in
            linux-vdso.so.* | /lib64/ld-linux-* | ld-linux-* | libc.so.* | libm.so.* | libz.so.* | \
                libstdc++.so.* | libgcc_s.so.* | libpthread.so.* | libdl.so.* | librt.so.* | libutil.so.*) ;;
            *)
                resolved=$(cd "$(dirname "$path")" 2>/dev/null && pwd -P)
                [ "$resolved" = "$(cd "$prefix/lib/silta" && pwd -P)" ] \
                    || fail "$job takes $name from ${path:-nowhere}, not from PREFIX/lib/silta" ;;
        esac
    done || exit 1
done
"$prefix/bin/silta-engagement" --help | tr -d '\n' | grep -q "$prefix/share/doc/silta/metrics.md" \
    || fail "the help does not name the installed docs"
[ -f "$prefix/share/doc/silta/input.md" ] || fail "docs not installed"
size_kb=$(du -sk "$prefix" | cut -f1)
[ "$size_kb" -lt 204800 ] || fail "the install takes ${size_kb} KB, over 200 MB"
for f in silta-nightly silta.crontab silta-nightly.service silta-nightly.timer; do
    [ -f "$prefix/share/silta/cron/$f" ] || fail "cron file $f not installed"
done

# A night in cron's environment, from the installed wrapper only.
home="$scratch/home"
mkdir -p "$home"
env -i SILTA_HOME="$home" LOGS="$repo/SampleData/logs" WORKERS=2 \
    /bin/sh "$prefix/share/silta/cron/silta-nightly" >"$scratch/out" 2>&1 \
    || { cat "$scratch/out" >&2; cat "$home"/var/log/silta-*.log >&2; fail "installed night"; }
[ ! -s "$scratch/out" ] || fail "a good night must print nothing: $(cat "$scratch/out")"
[ -f "$home/var/reports/run_summary.json" ] || fail "no run_summary.json"
[ -f "$home/var/reports/silta.prom" ] || fail "no silta.prom"
grep -q '"exit_code": 0' "$home/var/reports/run_summary.json" || fail "run_summary.json does not say exit 0"
ls "$home/var/reports/history/" | grep -q '^2026-11-01$' || fail "no dated copy"
if grep -q "$(printf '\033')" "$home"/var/log/silta-*.log; then fail "escape codes in the cron log"; fi
echo "install-test: ok ($(du -sh "$prefix" | cut -f1) installed in $prefix)"
