#!/usr/bin/env bash
# The e2e harness in one command: build (or reuse) Kubernetes' components from their Go modules,
# then run kcheck against a real control plane (crates/cli/tests/e2e): etcd, kube-apiserver and
# kube-controller-manager on 127.0.0.1 with a PKI made by tests/e2e/pki.sh. Every process the
# harness starts is stopped when it ends, also on failure. Arguments go to the test binary
# (a filter, --nocapture, ...). KCHECK_E2E_KEEP=1 keeps the run's directory (logs, PKI, audit log).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
if ! command -v etcd >/dev/null 2>&1 && [ ! -x /usr/bin/etcd ]; then
  echo "e2e: etcd not found: apt-get install etcd-server" >&2
  exit 1
fi
bash tests/e2e/build.sh
export KCHECK_REQUIRE_E2E=1
exec cargo test -p kcheck --test e2e -- "$@"
