#!/usr/bin/env bash
# control-plane.sh builds the local control plane (kube-apiserver, kube-controller-manager, etcd,
# kubectl) from Go modules and caches the binaries under bin/k8s/<version>/. envtest's usual download
# is unreachable from our machines, so we compile the same upstream sources instead. Idempotent: an
# existing, complete set of binaries is reused, and only the missing ones are built.
#
# Usage: hack/control-plane.sh            build (or reuse) and print the directory holding the binaries
set -euo pipefail

KUBE_VERSION="${KUBE_VERSION:-1.36.3}"     # k8s.io/kubernetes release; staging modules are v0.<minor>.<patch>
ETCD_VERSION="${ETCD_VERSION:-3.6.8}"      # the etcd that release is tested with

root="$(cd "$(dirname "$0")/.." && pwd)"
out="${root}/bin/k8s/${KUBE_VERSION}"
work="${root}/bin/k8s/.build"
staging="v0.${KUBE_VERSION#1.}"

kube_bins=(kube-apiserver kube-controller-manager kubectl)
complete() {
  local b
  for b in etcd "${kube_bins[@]}"; do [[ -x "${out}/${b}" ]] || return 1; done
}
if complete; then
  echo "${out}"
  exit 0
fi
mkdir -p "${out}" "${work}"
export GOFLAGS=-mod=mod CGO_ENABLED=0

log() { echo "control-plane: $*" >&2; }

# kube-apiserver, kube-controller-manager and kubectl (each only when missing): a scratch module that
# requires k8s.io/kubernetes and replaces every staging module (required there as v0.0.0) with its
# published release of the same version.
build_kube() {
  local dir="${work}/kube-${KUBE_VERSION}"
  rm -rf "${dir}" && mkdir -p "${dir}"
  (
    cd "${dir}"
    go mod init cqlsync.local/controlplane >/dev/null 2>&1
    go mod edit -require="k8s.io/kubernetes@v${KUBE_VERSION}"
    local mods
    mods=$(go mod download -json "k8s.io/kubernetes@v${KUBE_VERSION}" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
    sed -n '/^replace (/,/^)/p' "${mods}" | awk '/=>/ {print $1}' | while read -r m; do
      go mod edit -replace="${m}=${m}@${staging}"
    done
    cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
    go mod tidy >&2
    local version="-X k8s.io/component-base/version.gitVersion=v${KUBE_VERSION} -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${KUBE_VERSION#1.} -X k8s.io/client-go/pkg/version.gitVersion=v${KUBE_VERSION}"
    local b
    for b in "${kube_bins[@]}"; do
      [[ -x "${out}/${b}" ]] && continue
      log "building ${b} ${KUBE_VERSION} (a few minutes on 2 cores)"
      go build -trimpath -ldflags "-s -w ${version}" -o "${out}/${b}.tmp" "k8s.io/kubernetes/cmd/${b}"
      mv "${out}/${b}.tmp" "${out}/${b}"
    done
  )
}

build_etcd() {
  local dir="${work}/etcd-${ETCD_VERSION}"
  rm -rf "${dir}" && mkdir -p "${dir}"
  (
    cd "${dir}"
    go mod init cqlsync.local/etcd >/dev/null 2>&1
    cat > tools.go <<'GO'
//go:build tools

package tools

import _ "go.etcd.io/etcd/server/v3"
GO
    go mod edit -require="go.etcd.io/etcd/server/v3@v${ETCD_VERSION}"
    go mod tidy >&2
    log "building etcd ${ETCD_VERSION}"
    go build -trimpath -ldflags "-s -w" -o "${out}/etcd.tmp" go.etcd.io/etcd/server/v3
    mv "${out}/etcd.tmp" "${out}/etcd"
  )
}

[[ -x "${out}/etcd" ]] || build_etcd
complete || build_kube
rm -rf "${work}"
echo "${out}"
