#!/usr/bin/env bash
# Builds Kubernetes' control plane (kube-apiserver, kube-controller-manager, kubectl) from the
# k8s.io/kubernetes Go module pinned in tests/e2e/controlplane/go.mod, and helm from its module
# in tests/e2e/helm/go.mod, into target/e2e/bin. A binary is rebuilt only when its module's
# go.mod or go.sum changes (a stamp file holds their hash), so reruns cost nothing.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="$root/target/e2e/bin"
mkdir -p "$bin"
export GOFLAGS="-buildvcs=false -mod=mod"
export CGO_ENABLED=0

k8s_version="$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ {sub(/^v/, "", $2); print $2; exit}' "$root/tests/e2e/controlplane/go.mod")"
[ -n "$k8s_version" ] || { echo "e2e build: no k8s.io/kubernetes version in tests/e2e/controlplane/go.mod" >&2; exit 1; }
major="${k8s_version%%.*}"; rest="${k8s_version#*.}"; minor="${rest%%.*}"
# The version the binaries report (/version): kcheck reads it for Pod Security and admission defaults.
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags="$ldflags -X $pkg.gitVersion=v$k8s_version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
  ldflags="$ldflags -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

build() { # module-dir stamp-name package output...
  local dir="$1" stamp="$bin/.$2.stamp"; shift 2
  local want; want="$(cat "$dir/go.mod" "$dir/go.sum" "$0" | sha256sum | cut -d' ' -f1)"
  local all=1
  for pair in "$@"; do [ -x "$bin/${pair##*=}" ] || all=0; done
  if [ "$all" = 1 ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "e2e build: $(basename "$dir") binaries up to date"
    return
  fi
  local start=$SECONDS
  for pair in "$@"; do
    local pkg="${pair%%=*}" out="${pair##*=}"
    echo "e2e build: $pkg -> target/e2e/bin/$out"
    (cd "$dir" && go build -trimpath -ldflags "$ldflags" -o "$bin/$out" "$pkg")
  done
  echo "$want" > "$stamp"
  echo "e2e build: $(basename "$dir") built in $((SECONDS - start)) s"
}

build "$root/tests/e2e/controlplane" controlplane \
  ./cmd/kube-apiserver=kube-apiserver \
  ./cmd/kube-controller-manager=kube-controller-manager \
  ./cmd/kubectl=kubectl
if [ -f "$root/tests/e2e/helm/go.mod" ]; then
  build "$root/tests/e2e/helm" helm helm.sh/helm/v4/cmd/helm=helm
fi
