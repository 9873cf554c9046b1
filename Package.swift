// swift-tools-version:6.0
//
// Silta: nightly engagement and social-capital reports for internal and
// external communities, computed from gzip NDJSON activity logs.
//
// Layout (see README.md and docs/architecture.md):
//   Sources/   small libraries, one concern each
//   Jobs/      one thin executable per batch job
//   Tests/     unit tests per library and end-to-end tests of the built jobs
//
// Build flags worth knowing:
//   -Ounchecked is NOT used: bounds checks stay on in release builds except in
//   the few documented unsafe scopes that prove their own bounds.

import PackageDescription

/// Swift settings shared by every Swift target.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

/// The report jobs: each a thin executable in `Jobs/<name>` over its entry in
/// `SiltaReportJobs`' catalog (ReportCatalog.swift), which names them again for
/// `nightly`; a test checks that the two lists agree.
let reportJobs = ["engagement", "social-capital", "bridging", "people"]

/// The importers: each a thin executable in `Jobs/<name>` over `SiltaImport`.
let importers = [
    "import-discord", "import-discourse", "import-gharchive", "import-mattermost", "import-slack", "import-stackexchange",
    "import-viva-engage",
]

let package = Package(
    name: "silta",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ingest", targets: ["ingest"]),
        .executable(name: "generate-logs", targets: ["generate-logs"]),
        .executable(name: "nightly", targets: ["nightly"]),
    ] + (reportJobs + importers).map { .executable(name: $0, targets: [$0]) },
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // SHA-256 of the identity file; HMAC pseudonyms.
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        // Slack exports as .zip files.
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        // Property tests (Tests only).
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        // MARK: C shim

        /// The system zlib (Debian `zlib1g-dev`), with the macros Swift cannot
        /// import wrapped as functions.
        .target(
            name: "CSiltaZlib",
            path: "Sources/CSiltaZlib",
            linkerSettings: [.linkedLibrary("z")]
        ),
        /// Processor hints (a cache prefetch) for the ingest merger's lookups.
        .target(
            name: "CSiltaCPU",
            path: "Sources/CSiltaCPU"
        ),
        /// System calls Swift's Glibc module does not declare (copy_file_range).
        .target(
            name: "CSiltaSys",
            path: "Sources/CSiltaSys"
        ),

        // MARK: Libraries

        /// Bytes, stable hashing, POSIX file handling: atomic writes, locks,
        /// memory maps, directory walks.
        .target(
            name: "SiltaSupport",
            dependencies: ["CSiltaZlib", "CSiltaSys"],
            swiftSettings: strict
        ),
        /// Reading logs: gzip and plain files, line framing, damage reports.
        .target(
            name: "SiltaLogReader",
            dependencies: ["CSiltaZlib", "SiltaSupport"],
            swiftSettings: strict
        ),
        /// The event model and the byte-level line parser (JSON, RFC 3339,
        /// reject reasons).
        .target(
            name: "SiltaEvents",
            swiftSettings: strict
        ),
        /// The warehouse: the binary store of ingested events, its manifest and
        /// its loader.
        .target(
            name: "SiltaWarehouse",
            dependencies: ["SiltaSupport", "SiltaEvents"],
            swiftSettings: strict
        ),
        /// The ingest pipeline: concurrent readers and parsers, the ordered
        /// merge into the warehouse, rejects and the ingest report.
        .target(
            name: "SiltaIngest",
            dependencies: ["CSiltaCPU", "SiltaSupport", "SiltaLogReader", "SiltaEvents", "SiltaWarehouse"],
            swiftSettings: strict
        ),
        /// Deterministic synthetic activity logs for tests and benchmarks.
        .target(
            name: "SiltaGenerator",
            dependencies: ["SiltaSupport", "SiltaEvents", "CSiltaZlib"],
            swiftSettings: strict
        ),
        /// Identity files: which ids are one person, which persons are bots.
        .target(
            name: "SiltaIdentities",
            dependencies: ["SiltaSupport", "SiltaEvents", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        /// Importers: exports of community systems into activity logs (docs/importers.md).
        .target(
            name: "SiltaImport",
            dependencies: [
                "SiltaSupport", "SiltaEvents", "SiltaLogReader", "SiltaJobKit", "SiltaIdentities",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        /// The report writers: CSV and JSON twins, atomically replaced.
        .target(
            name: "SiltaReports",
            dependencies: ["SiltaSupport", "SiltaEvents"],
            swiftSettings: strict
        ),
        /// The metrics of metrics.md: periods and time zones, loading the
        /// warehouse, engagement, social capital, bridging and links.
        .target(
            name: "SiltaMetrics",
            dependencies: ["SiltaSupport", "SiltaEvents", "SiltaWarehouse", "SiltaReports", "SiltaIdentities"],
            swiftSettings: strict
        ),
        /// The frame every job shares: common options, exit codes, logging,
        /// run records, the progress bar.
        .target(
            name: "SiltaJobKit",
            dependencies: [
                "SiltaSupport", "SiltaEvents", "SiltaWarehouse", "SiltaLogReader",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        /// The catalog of jobs and reports, the report options, and the
        /// driver every report job runs in.
        .target(
            name: "SiltaReportJobs",
            dependencies: [
                "SiltaSupport", "SiltaEvents", "SiltaWarehouse", "SiltaMetrics", "SiltaReports", "SiltaJobKit", "SiltaIdentities",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        /// The dashboard (docs/dashboard.md): one self-contained HTML page of
        /// inline SVG charts, drawn from the report CSVs.
        .target(
            name: "SiltaDashboard",
            dependencies: ["SiltaSupport", "SiltaEvents", "SiltaWarehouse", "SiltaReports"],
            swiftSettings: strict
        ),
        /// The analysts' workbook (docs/workbook.md): the report CSVs as one
        /// .xlsx file, its zip and XML written here.
        .target(
            name: "SiltaWorkbook",
            dependencies: ["CSiltaZlib", "SiltaSupport", "SiltaEvents", "SiltaMetrics", "SiltaReports", "SiltaReportJobs"],
            swiftSettings: strict
        ),
        /// Nightly operations: running the jobs in order under one lock, the
        /// run summary, dated report copies and their retention, the
        /// Prometheus file.
        .target(
            name: "SiltaOps",
            dependencies: [
                "SiltaSupport", "SiltaEvents", "SiltaJobKit", "SiltaReportJobs", "SiltaIdentities", "SiltaReports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // MARK: Jobs

        .executableTarget(
            name: "ingest",
            dependencies: [
                "SiltaJobKit", "SiltaIngest", "SiltaWarehouse", "SiltaSupport", "SiltaEvents",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Jobs/ingest",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "generate-logs",
            dependencies: [
                "SiltaJobKit", "SiltaGenerator", "SiltaEvents", "SiltaSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Jobs/generate-logs",
            swiftSettings: strict
        ),

        .executableTarget(
            name: "nightly",
            dependencies: [
                "SiltaJobKit", "SiltaOps", "SiltaReportJobs", "SiltaSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Jobs/nightly",
            swiftSettings: strict
        ),

        .executableTarget(
            name: "dashboard",
            dependencies: [
                "SiltaJobKit", "SiltaDashboard", "SiltaReports", "SiltaReportJobs", "SiltaSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Jobs/dashboard",
            swiftSettings: strict
        ),

        .executableTarget(
            name: "workbook",
            dependencies: [
                "SiltaJobKit", "SiltaWorkbook", "SiltaReports", "SiltaReportJobs", "SiltaSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Jobs/workbook",
            swiftSettings: strict
        ),

        /// Benchmark helper: times the graph measures for the peers comparison.
        .executableTarget(
            name: "graph-bench",
            dependencies: [
                "SiltaJobKit", "SiltaMetrics", "SiltaSupport", "SiltaWarehouse", "SiltaEvents",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Jobs/graph-bench",
            swiftSettings: strict
        ),

        /// Benchmark floor: only inflates the logs, with the same zlib and workers as ingest.
        .executableTarget(
            name: "inflate-floor",
            dependencies: [
                "SiltaJobKit", "SiltaLogReader", "SiltaSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Jobs/inflate-floor",
            swiftSettings: strict
        ),

        /// What the libFuzzer targets share: libFuzzer's driver, or replaying files.
        .target(
            name: "SiltaFuzzDriver",
            dependencies: ["SiltaSupport"],
            path: "Tests/Fuzz/driver",
            swiftSettings: strict
        ),
        /// libFuzzer target (make fuzz); built normally, it replays files.
        .executableTarget(
            name: "fuzz-line-parser",
            dependencies: ["SiltaEvents", "SiltaFuzzDriver"],
            path: "Tests/Fuzz/fuzz-line-parser",
            swiftSettings: strict
        ),
        /// The whole-ingest invariant that fuzz-ingest and the property test check.
        .target(
            name: "SiltaIngestCheck",
            dependencies: ["SiltaIngest", "SiltaEvents", "SiltaLogReader", "SiltaSupport", "CSiltaZlib"],
            path: "Tests/Fuzz/ingest-check",
            swiftSettings: strict
        ),
        /// libFuzzer target (make fuzz): one whole ingest; built normally, it replays files.
        .executableTarget(
            name: "fuzz-ingest",
            dependencies: ["SiltaIngestCheck", "SiltaFuzzDriver"],
            path: "Tests/Fuzz/fuzz-ingest",
            swiftSettings: strict
        ),
        /// libFuzzer target (make fuzz); built normally, it replays files.
        .executableTarget(
            name: "fuzz-import",
            dependencies: ["SiltaImport", "SiltaFuzzDriver"],
            path: "Tests/Fuzz/fuzz-import",
            swiftSettings: strict
        ),
        /// libFuzzer target (make fuzz); built normally, it replays files.
        .executableTarget(
            name: "fuzz-identities",
            dependencies: ["SiltaIdentities", "SiltaFuzzDriver"],
            path: "Tests/Fuzz/fuzz-identities",
            swiftSettings: strict
        ),
        /// libFuzzer target (make fuzz); built normally, it replays files.
        .executableTarget(
            name: "fuzz-log-reader",
            dependencies: ["SiltaLogReader", "SiltaSupport", "SiltaFuzzDriver"],
            path: "Tests/Fuzz/fuzz-log-reader",
            swiftSettings: strict
        ),

        // MARK: Tests

        .testTarget(
            name: "SiltaTests",
            dependencies: [
                "SiltaSupport", "SiltaLogReader", "SiltaEvents", "SiltaWarehouse",
                "SiltaIngest", "SiltaGenerator", "SiltaJobKit", "SiltaMetrics", "SiltaReports", "SiltaReportJobs", "SiltaOps",
                "SiltaIdentities", "SiltaImport", "CSiltaZlib", "SiltaDashboard", "SiltaWorkbook",
                "SiltaIngestCheck",
                .product(name: "PropertyBased", package: "swift-property-based"),
                // SiltaImport's zip reader: its C module must be visible here too.
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            path: "Tests/SiltaTests",
            swiftSettings: strict
        ),
    ]
        + reportJobs.map { job in
            .executableTarget(
                name: job,
                dependencies: [
                    "SiltaJobKit", "SiltaReportJobs",
                    .product(name: "ArgumentParser", package: "swift-argument-parser"),
                ],
                path: "Jobs/" + job,
                swiftSettings: strict
            )
        }
        + importers.map { job in
            .executableTarget(
                name: job,
                dependencies: [
                    "SiltaJobKit", "SiltaImport", "SiltaSupport",
                    .product(name: "ArgumentParser", package: "swift-argument-parser"),
                ],
                path: "Jobs/" + job,
                swiftSettings: strict
            )
        }
)
