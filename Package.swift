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
        // Tests by speed, declared here rather than guessed: LabTests, KafkaTests and LineEditorTests
        // need no cluster and no built binary (`make test-pure` runs exactly them); LabClusterTests
        // and KafkaClusterTests start the embedded cluster or the ScriptedKafka stand-in; kafkalabTests runs
        // the built binary. The real-cluster suites in LabClusterTests run only with
        // KAFKALAB_TEST_BOOTSTRAP set.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "LineEditorTests", dependencies: ["LineEditor"]),
        .testTarget(
            name: "LabTests",
            dependencies: ["Lab", "Kafka", "TestSupport", .product(name: "Yams", package: "Yams")]
        ),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka"]),
        .testTarget(name: "KafkaClusterTests", dependencies: ["Kafka"]),
        .testTarget(name: "LabClusterTests", dependencies: ["Lab", "Kafka", "TestSupport"]),
        .testTarget(
            name: "kafkalabTests",
            dependencies: ["kafkalab", "Lab", "TestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
