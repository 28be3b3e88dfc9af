#!/usr/bin/env bash
# kafkalab `bench` against librdkafka's own rdkafka_performance, on the same
# embedded cluster (`kafkalab serve`), topic shape, message count, sizes,
# codecs, payload and properties. Runs alternate between the two tools so
# drift on a shared machine hits both; the table shows the median msgs/s of
# each, their ratio (kafkalab / rdkafka_performance), the client CPU seconds of
# each (user+system of the whole process, start-up included, from getrusage of
# the child via bash's `time`) and the CPU ratio as the median of the per-round
# ratios, then one verdict line per row against issue 16's bar: CPU per message
# at most 1.05x rdkafka_performance's, at equal or better msgs/s.
#
# rdkafka_performance is built from Debian's librdkafka source package into
# benchmarks/work/ (git-ignored): its source and binary are never committed.
#
# Environment: COUNT (2000000), SIZES ("100 1024"), CODECS ("none lz4 zstd"),
# ROUNDS (5), SKIP_BUILD=1 (use the existing release build),
# CONSUME_COUNT (1800000 for messages up to 200 B, else 900000), CONSUME_PARTITIONS (144 for messages up to
# 200 B, else 288), CPU_BAR (1.05).
#
# The counts are large so that what each process pays once (start-up, connecting, tearing down:
# about 5 ms for rdkafka_performance, 15-20 ms for kafkalab, whose shell, Swift runtime and session
# come up first) stays a few per cent of the figure: the bar is about CPU per message.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK="$ROOT/benchmarks/work"
produce_count() { if [ -n "${COUNT:-}" ]; then echo "$COUNT"; else echo 2000000; fi; }
SIZES=${SIZES:-"100 1024"}
CODECS=${CODECS:-"none lz4 zstd"}
ROUNDS=${ROUNDS:-5}
CPU_BAR=${CPU_BAR:-1.05}
# The mock keeps at most ~5 MiB per partition (oldest dropped): 1,800,000 records of 100 B over 144
# partitions, or 900,000 of 1 KiB over 288, stay under it; more would leave rdkafka_performance -C
# waiting for records that are gone. Runs this long (about half a second of client CPU each, like the
# produce rows) keep process start-up, which both tools pay once, a small part of the figure.
consume_count() { if [ -n "${CONSUME_COUNT:-}" ]; then echo "$CONSUME_COUNT"; elif [ "$1" -le 200 ]; then echo 1800000; else echo 900000; fi; }
consume_partitions() { if [ -n "${CONSUME_PARTITIONS:-}" ]; then echo "$CONSUME_PARTITIONS"; elif [ "$1" -le 200 ]; then echo 144; else echo 288; fi; }
# rdkafka_performance's -m pattern, repeated to the message size; kafkalab's repeat: payload does the same.
PATTERN="kafkalab-vs-rdkafka_performance"
PROPS=(linger.ms=5 acks=1)
KAFKALAB="$ROOT/.build/release/kafkalab"
RDPERF="$WORK/rdkafka_performance"

mkdir -p "$WORK"
say() { printf '%s\n' "$*" >&2; }
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------------------
# rdkafka_performance from the source package matching the installed library
build_rdkafka_performance() {
    [ -x "$RDPERF" ] && return 0
    local version src apt
    version=$(dpkg-query -W -f='${Version}' librdkafka-dev 2>/dev/null || true)
    [ -n "$version" ] || { say "librdkafka-dev is not installed (make deps)"; exit 1; }
    src=$(ls -d "$WORK"/librdkafka-*/ 2>/dev/null | head -1 || true)
    if [ -z "$src" ]; then
        say "fetching Debian's librdkafka $version source package into benchmarks/work"
        # A private apt state whose deb-src entries are the machine's own apt sources (as the system
        # lists them, whatever mirror it uses), so the system's sources stay untouched.
        apt="$WORK/apt"
        rm -rf "$apt/sources.list.d"
        mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/sources.list.d"
        : > "$apt/sources.list"
        [ -f /etc/apt/sources.list ] && sed -nE 's/^[[:space:]]*deb[[:space:]]/deb-src /p' /etc/apt/sources.list >> "$apt/sources.list"
        for f in /etc/apt/sources.list.d/*.list; do
            [ -f "$f" ] && sed -nE 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" >> "$apt/sources.list"
        done
        for f in /etc/apt/sources.list.d/*.sources; do
            [ -f "$f" ] && sed -E 's/^Types:.*/Types: deb-src/' "$f" > "$apt/sources.list.d/$(basename "$f")"
        done
        if ! grep -qs . "$apt/sources.list" "$apt"/sources.list.d/*.sources; then
            say "no apt sources on this machine to fetch librdkafka's source package from"; exit 1
        fi
        local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=$apt/sources.list.d"
                    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache")
        # As root, apt would hand the download to its _apt user, which cannot write here.
        [ "$(id -u)" = 0 ] && opts+=(-o "APT::Sandbox::User=root")
        apt-get -qq "${opts[@]}" update >&2
        (cd "$WORK" && apt-get -qq "${opts[@]}" source --download-only "librdkafka=$version" >&2)
        (cd "$WORK" && dpkg-source -x --no-check librdkafka_*.dsc "librdkafka-${version%%-*}" >/dev/null)
        src=$(ls -d "$WORK"/librdkafka-*/ | head -1)
    fi
    # rd.h includes ../config.h (normally written by librdkafka's configure).
    # The example needs only the atomics and strndup switches from it.
    cat > "$src/config.h" <<'H'
