// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [.unsafeFlags(["-warnings-as-errors"], .when(configuration: .debug))]
/// The per-message path: the rule engine is one class owned by one thread, and every reading visits its
/// state through `inout` accesses of its properties (a sixth of judging a reading went to run-time
/// exclusivity checks); the pipeline, also owned by its thread, touches its batch, latest vitals and
/// counters for every observation; anxin-bench's loop is that pipeline's stand-in. Their release builds do
/// not check those accesses for exclusivity at run time. The debug build, which runs the tests, still
/// checks them all.
let hotPath: [SwiftSetting] =
    strict + [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "Anxin",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "anxin", targets: ["anxin"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.24.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CMosquitto", pkgConfig: "libmosquitto",
            providers: [.apt(["libmosquitto-dev"])]),
        .systemLibrary(
            name: "CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CMalloc"),
        .target(name: "CSocketBuffer"),
        .target(name: "AnxinCore", swiftSettings: strict),
        .target(
            name: "Profiles",
            dependencies: ["AnxinCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict),
        .target(
            name: "Rules",
            dependencies: ["AnxinCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: hotPath),
        .target(
            name: "Registry",
            dependencies: ["AnxinCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict),
        .target(name: "Store", dependencies: ["AnxinCore", "CSQLite"], swiftSettings: strict),
        .target(
            name: "Ingest", dependencies: ["AnxinCore", "CMosquitto", "CMalloc", "CSocketBuffer"], swiftSettings: strict
        ),
        .target(
            name: "Delivery",
            dependencies: [
                "AnxinCore", "Store",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),
        .target(
            name: "StaffAPI",
            dependencies: [
                "AnxinCore", "Store",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),
        .target(
            name: "Gateway",
            dependencies: [
                "AnxinCore", "Profiles", "Rules", "Registry", "Store", "Ingest", "Delivery", "StaffAPI", "CMalloc",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: hotPath),
        .executableTarget(
            name: "anxin-bench",
            dependencies: ["AnxinCore", "Profiles", "Rules"],
            swiftSettings: hotPath),
        .executableTarget(
            name: "anxin-foldbench",
            dependencies: ["AnxinCore", "Store", "CSQLite"],
            swiftSettings: strict),
        .executableTarget(
            name: "anxin",
            dependencies: [
                "Gateway",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),
        .target(
            name: "AnxinTesting",
            dependencies: [
                "AnxinCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict),
        .testTarget(name: "ProfilesTests", dependencies: ["Profiles", "AnxinCore"]),
        .testTarget(name: "RulesTests", dependencies: ["Rules", "AnxinCore"]),
        .testTarget(name: "RegistryTests", dependencies: ["Registry", "AnxinCore"], exclude: ["Fixtures"]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "AnxinCore", "AnxinTesting"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "AnxinCore"]),
        .testTarget(name: "DeliveryTests", dependencies: ["Delivery", "Store", "AnxinCore", "AnxinTesting"]),
        .testTarget(
            name: "StaffAPITests",
            dependencies: [
                "StaffAPI", "AnxinCore", "Store", .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]),
        .testTarget(
            name: "IntegrationTests", dependencies: ["AnxinTesting", "AnxinCore", "Gateway", "Store", "CMalloc"]),
    ]
)
