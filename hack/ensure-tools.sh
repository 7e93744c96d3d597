#!/usr/bin/env bash
# ensure-tools.sh checks the host tools cqlsync's rig needs and installs the missing ones from
# Debian's packages when it can (root with apt-get): Go is assumed (it runs the build), JDK 17+ and
# Maven run Cassandra, openssl makes the test certificates, python3 with venv holds the Python driver
# of the cross-driver checks (hack/python-env.sh).
set -euo pipefail

missing=()
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# Debian's python3 lacks ensurepip (so `python3 -m venv` fails) until python3-venv is installed.
if ! command -v python3 >/dev/null 2>&1; then
  missing+=(python3 python3-venv)
elif ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  missing+=(python3-venv)
fi
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-tools: installing ${missing[*]}" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
  else
    echo "ensure-tools: please install: ${missing[*]} (JDK 17+, Maven, openssl, Python 3.10+ with venv)" >&2
    exit 1
  fi
fi
major=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
if [[ -z "${major}" || "${major%%.*}" -lt 17 ]]; then
  echo "ensure-tools: Cassandra 5.0 needs JDK 17 or newer; java is ${major:-unknown}" >&2
  exit 1
fi
