# Silta: nightly community analytics from activity logs.
#
#   make run-jobs     the nightly pipeline (builds what it needs first)
#   make test         every test (unit, end-to-end, conformance)
#
# Variables (README), each with a default that works on a fresh checkout:
LOGS      ?= SampleData/logs
WAREHOUSE ?= var/warehouse
REPORTS   ?= var/reports
PERIODS   ?= day week month
TZ_NAME   ?= UTC
AS_OF     ?=
# The identity file: which person ids are one person, which are bots (docs/identities.md).
IDENTITIES ?=
# The sources file: the exports the importers write into LOGS first (docs/importers.md).
SOURCES   ?=
# Community links: shared creators a pair needs without a share (metrics.md).
LINKS_MIN_SHARED ?= 1
# The people report (docs/people.md): the key of its pseudonyms (default
# WAREHOUSE/people.key, made on first need), and raw to name people by their ids.
PEOPLE_KEY ?=
PEOPLE_IDS ?= pseudonymous
# The dashboard's series: day, week or month (docs/dashboard.md).
DASHBOARD_PERIOD ?= week
# Whether the people report is in the workbook: auto, full or tables (docs/workbook.md).
WORKBOOK_PEOPLE ?= auto
WORKERS   ?= $(shell nproc 2>/dev/null || echo 2)
# Nightly operations (README "Nightly operations"):
KEEP_DAYS ?= 90
PROM_FILE ?=
WAIT      ?= 0
# Seconds the night's ingest waits for report jobs run by hand.
INGEST_WAIT ?= 600
# FULL=1 writes every period of every report anew instead of keeping last
# night's unchanged periods (docs/warehouse.md "Kept reports"; the same bytes).
FULL      ?=
# What one log file may cost ingest (docs/reliability.md): bytes after
# inflating (K, M, G, T suffixes) and seconds. A file cut there is damaged
# and read again in full once the limit is raised.
MAX_FILE_BYTES   ?= 64G
MAX_FILE_SECONDS ?= 3600
# Run files ingest merges into one once that many in a row hold the same
# number of nights (docs/warehouse.md "Compaction"); 0 never merges.
COMPACT_FAN_IN   ?= 8
# Installed jobs to run instead of building them (make install sets this up).
SILTA_BIN ?=
PREFIX    ?= /usr/local
DESTDIR   ?=

SWIFT     ?= swift
RELEASE   := .build/release
BIN       := $(if $(strip $(SILTA_BIN)),$(SILTA_BIN),$(RELEASE))

# Sample data: the committed sample is exactly what this command writes.
SAMPLE_ARGS := --events 40000 --days 28 --communities 12 --start 2026-10-05 --seed 2026 --bad-lines 0.002 --duplicates 0.003 --level 9

.PHONY: all build run-jobs install install-build column-guide fmt lint test test-setup test-fresh-clone test-faults test-tsan test-asan test-install fuzz sample-data bench clean help

all: build

## help: the targets and every variable with its default.
help:
	@sed -n '/^# Silta/,/^SWIFT /p' Makefile | grep -v '^SWIFT '
	@grep -E '^## ' Makefile | sed 's/^## /  /'

## build: release binaries of every job in .build/release/
build:
	$(SWIFT) build -c release
	touch $(BUILT)

# The release build, redone when a source is newer than the last build. A
# stamp, not a binary: swift build leaves a job's binary untouched when its
# own sources did not change, which would make every later run rebuild.
BUILT := $(RELEASE)/.silta-built
$(BUILT): Package.swift $(shell find Sources Jobs -name '*.swift' -o -name '*.c' -o -name '*.h' 2>/dev/null)
	$(SWIFT) build -c release
	touch $@

