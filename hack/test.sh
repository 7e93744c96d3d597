#!/usr/bin/env bash
# test.sh runs every test of cqlsync on real parts (`make test` calls it after building the control
# plane): unit tests, the envtest + real Cassandra integration suite (with cross-driver checks
# against the Python driver's cqlengine, from hack/python-env.sh), the e2e tests (the manager binary,
# with only its generated RBAC, in the local environment of `make run`: kube-apiserver, etcd and
# kube-controller-manager), and a short run of every fuzz target.
#
# The tests run inside `hack/cassandra.sh with cluster1 cluster2 cluster3 pair1 pair2`: the local
# Cassandra nodes that are not running are started for them, and the ones started for them are
# stopped again, by PID, whether the tests pass or fail.
#
# `hack/test.sh faults` (make test-faults) runs the fault suite instead, test/faults (build tag
# faults): a rollout through manager kills, leader failovers, a Cassandra node restart and a
# kube-apiserver restart, checked against the clusters' schema and audit logs.
#
# `hack/test.sh compat` (make test-compat) runs the compatibility tests instead (build tag compat,
# test/e2e/compat_test.go) against Cassandra 4.0 and 4.1: the rig's nodes v40 and v41, started
# (and stopped) for them like the others.
#
# Environment: FUZZ_TIME (default 10s per fuzz target; 0 skips fuzzing), GO_TEST_FLAGS (extra flags).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "${root}"
cassandra="${root}/hack/cassandra.sh"
if [[ "${CQLSYNC_TEST_SH:-}" != in-rig ]]; then
  "${root}/hack/ensure-tools.sh"
  # The Python driver (cqlengine) of the cross-driver checks, in bin/python-env (built once, reused).
  CQLSYNC_PYTHON="$("${root}/hack/python-env.sh")"
  export CQLSYNC_PYTHON
  export KUBEBUILDER_ASSETS="$("${root}/hack/control-plane.sh")"
  # This script again, with the Cassandra nodes up (and the rig's environment, hack/cassandra.sh
  # env). pair1 and pair2 are the two nodes of one cluster (the schema-disagreement and node-down
  # tests).
  nodes=(cluster1 cluster2 cluster3 pair1 pair2)
  if [[ "${1:-}" == compat ]]; then nodes=(v40 v41); fi
  CQLSYNC_TEST_SH=in-rig exec bash "${cassandra}" with "${nodes[@]}" -- \
    bash "${root}/hack/test.sh" "$@"
fi
unset CQLSYNC_TEST_SH
export CQLSYNC_REQUIRE_RIG=1

# Processes the Go tests start (kube-apiserver, etcd, kube-controller-manager, the manager) are
# recorded here by test/rig/testenv; whatever a crashed test binary left running is stopped by PID
# below.
export CQLSYNC_PID_DIR="${root}/bin/test-pids"
rm -rf "${CQLSYNC_PID_DIR}"
stop_recorded() {
  [[ -d "${CQLSYNC_PID_DIR}" ]] || return 0
  local pid start alive=()
  while read -r pid start; do
    # Only a process that still has the recorded start time is ours (PIDs are reused).
    if [[ -r /proc/${pid}/stat ]] && [[ "$(sed 's/.*) //' "/proc/${pid}/stat" | cut -d' ' -f20)" == "${start}" ]]; then
      kill -TERM "${pid}" 2>/dev/null && alive+=("${pid}")
    fi
  done < <(cat "${CQLSYNC_PID_DIR}"/*.pids 2>/dev/null)
  for pid in "${alive[@]}"; do
    for _ in $(seq 1 50); do kill -0 "${pid}" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "${pid}" 2>/dev/null || true
  done
  ((${#alive[@]} == 0)) || echo "test.sh: stopped ${#alive[@]} process(es) a test left running: ${alive[*]}"
  rm -rf "${CQLSYNC_PID_DIR}"
}
cleanup() {
  local rc=$?
  stop_recorded
  exit "${rc}"
}
trap cleanup EXIT INT TERM

if [[ "${1:-}" == faults ]]; then
  echo "test.sh: the fault suite (test/faults)"
  go test -tags faults -count=1 -timeout 20m -v ${GO_TEST_FLAGS:-} ./test/faults/
  echo "test.sh: the fault suite passed"
  exit 0
fi

if [[ "${1:-}" == compat ]]; then
  echo "test.sh: the compatibility tests on Cassandra 4.0 and 4.1 (test/e2e, build tag compat)"
  go test -tags compat -count=1 -timeout 20m -v -run '^TestCompatibility$' ${GO_TEST_FLAGS:-} ./test/e2e/
  echo "test.sh: the compatibility tests passed"
  exit 0
fi

# -p 1: the integration and e2e packages share the Cassandra clusters (one test restarts a node).
echo "test.sh: go test ./..."
go test -p 1 -count=1 -timeout 45m ${GO_TEST_FLAGS:-} ./...

fuzz_time="${FUZZ_TIME:-10s}"
# fuzz runs one fuzz target for fuzz_time. Go 1.26's fuzz coordinator can fail a target with a bare
# "context deadline exceeded" when -fuzztime ends while a worker is mid-call (go.dev/issue/75804,
# fixed in Go 1.27): such a failure, with no failing input written, is run once more. Any other
# failure, or the same one twice, fails the tests.
fuzz() {
  local pkg=$1 target=$2 out attempt
  for attempt in 1 2; do
    if out="$(go test -run '^$' -fuzz "^${target}\$" -fuzztime "${fuzz_time}" "${pkg}" 2>&1)"; then
      echo "${out}"
      return 0
    fi
    echo "${out}"
    if ((attempt == 1)) && grep -q 'context deadline exceeded' <<<"${out}" && ! grep -q 'Failing input written' <<<"${out}"; then
      echo "test.sh: ${target}: the fuzz engine's deadline race (go.dev/issue/75804), no failing input: running it once more"
      continue
    fi
    return 1
  done
}
if [[ "${fuzz_time}" != "0" ]]; then
  # Every Fuzz target of the module, each for a bounded time.
  while read -r pkg; do
    for target in $(go test -list '^Fuzz' "${pkg}" | grep '^Fuzz' || true); do
      echo "test.sh: fuzzing ${pkg} ${target} for ${fuzz_time}"
      fuzz "${pkg}" "${target}"
    done
  done < <(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u | sed 's|^\.|github.com/cqlsync/cqlsync|')
fi
echo "test.sh: all tests passed"
