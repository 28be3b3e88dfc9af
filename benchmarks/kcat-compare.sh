#!/usr/bin/env bash
# The everyday data path against kcat (issue 24): kafkalab's `consume` (text and --json),
# `produce --file` and `produce --count` against `kcat -C`, `kcat -C -J` and `kcat -P`, and
# `consume --group` against `kcat -G` (auto.offset.reset=earliest, a fresh group each run), on the same
# `kafkalab serve` cluster, the same records, output to a file. Rounds alternate which tool goes
# first; the table shows each tool's median wall time, the median of the per-round ratios
# (kafkalab / kcat) with their range, each tool's median user+system CPU and peak RSS, and one
# verdict per row against the bar: kafkalab's wall time at most 1.2x kcat's (median ratio; 1.5x for
# the group row, as issue 24 asks). Memory: the peak RSS of `consume` at COUNT and at BIG_COUNT
# records is compared at the end (flat: the 10x longer read may not need 1.5x the memory).
#
# kcat is Debian's package; the script installs it with apt-get when it is missing.
# Environment: COUNT (200000 records for the 3-partition rows), BIG_COUNT (2000000, over
# BIG_PARTITIONS=48: the mock keeps about 5 MiB per partition), ROUNDS (5), SKIP_BUILD=1 (use the
# existing release build), BAR (1.2), GROUP_BAR (1.5), SKIP_BIG=1 (leave out the 2,000,000-record
# rows: consume, consume --json, produce --file and --count at BIG_COUNT), ONLY (a space-separated list of
# rows to measure, e.g. ONLY="produce-file-big produce-count-big"), GROUP_COUNT (30000 records over GROUP_PARTITIONS=3000, the issue's group read), SKIP_GROUP=1.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK="$ROOT/benchmarks/work/kcat"
COUNT=${COUNT:-200000}
BIG_COUNT=${BIG_COUNT:-2000000}
BIG_PARTITIONS=${BIG_PARTITIONS:-48}
ROUNDS=${ROUNDS:-5}
BAR=${BAR:-1.2}
GROUP_BAR=${GROUP_BAR:-1.5}
GROUP_COUNT=${GROUP_COUNT:-30000}
GROUP_PARTITIONS=${GROUP_PARTITIONS:-3000}
KAFKALAB="$ROOT/.build/release/kafkalab"
mkdir -p "$WORK"
say() { printf '%s\n' "$*" >&2; }
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)

if ! command -v kcat >/dev/null 2>&1; then
    say "installing Debian's kcat"
    if [ "$(id -u)" = 0 ]; then apt-get install -y -qq kcat >&2; else sudo apt-get install -y -qq kcat >&2; fi
fi
KCAT=$(command -v kcat)
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    say "building kafkalab (release, Swift runtime linked statically as compare.sh does)"
    (cd "$ROOT" && swift build -c release --product kafkalab --static-swift-stdlib >&2)
fi

# key<TAB>value lines with ~50-byte values, as the issue measured.
LINES="$WORK/lines.txt"
VALUES="$WORK/values.txt"
make_lines() { # count file with-keys
    awk -v n="$1" -v keys="$3" 'BEGIN { for (i = 0; i < n; i++) {
        v = sprintf("value-%d-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", i)
        if (keys) printf "key%d\t%s\n", i, v; else print v } }' > "$2"
}
[ "$( { wc -l < "$LINES"; } 2>/dev/null || echo 0)" = "$COUNT" ] || make_lines "$COUNT" "$LINES" 1
[ "$( { wc -l < "$VALUES"; } 2>/dev/null || echo 0)" = "$COUNT" ] || make_lines "$COUNT" "$VALUES" 0
BIG_LINES="$WORK/big-lines.txt"
BIG_VALUES="$WORK/big-values.txt"
if [ "${SKIP_BIG:-0}" != 1 ] && [ "$( { wc -l < "$BIG_LINES"; } 2>/dev/null || echo 0)" != "$BIG_COUNT" ]; then
    make_lines "$BIG_COUNT" "$BIG_LINES" 1
