#!/usr/bin/env bash
# bench.sh is `make bench`: test/bench's BenchmarkRollout, which rolls out N TableModels with
# cqlsync and compares it with the floor (the Python driver sending the same CREATE TABLEs in a
# tight loop) and with cqlengine's sync_table, on the local clusters, then reports the cost of a
# resync with nothing to change and the manager's RSS with 1,000 TableModels.
#
# It runs inside `hack/cassandra.sh with cluster1 cluster2`. The 500-table runs need more heap than
# the tests' 768 MiB: the clusters it starts (cluster1 and cluster2, when not running) get
# CASSANDRA_HEAP_MAX (default 1536m), are wiped and restarted before each run when it started both
# (CQLSYNC_BENCH_FRESH_CLUSTERS=1), and are stopped again at the end, by PID. Clusters already
# running are used as they are, never wiped.
#
# Environment: CQLSYNC_BENCH_SIZES (default 100,300,500), CQLSYNC_BENCH_REPEAT (default 3: runs of
# each measurement; the table shows medians), CQLSYNC_BENCH_RSS_TABLES (default 1000; 0 skips),
# CQLSYNC_BENCH_DRIFT_INTERVAL (default 70s), CQLSYNC_BENCH_PPROF (an address for the manager's
# pprof, e.g. 127.0.0.1:6060), CQLSYNC_BENCH_REFERENCES (0 skips the floor and cqlengine: cqlsync's
# rollouts only).
#
# `hack/bench.sh Backfill` (`make bench-backfill`) runs BenchmarkBackfill instead, on cluster1: a
# Backfill's copy rate against a copy loop in the benchmark (the floor), the manager's RSS after a
# 10,000-row and an N-row Backfill, and spec.rowsPerSecond. Environment: CQLSYNC_BENCH_BACKFILL_ROWS
# (default 1000000), CQLSYNC_BENCH_BACKFILL_RATE (default 5000; 0 skips), CQLSYNC_BENCH_PPROF.
set -euo pipefail
bench="${1:-Rollout}"
case "${bench}" in
  Rollout | Backfill) ;;
  *) echo "usage: hack/bench.sh [Rollout|Backfill]" >&2; exit 2 ;;
esac
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "${root}"
cassandra="${root}/hack/cassandra.sh"
if [[ "${CQLSYNC_BENCH_SH:-}" != in-rig ]]; then
  "${root}/hack/ensure-tools.sh"
  if [[ "${bench}" == Rollout ]]; then # the references run in Python
    CQLSYNC_PYTHON="$("${root}/hack/python-env.sh")"
    export CQLSYNC_PYTHON
  fi
  export KUBEBUILDER_ASSETS="$("${root}/hack/control-plane.sh")"
  # The heap of the nodes hack/cassandra.sh starts here, and of the benchmark's restarts of them.
  export CASSANDRA_HEAP_MAX="${CASSANDRA_HEAP_MAX:-1536m}"
  echo "bench.sh: cluster1 and cluster2, started with heap ${CASSANDRA_HEAP_MAX} when not running"
  # This script again, with the clusters up (and the rig's environment, hack/cassandra.sh env).
  CQLSYNC_BENCH_SH=in-rig exec bash "${cassandra}" with cluster1 cluster2 -- bash "${root}/hack/bench.sh" "$@"
fi
unset CQLSYNC_BENCH_SH
export CQLSYNC_PID_DIR="${root}/bin/bench-pids"
if [[ ",${CQLSYNC_RIG_STARTED}," == *,cluster1,* && ",${CQLSYNC_RIG_STARTED}," == *,cluster2,* ]]; then
  # Clusters of its own: the benchmark wipes and restarts them before each run, so that no run
  # pays for the schema history of the ones before it (see the README).
  export CQLSYNC_BENCH_FRESH_CLUSTERS=1
fi
export CQLSYNC_REQUIRE_RIG=1
echo "bench.sh: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $(date -u +%Y-%m-%d)"
# Only the benchmark's own lines: the manager's logs are printed when it fails.
go test -count=1 -timeout 90m ./test/bench/ -run '^$' -bench "${bench}" -benchtime 1x -v 2>&1 | grep -v '^\s*{"level"'
