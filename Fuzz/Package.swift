// swift-tools-version:6.1
import PackageDescription

// libFuzzer targets for the parsers that take untrusted input. A package of its own so that
// the sanitizer build never touches the main package's build folder. The library sources are
// the main package's own, through relative symlinks in Sources/. Build with Scripts/fuzz.sh.
let package = Package(
    name: "AnxinFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0")
    ],
    targets: [
        .target(name: "AnxinCore"),
        .target(name: "Profiles", dependencies: ["AnxinCore", .product(name: "Yams", package: "Yams")]),
        .target(name: "Rules", dependencies: ["AnxinCore", .product(name: "Yams", package: "Yams")]),
        .target(name: "Registry", dependencies: ["AnxinCore", .product(name: "Yams", package: "Yams")]),
        .target(name: "CFuzzDriver"),
        .target(name: "FuzzEntries", dependencies: ["AnxinCore", "Profiles", "Rules", "Registry", "CFuzzDriver"]),
        .executableTarget(name: "fuzz-decode", dependencies: ["FuzzEntries"]),
        .executableTarget(name: "fuzz-profile", dependencies: ["FuzzEntries"]),
        .executableTarget(name: "fuzz-rules", dependencies: ["FuzzEntries"]),
        .executableTarget(name: "fuzz-registry-csv", dependencies: ["FuzzEntries"]),
        .executableTarget(name: "fuzz-registry-yaml", dependencies: ["FuzzEntries"]),
    ]
)
