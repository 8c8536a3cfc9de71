#!/usr/bin/env bash
# Every report a refactoring must not change, written by one kcheck binary into one directory, so
# that two builds can be compared byte for byte:
#
#   cargo build --release -p kcheck && cp target/release/kcheck target/before-kcheck
#   tools/same_bytes.sh target/before-kcheck target/same-bytes/before
#   ... change the code ...
#   cargo build --release -p kcheck
#   tools/same_bytes.sh target/release/kcheck target/same-bytes/after
#   tools/same_bytes.sh --compare target/same-bytes/before target/same-bytes/after
#
# Inputs: the demo cluster (scan, and a dump of it), the scale inventory (tools/gen_scale.py,
# 10,000 namespaces, as a dump), the 100k-object manifest corpus (../shared/tools/gen_corpus.py)
# and two generated node trees (kubeadm and secure; made once, under target/same-bytes/trees, and
# reused so both binaries read the same certificates). Reports: JSON and SARIF of every mode, the
# human formats of the demo, and the who-can, netpol, access-review and pss outputs.
# "Now" and the fingerprint key are pinned so the bytes depend on the code only.
#
# SCAN_ARGS is added to every `kcheck scan`: the streaming scan against the in-memory one of the
# same build is
#
#   tools/same_bytes.sh target/release/kcheck target/same-bytes/stream
#   SCAN_ARGS=--in-memory tools/same_bytes.sh target/release/kcheck target/same-bytes/memory
#   tools/same_bytes.sh --compare target/same-bytes/stream target/same-bytes/memory
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [ "${1:-}" = "--compare" ]; then
    a="$2"; b="$3"; bad=0; n=0
    for f in "$a"/*; do
        n=$((n + 1))
        name=$(basename "$f")
        if ! cmp -s "$f" "$b/$name"; then
            echo "DIFFERENT: $name"; cmp "$f" "$b/$name" || true; bad=1
        fi
    done
    for f in "$b"/*; do [ -e "$a/$(basename "$f")" ] || { echo "ONLY IN $b: $(basename "$f")"; bad=1; }; done
    [ "$bad" = 0 ] && echo "same bytes: $n files identical ($a vs $b)"
    exit "$bad"
fi

kcheck="$(realpath "$1")"; out="$2"
mkdir -p "$out" target/same-bytes
export KCHECK_TODAY=2026-12-07 KCHECK_FINGERPRINT_KEY=same-bytes NO_COLOR=1 COLUMNS=100 KCHECK_LANG=
scale=target/same-bytes/scale
corpus=target/same-bytes/corpus
trees=target/same-bytes/trees
[ -d "$scale" ] || python3 tools/gen_scale.py --out "$scale" --namespaces 10000 >/dev/null
[ -d "$corpus" ] || python3 ../shared/tools/gen_corpus.py --objects 100000 --seed 1 --out "$corpus" >/dev/null
if [ ! -d "$trees" ]; then
    mkdir -p "$trees"
    for t in kubeadm secure; do
        dir=$(cargo run -q --release -p kcheck-node --features testing --example node-tree -- "$t")
        cp -a "$dir" "$trees/$t"
    done
fi

run() { # name, then kcheck's arguments; the exit code is kept in the file's last line
    local name="$1"; shift
    local extra=()
    if [ "$1" = scan ] && [ -n "${SCAN_ARGS:-}" ]; then read -r -a extra <<<"$SCAN_ARGS"; fi
    set +e
    "$kcheck" "$@" "${extra[@]}" >"$out/$name" 2>"$out/$name.stderr"
    echo "exit $?" >>"$out/$name.stderr"
    set -e
}

demo=examples/demo-cluster
for f in json sarif table markdown html junit; do
    run "demo.$f" scan "$demo" -f "$f"
    run "demo.zh.$f" scan "$demo" -f "$f" --lang zh
done
run demo.waived.json scan "$demo" -f json --waivers examples/waivers.yaml
for f in json sarif table; do
    run "node-kubeadm.$f" node --root "$trees/kubeadm" -f "$f"
    run "node-secure.$f" node --root "$trees/secure" -f "$f"
done
run scale.json cluster --from-dump "$scale" -f json
run scale.sarif cluster --from-dump "$scale" -f sarif
run corpus.json scan "$corpus" -f json
run corpus.sarif scan "$corpus" -f sarif
for f in table json markdown; do
    run "who-can.$f" who-can list secrets -f "$f" "$demo"
    run "netpol.$f" netpol -f "$f" "$demo"
    run "access-review.$f" access-review -f "$f" "$demo"
    run "pss.$f" pss --level baseline --level restricted -f "$f" "$demo"
done
run who-can.zh.table who-can create pods -n shop --lang zh "$demo"
run rules.table rules
run rules.json rules -f json
run explain.KC301 explain KC301
run explain.KC301.zh explain KC301 --lang zh
echo "wrote $(ls "$out" | wc -l) files to $out"