fi
if [ "${SKIP_BIG:-0}" != 1 ] && [ "$( { wc -l < "$BIG_VALUES"; } 2>/dev/null || echo 0)" != "$BIG_COUNT" ]; then
    make_lines "$BIG_COUNT" "$BIG_VALUES" 0
fi
GROUP_LINES="$WORK/group-lines.txt"
if [ "${SKIP_GROUP:-0}" != 1 ] && [ "$( { wc -l < "$GROUP_LINES"; } 2>/dev/null || echo 0)" != "$GROUP_COUNT" ]; then
    make_lines "$GROUP_COUNT" "$GROUP_LINES" 1
fi

"$KAFKALAB" serve --topic read:3 --topic big:"$BIG_PARTITIONS" --topic sink-kcat:3 --topic sink-kafkalab:3 \
    --topic sink-big-kcat:"$BIG_PARTITIONS" --topic sink-big-kafkalab:"$BIG_PARTITIONS" \
    --topic wide:"$GROUP_PARTITIONS" > "$WORK/serve.out" 2> "$WORK/serve.err" &
SERVE_PID=$!
trap 'kill "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$WORK/serve.out" ] && break; sleep 0.1; done
B=$(head -1 "$WORK/serve.out")
[ -n "$B" ] || { say "kafkalab serve printed no bootstrap list: $(cat "$WORK/serve.err")"; exit 1; }
say "cluster: $B (kafkalab serve, pid $SERVE_PID); seeding"
"$KCAT" -b "$B" -P -t read -K $'\t' -l "$LINES"
[ "${SKIP_BIG:-0}" = 1 ] || "$KCAT" -b "$B" -P -t big -K $'\t' -l "$BIG_LINES"
[ "${SKIP_GROUP:-0}" = 1 ] || "$KCAT" -b "$B" -P -t wide -K $'\t' -l "$GROUP_LINES"

