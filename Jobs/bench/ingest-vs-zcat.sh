#!/usr/bin/env bash
# Measures ingest against zcat on the same generated logs, in one run.
#   Jobs/bench/ingest-vs-zcat.sh [EVENTS] [WORKERS]
# Logs are generated once and cached under var/bench/logs-<EVENTS>.
set -euo pipefail
cd "$(dirname "$0")/../.."
EVENTS=${1:-5000000}
WORKERS=${2:-2}
BIN=.build/release
LOGS=var/bench/logs-$EVENTS
WH=var/bench/warehouse-ingest

swift build -c release >/dev/null
if [ ! -d "$LOGS" ]; then
    $BIN/generate-logs --out "$LOGS.tmp" --events "$EVENTS" --days 90 --seed 1 >/dev/null 2>&1
    mv "$LOGS.tmp" "$LOGS"
fi
files=$(find "$LOGS" -name '*.ndjson.gz' | sort)
compressed=$(cat $files | wc -c)
uncompressed=$(zcat $files | wc -c)

measure() { # label command...
    local label=$1; shift
    local t
    t=$(mktemp)
    /usr/bin/time -o "$t" -f "%e %U %S %M" "$@" >/dev/null 2>&1 || true
    read -r wall user sys rss <"$t"
    rm -f "$t"
    awk -v l="$label" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v b="$uncompressed" \
        'BEGIN { printf "%-28s %7.2f s wall %7.2f s cpu %7.0f MB/s %6.0f MB peak RSS\n", l, w, u + s, b / 1e6 / w, r / 1024 }'
}

echo "logs: $LOGS, $EVENTS events, $(echo "$files" | wc -l) files, $compressed bytes gzip, $uncompressed bytes NDJSON; workers $WORKERS"
measure "zcat (1 process)" sh -c "zcat $LOGS/*/*.gz"
measure "zcat ($WORKERS in parallel)" sh -c "find $LOGS -name '*.gz' | sort | xargs -P $WORKERS -n 16 zcat"
rm -rf "$WH"
measure "ingest (empty warehouse)" $BIN/ingest --logs "$LOGS" --warehouse "$WH" --reports var/bench/reports --workers "$WORKERS" --quiet
measure "ingest (nothing new)" $BIN/ingest --logs "$LOGS" --warehouse "$WH" --reports var/bench/reports --workers "$WORKERS" --quiet
