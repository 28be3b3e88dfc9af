#!/usr/bin/env bash
# Runs only the tests that need no cluster and no built binary: seconds, not minutes.
#
# Which tests those are is declared in Package.swift, not guessed: the test targets LabTests,
# KafkaTests and LineEditorTests hold the pure suites; LabClusterTests and KafkaClusterTests start the embedded cluster or
# the ScriptedKafka stand-in, kafkalabTests runs the built binary. Swift Testing's --filter matches
# the test's full name, which starts with its target's module.
set -uo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
$SWIFT build --build-tests >/dev/null || exit 1
bundle="$($SWIFT build --show-bin-path)/kafkalabPackageTests.xctest"
exec "$bundle" --testing-library swift-testing --filter '^(LabTests|KafkaTests|LineEditorTests)\.'