# Each run prints "<wall s> <user+system s> <max RSS KiB>": CPU and RSS from GNU time, the wall
# time from the clock around it (GNU time's %e counts in 10 ms steps, an eighth of the ratio of a
# 200,000-record produce row).
timed() { # output-file command...
    local out=$1; shift
    local start end
    start=$(date +%s%N)
    /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "$@" > "$out" 2> "$WORK/stderr" || true
    end=$(date +%s%N)
    awk -v ns=$((end - start)) '{ printf "%.3f %.3f %d\n", ns / 1e9, $2 + $3, $4 }' "$WORK/time"
}
# The rows: a name, then the kcat command and the kafkalab command (words, run without a shell).
row_kcat() { # row
    case $1 in
        consume) timed "$WORK/kcat.out" "$KCAT" -b "$B" -C -e -q -K $'\t' -t read ;;
        consume-json) timed "$WORK/kcat.out" "$KCAT" -b "$B" -C -e -q -J -t read ;;
        produce-file) timed "$WORK/kcat.out" "$KCAT" -b "$B" -P -t sink-kcat -K $'\t' -l "$LINES" ;;
        produce-count) timed "$WORK/kcat.out" "$KCAT" -b "$B" -P -t sink-kcat -l "$VALUES" ;;
        consume-big) timed "$WORK/kcat.out" "$KCAT" -b "$B" -C -e -q -K $'\t' -t big ;;
        consume-json-big) timed "$WORK/kcat.out" "$KCAT" -b "$B" -C -e -q -J -t big ;;
        produce-file-big) timed "$WORK/kcat.out" "$KCAT" -b "$B" -P -t sink-big-kcat -K $'\t' -l "$BIG_LINES" ;;
        produce-count-big) timed "$WORK/kcat.out" "$KCAT" -b "$B" -P -t sink-big-kcat -l "$BIG_VALUES" ;;
        consume-group)
            timed "$WORK/kcat.out" "$KCAT" -b "$B" -G "kcat-$round-$RANDOM" -X auto.offset.reset=earliest \
                -e -q -K $'\t' wide ;;
    esac
}
row_kafkalab() { # row
    case $1 in
        consume) timed "$WORK/kafkalab.out" "$KAFKALAB" --bootstrap "$B" -c "consume read" ;;
        consume-json) timed "$WORK/kafkalab.out" "$KAFKALAB" --bootstrap "$B" -c "consume read --json" ;;
        produce-file) timed "$WORK/kafkalab.out" "$KAFKALAB" --bootstrap "$B" -c "produce --topic sink-kafkalab --file $LINES" ;;
        produce-count)
            timed "$WORK/kafkalab.out" "$KAFKALAB" --bootstrap "$B" \
                -c "produce --topic sink-kafkalab --count $COUNT value-{i}-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" ;;
        consume-big) timed "$WORK/kafkalab.out" "$KAFKALAB" --bootstrap "$B" -c "consume big" ;;
        consume-json-big) timed "$WORK/kafkalab.out" "$KAFKALAB" --bootstrap "$B" -c "consume big --json" ;;
        produce-file-big)
            timed "$WORK/kafkalab.out" "$KAFKALAB" --bootstrap "$B" -c "produce --topic sink-big-kafkalab --file $BIG_LINES" ;;
        produce-count-big)
            timed "$WORK/kafkalab.out" "$KAFKALAB" --bootstrap "$B" \
                -c "produce --topic sink-big-kafkalab --count $BIG_COUNT value-{i}-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" ;;
        consume-group) timed "$WORK/kafkalab.out" "$KAFKALAB" --bootstrap "$B" -c "consume wide --group kafkalab-$round-$RANDOM" ;;
    esac
}
# What each row's kafkalab run must have printed, so a broken run is not timed as a fast one.
check() { # row
    local n
    n=$(row_count "$1")
    case $1 in
        consume | consume-big | consume-group) [ "$(grep -c '^p[0-9]' "$WORK/kafkalab.out")" = "$n" ] && [ "$(wc -l < "$WORK/kcat.out")" = "$n" ] ;;
        consume-json | consume-json-big) [ "$(grep -c '"offset"' "$WORK/kafkalab.out")" = "$n" ] && [ "$(wc -l < "$WORK/kcat.out")" = "$n" ] ;;
        produce-*) grep -q "produced $n of $n" "$WORK/kafkalab.out" ;;
    esac
}

row_count() { case $1 in *-big) echo "$BIG_COUNT" ;; consume-group) echo "$GROUP_COUNT" ;; *) echo "$COUNT" ;; esac; }
row_bar() { if [ "$1" = consume-group ]; then echo "$GROUP_BAR"; else echo "$BAR"; fi; }

