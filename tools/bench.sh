#!/usr/bin/env bash
# Throughput benchmark: end-to-end `kcheck scan` against parse-only, on a generated corpus.
#
#   tools/bench.sh [extra kcheck-bench flags, e.g. --rounds 10 --json]
#
# Environment: OBJECTS (default 20000), SEED (default 1), CORPUS (default target/bench-corpus,
# gitignored with the rest of target/). A corpus generated with other OBJECTS/SEED is replaced.
#
# 1. builds kcheck-bench and kcheck (release; when kcheck does not build, step 3 is skipped);
# 2. runs kcheck-bench on the corpus (generating it with ../shared/tools/gen_corpus.py when
#    absent): the stage table, the ratios and the pass/fail against the targets;
# 3. times the real binary: kcheck scan CORPUS --format json -o /dev/null (best of 3 wall times,
#    and max RSS from /usr/bin/time -v when available, beside the RSS of the same scan with
#    --in-memory, which loads every object before judging).
#
# The issue's figures are for 100,000 objects: OBJECTS=100000 tools/bench.sh --rounds 3
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

objects="${OBJECTS:-20000}"
seed="${SEED:-1}"
corpus="${CORPUS:-target/bench-corpus}"
stamp="$corpus/.kcheck-bench-params"

echo "== cargo build --release -p kcheck-bench"
cargo build --release -p kcheck-bench
echo "== cargo build --release -p kcheck"
have_kcheck=1
if ! cargo build --release -p kcheck; then
    echo "bench.sh: the kcheck binary does not build; its timing is skipped" >&2
    have_kcheck=0
fi

# Regenerate when the corpus was made with other parameters (or by hand without a stamp).
want="objects=$objects seed=$seed"
if [ -d "$corpus" ] && [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    if [ -n "$(ls -A "$corpus" 2>/dev/null)" ] && [ ! -f "$stamp" ] && [ -n "${CORPUS:-}" ]; then
        echo "bench.sh: $corpus exists and was not made by this script; using it as is" >&2
    else
        echo "== removing $corpus (made with other parameters)"
        rm -rf -- "$corpus"
    fi
fi
if [ ! -d "$corpus" ]; then
    python3 "$root/../shared/tools/gen_corpus.py" --objects "$objects" --out "$corpus" --seed "$seed" \
        --stats "$root/target/bench-corpus-stats.json"
    echo "$want" > "$stamp"
fi

files=$(find "$corpus" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) | wc -l)
bytes=$(find "$corpus" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) -print0 | du -cb --files0-from=- | tail -1 | cut -f1)
echo "== corpus $corpus: $files files, $bytes bytes, $objects objects asked (seed $seed)"

echo
echo "== target/release/kcheck-bench --corpus $corpus --objects $objects --seed $seed $*"
target/release/kcheck-bench --corpus "$corpus" --objects "$objects" --seed "$seed" "$@"

[ "$have_kcheck" = 1 ] || exit 0

echo
echo "== target/release/kcheck scan $corpus --format json -o /dev/null  (real binary, rayon, from the page cache)"
best=""
for i in 1 2 3; do
    start=$(date +%s.%N)
    # Exit status 1 = findings at the fail-on level: expected on this corpus.
    target/release/kcheck scan "$corpus" --format json -o /dev/null || rc=$?
    end=$(date +%s.%N)
    t=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
    echo "run $i: ${t}s (exit ${rc:-0})"
    unset rc
    if [ -z "$best" ] || awk -v t="$t" -v b="$best" 'BEGIN { exit !(t < b) }'; then best=$t; fi
done
awk -v t="$best" -v b="$bytes" -v o="$objects" \
    'BEGIN { printf "kcheck scan: best wall %.3fs, %.1f MB/s, %.0f objects/s (%d bytes)\n", t, b / 1e6 / t, o / t, b }'

start=$(date +%s.%N)
RAYON_NUM_THREADS=1 target/release/kcheck scan "$corpus" --format json -o /dev/null || true
end=$(date +%s.%N)
awk -v a="$start" -v e="$end" -v b="$bytes" \
    'BEGIN { t = e - a; printf "kcheck scan, RAYON_NUM_THREADS=1 (for information): %.3fs, %.1f MB/s\n", t, b / 1e6 / t }'

if [ -x /usr/bin/time ]; then
    log=$(mktemp)
    /usr/bin/time -v target/release/kcheck scan "$corpus" --format json -o /dev/null 2>"$log" || true
    grep -E 'Elapsed \(wall clock\)|Maximum resident set size|User time|System time|Percent of CPU' "$log" \
        | sed 's/^[[:space:]]*/  \/usr\/bin\/time -v: /'
    stream_kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$log")
    # The same scan with every object loaded before judging (the report is the same bytes).
    /usr/bin/time -v target/release/kcheck scan "$corpus" --format json -o /dev/null --in-memory 2>"$log" || true
    memory_kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$log")
    rm -f "$log"
    awk -v s="$stream_kb" -v m="$memory_kb" -v o="$objects" \
        'BEGIN { printf "peak RSS, %d objects: kcheck scan %.0f MiB (target < 256 MiB: %s); --in-memory %.0f MiB (%.2fx)\n", o, s / 1024, (s < 256 * 1024 ? "PASS" : "FAIL"), m / 1024, m / s }'
else
    echo "(no /usr/bin/time: max RSS not measured)"
fi
