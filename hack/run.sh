#!/usr/bin/env bash
# run.sh starts the operator (`make run`).
#
# With a cluster configured (KUBECONFIG set, or ~/.kube/config present) it runs the manager against
# that cluster; install the CRDs first with `make install`. Otherwise, or with CQLSYNC_LOCAL=1, it
# starts a local control plane (kube-apiserver + etcd built by hack/control-plane.sh), installs the
# CRDs, starts the local Cassandra clusters (127.0.0.1 and 127.0.0.2), prints the kubeconfig to use
# with kubectl, and runs the manager until Ctrl-C, then stops everything it started.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "${root}"

if [[ "${CQLSYNC_LOCAL:-}" != "1" ]] && [[ -n "${KUBECONFIG:-}" || -f "${HOME}/.kube/config" ]]; then
  echo "run.sh: using the cluster of ${KUBECONFIG:-${HOME}/.kube/config} (CQLSYNC_LOCAL=1 forces the local one)"
  go build -o bin/manager ./cmd
  exec bin/manager "$@"
fi
"${root}/hack/ensure-tools.sh"
export KUBEBUILDER_ASSETS="$("${root}/hack/control-plane.sh")"
go build -o bin/localenv ./hack/localenv
exec bin/localenv "$@"