## run-jobs: the whole night, by the nightly job: under WAREHOUSE/nightly.lock,
# ingest every new log, then write every report; then REPORTS/run_summary.json,
# the dated copy REPORTS/history/YYYY-MM-DD/ (KEEP_DAYS kept) and PROM_FILE
# (default REPORTS/silta.prom). Exits with the nightly job's code (README
# "Exit codes"); make itself turns any non-zero code into 2, so when
# SILTA_EXIT_FILE is set (the cron wrapper sets it) the code is written there
# instead and make exits 0, adding no "Error" line of its own to the log.
run-jobs: $(if $(strip $(SILTA_BIN)),,$(BUILT))
	@status=0; export SILTA_VIA_MAKE=1; \
	$(BIN)/nightly --logs "$(LOGS)" --warehouse "$(WAREHOUSE)" --reports "$(REPORTS)" --workers $(WORKERS) \
		--periods $(PERIODS) --time-zone "$(TZ_NAME)" $(if $(strip $(AS_OF)),--as-of "$(AS_OF)") \
		$(if $(strip $(IDENTITIES)),--identities "$(IDENTITIES)") $(if $(strip $(SOURCES)),--sources "$(SOURCES)") \
		--keep-days $(KEEP_DAYS) --wait $(WAIT) --ingest-wait $(INGEST_WAIT) \
		--max-file-bytes "$(MAX_FILE_BYTES)" --max-file-seconds $(MAX_FILE_SECONDS) --compact-fan-in $(COMPACT_FAN_IN) \
		--links-min-shared $(LINKS_MIN_SHARED) \
		--people-ids "$(PEOPLE_IDS)" $(if $(strip $(PEOPLE_KEY)),--people-key "$(PEOPLE_KEY)") --dashboard-period "$(DASHBOARD_PERIOD)" \
		--workbook-people "$(WORKBOOK_PEOPLE)" $(if $(strip $(PROM_FILE)),--prom-file "$(PROM_FILE)") \
		$(if $(filter-out 0,$(strip $(FULL))),--full) || status=$$?; \
	if [ -n "$${SILTA_EXIT_FILE:-}" ]; then echo $$status > "$$SILTA_EXIT_FILE"; exit 0; fi; \
	exit $$status

## install: the release jobs into PREFIX/libexec/silta (links PREFIX/bin/silta-<job>),
# the Swift runtime they share, once, into PREFIX/lib/silta (found through the
# jobs' RUNPATH $ORIGIN/../../lib/silta, so they need no toolchain), the docs
# into PREFIX/share/doc/silta, and the cron and systemd files, this Makefile
# and the wrapper into PREFIX/share/silta (docs/operations.md).
INSTALL_BUILD := .build-install
SWIFT_RUNTIME  = $(shell d=$$(dirname "$$(command -v $(SWIFT))")/../lib/swift/linux; [ -d "$$d" ] && cd "$$d" && pwd -P)
# The jobs it installs: every job of the catalog
# (Sources/SiltaReportJobs/ReportCatalog.swift), as the built nightly lists them.
INSTALL_JOBS   = $(shell LD_LIBRARY_PATH="$(SWIFT_RUNTIME)" "$(INSTALL_BUILD)/release/nightly" --list-jobs | cut -f1)
install-build:
	$(SWIFT) build -c release --scratch-path $(INSTALL_BUILD) -Xswiftc -no-toolchain-stdlib-rpath \
		-Xlinker -rpath -Xlinker '$$ORIGIN/../../lib/silta'
