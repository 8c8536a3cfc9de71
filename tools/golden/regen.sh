#!/usr/bin/env bash
# Regenerates the kubectl oracle for the loader's golden tests.
#
# For every crates/load/tests/golden/NAME.yaml, runs
#   kubectl create --dry-run=client -o json --validate=false --show-managed-fields -f NAME.yaml
# against a discovery-only mock API server on loopback (tools/golden/mock_apiserver.py: no
# cluster, nothing is created) and writes crates/load/tests/golden/NAME.kubectl.json: kubectl's
# output with each JSON value re-indented and its keys sorted (as `python3 -m json.tool
# --sort-keys` does). kubectl prints one JSON value per object (a multi-document file or a List
# gives several, one after the other); they are all kept, in order.
#
# kubectl changes what it prints in two ways besides decoding: it writes the context's namespace
# into every namespaced object that names none (the kubeconfig here sets it to
# `golden-default-ns`, which the Rust test ignores), and it drops metadata.managedFields unless
# asked to keep them (hence --show-managed-fields). It also rewrites an existing
# kubectl.kubernetes.io/last-applied-configuration annotation: keep it out of the inputs.
#
#   tools/golden/regen.sh           rewrite the committed goldens
#   tools/golden/regen.sh --check   regenerate into a temporary directory and diff against the
#                                   committed goldens; exit 1 on any difference (for CI)
# Environment: KUBECTL (default: kubectl), PYTHON (default: python3).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
golden="$root/crates/load/tests/golden"
kubectl="${KUBECTL:-kubectl}"
python="${PYTHON:-python3}"
default_ns="golden-default-ns"

check=0
case "${1:-}" in
  "") ;;
  --check) check=1 ;;
  -h|--help) sed -n '2,23p' "${BASH_SOURCE[0]}"; exit 0 ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

command -v "$kubectl" >/dev/null || { echo "regen.sh: $kubectl not found" >&2; exit 2; }
command -v "$python" >/dev/null || { echo "regen.sh: $python not found" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/kcheck-golden.XXXXXX")"
mock_pid=""
cleanup() {
  if [[ -n "$mock_pid" ]]; then
    kill "$mock_pid" 2>/dev/null || true
    wait "$mock_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Start the mock; it prints its port on its first line.
"$python" "$here/mock_apiserver.py" >"$work/port" 2>"$work/mock.log" &
mock_pid=$!
for _ in $(seq 100); do
  [[ -s "$work/port" ]] && break
  kill -0 "$mock_pid" 2>/dev/null || { cat "$work/mock.log" >&2; exit 2; }
  sleep 0.05
done
port="$(head -n1 "$work/port")"
[[ "$port" =~ ^[0-9]+$ ]] || { echo "regen.sh: the mock printed no port" >&2; exit 2; }

cat >"$work/kubeconfig" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: golden-mock
  cluster:
    server: http://127.0.0.1:$port
contexts:
- name: golden-mock
  context:
    cluster: golden-mock
    user: golden-mock
    namespace: $default_ns
current-context: golden-mock
users:
- name: golden-mock
  user: {}
KUBECONFIG

# kubectl's output (a stream of JSON values) re-indented with sorted keys, like json.tool.
normalise='
import json, sys
text = sys.stdin.read()
dec = json.JSONDecoder()
i, out = 0, []
while True:
    while i < len(text) and text[i].isspace():
        i += 1
    if i == len(text):
        break
    value, i = dec.raw_decode(text, i)
    out.append(json.dumps(value, indent=4, sort_keys=True, ensure_ascii=False))
if not out:
    sys.exit("kubectl printed nothing")
sys.stdout.write("\n".join(out) + "\n")
'

out="$golden"
if [[ $check == 1 ]]; then
  out="$work/out"
  mkdir -p "$out"
fi

shopt -s nullglob
inputs=("$golden"/*.yaml)
if [[ ${#inputs[@]} == 0 ]]; then
  echo "regen.sh: no inputs in $golden" >&2
  exit 2
fi

failed=0
for input in "${inputs[@]}"; do
  name="$(basename "$input" .yaml)"
  if ! KUBECONFIG="$work/kubeconfig" "$kubectl" create --dry-run=client -o json --validate=false \
      --show-managed-fields -f "$input" >"$work/raw.json" 2>"$work/err"; then
    echo "regen.sh: kubectl rejected $name.yaml:" >&2
    sed 's/^/    /' "$work/err" >&2
    failed=1
    continue
  fi
  "$python" -c "$normalise" <"$work/raw.json" >"$out/$name.kubectl.json"
done
[[ $failed == 0 ]] || exit 1

if [[ $check == 1 ]]; then
  status=0
  for input in "${inputs[@]}"; do
    name="$(basename "$input" .yaml)"
    if ! diff -u "$golden/$name.kubectl.json" "$out/$name.kubectl.json"; then
      status=1
    fi
  done
  # Goldens whose input is gone.
  for committed in "$golden"/*.kubectl.json; do
    name="$(basename "$committed" .kubectl.json)"
    if [[ ! -f "$golden/$name.yaml" ]]; then
      echo "regen.sh: $name.kubectl.json has no $name.yaml" >&2
      status=1
    fi
  done
  if [[ $status == 0 ]]; then
    echo "golden files match kubectl ($("$kubectl" version --client 2>/dev/null | head -n1))"
  else
    echo "regen.sh: golden files differ from kubectl; run tools/golden/regen.sh" >&2
  fi
  exit $status
fi
echo "wrote ${#inputs[@]} golden files to ${golden#"$root"/}"