#define HAVE_STRNDUP 1
#define HAVE_STRERROR_R 1
#define HAVE_ATOMICS_32 1
#define HAVE_ATOMICS_32_ATOMIC 1
#define ATOMIC_OP32(OP1,OP2,PTR,VAL) __atomic_ ## OP1 ## _ ## OP2(PTR, VAL, __ATOMIC_SEQ_CST)
#define HAVE_ATOMICS_64 1
#define HAVE_ATOMICS_64_ATOMIC 1
#define ATOMIC_OP64(OP1,OP2,PTR,VAL) __atomic_ ## OP1 ## _ ## OP2(PTR, VAL, __ATOMIC_SEQ_CST)
H
    say "compiling rdkafka_performance against the installed -lrdkafka"
    cc -O2 -I "$src/src" -o "$RDPERF" "$src/examples/rdkafka_performance.c" -lrdkafka -lpthread -lm
}

build_rdkafka_performance
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    say "building kafkalab (release)"
    # Statically linked Swift runtime and Foundation, as a Linux tool is shipped:
    # the dynamic loader then resolves a few hundred symbols instead of tens of
    # thousands at every start (about 10 ms of CPU per process on this machine).
    (cd "$ROOT" && swift build -c release --product kafkalab --static-swift-stdlib >&2)
fi

# ---------------------------------------------------------------------------
# The cluster: one embedded cluster in its own process, shared by both tools
CONSUME_TOPICS=()
for size in $SIZES; do for codec in $CODECS; do CONSUME_TOPICS+=("consume-$size-$codec:$(consume_partitions "$size")"); done; done
HAS_CONSUME=0
if "$KAFKALAB" --embedded -c "help bench" 2>/dev/null | grep -q "bench consume"; then HAS_CONSUME=1; fi

"$KAFKALAB" serve --topic bench:6 "${CONSUME_TOPICS[@]}" > "$WORK/serve.out" 2> "$WORK/serve.err" &
SERVE_PID=$!
trap 'kill "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$WORK/serve.out" ] && break; sleep 0.1; done
BOOTSTRAP=$(head -1 "$WORK/serve.out")
[ -n "$BOOTSTRAP" ] || { say "kafkalab serve printed no bootstrap list: $(cat "$WORK/serve.err")"; exit 1; }
say "cluster: $BOOTSTRAP (kafkalab serve, pid $SERVE_PID)"

RDPERF_X=(); for p in "${PROPS[@]}"; do RDPERF_X+=(-X "$p"); done
KL_SET=""; for p in "${PROPS[@]}"; do KL_SET+="set ${p%%=*} ${p#*=}; "; done

# Each prints "<msgs/s> <CPU seconds>": the tool's own throughput figure, and
# the user+system CPU of its whole process (start-up included, for both).
TIMEFORMAT='%3U %3S'
timed() { # output-file command...
    local out=$1; shift
    { time "$@" > "$out" 2>&1; } 2> "$out.time" || true
    awk '{ printf "%.3f", $1 + $2 }' "$out.time"
}
run_rdperf_produce() { # size codec
    local cpu
    cpu=$(timed "$WORK/rdperf.out" "$RDPERF" -P -t bench -b "$BOOTSTRAP" -s "$1" -c "$(produce_count "$1")" -m "$PATTERN" -z "$2" "${RDPERF_X[@]}")
    echo "$(sed -n 's/.* \([0-9][0-9]*\) msgs\/s and .*/\1/p' "$WORK/rdperf.out" | tail -1) $cpu"
}
run_kafkalab_produce() { # size codec
    local cpu
    cpu=$(timed "$WORK/kafkalab.out" "$KAFKALAB" --bootstrap "$BOOTSTRAP" --json -c "${KL_SET}bench $2 --topic bench --count $(produce_count "$1") --size $1 --payload repeat:$PATTERN --warmup 0")
    echo "$(grep '"kind":"run"' "$WORK/kafkalab.out" | sed -n 's/.*"msgs_per_sec":\([0-9.e+]*\).*/\1/p' | awk '{printf "%d\n", $1}' | tail -1) $cpu"
}
partition_flags() { local i; for i in $(seq 0 $(($(consume_partitions "$1") - 1))); do printf -- '-p %d ' "$i"; done; }
run_rdperf_consume() { # size codec
    local cpu
    # shellcheck disable=SC2046
    cpu=$(timed "$WORK/rdperf.out" "$RDPERF" -C -t "consume-$1-$2" -b "$BOOTSTRAP" -c "$(consume_count "$1")" -o beginning $(partition_flags "$1"))
    echo "$(sed -n 's/.* consumed in [0-9]*ms: \([0-9][0-9]*\) msgs\/s.*/\1/p' "$WORK/rdperf.out" | tail -1) $cpu"
}
run_kafkalab_consume() { # size codec
    local cpu
    cpu=$(timed "$WORK/kafkalab.out" "$KAFKALAB" --bootstrap "$BOOTSTRAP" --json -c "bench consume --assign --topic consume-$1-$2 --count $(consume_count "$1")")
    echo "$(grep '"msgs_per_sec"' "$WORK/kafkalab.out" | sed -n 's/.*"msgs_per_sec":\([0-9.e+]*\).*/\1/p' | awk '{printf "%d\n", $1}' | head -1) $cpu"
}

