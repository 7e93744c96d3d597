#!/usr/bin/env bash
# run.sh runs the operator, bin/manager built from cmd/ (`make run`).
#
# With a cluster configured (KUBECONFIG set, or ~/.kube/config present) it runs the manager against
# that cluster; install the CRDs first with `make install`. Otherwise, or with CQLSYNC_LOCAL=1, it
# runs the manager in the local environment of hack/localenv: the local Cassandra clusters
# (127.0.0.1 and 127.0.0.2), kube-apiserver, etcd and kube-controller-manager built by
# hack/control-plane.sh, the CRDs, admission policies and the RBAC of config/rbac. The manager then
# runs as its ServiceAccount, with the flags of the Deployment (config/manager) and loopback
# addresses, until Ctrl-C; everything started for it is stopped afterwards.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "${root}"

go build -o bin/manager ./cmd
if [[ "${CQLSYNC_LOCAL:-}" != "1" ]] && [[ -n "${KUBECONFIG:-}" || -f "${HOME}/.kube/config" ]]; then
  echo "run.sh: using the cluster of ${KUBECONFIG:-${HOME}/.kube/config} (CQLSYNC_LOCAL=1 forces the local one)"
  exec bin/manager "$@"
fi
"${root}/hack/ensure-tools.sh"
export KUBEBUILDER_ASSETS="$("${root}/hack/control-plane.sh")"
go build -o bin/localenv ./hack/localenv
exec bin/localenv -- bin/manager --leader-elect \
  --metrics-bind-address=127.0.0.1:8080 --health-probe-bind-address=127.0.0.1:8081 "$@"