install: install-build
	@[ -n "$(SWIFT_RUNTIME)" ] || { echo "install: cannot find the Swift runtime beside $(SWIFT)"; exit 1; }
	@[ -n "$(strip $(INSTALL_JOBS))" ] || { echo "install: $(INSTALL_BUILD)/release/nightly --list-jobs listed no job"; exit 1; }
	install -d "$(DESTDIR)$(PREFIX)/libexec/silta" "$(DESTDIR)$(PREFIX)/bin" "$(DESTDIR)$(PREFIX)/lib/silta" \
		"$(DESTDIR)$(PREFIX)/share/silta/cron" "$(DESTDIR)$(PREFIX)/share/doc/silta"
	for job in $(INSTALL_JOBS); do \
		install -m 0755 -s "$(INSTALL_BUILD)/release/$$job" "$(DESTDIR)$(PREFIX)/libexec/silta/$$job" || exit 1; \
		ln -sf "../libexec/silta/$$job" "$(DESTDIR)$(PREFIX)/bin/silta-$$job" || exit 1; \
	done
	for job in $(INSTALL_JOBS); do LD_LIBRARY_PATH="$(SWIFT_RUNTIME)" ldd "$(INSTALL_BUILD)/release/$$job"; done \
		| awk -v rt="$(SWIFT_RUNTIME)/" 'index($$3, rt) == 1 { print $$3 }' | sort -u \
		| while read -r lib; do install -m 0644 "$$lib" "$(DESTDIR)$(PREFIX)/lib/silta/" || exit 1; done
	install -m 0644 README.md docs/*.md "$(DESTDIR)$(PREFIX)/share/doc/silta/"
	install -m 0644 Makefile "$(DESTDIR)$(PREFIX)/share/silta/Makefile"
	install -m 0755 Jobs/cron/silta-nightly "$(DESTDIR)$(PREFIX)/share/silta/cron/silta-nightly"
	install -m 0644 Jobs/cron/silta.crontab Jobs/cron/silta-nightly.service Jobs/cron/silta-nightly.timer \
		"$(DESTDIR)$(PREFIX)/share/silta/cron/"

## test-setup: what the tests need beyond Swift, installed by the project
# itself: Debian packages through apt-get where missing, and the Python
# packages of Tests/requirements.txt (pinned) in the project-local virtual
# environment .venv, made once and reused (redone when the file changes).
VENV     := .venv
VENV_OK  := $(VENV)/.silta-requirements
APT_NEED  = $(shell [ -f /usr/include/zlib.h ] || echo zlib1g-dev) $(shell command -v script >/dev/null 2>&1 || echo bsdutils) \
	$(shell python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || echo python3-venv) \
	$(shell command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || echo chromium) \
	$(shell command -v soffice >/dev/null 2>&1 || echo libreoffice-calc-nogui)
test-setup: $(VENV_OK)
	@need="$(strip $(APT_NEED))"; if [ -n "$$need" ]; then \
		echo "test-setup: installing Debian packages: $$need"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need; fi

$(VENV_OK): Tests/requirements.txt
	@need="$(strip $(APT_NEED))"; case "$$need" in *python3-venv*) \
		echo "test-setup: installing python3-venv"; apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv;; esac
	@echo "test-setup: making $(VENV) with Tests/requirements.txt"
	python3 -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --disable-pip-version-check -r Tests/requirements.txt
	touch $@

## test: every test — unit, conformance, end-to-end on the release binaries,
# fault injection, security, nightly operations, a replay of the fuzz seeds
# and findings, and `make install` into a scratch folder. The tests' python3
# is the one of .venv (test-setup).
test: test-setup lint build
	$(SWIFT) build --build-tests
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" SILTA_BIN_DIR=$(CURDIR)/$(RELEASE) $(SWIFT) test --skip-build
	$(RELEASE)/fuzz-line-parser Tests/Fuzz/seeds/line-parser Tests/Fuzz/corpus/line-parser Tests/Fixtures/jsontestsuite/test_parsing
	$(RELEASE)/fuzz-log-reader Tests/Fuzz/seeds/log-reader Tests/Fuzz/corpus/log-reader
	$(RELEASE)/fuzz-ingest Tests/Fuzz/seeds/ingest Tests/Fuzz/corpus/ingest
	$(RELEASE)/fuzz-identities Tests/Fuzz/seeds/identities $(wildcard Tests/Fuzz/corpus/identities)
	$(RELEASE)/fuzz-import Tests/Fuzz/seeds/import $(wildcard Tests/Fuzz/corpus/import)
	$(MAKE) --no-print-directory test-install
	$(MAKE) --no-print-directory test-fresh-clone

## column-guide: the workbook's column meanings (Sources/SiltaReportJobs/ColumnGuideText.swift)
# again from the column tables of docs/reports.md, metrics.md and people.md.
column-guide:
	python3 tools/column_guide.py

## fmt: format every Swift file with the project's profile (.swift-format).
SWIFT_FILES := Sources Jobs Tests Package.swift
fmt:
	$(SWIFT) format format --in-place --recursive --parallel $(SWIFT_FILES)

## lint: the profile's layout and rules over every Swift file (part of make test).
lint:
	@$(SWIFT) format lint --strict --recursive --parallel $(SWIFT_FILES) \
		|| { echo "lint: run make fmt, or mend what it cannot (docs/architecture.md \"Style\")"; exit 1; }

## test-install: make install into a scratch PREFIX, then check the installed
# jobs' libraries and a night run by the installed wrapper in cron's environment.
test-install:
	sh Tests/ops/install-test.sh

## test-fresh-clone: a fresh clone's `make run-jobs` with a bare python3 first on PATH.
test-fresh-clone:
	sh Tests/ops/fresh-clone-test.sh

## test-faults: the fault-injection and security suites alone.
test-faults: test-setup build
	$(SWIFT) build --build-tests
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" SILTA_BIN_DIR=$(CURDIR)/$(RELEASE) $(SWIFT) test --skip-build --filter "FaultInjectionTests|SecurityTests"

## test-tsan / test-asan: the in-process suites under the thread / address sanitizer.
IN_PROCESS_ONLY = --skip "JobTests|FaultInjectionTests|SecurityTests"
test-tsan:
	$(SWIFT) test --sanitize=thread --scratch-path .build-tsan $(IN_PROCESS_ONLY)

test-asan:
	LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/Sanitizers/lsan.supp \
		$(SWIFT) test --sanitize=address --scratch-path .build-asan $(IN_PROCESS_ONLY)

## fuzz: each libFuzzer target for FUZZ_SECONDS, seeded from Tests/Fuzz and JSONTestSuite.
FUZZ_SECONDS ?= 120
FUZZ_BUILD   = $(SWIFT) build -c release --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -DSILTA_FUZZ
fuzz:
	$(FUZZ_BUILD) --product fuzz-line-parser
	$(FUZZ_BUILD) --product fuzz-log-reader
	$(FUZZ_BUILD) --product fuzz-ingest
	$(FUZZ_BUILD) --product fuzz-identities
	$(FUZZ_BUILD) --product fuzz-import
	mkdir -p var/fuzz/line-parser var/fuzz/log-reader var/fuzz/ingest var/fuzz/identities var/fuzz/import
	.build-fuzz/release/fuzz-line-parser -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -print_final_stats=1 \
		var/fuzz/line-parser Tests/Fuzz/seeds/line-parser Tests/Fuzz/corpus/line-parser Tests/Fixtures/jsontestsuite/test_parsing
	.build-fuzz/release/fuzz-log-reader -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -print_final_stats=1 \
		var/fuzz/log-reader Tests/Fuzz/seeds/log-reader Tests/Fuzz/corpus/log-reader
	.build-fuzz/release/fuzz-ingest -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -print_final_stats=1 \
		var/fuzz/ingest Tests/Fuzz/seeds/ingest Tests/Fuzz/corpus/ingest
	.build-fuzz/release/fuzz-identities -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -print_final_stats=1 \
		var/fuzz/identities Tests/Fuzz/seeds/identities
	.build-fuzz/release/fuzz-import -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -print_final_stats=1 \
		var/fuzz/import Tests/Fuzz/seeds/import

## bench: Silta against the inflate floor, zcat, DuckDB, NetworkX and igraph
# on generated logs of BENCH_EVENTS and 20 million events (docs/performance.md).
BENCH_EVENTS ?= 5000000
BENCH_SIZES  ?= $(BENCH_EVENTS) 20000000
BENCH_BUDGET ?= 300
# Dense communities: clique sizes for the social-capital rows (issue 10.6).
BENCH_CLIQUES ?= 500 1000 3000

bench: $(BUILT)
	python3 Jobs/bench/bench.py --sizes $(BENCH_SIZES) --workers $(WORKERS) --budget $(BENCH_BUDGET) --cliques $(BENCH_CLIQUES)

## sample-data: regenerate SampleData/logs (deterministic: same bytes every time).
sample-data: $(BUILT)
	rm -rf SampleData/logs
	$(RELEASE)/generate-logs --out SampleData/logs $(SAMPLE_ARGS)

## clean: remove build products and the default warehouse and reports.
clean:
	rm -rf .build .build-tsan .build-asan .build-fuzz .build-static $(INSTALL_BUILD) var $(VENV)
