#!/usr/bin/env bash
# How fast `sim explore` searches: distinct states per second, and the time to exhaust
# depth 8 and depth 10 for the safe settings issue 22 names (3 replicas, acks=all,
# min.insync.replicas=2, clean elections, leader-epoch truncation, faults stop,kill,restart),
# where no counterexample exists, so every state up to the depth is visited.
# Each figure is the median of ROUNDS runs; `elapsed_ms` is the search alone, as `sim explore
# --json` reports it (process start-up is not counted).
#
# Environment: ROUNDS (3), DEPTHS ("8 10"), FAULTS (stop,kill,restart), SKIP_BUILD=1 (use the
# existing release build), BIN (a kafkalab binary to measure instead, e.g. .build/debug/kafkalab).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${ROUNDS:-3}
DEPTHS=${DEPTHS:-"8 10"}
FAULTS=${FAULTS:-stop,kill,restart}
if [ -z "${BIN:-}" ]; then
    if [ -z "${SKIP_BUILD:-}" ]; then (cd "$ROOT" && swift build -c release --product kafkalab >&2); fi
    BIN="$ROOT/.build/release/kafkalab"
fi
[ -x "$BIN" ] || { echo "no kafkalab binary at $BIN" >&2; exit 1; }

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

printf '%-6s %-10s %-12s %-14s %s\n' DEPTH STATES "MEDIAN ms" "STATES/S" "RUNS (ms)"
for depth in $DEPTHS; do
    runs=()
    states=0
    for _ in $(seq "$ROUNDS"); do
        doc=$("$BIN" --embedded --json -c "sim explore --min-isr 2 --replicas 3 --depth $depth --faults $FAULTS" 2>/dev/null)
        states=$(jq -r '.states' <<<"$doc")
        [ "$(jq -r '.found' <<<"$doc")" = false ] || { echo "depth $depth found a counterexample: not a full search" >&2; exit 1; }
        runs+=("$(jq -r '.elapsed_ms' <<<"$doc")")
    done
    ms=$(printf '%s\n' "${runs[@]}" | median)
    rate=$(awk -v s="$states" -v m="$ms" 'BEGIN { printf "%d", (m > 0 ? s * 1000 / m : 0) }')
    printf '%-6s %-10s %-12s %-14s %s\n' "$depth" "$states" "$ms" "$rate" "${runs[*]}"
done
