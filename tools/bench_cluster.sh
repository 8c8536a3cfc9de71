#!/usr/bin/env bash
# Scale benchmark of `kcheck cluster`: the in-process test API server (its own process) serves
# the issue-5 scale inventory (tools/gen_scale.py: 10,000 namespaces, 100,000 pods, 20,000
# NetworkPolicies, 50,000 RoleBindings, Roles, ServiceAccounts, ClusterRoles) over HTTPS, and
# kcheck audits it end to end: discovery, paginated lists, judging, a JSON report. The same
# objects are then audited from the List files as a dump, in the same run, for the ratio.
#
#   tools/bench_cluster.sh            # NAMESPACES=10000 by default
#   OWNED=1 tools/bench_cluster.sh    # pods owned by workloads, as in a cluster (issue 16:
#                                     # 283k objects; the targets below were set without them)
#
# Prints wall time and peak RSS (/usr/bin/time -f "%e s %M KB") of each run, the ratio, the same
# dump rendered in every other format, and exits non-zero when the live audit is over 10 s or
# 1 GiB.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
namespaces="${NAMESPACES:-10000}"
# The issue-5 layout (pods without owners) unless OWNED=1.
if [ -n "${OWNED:-}" ]; then
    lists="target/scale-cluster-lists-$namespaces-owned"
    gen_args=()
else
    lists="target/scale-cluster-lists-$namespaces"
    gen_args=(--bare-pods)
fi
work="target/scale-cluster-run"

cargo build --release -p kcheck
cargo build --release -p kcheck-cluster --features testing --example api_server
if [ ! -f "$lists/list-0000.json" ]; then
    python3 tools/gen_scale.py --out "$lists" --namespaces "$namespaces" "${gen_args[@]}"
fi
rm -rf "$work"
mkdir -p "$work"
target/release/examples/api_server "$work" "$lists" 900 > "$work/kubeconfig.path" 2> "$work/server.log" &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
    [ -s "$work/kubeconfig.path" ] && break
    sleep 0.5
done
cat "$work/server.log"
kubeconfig="$(cat "$work/kubeconfig.path")"

timed() {
    /usr/bin/time -f "%e s %M KB" -o "$work/time" "$@" > /dev/null 2> "$work/stderr" || true
    grep -h "timings" "$work/stderr" || true
    cat "$work/time"
}

echo "== live: kcheck cluster --kubeconfig (test API server, pages of 500)"
live="$(timed target/release/kcheck cluster --kubeconfig "$kubeconfig" --format json -o "$work/live.json" --timings)"
echo "$live"
echo "== dump: kcheck cluster --from-dump $lists"
dump="$(timed target/release/kcheck cluster --from-dump "$lists" --format json -o "$work/dump.json" --timings)"
echo "$dump"
python3 - "$work" <<'EOF'
import json, sys
w = sys.argv[1]
a, b = (json.load(open(f"{w}/{n}.json")) for n in ("live", "dump"))
print("objects:", a["summary"]["objects"], "live,", b["summary"]["objects"], "dump")
print("item statuses equal:", [i["status"] for i in a["items"]] == [i["status"] for i in b["items"]])
EOF
live_s="$(echo "$live" | tail -1 | cut -d' ' -f1)"
live_kb="$(echo "$live" | tail -1 | cut -d' ' -f3)"
dump_s="$(echo "$dump" | tail -1 | cut -d' ' -f1)"
python3 -c "print(f'ratio live/dump: {float(\"$live_s\") / float(\"$dump_s\"):.2f}')"

# The other formats stream too: the same dump, each report written to a file.
for format in sarif table markdown html junit; do
    echo "== dump, --format $format"
    timed target/release/kcheck cluster --from-dump "$lists" --format "$format" -o "$work/report.$format"
    rm -f "$work/report.$format"
done

# The targets of issue 7: a full live audit under 10 s and 1 GiB on 2 cores.
python3 - "$live_s" "$live_kb" <<'EOF'
import sys
secs, kb = float(sys.argv[1]), int(sys.argv[2])
ok = secs < 10 and kb < 1024 * 1024
print(f"live audit: {secs:.2f} s, {kb / 1024:.0f} MiB: {'within' if ok else 'OVER'} the targets (10 s, 1024 MiB)")
sys.exit(0 if ok else 1)
EOF
