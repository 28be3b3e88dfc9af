#!/usr/bin/env bash
# Runs only the tests that need no cluster and no built binary: seconds, not minutes.
#
# A test file that starts an embedded cluster (TestSession, EmbeddedCluster, ClusterConnection,
# the ScriptedKafka stand-in) or runs the binary (KafkalabBinary, ServedExample) is a cluster or
# binary file; every suite it declares is skipped. Swift Testing has no command-line filter by
# tag, so the rule is this one, read from the sources each time.
set -uo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
$SWIFT build --build-tests >/dev/null || exit 1
bundle="$($SWIFT build --show-bin-path)/kafkalabPackageTests.xctest"
files=$(grep -rlE 'TestSession\(|EmbeddedCluster\(|ScriptedKafka\(|ClusterConnection\(|KafkalabBinary|ServedExample' \
  --include='*.swift' Tests | grep -v '/Support/')
names=$(sed -nE 's/^(@Suite[^)]*\)? *)?(struct|final class|class) ([A-Za-z0-9_]+).*/\3/p' $files | sort -u | paste -sd'|')
exec "$bundle" --testing-library swift-testing --skip "\.($names)/"
