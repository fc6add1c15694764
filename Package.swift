// swift-tools-version: 6.1
import Foundation
import PackageDescription

let package = Package(
    name: "warden",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "warden", targets: ["warden"]),
        .executable(name: "warden-launch", targets: ["warden-launch"]),
        .library(name: "WardenEngine", targets: ["WardenEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", exact: "0.12.1"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
    ],
    targets: [
        // The sandbox launcher: plain C, statically linked, run once per execution (see docs/ARCHITECTURE.md).
        .executableTarget(
            name: "warden-launch",
            path: "sandbox/launcher",
            cSettings: [.define("_GNU_SOURCE"), .unsafeFlags(["-Wall", "-Wextra", "-Werror"])],
            linkerSettings: [.unsafeFlags(["-static-executable"])]
        ),
        .target(
            name: "CWardenShims",
            cSettings: [.define("_GNU_SOURCE")]
        ),
        .systemLibrary(
            name: "CSeccomp",
            pkgConfig: "libseccomp",
            providers: [.apt(["libseccomp-dev"])]
        ),
        .target(
            name: "WardenEngine",
            dependencies: [
                "CWardenShims",
                "CSeccomp",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "WardenMCP",
            dependencies: [
                "WardenEngine",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "warden",
            dependencies: [
                "WardenEngine",
                "WardenMCP",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // `make bench`: layer costs against plain spawns, for BENCHMARKS.md.
        .executableTarget(
            name: "warden-bench",
            dependencies: [
                "WardenEngine",
                "CWardenShims",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "WardenEngineTests",
            dependencies: [
                "WardenEngine",
                "warden-launch",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "WardenMCPTests",
            dependencies: [
                "WardenMCP",
                "WardenEngine",
                "warden-launch",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "WardenCLITests",
            dependencies: ["WardenEngine", "warden", "warden-launch"]
        ),
    ]
)

// `make fuzz` (WARDEN_FUZZ=1, its own scratch path, every module built with -sanitize=fuzzer):
// the libFuzzer target for the parsers the network reaches. Only then: libFuzzer brings `main`.
if ProcessInfo.processInfo.environment["WARDEN_FUZZ"] != nil {
    package.products.append(.executable(name: "warden-fuzz", targets: ["warden-fuzz"]))
    package.targets.append(
        .executableTarget(
            name: "warden-fuzz",
            dependencies: [
                "WardenMCP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])],
            linkerSettings: [.unsafeFlags(["-sanitize=fuzzer"])]
        )
    )
}

for target in package.targets
where target.type != .system && target.name != "warden-launch" && target.name != "CWardenShims" {
    target.swiftSettings =
        (target.swiftSettings ?? []) + [
            .enableUpcomingFeature("ExistentialAny"),
            .enableUpcomingFeature("MemberImportVisibility"),
            .enableUpcomingFeature("InternalImportsByDefault"),
            .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
        ]
}
