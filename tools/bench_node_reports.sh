#!/usr/bin/env bash
# Node report merge benchmark: `kcheck cluster --from-dump DUMP --node-reports DIR` over NODES
# node reports (three control-plane nodes, the rest workers, as `kcheck node --node-report`
# writes them from generated trees), against the same audit without them and against parsing
# the same report files with jq, in one run.
#
#   tools/bench_node_reports.sh            # NODES=1000, DIR=target/bench-node-reports
#
# Prints wall time and peak RSS of each, and the ratios.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
NODES="${NODES:-1000}"
DIR="${DIR:-target/bench-node-reports}"
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench_node_reports: /usr/bin/time is needed (apt-get install time)" >&2; exit 1; }
command -v jq >/dev/null || { echo "bench_node_reports: jq is needed" >&2; exit 1; }

cargo build -q --release -p kcheck
cargo build -q -p kcheck-node --features testing --example node-tree
kcheck="$root/target/release/kcheck"
tree="$root/target/debug/examples/node-tree"

rm -rf "$DIR" && mkdir -p "$DIR/reports" "$DIR/dump"
cp -r examples/demo-cluster "$DIR/dump/demo"
"$kcheck" node --root "$("$tree" secure)" --node-name cp --node-report "$DIR/cp.json" -o /dev/null || true
"$kcheck" node --root "$("$tree" secure-worker)" --node-name worker --node-report "$DIR/worker.json" -o /dev/null || true
python3 - "$DIR" "$NODES" <<'PY'
import json, sys
d, n = sys.argv[1], int(sys.argv[2])
cp, worker = (json.load(open(f"{d}/{x}.json")) for x in ("cp", "worker"))
nodes = []
for i in range(n):
    name = f"node-{i:05d}"
    doc = dict(cp if i < 3 else worker, node=name)
    json.dump(doc, open(f"{d}/reports/{name}.json", "w"))
    meta = {"name": name}
    if i < 3:
        meta["labels"] = {"node-role.kubernetes.io/control-plane": ""}
    nodes.append({"apiVersion": "v1", "kind": "Node", "metadata": meta})
json.dump({"apiVersion": "v1", "kind": "List", "items": nodes}, open(f"{d}/dump/nodes.json", "w"))
PY
bytes=$(cat "$DIR"/reports/*.json | wc -c)
echo "bench_node_reports: $NODES node reports, $bytes bytes"

measure() { # label, command...
  local label="$1"; shift
  "$TIME" -f "%e %M" -o "$DIR/time" "$@" >/dev/null 2>&1 || true
  read -r secs kib < <(tail -n 1 "$DIR/time")
  printf '%-32s %6.2f s  %7d KiB\n' "$label" "$secs" "$kib" >&2
  echo "$secs"
}
with=$(measure "kcheck cluster + node reports" "$kcheck" cluster --from-dump "$DIR/dump" --node-reports "$DIR/reports" -f json -o "$DIR/with.json")
without=$(measure "kcheck cluster, no node reports" "$kcheck" cluster --from-dump "$DIR/dump" -f json -o "$DIR/without.json")
jq=$(measure "jq parse of the same reports" sh -c "cat '$DIR'/reports/*.json | jq -c . >/dev/null")
python3 - "$with" "$without" "$jq" <<'PY'
import sys
w, wo, jq = (float(x) for x in sys.argv[1:])
print(f"merge cost: {w - wo:.2f} s; kcheck with reports / jq parse of them: {w / jq:.2f}x" if jq else "jq too fast to compare")
PY