median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) {print ""; exit} if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

declare -A RD KL RDCPU KLCPU
measure() { # mode size codec round
    local mode=$1 size=$2 codec=$3 round=$4 a b ac bc
    # Odd rounds start with rdkafka_performance, even rounds with kafkalab.
    if [ $((round % 2)) -eq 1 ]; then
        a=$("run_rdperf_$mode" "$size" "$codec" || true); b=$("run_kafkalab_$mode" "$size" "$codec" || true)
    else
        b=$("run_kafkalab_$mode" "$size" "$codec" || true); a=$("run_rdperf_$mode" "$size" "$codec" || true)
    fi
    read -r a ac <<< "$a" || true
    read -r b bc <<< "$b" || true
    say "  round $round $mode size=$size codec=$codec: rdkafka_performance ${a:-?} msgs/s (${ac:-?} CPU s), kafkalab ${b:-?} msgs/s (${bc:-?} CPU s)"
    # 0 marks a round where a tool printed no figure, so the two lists stay paired by round.
    RD["$mode $size $codec"]+="${a:-0} "
    KL["$mode $size $codec"]+="${b:-0} "
    RDCPU["$mode $size $codec"]+="${ac:-0} "
    KLCPU["$mode $size $codec"]+="${bc:-0} "
}

MODES=(produce)
if [ "$HAS_CONSUME" = 1 ]; then
    MODES+=(consume)
    # Seeded with kafkalab's `seed`, which spreads records over every partition:
    # rdkafka_performance -P without -p puts them all on one partition, where the
    # mock's ~5 MiB per-partition limit drops the oldest and -C then waits forever.
    say "seeding the consume-* topics (kafkalab seed)"
    for size in $SIZES; do for codec in $CODECS; do
        "$KAFKALAB" --bootstrap "$BOOTSTRAP" -c "set compression.type $codec; seed consume-$size-$codec --count $(consume_count "$size") --size $size" >/dev/null 2>&1
    done; done
fi

for round in $(seq "$ROUNDS"); do
    for mode in "${MODES[@]}"; do for size in $SIZES; do for codec in $CODECS; do
        measure "$mode" "$size" "$codec" "$round"
    done; done; done
done

