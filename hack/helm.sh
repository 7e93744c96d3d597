#!/usr/bin/env bash
# helm.sh builds helm from its Go module into bin/helm and prints that path. We reach the Go module
# proxy but no release downloads, so helm is compiled from the same upstream source as its release.
# `go install module@version` builds with helm's own go.mod, so none of helm's dependencies enter
# cqlsync's go.mod. Idempotent: a bin/helm of the wanted version is reused.
#
# Usage: hack/helm.sh          build (or reuse) bin/helm and print its path
# Environment: HELM_VERSION (default below).
set -euo pipefail

HELM_VERSION="${HELM_VERSION:-v4.3.2}"

root="$(cd "$(dirname "$0")/.." && pwd)"
out="${root}/bin/helm"
stamp="${root}/bin/.helm-version"

if [[ -x "${out}" && -f "${stamp}" && "$(cat "${stamp}")" == "${HELM_VERSION}" ]]; then
  echo "${out}"
  exit 0
fi

major="${HELM_VERSION%%.*}" # v4
tmp="$(mktemp -d "${root}/bin/.helm-build.XXXXXX" 2>/dev/null || { mkdir -p "${root}/bin" && mktemp -d "${root}/bin/.helm-build.XXXXXX"; })"
trap 'rm -rf "${tmp}"' EXIT
echo "helm: building helm ${HELM_VERSION} from Go modules (about 6 minutes on 2 cores the first time)" >&2
# Outside any module (cd to the scratch directory), so that the module@version form is used as is.
(
  cd "${tmp}"
  GOFLAGS= GOBIN="${tmp}" CGO_ENABLED=0 go install -trimpath \
    -ldflags "-s -w -X helm.sh/helm/${major}/internal/version.version=${HELM_VERSION} -X helm.sh/helm/${major}/internal/version.gitTreeState=clean" \
    "helm.sh/helm/${major}/cmd/helm@${HELM_VERSION}"
)
mv "${tmp}/helm" "${out}"
echo "${HELM_VERSION}" >"${stamp}"
echo "${out}"
