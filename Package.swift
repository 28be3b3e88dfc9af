// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "kafkalab",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kafkalab", targets: ["kafkalab"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
    ],
    targets: [
        // librdkafka (rdkafka.h + rdkafka_mock.h); only the Kafka module imports it.
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"]), .brew(["librdkafka"])]
        ),
        // libedit with fixed-argument wrappers; only LineEditor imports it.
        .systemLibrary(
            name: "CEditLine",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"]), .brew(["libedit"])]
        ),
        .target(name: "Kafka", dependencies: ["CRdKafka"]),
        .target(name: "LineEditor", dependencies: ["CEditLine"]),
        .target(
            name: "Lab",
            dependencies: [
                "Kafka",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .executableTarget(
            name: "kafkalab",
            dependencies: [
                "Lab", "Kafka", "LineEditor",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka"]),
        .testTarget(name: "LineEditorTests", dependencies: ["LineEditor"]),
        .testTarget(name: "LabTests", dependencies: ["Lab", "Kafka"]),
        .testTarget(
            name: "kafkalabTests",
            dependencies: ["kafkalab", "Lab", .product(name: "Yams", package: "Yams")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
