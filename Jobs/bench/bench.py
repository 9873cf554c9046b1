#!/usr/bin/env python3
"""make bench: Silta side by side with the inflate floor, zcat, DuckDB,
NetworkX and igraph, on the same generated logs, in one run.

Usage: bench.py [--sizes 5000000 20000000] [--workers N] [--budget SECONDS] [--out var/bench/results.json]

Logs are generated once per size with generate-logs (90 days, seed 1) and
cached under var/bench/. Every command runs as a child process; wall time,
CPU time (user + system) and peak RSS come from wait4(2). Peers that cannot be
installed are reported as missing, and a peer that exceeds the time budget is
reported as taking longer than it.
"""
import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import time

BIN = ".build/release"
DAYS = 90


def report_jobs():
    """The report jobs of the catalog, as the built nightly lists them."""
    listing = subprocess.check_output([BIN + "/nightly", "--list-jobs"], text=True)
    return [line.split("\t")[0] for line in listing.splitlines() if line.split("\t")[1] == "report"]


def write_identities(path, rows, persons):
    """An identity file of `rows` rows (docs/identities.md): the generated
    persons (p100000, ...) first, then ids no log has, merged in pairs into
    persons named person-K, every 50th a bot."""
    with open(path, "w") as f:
        f.write("id,person,bot\n")
        for i in range(rows):
            pid = "p%d" % (100_000 + i) if i < persons else "slack:U%09d" % i
            f.write("%s,person-%d,%s\n" % (pid, i // 2, "true" if i % 50 == 7 else ""))
    return path


def identity_load_seconds(cmd):
    """The seconds a report job says it took to read its identity file."""
    err = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True).stderr
    for line in err.splitlines():
        if "read the identity file" in line:
            return float(line.rsplit(" in ", 1)[1].split()[0])
    return None


def gharchive_hours(days):
    """`days` copies of the real GH Archive hour in Tests/Fixtures/raw, each
    moved to its own day (created_at rewritten), under var/bench/gharchive-N."""
    folder = "var/bench/gharchive-%d" % days
    if not os.path.isdir(folder):
        import gzip
        with gzip.open("Tests/Fixtures/raw/gharchive/2015-01-01-0.json.gz", "rb") as f:
            hour = f.read()
        os.makedirs(folder + ".tmp")
        for d in range(days):
            day = "2015-%02d-%02d" % (1 + d // 28, 1 + d % 28)
            with gzip.open("%s.tmp/%s-0.json.gz" % (folder, day), "wb") as f:
                f.write(hour.replace(b'"created_at":"2015-01-01T', b'"created_at":"' + day.encode() + b"T"))
        os.rename(folder + ".tmp", folder)
    return sorted(os.path.join(folder, f) for f in os.listdir(folder))


def bench_importers():
    """Each importer against the plain Python script a user would otherwise
    write (the mapping with json.loads or ElementTree, as in
    Tests/conformance/import_reference.py), on the same inputs; and
    import-gharchive's peak memory at 7 and 28 days of hours."""
    print("importers (each against a plain Python script of the same mapping):", flush=True)
    rows = {}
    raw = "Tests/Fixtures/raw"
    script = "Tests/conformance/import_reference.py"
    cases = [("gharchive", BIN + "/import-gharchive", gharchive_hours(28)),
             ("slack", BIN + "/import-slack", [raw + "/slack-houstondatavis"]),
             ("stackexchange", BIN + "/import-stackexchange", [raw + "/stackexchange-conlang.meta"])]
    for name, job, inputs in cases:
        out = "var/bench/import-" + name
        shutil.rmtree(out, ignore_errors=True)
        wall, cpu, rss, code, _ = run([job] + inputs + ["--out", out, "--quiet"])
        pwall, pcpu, prss, pcode, _ = run([sys.executable, script, name, out + ".py.ndjson"] + inputs)
        rows[name] = {"wall": wall, "cpu": cpu, "rss_mb": rss, "exit": code, "python_wall": pwall, "python_rss_mb": prss,
                      "ratio": pwall / wall if wall else None}
        print("  %-14s silta %7.2f s %6.0f MB   python %7.2f s %6.0f MB   python/silta %6.1f%s" % (
            name, wall, rss, pwall, prss, pwall / wall, "" if code == 0 and pcode == 0 else "  EXIT %d/%d" % (code, pcode)), flush=True)
    small = gharchive_hours(7)
    shutil.rmtree("var/bench/import-gh7", ignore_errors=True)
    _, _, rss7, _, _ = run([BIN + "/import-gharchive"] + small + ["--out", "var/bench/import-gh7", "--quiet"])
    rows["gharchive_rss_7_days_mb"] = rss7
    rows["gharchive_rss_28_days_mb"] = rows["gharchive"]["rss_mb"]
    print("  import-gharchive peak memory: %.0f MB at 7 days of hours, %.0f MB at 28" % (rss7, rows["gharchive"]["rss_mb"]), flush=True)
    return rows


def run(cmd, env=None, stdout=subprocess.DEVNULL):
    """Runs cmd; returns (wall, cpu, peak RSS in MB, exit code, stdout text)."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.DEVNULL, env=env)
    out = p.stdout.read().decode() if stdout == subprocess.PIPE else ""
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, p.returncode, out


def median_row(tries):
    """The row of repeated runs (as `run` returns them): the median run's
    wall and CPU, the largest peak RSS and exit code, every wall in order."""
    wall, cpu, _, _, _ = sorted(tries, key=lambda t: t[0])[len(tries) // 2]
    return {"wall": wall, "cpu": cpu, "rss_mb": max(t[2] for t in tries), "exit": max(t[3] for t in tries),
            "walls": [t[0] for t in tries]}


def ensure_logs(events):
    logs = "var/bench/logs-%d" % events
    if not os.path.isdir(logs):
        print("generating %d events into %s ..." % (events, logs), flush=True)
        subprocess.check_call([BIN + "/generate-logs", "--out", logs + ".tmp", "--events", str(events), "--days", str(DAYS),
                               "--seed", "1"], stderr=subprocess.DEVNULL)
        os.rename(logs + ".tmp", logs)
    # The nightly bases: every day but the last, and but the last two, as
    # symbolic links to the same files.
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(logs) for f in fs if f.endswith(".ndjson.gz"))
    days = sorted(set(f[-len("2026-11-28.ndjson.gz"):] for f in files))
    bases = []
    for drop in (1, 2):
        base = logs + ("-base" if drop == 1 else "-base%d" % drop)
        bases.append(base)
        if os.path.isdir(base):
            continue
        shutil.rmtree(base + ".tmp", ignore_errors=True)
        os.makedirs(base + ".tmp")
        for f in files:
            if not any(f.endswith(d) for d in days[-drop:]):
                rel = os.path.relpath(f, logs)
                os.makedirs(os.path.dirname(os.path.join(base + ".tmp", rel)), exist_ok=True)
                os.symlink(os.path.abspath(f), os.path.join(base + ".tmp", rel))
        os.rename(base + ".tmp", base)
    return logs, bases


def pip_module(name):
    try:
        return __import__(name)
    except ImportError:
        subprocess.call([sys.executable, "-m", "pip", "install", "-q", name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            return __import__(name)
        except ImportError:
            return None


DUCKDB_QUERY = """
SELECT kind, community, CAST(timezone('UTC', CAST(ts AS TIMESTAMPTZ)) AS DATE) AS day,
  count(*) AS events,
  count(*) FILTER (WHERE type = 'view') AS views, count(*) FILTER (WHERE type = 'post') AS posts,
  count(*) FILTER (WHERE type = 'reply') AS replies, count(*) FILTER (WHERE type = 'react') AS reactions,
  count(*) FILTER (WHERE type = 'share') AS shares, count(*) FILTER (WHERE type = 'join') AS joins,
  count(*) FILTER (WHERE type = 'leave') AS leaves, count(DISTINCT actor) AS active_users
FROM read_ndjson('{logs}/*/*.ndjson.gz',
  columns = {{id: 'VARCHAR', ts: 'VARCHAR', community: 'VARCHAR', kind: 'VARCHAR', actor: 'VARCHAR', type: 'VARCHAR'}},
  compression = 'gzip', ignore_errors = true)
GROUP BY ALL ORDER BY day, kind, community
"""


def bench_size(events, workers, budget, year=False):
    logs, bases = ensure_logs(events)
    base = bases[0]
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(logs) for f in fs if f.endswith(".ndjson.gz"))
    uncompressed = json.loads(run([BIN + "/inflate-floor", "--logs", logs, "--workers", "1"], stdout=subprocess.PIPE)[4])["bytes_uncompressed"]
    root = "var/bench/run-%d" % events
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    wh, reports = root + "/warehouse", root + "/reports"
    rows = {}

    def measure(name, cmd, **kw):
        wall, cpu, rss, code, out = run(cmd, **kw)
        rows[name] = {"wall": wall, "cpu": cpu, "rss_mb": rss, "exit": code}
        print("  %-34s %8.2f s  cpu %7.2f s  %6.0f MB%s" % (name, wall, cpu, rss, "" if code == 0 else "  EXIT %d" % code), flush=True)
        return out

    common = ["--warehouse", wh, "--reports", reports, "--workers", str(workers), "--quiet"]
    print("%d events: %d files, %d bytes of NDJSON" % (events, len(files), uncompressed), flush=True)
    # The floor and ingest, whose ratio is a target, alternate three times
    # and each row is its median run: on a shared machine one run of the
    # floor wandered from 0.9 to 3.3 s, which made a single ratio mean little.
    floor_cmd = [BIN + "/inflate-floor", "--logs", logs, "--workers", str(workers)]
    runs = {"inflate floor": [], "silta ingest": []}
    for k in range(3):
        runs["inflate floor"].append(run(floor_cmd))
        target = wh if k == 2 else root + "/ingest-try"
        shutil.rmtree(root + "/ingest-try", ignore_errors=True)
        runs["silta ingest"].append(run([BIN + "/ingest", "--logs", logs, "--warehouse", target, "--reports", reports,
                                         "--workers", str(workers), "--quiet"]))
    shutil.rmtree(root + "/ingest-try", ignore_errors=True)
    for name in ("inflate floor", "silta ingest"):
        rows[name] = median_row(runs[name])
        print("  %-34s %8.2f s  cpu %7.2f s  %6.0f MB  (median of %s s)%s" % (
            name, rows[name]["wall"], rows[name]["cpu"], rows[name]["rss_mb"], " ".join("%.2f" % t[0] for t in runs[name]),
            "" if rows[name]["exit"] == 0 else "  EXIT %d" % rows[name]["exit"]), flush=True)
    measure("zcat (1 process)", ["sh", "-c", "zcat %s/*/*.ndjson.gz > /dev/null" % logs])
    measure("silta ingest, 1 worker", [BIN + "/ingest", "--logs", logs, "--warehouse", root + "/one-worker", "--reports", root + "/one",
                                       "--workers", "1", "--quiet"])
    for job in report_jobs():
        measure("silta " + job, [BIN + "/" + job] + common)
    # What writing the people report's bytes costs by itself: dd of as many
    # bytes, flushed to disk as the jobs flush their files.
    people_bytes = sum(os.path.getsize(os.path.join(reports, f)) for f in os.listdir(reports) if f.startswith("people_"))
    if people_bytes:
        measure("write floor, people's bytes", ["dd", "if=/dev/zero", "of=" + root + "/write-floor", "bs=1M",
                                                "count=%d" % max(1, people_bytes // 1_048_576), "conv=fsync", "status=none"])
        rows["write floor, people's bytes"]["bytes"] = people_bytes
        os.remove(root + "/write-floor")
    # The same report jobs with a 100,000-row identity file, and the load of a 1,000,000-row one.
    persons = max(60, events // 25)
    ids = write_identities(root + "/identities-100k.csv", 100_000, persons)
    for job in report_jobs():
        measure("silta %s, identities 100k" % job, [BIN + "/" + job, "--identities", ids] + common)
    big = write_identities(root + "/identities-1m.csv", 1_000_000, persons)
    load = identity_load_seconds([BIN + "/engagement", "--identities", big, "--periods", "month"] + common[:-1])
    rows["identity file load, 1,000,000 rows"] = {"wall": load, "cpu": load, "rss_mb": 0, "exit": 0} if load else None
    print("  identity file load, 1,000,000 rows  %8s s" % ("%.2f" % load if load else "?"), flush=True)
    make = ["make", "--no-print-directory", "run-jobs", "LOGS=" + logs, "WAREHOUSE=" + root + "/full", "REPORTS=" + root + "/full-reports",
            "WORKERS=%d" % workers]
    measure("silta make run-jobs", make)
    # The workbook alone on that night's reports (as the night writes it), and
    # with the whole people report in it, which WORKBOOK_PEOPLE=auto leaves out at this size.
    night_reports = root + "/full-reports"
    measure("silta workbook", [BIN + "/workbook", "--reports", night_reports, "--workers", str(workers), "--quiet"])
    rows["silta workbook"]["bytes"] = os.path.getsize(night_reports + "/silta.xlsx")
    measure("silta workbook, people full", [BIN + "/workbook", "--reports", night_reports, "--workers", str(workers),
                                            "--workbook-people", "full", "--quiet"])
    rows["silta workbook, people full"]["bytes"] = os.path.getsize(night_reports + "/silta.xlsx")
    run([BIN + "/workbook", "--reports", night_reports, "--workers", str(workers), "--quiet"])
    # Nightly increment, in the steady state: the nights before ran on every
    # day but the last two, then on every day but the last (their reports,
    # the kept state in the warehouse, docs/warehouse.md "Kept reports", and
    # the day before's compressed copy in the history); tonight adds the last day.
    make[4] = "WAREHOUSE=" + root + "/nightly"
    make[5] = "REPORTS=" + root + "/nightly-reports"
    for path in (root + "/nightly", root + "/nightly-reports"):
        shutil.rmtree(path, ignore_errors=True)
    for earlier in (bases[1], bases[0]):
        subprocess.check_call([a if not a.startswith("LOGS=") else "LOGS=" + earlier for a in make], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    measure("silta nightly increment", make)

    duckdb = pip_module("duckdb")
    if duckdb is None:
        rows["duckdb counts"] = None
        print("  duckdb counts: missing (pip install duckdb failed)")
    else:
        script = "import duckdb; c = duckdb.connect(); c.execute('SET threads TO %d'); c.execute(%r).fetchall()" % (
            workers, DUCKDB_QUERY.format(logs=logs))
        measure("duckdb counts", [sys.executable, "-c", script])

    graphs = root + "/graphs"
    bench_json = measure("silta graph measures (3 largest, week)", [BIN + "/graph-bench", "--warehouse", wh, "--out", graphs, "--top", "3"],
                         stdout=subprocess.PIPE)
    with open(graphs + ".json", "w") as f:
        f.write(bench_json)
    g = json.loads(bench_json)
    rows["silta graph measures (3 largest, week)"]["measure_seconds"] = g["silta_seconds"]
    pip_module("igraph")
    out = run([sys.executable, "Jobs/bench/graphs-vs-peers.py", graphs + ".json", graphs, root + "/peers.json", "--budget", str(budget)],
              stdout=subprocess.PIPE)[4]
    print("\n".join("  " + l for l in out.splitlines()))
    peers = json.load(open(root + "/peers.json")) if os.path.exists(root + "/peers.json") else {}
    if year:
        rows.update(bench_year(events, workers))
    return {"events": events, "files": len(files), "bytes_uncompressed": uncompressed, "workers": workers, "runs": rows,
            "graphs": peers}


def bench_year(events, workers, rounds=3):
    """A year of nightly ingests (365 run files, compacted as ingest does by
    default) against the same events ingested at once: the report jobs'
    load, interleaved, median of `rounds` (docs/warehouse.md "Compaction")."""
    root = "var/bench/year-%d" % events
    logs = root + "/logs"
    if not os.path.isdir(logs):
        print("generating a year of %d events into %s ..." % (events, logs), flush=True)
        subprocess.check_call([BIN + "/generate-logs", "--out", logs + ".tmp", "--events", str(events), "--days", "365", "--seed", "1"],
                              stderr=subprocess.DEVNULL)
        os.rename(logs + ".tmp", logs)
    files = sorted(os.path.relpath(os.path.join(d, f), logs) for d, _, fs in os.walk(logs) for f in fs if f.endswith(".ndjson.gz"))
    days = sorted(set(f[-len("2026-11-28.ndjson.gz"):] for f in files))
    for path in ("one", "nightly", "nightly-logs", "reports"):
        shutil.rmtree(os.path.join(root, path), ignore_errors=True)
    rows = {}
    wall, cpu, rss, code, _ = run([BIN + "/ingest", "--logs", logs, "--warehouse", root + "/one", "--reports", root + "/reports",
                                   "--workers", str(workers), "--quiet"])
    rows["year: one ingest"] = {"wall": wall, "cpu": cpu, "rss_mb": rss, "exit": code}
    total, cpu_total, peak, worst = 0.0, 0.0, 0.0, 0
    for day in days:
        for f in files:
            if f.endswith(day):
                os.makedirs(os.path.dirname(os.path.join(root, "nightly-logs", f)), exist_ok=True)
                os.link(os.path.join(logs, f), os.path.join(root, "nightly-logs", f))
        wall, cpu, rss, code, _ = run([BIN + "/ingest", "--logs", root + "/nightly-logs", "--warehouse", root + "/nightly", "--reports",
                                       root + "/reports", "--workers", str(workers), "--quiet"])
        total, cpu_total, peak, worst = total + wall, cpu_total + cpu, max(peak, rss), max(worst, code)
    run_files = len(os.listdir(root + "/nightly/runs"))
    rows["year: %d nightly ingests" % len(days)] = {"wall": total, "cpu": cpu_total, "rss_mb": peak, "exit": worst, "run_files": run_files}
    print("  %-34s %8.2f s  cpu %7.2f s  %6.0f MB  (%d run files)" % ("year: %d nightly ingests" % len(days), total, cpu_total, peak,
                                                                      run_files), flush=True)
    tries = {"one": [], "nightly": []}
    for _ in range(rounds):
        for wh in ("one", "nightly"):
            tries[wh].append(run([BIN + "/engagement", "--warehouse", root + "/" + wh, "--reports", root + "/reports-" + wh, "--full",
                                  "--workers", str(workers), "--quiet"]))
    for wh, name in (("one", "year: engagement, one run"), ("nightly", "year: engagement, nightly runs")):
        rows[name] = median_row(tries[wh])
        print("  %-34s %8.2f s  cpu %7.2f s  %6.0f MB  (median of %s s)" % (name, rows[name]["wall"], rows[name]["cpu"], rows[name]["rss_mb"],
                                                                           " ".join("%.2f" % x[0] for x in tries[wh])), flush=True)
    same = subprocess.call(["diff", "-rq", "-x", "run_summary.json", root + "/reports-one", root + "/reports-nightly"],
                           stdout=subprocess.DEVNULL) == 0
    rows["year: engagement, nightly runs"]["same_reports"] = same
    print("  year: the two warehouses' engagement reports are %s" % ("byte for byte the same" if same else "DIFFERENT"), flush=True)
    return rows


def bench_cliques(workers, sizes=(500, 1000, 3000), target=30.0):
    """Dense communities: n people in one community on one day, one post each
    mentioning everyone else (a clique of n(n-1) interactions), through ingest
    and social-capital. The target: 3,000 people in under 30 s."""
    rows = []
    print("dense communities (social-capital on one clique day):", flush=True)
    for n in sizes:
        root = "var/bench/clique-%d" % n
        shutil.rmtree(root, ignore_errors=True)
        os.makedirs(root + "/logs")
        people = ["p%d" % i for i in range(n)]
        with gzip.open(root + "/logs/clique.ndjson.gz", "wt", compresslevel=1) as f:
            for i, p in enumerate(people):
                f.write(json.dumps({"id": "e%d" % i, "ts": "2026-11-02T10:%02d:%02dZ" % (i // 60 % 60, i % 60), "community": "dense",
                                    "kind": "internal", "actor": p, "type": "post", "content": "c%d" % i,
                                    "mentions": people[:i] + people[i + 1:]}, separators=(",", ":")) + "\n")
        common = ["--warehouse", root + "/wh", "--reports", root + "/reports", "--workers", str(workers), "--quiet"]
        subprocess.check_call([BIN + "/ingest", "--logs", root + "/logs"] + common)
        wall, cpu, rss, code, _ = run([BIN + "/social-capital", "--periods", "day"] + common)
        rows.append({"people": n, "interactions": n * (n - 1), "wall": wall, "cpu": cpu, "rss_mb": rss, "exit": code})
        print("  clique of %5d people (%10d interactions) %8.2f s  cpu %7.2f s  %6.0f MB%s" % (
            n, n * (n - 1), wall, cpu, rss, "" if code == 0 else "  EXIT %d" % code), flush=True)
    big = rows[-1]
    print("  target: %d-person clique in social-capital < %.0f s: %.2f s, %s" % (
        big["people"], target, big["wall"], "met" if big["wall"] < target and big["exit"] == 0 else "MISSED"))
    return rows


def ratio(a, b):
    return a / b if a and b else None


def report(result):
    r = result["runs"]
    mb = result["bytes_uncompressed"] / 1e6
    ev = result["events"]
    print("\n%d events, %d workers" % (ev, result["workers"]))
    print("%-38s %8s %8s %8s %9s %11s %10s" % ("", "wall s", "cpu s", "RSS MB", "MB/s", "events/s", "÷ Silta"))
    ingest = r["silta ingest"]["wall"]
    silta_counts = ingest + r["silta engagement"]["wall"]
    for name, v in r.items():
        if v is None:
            print("%-38s %8s" % (name, "missing"))
            continue
        peer = ""
        if name == "duckdb counts":
            peer = "%.2f" % (v["wall"] / silta_counts)
        elif name in ("inflate floor", "zcat (1 process)"):
            peer = "%.2f" % (v["wall"] / ingest)
        print("%-38s %8.2f %8.2f %8.0f %9.0f %11.0f %10s" % (name, v["wall"], v["cpu"], v["rss_mb"], mb / v["wall"], ev / v["wall"], peer))
    g = result["graphs"]
    targets = []
    floor = r["inflate floor"]["wall"]
    targets.append(("ingest <= 2.0 x inflate floor", ingest / floor, ingest / floor <= 2.0))
    targets.append(("ingest <= 2.5 x inflate floor (issue 19)", ingest / floor, ingest / floor <= 2.5))
    duck = r.get("duckdb counts")
    if duck:
        targets.append(("DuckDB / (ingest + engagement) >= 1.0", duck["wall"] / silta_counts, duck["wall"] / silta_counts >= 1.0))
        full = r["silta make run-jobs"]["wall"]
        targets.append(("make run-jobs <= 1.5 x DuckDB", full / duck["wall"], full / duck["wall"] <= 1.5))
    if g.get("silta_seconds"):
        nx_s = g.get("networkx_seconds") or g.get("budget_seconds")
        targets.append(("NetworkX / Silta graph measures >= 50%s" % ("" if g.get("networkx_seconds") else " (NetworkX hit the budget)"),
                        nx_s / g["silta_seconds"], nx_s / g["silta_seconds"] >= 50))
        if g.get("igraph_seconds"):
            # Measures alone on both sides, graphs built beforehand, best of the same rounds (graphs-vs-peers.py).
            targets.append(("igraph / Silta graph measures >= 2 (measures only)", g["igraph_seconds"] / g["silta_seconds"],
                            g["igraph_seconds"] >= 2 * g["silta_seconds"]))
    speedup = r["silta ingest, 1 worker"]["wall"] / ingest
    targets.append(("ingest: %d workers / 1 worker speed-up >= 1.7" % result["workers"], speedup, speedup >= 1.7))
    nightly = r["silta nightly increment"]["wall"] / r["silta make run-jobs"]["wall"]
    targets.append(("nightly increment <= 0.15 x full run", nightly, nightly <= 0.15))
    jobs = [k[len("silta "):-len(", identities 100k")] for k in r if k.endswith(", identities 100k")]
    if jobs:
        # CPU, not wall: the people job's wall is mostly its 2 GB reaching the
        # disk, which varies by more than the 5 % this target is about.
        plain = sum(r["silta " + j]["cpu"] for j in jobs)
        mapped = sum(r["silta %s, identities 100k" % j]["cpu"] for j in jobs)
        targets.append(("report jobs with 100k identities <= 1.05 x without (CPU)", mapped / plain, mapped / plain <= 1.05))
    people = r.get("silta people")
    if people:
        targets.append(("people job <= 1.0 x engagement job", people["wall"] / r["silta engagement"]["wall"],
                        people["wall"] <= r["silta engagement"]["wall"]))
        floor = r.get("write floor, people's bytes")
        if floor:
            print("people report: %.0f MB; the people job takes %.2f x writing as many bytes (dd, fsync)" % (
                floor["bytes"] / 1e6, people["wall"] / floor["wall"]))
    book = r.get("silta workbook")
    if book:
        # What the workbook adds to the night: its own wall time, against the night without it.
        night = r["silta make run-jobs"]["wall"]
        targets.append(("workbook adds <= 10 % to the night", book["wall"] / (night - book["wall"]), book["wall"] <= 0.10 * (night - book["wall"])))
        full = r.get("silta workbook, people full")
        print("workbook: %.1f MB; with the whole people report %.1f MB in %.2f s" % (
            book["bytes"] / 1e6, full["bytes"] / 1e6 if full else 0, full["wall"] if full else 0))
    one, nightly = r.get("year: engagement, one run"), r.get("year: engagement, nightly runs")
    if one and nightly:
        targets.append(("a year of nightly runs loads <= 1.1 x one run", nightly["wall"] / one["wall"],
                        nightly["wall"] <= 1.1 * one["wall"] and nightly.get("same_reports", False)))
    load = r.get("identity file load, 1,000,000 rows")
    if load:
        targets.append(("identity file of 1,000,000 rows loads in < 1 s", load["wall"], load["wall"] < 1.0))
    rss = max(v["rss_mb"] for k, v in r.items() if v and k.startswith("silta"))
    targets.append(("peak RSS of every Silta job <= 1024 MB", rss, rss <= 1024))
    print("\ntargets:")
    for name, value, ok in targets:
        print("  %-52s %10.2f  %s" % (name, value, "met" if ok else "MISSED"))
    result["targets"] = [{"target": n, "value": v, "met": ok} for n, v, ok in targets]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="*", default=[5_000_000, 20_000_000])
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--budget", type=float, default=300)
    ap.add_argument("--out", default="var/bench/results.json")
    ap.add_argument("--year-sizes", type=int, nargs="*", default=[5_000_000],
                    help="sizes at which a year of 365 nightly ingests is also measured")
    ap.add_argument("--cliques", type=int, nargs="*", default=[500, 1000, 3000], help="clique sizes for the dense-community rows")
    a = ap.parse_args()
    machine = {"cpus": os.cpu_count(), "uname": " ".join(os.uname())}
    try:
        machine["cpu"] = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    results = {"machine": machine, "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "sizes": []}
    if a.cliques:
        results["cliques"] = bench_cliques(a.workers, a.cliques)
    results["importers"] = imp = bench_importers()
    gh = imp["gharchive"]
    print("  target: import-gharchive >= 10 x the Python script: %.1f, %s" % (gh["ratio"], "met" if gh["ratio"] >= 10 else "MISSED"))
    print("  target: its peak memory independent of the input (7 vs 28 days): %.0f vs %.0f MB, %s" % (
        imp["gharchive_rss_7_days_mb"], imp["gharchive_rss_28_days_mb"],
        "met" if imp["gharchive_rss_28_days_mb"] <= 1.25 * imp["gharchive_rss_7_days_mb"] + 5 else "MISSED"), flush=True)
    os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(results, f, indent=1)
    for n in a.sizes:
        r = bench_size(n, a.workers, a.budget, year=n in a.year_sizes)
        report(r)
        results["sizes"].append(r)
        with open(a.out, "w") as f:
            json.dump(results, f, indent=1)
    print("\nwritten to %s" % a.out)


if __name__ == "__main__":
    main()
