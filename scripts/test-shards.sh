#!/usr/bin/env bash
# Runs the test suite in several test processes at once.
#
# Why: Swift Testing runs test functions on Swift's cooperative thread pool, which is only as wide as the
# machine has cores (2 here). The cluster tests spend most of their time waiting on the embedded cluster
# (rebalances, delivery reports, child processes), not computing, so in one process two waiting tests hold
# the whole pool and everything else queues behind them. Each process has its own pool; the shards below
# group the slow suites so that no shard's serial chain is much longer than another's. The last shard is
# "everything else", so a new suite always runs somewhere.
#
# The shards run the built test bundle directly: `swift test` processes take a lock on .build and would
# run one after another.
#
# Usage: scripts/test-shards.sh            (builds first; `make test` calls it)
#        KAFKALAB_SHARDS=1 scripts/test-shards.sh   (one process, for comparison)
#        KAFKALAB_SHARD_LOGS=DIR scripts/test-shards.sh   (keeps each shard's log as DIR/N.log: per-test times)
set -uo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}

# Serial times measured on the 2-core machine (kafkalabPackageTests.xctest --no-parallel); a shard
# runs two tests at a time, so a shard's time is about its longest test or half its sum.
shards=(
  'ConsumerExampleTests'                       # example 05 twice, served: ~85 s
  'ComposeLagAndStorageExampleTests'           # examples 06 (~65 s) and 07 (~11 s) twice in compose mode
  'LagExampleTests|ReplicationLabTests|ReplicationExampleTests'   # 50 s | 19 s + 12 s
  'ComposeConsumersExampleTests|ProducersScriptTests|LagCommandTests|ExampleScriptTests'   # 65 s | 33 + 16 + 4 s
  'ComposeProducersExampleTests|ConsumerLabTests'   # 50 s | 40 s
  'BenchExampleTests|ComposeBenchExampleTests|kafkalabTests'   # 45 s | 44 s, then the binary's other tests
  'ComposeStandInTests|ComposeMinIsrTests|ComposeStorageAndLagTests|ComposeBoundedWaitTests|ComposeKafkaTimeTests|ClientPropagationTests|LagExportTests'   # ~100 s in all, 20-30 s each at most
)
[ "${KAFKALAB_SHARDS:-}" = 1 ] && shards=()

$SWIFT build --build-tests || exit 1
bundle="$($SWIFT build --show-bin-path)/kafkalabPackageTests.xctest"
[ -x "$bundle" ] || { echo "no test bundle at $bundle" >&2; exit 1; }

if [ -n "${KAFKALAB_SHARD_LOGS:-}" ]; then
  logs=$KAFKALAB_SHARD_LOGS
  mkdir -p "$logs" || exit 1
else
  logs=$(mktemp -d)
  trap 'rm -rf "$logs"' EXIT
fi
skip=()
pids=()
i=0
started=$(date +%s)
for pattern in "${shards[@]}"; do
  "$bundle" --testing-library swift-testing --filter "$pattern" "${skip[@]}" >"$logs/$i.log" 2>&1 &
  pids+=($!)
  skip+=(--skip "$pattern")
  i=$((i + 1))
done
"$bundle" --testing-library swift-testing "${skip[@]}" >"$logs/$i.log" 2>&1 &
pids+=($!)

status=0
for n in "${!pids[@]}"; do
  wait "${pids[$n]}" || status=1
done
passed=0; failed=0
for n in "${!pids[@]}"; do
  log="$logs/$n.log"
  grep -E '^✘|recorded an issue|^Fatal error' "$log" | sed "s/^/[shard $n] /"
  grep -A3 'recorded an issue' "$log" | grep '^↳' | sed "s/^/[shard $n] /" | head -20
  summary=$(grep -E 'Test run with [0-9]+ tests?' "$log" | tail -1)
  if [ -z "$summary" ]; then
    echo "[shard $n] ended without a test run summary:"; tail -20 "$log"; status=1
  else
    echo "[shard $n] $summary"
  fi
  p=$(grep -cE '^✔ Test .* passed after' "$log")
  f=$(grep -cE '^✘ Test .* failed after' "$log")
  passed=$((passed + p)); failed=$((failed + f))
done
[ "$failed" -gt 0 ] && status=1
echo "tests took $(( $(date +%s) - started )) s in ${#pids[@]} processes"
echo "$passed passed, $failed failed"
exit $status
