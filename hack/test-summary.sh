#!/usr/bin/env bash
# test-summary.sh LOG prints, compactly, what failed in the output of go test (as written by
# `make test`, `make test-faults` and `make test-compat`): the first 20 lines of the first three
# failing tests, each cut to 240 characters, any panic, and the packages that failed. .ci/run
# prints it last when a step fails.
set -euo pipefail
log="${1:?usage: test-summary.sh LOG}"
echo "==== test-summary: what failed (the whole output is in ${log}) ===="
awk '
  /^[ \t]*--- FAIL/ { infail = 1; shown = 0; blocks++ }
  /^(ok|FAIL|PASS|===|\?)[ \t]/ || /^(FAIL|PASS)$/ { infail = 0 }
  /^panic: / { print substr($0, 1, 240) }
  infail && blocks <= 3 && shown < 20 { print substr($0, 1, 240); shown++ }
  /^FAIL[ \t]/ { failed = failed "\n" $0 }
  END { if (failed != "") print "failed packages:" failed; if (blocks > 3) print "(" blocks " failing tests in all)" }
' "${log}"