ROWS=(consume consume-json produce-file produce-count)
[ "${SKIP_BIG:-0}" = 1 ] || ROWS+=(consume-big consume-json-big produce-file-big produce-count-big)
[ "${SKIP_GROUP:-0}" = 1 ] || ROWS+=(consume-group)
# ONLY="consume-big produce-file-big" measures those rows alone.
[ -z "${ONLY:-}" ] || read -r -a ROWS <<< "$ONLY"
declare -A KC KL KCC KLC KCM KLM
for round in $(seq "$ROUNDS"); do
    for row in "${ROWS[@]}"; do
        if [ $((round % 2)) -eq 1 ]; then a=$(row_kcat "$row"); b=$(row_kafkalab "$row")
        else b=$(row_kafkalab "$row"); a=$(row_kcat "$row"); fi
        if ! check "$row"; then say "  round $round $row: a tool did not print every record; round left out"; continue; fi
        read -r aw ac am <<< "$a"; read -r bw bc bm <<< "$b"
        say "  round $round $row (load $(cut -d" " -f1 /proc/loadavg)): kcat ${aw} s (${ac} CPU s, ${am} KiB), kafkalab ${bw} s (${bc} CPU s, ${bm} KiB)"
        KC[$row]+="$aw "; KL[$row]+="$bw "; KCC[$row]+="$ac "; KLC[$row]+="$bc "; KCM[$row]+="$am "; KLM[$row]+="$bm "
    done
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {if (NR==0) {print "-"; exit} if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
ratios() { paste <(tr ' ' '\n' <<< "$1" | grep .) <(tr ' ' '\n' <<< "$2" | grep .) | awk '$1 > 0 { print $2 / $1 }'; }

echo
model=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)
echo "machine: $(nproc) cores, ${model:-unknown CPU}, librdkafka $(dpkg-query -W -f='${Version}' librdkafka-dev 2>/dev/null || echo '?'), $("$KCAT" -V 2>&1 | head -1)"
echo "load average (1, 5, 15 min): $LOAD_AT_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end; $(date -u '+%Y-%m-%d %H:%M UTC'); $ROUNDS alternating rounds"
echo "records: key<TAB>value, ~50 B values; $COUNT over 3 partitions, $BIG_COUNT over $BIG_PARTITIONS (the *-big rows), $GROUP_COUNT over $GROUP_PARTITIONS (consume-group); output to a file"
printf '| %-13s | %9s | %8s | %8s | %5s | %-9s | %-13s | %-15s | %s |\n' work records "kcat s" "kafkalab s" ratio range "CPU s kc / kl" "RSS MiB kc / kl" verdict
printf '|---|---|---|---|---|---|---|---|---|\n'
for row in "${ROWS[@]}"; do
    n=$(row_count "$row")
    bar=$(row_bar "$row")
    kc=$(median <<< "${KC[$row]:-}"); kl=$(median <<< "${KL[$row]:-}")
    r=$(ratios "${KC[$row]:-}" "${KL[$row]:-}" | median)
    range=$(ratios "${KC[$row]:-}" "${KL[$row]:-}" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR == 0) print "-"; else printf "%.2f-%.2f", lo, hi }')
    kcc=$(median <<< "${KCC[$row]:-}"); klc=$(median <<< "${KLC[$row]:-}")
    kcm=$(median <<< "${KCM[$row]:-}"); klm=$(median <<< "${KLM[$row]:-}")
    verdict=$(awk -v r="$r" -v bar="$bar" 'BEGIN { if (r == "-") print "no verdict"; else if (r + 0 <= bar + 0) print "holds"; else printf "misses (%.2fx > %sx)\n", r, bar }')
    printf '| %-13s | %9s | %8s | %8s | %5s | %-9s | %-13s | %-15s | %s |\n' "$row" "$n" "$kc" "$kl" \
        "$(awk -v r="$r" 'BEGIN { if (r == "-") print "-"; else printf "%.2f", r }')" "$range" "$kcc / $klc" \
        "$(awk -v a="$kcm" -v b="$klm" 'BEGIN { printf "%.0f / %.0f", a / 1024, b / 1024 }')" "$verdict"
done
echo
echo "ratio = median over rounds of kafkalab's wall time / kcat's (bar: ${BAR}x, ${GROUP_BAR}x for consume-group); CPU = user+system of each whole process; RSS = peak resident set"
if [ -n "${KLM[consume]:-}" ] && [ -n "${KLM[consume-big]:-}" ]; then
    small=$(median <<< "${KLM[consume]}"); big=$(median <<< "${KLM[consume-big]}")
    awk -v s="$small" -v b="$big" -v n="$COUNT" -v m="$BIG_COUNT" 'BEGIN {
        printf "memory while consuming: peak RSS %.0f MiB at %d records, %.0f MiB at %d (%.2fx for %.0fx the records): %s\n",
            s / 1024, n, b / 1024, m, b / s, m / n, (b <= 1.5 * s) ? "flat" : "grows with the records" }'
fi
