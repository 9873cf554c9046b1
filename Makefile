# Silta: nightly community analytics from activity logs.
#
#   make run-jobs     the nightly pipeline (builds what it needs first)
#   make test         every test (unit, end-to-end, conformance)
#
# Variables (reports.md), each with a default that works on a fresh checkout:
LOGS      ?= SampleData/logs
WAREHOUSE ?= var/warehouse
REPORTS   ?= var/reports
PERIODS   ?= day week month
TZ_NAME   ?= UTC
AS_OF     ?=
WORKERS   ?= $(shell nproc 2>/dev/null || echo 2)

SWIFT     ?= swift
RELEASE   := .build/release
JOBS      := ingest generate-logs

# Sample data: the committed sample is exactly what this command writes.
SAMPLE_ARGS := --events 40000 --days 28 --communities 12 --start 2026-10-05 --seed 2026 --bad-lines 0.002 --duplicates 0.003 --level 9

.PHONY: all build run-jobs test test-faults test-tsan test-asan fuzz sample-data bench clean help

all: build

help:
	@sed -n '1,20p' Makefile

## build: release binaries of every job in .build/release/
build:
	$(SWIFT) build -c release

$(RELEASE)/ingest: Package.swift $(shell find Sources Jobs -name '*.swift' -o -name '*.c' -o -name '*.h')
	$(SWIFT) build -c release

## run-jobs: ingest every new log, then write every report.
# ingest exits 2 when some log files were damaged: the pipeline still writes
# the reports from everything readable, then exits 2 so that cron notices.
REPORT_ARGS = --warehouse "$(WAREHOUSE)" --reports "$(REPORTS)" --workers $(WORKERS) \
	--periods $(PERIODS) --time-zone "$(TZ_NAME)" $(if $(strip $(AS_OF)),--as-of "$(AS_OF)")

run-jobs: $(RELEASE)/ingest
	@status=0; \
	$(RELEASE)/ingest --logs "$(LOGS)" --warehouse "$(WAREHOUSE)" --reports "$(REPORTS)" --workers $(WORKERS) || status=$$?; \
	if [ $$status -ne 0 ] && [ $$status -ne 2 ]; then exit $$status; fi; \
	$(RELEASE)/engagement $(REPORT_ARGS) || exit $$?; \
	$(RELEASE)/social-capital $(REPORT_ARGS) || exit $$?; \
	$(RELEASE)/bridging $(REPORT_ARGS) || exit $$?; \
	exit $$status

## test: every test — unit, conformance, end-to-end on the release binaries,
# fault injection, security, and a replay of the fuzz seeds and findings.
test:
	$(SWIFT) build -c release
	$(SWIFT) build --build-tests
	SILTA_BIN_DIR=$(CURDIR)/$(RELEASE) $(SWIFT) test --skip-build
	$(RELEASE)/fuzz-line-parser Tests/Fuzz/seeds/line-parser/* Tests/Fuzz/corpus/line-parser/* Tests/Fixtures/jsontestsuite/test_parsing/*
	$(RELEASE)/fuzz-log-reader Tests/Fuzz/seeds/log-reader/* Tests/Fuzz/corpus/log-reader/*

## test-faults: the fault-injection and security suites alone.
test-faults:
	$(SWIFT) build -c release
	$(SWIFT) build --build-tests
	SILTA_BIN_DIR=$(CURDIR)/$(RELEASE) $(SWIFT) test --skip-build --filter "FaultInjectionTests|SecurityTests"

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
	mkdir -p var/fuzz/line-parser var/fuzz/log-reader
	.build-fuzz/release/fuzz-line-parser -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -print_final_stats=1 \
		var/fuzz/line-parser Tests/Fuzz/seeds/line-parser Tests/Fuzz/corpus/line-parser Tests/Fixtures/jsontestsuite/test_parsing
	.build-fuzz/release/fuzz-log-reader -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -print_final_stats=1 \
		var/fuzz/log-reader Tests/Fuzz/seeds/log-reader Tests/Fuzz/corpus/log-reader

## bench: Silta against the inflate floor, zcat, DuckDB, NetworkX and igraph
# on generated logs of BENCH_EVENTS and 20 million events (docs/performance.md).
BENCH_EVENTS ?= 5000000
BENCH_SIZES  ?= $(BENCH_EVENTS) 20000000
BENCH_BUDGET ?= 300

bench: $(RELEASE)/ingest
	python3 Jobs/bench/bench.py --sizes $(BENCH_SIZES) --workers $(WORKERS) --budget $(BENCH_BUDGET)

## sample-data: regenerate SampleData/logs (deterministic: same bytes every time).
sample-data: $(RELEASE)/ingest
	rm -rf SampleData/logs
	$(RELEASE)/generate-logs --out SampleData/logs $(SAMPLE_ARGS)

## clean: remove build products and the default warehouse and reports.
clean:
	rm -rf .build .build-tsan .build-asan .build-fuzz var
