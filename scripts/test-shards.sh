#!/usr/bin/env bash
# Runs the test suite in several `swift test` processes at once.
#
# Why: Swift Testing runs test functions on Swift's cooperative thread pool, which is only as wide as the
# machine has cores (2 here). The cluster tests spend most of their time waiting on the embedded cluster
# (rebalances, delivery reports), not computing, so with one process two waiting tests hold the whole pool
# and everything else queues behind them. Each process has its own pool; the shards below group the slow
# suites so that no shard's serial chain is much longer than another's. The last shard is "everything
# else", so a new suite always runs somewhere.
#
# Usage: scripts/test-shards.sh [extra swift test flags]   (builds first; `make test` calls it)
set -uo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}

shards=(
  'ConsumerLabTests'
  'ConsumerExampleTests|ConsumerInterruptTests|ReplicationExampleTests|IsrWatchInterruptTests'
  'ReplicationLabTests'
  'LagCommandTests|LagExampleTests|BenchCommandTests|BenchExampleTests|BenchInterruptTests'
  'kafkalabTests'
)

$SWIFT build --build-tests "$@" || exit 1

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
skip=()
pids=()
i=0
for pattern in "${shards[@]}"; do
  $SWIFT test --skip-build "$@" --filter "$pattern" "${skip[@]}" >"$logs/$i.log" 2>&1 &
  pids+=($!)
  skip+=(--skip "$pattern")
  i=$((i + 1))
done
$SWIFT test --skip-build "$@" "${skip[@]}" >"$logs/$i.log" 2>&1 &
pids+=($!)

status=0
for n in "${!pids[@]}"; do
  wait "${pids[$n]}" || status=1
done
passed=0; failed=0
for n in "${!pids[@]}"; do
  log="$logs/$n.log"
  grep -E '^(✘|✔ Test run|✘ Test run)|error:|Fatal error|recorded an issue' "$log" | sed "s/^/[shard $n] /"
  p=$(grep -cE '^✔ Test .* passed after' "$log")
  f=$(grep -cE '^✘ Test .* failed after' "$log")
  passed=$((passed + p)); failed=$((failed + f))
  if ! grep -qE 'Test run with [0-9]+ tests? .*passed|Test run with [0-9]+ tests? .*failed' "$log"; then
    echo "[shard $n] ended without a test run summary:"; tail -20 "$log"; status=1
  fi
done
[ "$failed" -gt 0 ] && status=1
echo "$passed passed, $failed failed"
exit $status
