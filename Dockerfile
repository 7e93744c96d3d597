# The cqlsync manager's image, for those with Docker or Podman: `make docker-build`, or
# `docker buildx build --platform linux/amd64,linux/arm64 .` for both platforms.
#
# `make image` builds the same image without a container engine (hack/image; docs/image.md says
# what each holds). Both: the manager as a static binary (CGO_ENABLED=0, built with the same flags)
# at /manager, the entrypoint (config/manager and dist/chart give args only), owned by root and run
# as 65532:65532 (distroless' nonroot), in /home/nonroot, with Debian's CA certificates in
# /etc/ssl/certs/ca-certificates.crt. They are not byte for byte the same: this one also has
# distroless' tzdata, /etc/nsswitch.conf and /etc/os-release, its Go is golang:1.26's, and its
# times are the build's.
FROM --platform=$BUILDPLATFORM golang:1.26 AS build
# Set by BuildKit and Buildah for the platform being built; empty (the builder's own) elsewhere.
ARG TARGETOS
ARG TARGETARCH
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY api/ api/
COPY cmd/ cmd/
COPY controllers/ controllers/
COPY internal/ internal/
RUN CGO_ENABLED=0 GOOS=${TARGETOS:-linux} GOARCH=$TARGETARCH GOAMD64=v1 GOARM64=v8.0 \
    go build -trimpath -buildvcs=false -ldflags="-s -w -buildid=" -o /out/manager ./cmd

FROM gcr.io/distroless/static:nonroot
LABEL org.opencontainers.image.title="cqlsync" \
      org.opencontainers.image.description="cqlsync manager: keeps Cassandra keyspaces, tables and types in line with Kubernetes resources" \
      org.opencontainers.image.source="https://github.com/cqlsync/cqlsync"
COPY --from=build /out/manager /manager
WORKDIR /home/nonroot
USER 65532:65532
ENTRYPOINT ["/manager"]
