#!/usr/bin/env bash
# python-env.sh creates (once) the virtualenv of the cross-driver checks, bin/python-env, with the
# Python driver and cqlengine pinned in hack/python/requirements.txt, and prints the path of its
# python. Idempotent and quiet on stdout: the environment is reused while the requirements and the
# base interpreter are unchanged, so `export CQLSYNC_PYTHON=$(hack/python-env.sh)` costs nothing
# after the first run (under 10 seconds: the driver installs from its manylinux wheel).
#
# Environment: PYTHON (default python3), the base interpreter, 3.10 or newer (the driver's floor).
# Where no wheel fits the interpreter or platform, the driver is installed in its pure-Python form
# (no Cython, no libev: about 30 seconds) instead of compiling for minutes; cqlengine and schema
# management are the same in both forms (cqlengine_sync.py then uses the asyncore reactor, from the
# pyasyncore package on Python 3.12+).
# CASS_DRIVER_FORCE_PURE=1 takes that path even where a wheel exists (to test it).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${root}/bin/python-env"
req="${root}/hack/python/requirements.txt"
base="${PYTHON:-python3}"
log() { echo "python-env: $*" >&2; }

if ! command -v "${base}" >/dev/null 2>&1; then
  log "no ${base} on PATH: install Python 3.10+ (hack/ensure-tools.sh does on Debian)"
  exit 1
fi
if ! "${base}" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
  log "${base} is $("${base}" -V 2>&1); cassandra-driver needs Python 3.10 or newer"
  exit 1
fi

# The stamp names what the venv was built from: the requirements, the base interpreter and its
# version. Any change rebuilds it from scratch.
stamp_want="$(
  cat "${req}"
  "${base}" -c 'import sys, platform; print(sys.executable, platform.python_version(), platform.machine())'
  echo "pure=${CASS_DRIVER_FORCE_PURE:-0}"
)"
stamp="${venv}/.cqlsync-stamp"
if [[ -x "${venv}/bin/python" && -f "${stamp}" ]] && [[ "$(cat "${stamp}")" == "${stamp_want}" ]] &&
  "${venv}/bin/python" -c 'import cassandra.cqlengine.management' >/dev/null 2>&1; then
  echo "${venv}/bin/python"
  exit 0
fi

log "creating ${venv} with $("${base}" -V 2>&1) and $(grep -E '^cassandra-driver==' "${req}")"
start=${SECONDS}
rm -rf "${venv}"
mkdir -p "$(dirname "${venv}")"
if ! "${base}" -m venv "${venv}" >&2; then
  log "'${base} -m venv' failed: on Debian install python3-venv (hack/ensure-tools.sh does)"
  rm -rf "${venv}"
  exit 1
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_PROGRESS_BAR=off
pip=("${venv}/bin/python" -m pip --quiet)
# The driver from its wheel only: building its sdist as is compiles Cython and libev for minutes (or
# fails without libev's headers).
if [[ "${CASS_DRIVER_FORCE_PURE:-}" == 1 ]] || ! "${pip[@]}" install --only-binary=cassandra-driver --prefer-binary -r "${req}" >&2; then
  # No wheel for this interpreter or platform: the pure-Python form, in seconds. Up to 3.29 the
  # driver's setup.py reads CASS_DRIVER_NO_CYTHON/CASS_DRIVER_NO_EXTENSIONS; from 3.30 on it reads
  # [tool.cassandra-driver] build-*-extension(s) in its pyproject.toml, so both are switched off.
  version="$(sed -n 's/^cassandra-driver==\([^ ;#]*\).*/\1/p' "${req}")"
  log "installing cassandra-driver ${version} in its pure-Python form (no wheel for $("${base}" -V 2>&1) on $(uname -m), or CASS_DRIVER_FORCE_PURE=1)"
  src="${venv}/.cassandra-driver-src"
  mkdir -p "${src}"
  if ! "${pip[@]}" download --no-deps --no-binary=:all: -d "${src}" "cassandra-driver==${version}" >&2; then
    log "downloading the cassandra-driver ${version} sdist failed"
    rm -rf "${venv}"
    exit 1
  fi
  tar -xzf "${src}"/cassandra*driver-"${version}".tar.gz -C "${src}"
  dir="$(find "${src}" -mindepth 1 -maxdepth 1 -type d -name 'cassandra*driver-*' | head -1)"
  if [[ -f "${dir}/pyproject.toml" ]]; then
    sed -i -E 's/^(build-[a-z0-9-]+) *= *true/\1 = false/' "${dir}/pyproject.toml"
  fi
  grep -v '^cassandra-driver==' "${req}" >"${src}/requirements-others.txt"
  if ! CASS_DRIVER_NO_CYTHON=1 CASS_DRIVER_NO_EXTENSIONS=1 "${pip[@]}" install --prefer-binary "${dir}" \
    -r "${src}/requirements-others.txt" >&2; then
    log "installing ${req} (pure-Python cassandra-driver) failed"
    rm -rf "${venv}"
    exit 1
  fi
  rm -rf "${src}"
fi
"${venv}/bin/python" -c 'import cassandra, cassandra.cqlengine.management; print("python-env: cassandra-driver", cassandra.__version__)' >&2
echo "${stamp_want}" >"${stamp}"
log "ready in $((SECONDS - start))s"
echo "${venv}/bin/python"