# ---------------------------------------------------------------------------
echo
model=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)
[ -n "$model" ] || model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
echo "machine: $(nproc) cores, $model$(lscpu 2>/dev/null | sed -n 's/^Hypervisor vendor: *\(.*\)/ (\1 guest)/p'), librdkafka $(dpkg-query -W -f='${Version}' librdkafka-dev)"
echo "load average (1, 5, 15 min): $LOAD_AT_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end; $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "cluster: kafkalab serve (embedded mock, 3 brokers); produce: topic bench with 6 partitions, ${PROPS[*]}; consume: $(consume_partitions 100) (100 B) or $(consume_partitions 1024) (1 KiB) partitions by assignment; payload '$PATTERN' repeated; median of $ROUNDS alternating rounds"
echo "msgs/s ratio = kafkalab / rdkafka_performance (medians); CPU s = user+system of the whole client process, start-up included; CPU ratio = median of the per-round kafkalab / rdkafka_performance CPU (equal message counts, so it is the ratio of CPU per message)"
printf '%-8s %6s %-5s %8s %20s %16s %6s %-9s %15s %6s %-9s\n' mode size codec count "rdkafka_performance" "kafkalab" "ratio" "range" "CPU s rd / kl" "CPU" "CPU range"
VERDICTS=()
pairs() { paste <(tr ' ' '\n' <<< "$1" | grep .) <(tr ' ' '\n' <<< "$2" | grep .) | awk 'NF == 2 && $1 > 0 && $2 > 0 { print $2 / $1 }'; }
for mode in "${MODES[@]}"; do for size in $SIZES; do for codec in $CODECS; do
    key="$mode $size $codec"
    rd=$(tr ' ' '\n' <<< "${RD[$key]}" | grep . | grep -vx 0 | median || true)
    kl=$(tr ' ' '\n' <<< "${KL[$key]}" | grep . | grep -vx 0 | median || true)
    n=$(produce_count "$size"); [ "$mode" = consume ] && n=$(consume_count "$size")
    ratio=$(awk -v a="${rd:-0}" -v b="${kl:-0}" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", b / a; else print "-" }')
    # Rounds pair up in order; a round where either tool printed nothing is left out.
    range=$(pairs "${RD[$key]}" "${KL[$key]}" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR == 0) print "-"; else printf "%.2f-%.2f", lo, hi }')
    rdc=$(tr ' ' '\n' <<< "${RDCPU[$key]}" | grep . | grep -vx 0 | median || true)
    klc=$(tr ' ' '\n' <<< "${KLCPU[$key]}" | grep . | grep -vx 0 | median || true)
    cpur=$(pairs "${RDCPU[$key]}" "${KLCPU[$key]}" | median || true)
    cpurange=$(pairs "${RDCPU[$key]}" "${KLCPU[$key]}" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR == 0) print "-"; else printf "%.2f-%.2f", lo, hi }')
    cpuratio=$(awk -v r="${cpur:-}" 'BEGIN { if (r != "") printf "%.2f", r; else print "-" }')
    printf '%-8s %6s %-5s %8s %13.0f msgs/s %9.0f msgs/s %6s %-9s %7s / %-5s %6s %-9s\n' "$mode" "$size" "$codec" "$n" "${rd:-0}" "${kl:-0}" "$ratio" "$range" "${rdc:--}" "${klc:--}" "$cpuratio" "$cpurange"
    # msgs/s "equal": both tools' rates swing with the machine from round to round, so a median a
    # little under 1.00 is not a slower tool. A one-sided sign test over the paired rounds decides:
    # kafkalab is slower only if it lost so many rounds that a fair coin would do so less than 5 % of
    # the time (9 or more of 11 rounds, for instance).
    slower=$(pairs "${RD[$key]}" "${KL[$key]}" | awk '$1 < 1 { s++ } END { print s + 0 }')
    paired=$(pairs "${RD[$key]}" "${KL[$key]}" | wc -l)
    verdict=$(awk -v c="$cpuratio" -v r="$ratio" -v bar="$CPU_BAR" -v rdc="${rdc:-0}" -v klc="${klc:-0}" -v n="$n" \
        -v slower="$slower" -v paired="$paired" 'BEGIN {
        if (c == "-" || r == "-") { print "no verdict: a tool printed no figure"; exit }
        us = sprintf(" (%.3f vs %.3f us/msg, medians)", rdc * 1e6 / n, klc * 1e6 / n)
        # P(at least `slower` losses in `paired` fair coin tosses)
        p = 0; for (k = slower; k <= paired; k++) { b = 1; for (j = 1; j <= k; j++) b = b * (paired - k + j) / j; p += b }
        p = p / 2 ^ paired
        rate_ok = (r + 0 >= 1.0) || (p >= 0.05)
        rate = r "x the msgs/s"
        if (r + 0 < 1.0) rate = rate sprintf(" (slower in %d of %d rounds, sign test p=%.2f: %s)", slower, paired, p, rate_ok ? "equal within the noise" : "slower")
        cpu_ok = (c + 0 <= bar + 0)
        if (cpu_ok && rate_ok) print "holds: CPU per message " c "x" us " at " rate
        else if (cpu_ok) print "misses on msgs/s: CPU per message " c "x" us ", within the " bar "x bar, but " rate
        else if (rate_ok) print "misses on CPU: CPU per message " c "x" us ", above the " bar "x bar (at " rate ")"
        else print "misses on both: CPU per message " c "x" us " (bar " bar "x) at " rate }')
    VERDICTS+=("$(printf '%-8s %6s %-5s %s' "$mode" "$size" "$codec" "$verdict")")
done; done; done
echo
echo "verdicts (issue 16: CPU per message <= ${CPU_BAR}x rdkafka_performance's at equal or better msgs/s, medians of alternating rounds; msgs/s below 1.00x counts as equal unless a one-sided sign test over the rounds says slower at p < 0.05):"
printf '%s\n' "${VERDICTS[@]}"
if [ "$HAS_CONSUME" != 1 ]; then
    echo "consume rows skipped: this kafkalab has no \`bench consume\` (kafkalab -c \"help bench\" does not list it)"
fi
