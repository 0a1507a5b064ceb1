// swift-tools-version:6.0
import PackageDescription

// OpenCV's headers live outside the default search path; SwiftPM drops some pkg-config flags,
// so the link libraries are named explicitly (see ARCHITECTURE.md).
let openCVInclude = "-I/usr/include/opencv4"
let nativeLibraries: [LinkerSetting] = [
    "opencv_dnn", "opencv_videoio", "opencv_imgcodecs", "opencv_imgproc", "opencv_core",
    "dlib", "blas", "lapack", "m",
].map { .linkedLibrary($0) }

let package = Package(
    name: "Watchpost",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "edge-node", targets: ["EdgeNode"]),
        .executable(name: "coordinator", targets: ["Coordinator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        .target(
            name: "CFaceEngine",
            cxxSettings: [
                // dlib's network code is header-only: unoptimised it is ~50x slower, so even debug builds use -O2.
                .unsafeFlags([openCVInclude, "-O2", "-std=c++17", "-Wno-deprecated-declarations"])
            ],
            linkerSettings: nativeLibraries
        ),
        // Plain embedding and template values: what bundles and wire formats carry, with no vision code.
        .target(name: "FaceTemplates"),
        // Typed refusals: a code, a kind the web maps to a status and the CLI to an exit code.
        .target(name: "Refusals"),
        // Photo headers read before any decoder runs (format, size, pixel limit): no vision code.
        .target(name: "ImageHeaders", dependencies: ["Refusals"]),
        .target(
            name: "FaceEngine",
            dependencies: [
                "CFaceEngine", "FaceTemplates", "ImageHeaders",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Enrolment through the quality gate: the watchlist builder both CLIs and the control room call,
        // and the thresholds measured for each rule and list size.
        .target(name: "Enrolment", dependencies: ["FaceEngine", "FaceTemplates", "Shared"]),
        // Open-set identification accuracy on a labelled folder: statistics, studies, reports, expected rates.
        .target(name: "Evaluation", dependencies: ["FaceEngine", "FaceTemplates", "Refusals", "Shared"]),
        // Command-line options both executables take (models folder, enrolment choices): no vision code.
        .target(
            name: "CommandLineOptions",
            dependencies: ["FaceTemplates", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .systemLibrary(name: "CZeroMQ", pkgConfig: "libzmq", providers: [.apt(["libzmq3-dev"])]),
        .target(
            name: "Shared",
            dependencies: [
                "FaceTemplates", "Refusals",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // ZeroMQ with CURVE and ZAP, and CURVE key files: only what speaks on the fabric links libzmq.
        .target(name: "ZeroMQTransport", dependencies: ["CZeroMQ", "Shared"]),
        .executableTarget(
            name: "EdgeNode",
            dependencies: [
                "CommandLineOptions", "Enrolment", "FaceEngine", "FaceTemplates", "Shared", "ZeroMQTransport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // The deployment record: one database, the audit chain, deployments, adjudication, retention and
        // reports. No vision code: the CLI, the web layer, tests and benchmarks all call it.
        .target(
            name: "CoordinatorRecord",
            dependencies: [
                "FaceTemplates", "ImageHeaders", "Refusals", "Shared",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ]
        ),
        // The control room's web UI: thin routes and templates over CoordinatorRecord.
        .target(
            name: "ControlRoom",
            dependencies: [
                "CoordinatorRecord", "ImageHeaders", "Refusals", "Shared",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "Coordinator",
            dependencies: [
                "CommandLineOptions", "ControlRoom", "CoordinatorRecord", "Enrolment", "Evaluation", "FaceEngine",
                "FaceTemplates", "Refusals", "Shared", "ZeroMQTransport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "StageBenchmark", dependencies: ["FaceEngine", "FaceTemplates"], path: "Benchmarks/StageBenchmark"),
        .executableTarget(
            name: "PipelineBenchmark", dependencies: ["FaceEngine"], path: "Benchmarks/PipelineBenchmark"),
        .executableTarget(name: "MemoryBenchmark", dependencies: ["FaceEngine"], path: "Benchmarks/MemoryBenchmark"),
        .target(
            name: "BenchmarkSupport", dependencies: ["FaceTemplates", "Shared", "ZeroMQTransport"],
            path: "Benchmarks/BenchmarkSupport"),
        .executableTarget(
            name: "FabricBenchmark", dependencies: ["BenchmarkSupport", "Shared", "ZeroMQTransport"],
            path: "Benchmarks/FabricBenchmark"),
        .executableTarget(
            name: "FleetBenchmark", dependencies: ["BenchmarkSupport", "Shared", "ZeroMQTransport"],
            path: "Benchmarks/FleetBenchmark"),
        .executableTarget(
            name: "WebBenchmark",
            dependencies: [
                "BenchmarkSupport", "CoordinatorRecord", "FaceTemplates", "Shared", "ZeroMQTransport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Benchmarks/WebBenchmark"),
        .executableTarget(
            name: "RecordBenchmark",
            dependencies: [
                "CoordinatorRecord", "FaceTemplates", "Shared", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Benchmarks/RecordBenchmark"),
        .target(name: "FuzzSupport", dependencies: ["Shared"], path: "Fuzz/FuzzSupport"),
        .executableTarget(
            name: "DecoderFuzz",
            dependencies: [
                "FuzzSupport", "Shared", "FaceTemplates", .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Fuzz/DecoderFuzz"),
        .executableTarget(
            name: "FileFuzz",
            dependencies: [
                "ControlRoom", "CoordinatorRecord", "FaceTemplates", "FuzzSupport", "ImageHeaders", "Shared",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Fuzz/FileFuzz"),
        // Test support without vision (fixtures, child processes, scans of files); the models for vision tests apart.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .target(
            name: "VisionTestSupport", dependencies: ["FaceEngine", "TestSupport"], path: "Tests/VisionTestSupport"),
        .target(
            name: "RecordTestSupport",
            dependencies: [
                "CoordinatorRecord", "FaceTemplates", "Shared", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Tests/RecordTestSupport"),
        .testTarget(name: "ImageHeadersTests", dependencies: ["ImageHeaders"]),
        .testTarget(
            name: "FaceEngineTests",
            dependencies: ["FaceEngine", "FaceTemplates", "Shared", "TestSupport", "VisionTestSupport"]),
        .testTarget(
            name: "SharedTests",
            dependencies: [
                "Shared", "FaceTemplates", "FaceEngine", "TestSupport", "ZeroMQTransport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]),
        .testTarget(
            name: "EdgeNodeTests",
            dependencies: [
                "EdgeNode", "Enrolment", "FaceEngine", "FaceTemplates", "FuzzSupport", "Shared", "TestSupport",
                "VisionTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // The record and the control room, tested without linking vision.
        .testTarget(
            name: "CoordinatorRecordTests",
            dependencies: [
                "CoordinatorRecord", "FaceTemplates", "RecordTestSupport", "Refusals", "Shared", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]),
        .testTarget(
            name: "ControlRoomTests",
            dependencies: [
                "ControlRoom", "CoordinatorRecord", "FaceTemplates", "RecordTestSupport", "Refusals", "Shared",
                "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "EnrolmentTests",
            dependencies: ["Enrolment", "FaceEngine", "FaceTemplates", "Shared", "TestSupport", "VisionTestSupport"]),
        .testTarget(
            name: "EvaluationTests",
            dependencies: ["Evaluation", "FaceTemplates", "FuzzSupport", "Shared", "TestSupport", "VisionTestSupport"]),
        .testTarget(
            name: "CoordinatorTests",
            dependencies: [
                "Coordinator", "ControlRoom", "CoordinatorRecord", "Enrolment", "Evaluation", "FaceTemplates",
                "FuzzSupport",
                "RecordTestSupport", "Shared", "TestSupport", "VisionTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "BenchmarkSupport", "CoordinatorRecord", "FaceEngine", "FaceTemplates", "Shared", "TestSupport",
                "VisionTestSupport", "ZeroMQTransport", .product(name: "GRDB", package: "GRDB.swift"),
            ]),
    ],
    cxxLanguageStandard: .cxx17
)
